// Offline and cached: the service worker precaches the app shell and the engine, the engine's loader keeps the
// model in the Cache API on first use; with the server gone and the network off a reload still solves. A new
// version of a model or of the engine replaces the cached copy. Each test serves its own copy of web/ and assets/
// (scripts/serve.mjs on a fixed port) so it can stop the server and change files.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { test, expect, link, waitState, sudokuSolves } = require('./fixtures');
const { SOLVED } = require('./known');

const REPO = path.join(__dirname, '..', '..');

async function siteCopy() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptrm-offline-'));
  fs.cpSync(path.join(REPO, 'web'), path.join(dir, 'web'), { recursive: true });
  for (const sub of ['models', 'puzzles']) {
    fs.cpSync(path.join(REPO, 'assets', sub), path.join(dir, 'assets', sub), { recursive: true });
  }
  const { createServer } = await import(pathToFileURL(path.join(REPO, 'scripts', 'serve.mjs')).href);
  let server = null;
  let port = 0;
  const site = {
    dir,
    async start() {
      server = createServer({ webRoot: path.join(dir, 'web'), assetsRoot: path.join(dir, 'assets') });
      await new Promise((r) => server.listen(port, '127.0.0.1', r));
      port = server.address().port;
      site.origin = `http://127.0.0.1:${port}`;
    },
    async stop() {
      if (!server) return;
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      server = null;
    },
    async dispose() {
      await site.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  await site.start();
  return site;
}

// What the page's caches hold: the shell cache names, and the model cache's URLs.
const cacheState = (page) => page.evaluate(async () => {
  const names = await caches.keys();
  const models = names.includes('ptrm-models') ? (await (await caches.open('ptrm-models')).keys()).map((r) => r.url) : [];
  const shell = names.filter((n) => n.startsWith('ptrm-shell-'));
  const shellFiles = shell.length ? (await (await caches.open(shell[0])).keys()).map((r) => new URL(r.url).pathname) : [];
  return { shell, shellFiles, models };
});

// The service worker has installed (precached everything) and controls the page.
async function swReady(page) {
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForFunction(() => !!navigator.serviceWorker.controller, null, { timeout: 30000 });
}

const solveLink = () => link({ task: 'sudoku', ...SOLVED, autosolve: 1 });

test('load, go offline, reload, solve', async ({ page, context }) => {
  const site = await siteCopy();
  try {
    await page.goto(site.origin + solveLink());
    expect(await waitState(page, ['solved', 'error'])).toBe('solved');
    await swReady(page);
    expect(await page.locator('#model-info').getAttribute('data-cache')).toBe('stored');
    await expect(page.locator('#model-info')).toContainText('kept for offline use');
    const cached = await cacheState(page);
    expect(cached.shell).toHaveLength(1);
    for (const f of ['/index.html', '/app/main.js', '/lib/ptrm-solver.js', '/engine/ptrm.js', '/engine/worker.js',
      '/engine/ptrm-st.wasm', '/engine/ptrm-mt.wasm', '/engine/ptrm-mt.worker.js', '/assets/models/index.json']) {
      expect(cached.shellFiles, f).toContain(f);
    }
    expect(cached.models).toEqual([expect.stringMatching(/\/assets\/models\/sudoku6\.safetensors\?v=[0-9a-f]{16}$/)]);

    await site.stop();
    await context.setOffline(true);
    await page.reload();
    expect(await waitState(page, ['solved', 'error'])).toBe('solved');
    const answer = await page.getByTestId('answer').getAttribute('data-value');
    expect(sudokuSolves(SOLVED.puzzle, answer)).toBe(true);
    expect(await page.locator('#model-info').getAttribute('data-cache')).toBe('hit');
    await expect(page.locator('#model-info')).toContainText('from the offline cache');
    expect(await page.evaluate(() => ({ isolated: self.crossOriginIsolated, threads: Number(document.documentElement.dataset.threads) })))
      .toEqual({ isolated: true, threads: expect.any(Number) });
  } finally {
    await context.setOffline(false);
    await site.dispose();
  }
});

test('a new version of the model or the engine replaces the cached one', async ({ page }) => {
  const site = await siteCopy();
  try {
    await page.goto(site.origin + '/');
    expect(await waitState(page, ['ready', 'error'])).toBe('ready');
    await swReady(page);
    const before = await cacheState(page);
    expect(before.models).toHaveLength(1);

    // New model version: same tensors, different metadata → different bytes and content hash.
    const model = path.join(site.dir, 'assets', 'models', 'sudoku9.safetensors');
    const buf = fs.readFileSync(model);
    const n = Number(buf.readBigUInt64LE(0));
    const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
    header.__metadata__['ptrm.description'] = `${header.__metadata__['ptrm.description'] || ''} (v2)`;
    let text = JSON.stringify(header);
    text += ' '.repeat((8 - (text.length % 8)) % 8);
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(Buffer.byteLength(text)));
    fs.writeFileSync(model, Buffer.concat([len, Buffer.from(text), buf.subarray(8 + n)]));
    // New engine version.
    fs.appendFileSync(path.join(site.dir, 'web', 'engine', 'worker.js'), '\n// ptrm-e2e engine v2\n');

    await page.reload();
    expect(await waitState(page, ['ready', 'error'])).toBe('ready');
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).update());
    await expect.poll(async () => (await cacheState(page)).shell, { timeout: 60000 })
      .toEqual([expect.not.stringMatching(`^${before.shell[0]}$`)]);
    const after = await cacheState(page);
    expect(after.models).toHaveLength(1);
    expect(after.models[0]).toMatch(/sudoku9\.safetensors\?v=/);
    expect(after.models[0]).not.toBe(before.models[0]);
    // The page now gets the new engine from the new cache, even with the server gone.
    await site.stop();
    expect(await page.evaluate(async () => (await (await fetch('engine/worker.js')).text()).includes('engine v2'))).toBe(true);
  } finally {
    await site.dispose();
  }
});

test('the static site of `pack.mjs --site` on a header-less host: isolated by the worker, works offline', async ({ page, context }) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ptrm-site-'));
  const { site } = await import(pathToFileURL(path.join(REPO, 'scripts', 'pack.mjs')).href);
  await site(path.join(dir, 'site'));
  expect(fs.existsSync(path.join(dir, 'site', 'precache.js'))).toBe(true);
  const { createServer } = await import(pathToFileURL(path.join(REPO, 'scripts', 'serve.mjs')).href);
  const root = path.join(dir, 'site');
  const server = createServer({ coi: false, webRoot: root, assetsRoot: path.join(root, 'assets') });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${server.address().port}`;
  try {
    await page.goto(origin + solveLink());  // registers the worker, reloads once, then solves isolated
    expect(await waitState(page, ['solved', 'error'])).toBe('solved');
    expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await context.setOffline(true);
    await page.reload();
    expect(await waitState(page, ['solved', 'error'])).toBe('solved');
    expect(sudokuSolves(SOLVED.puzzle, await page.getByTestId('answer').getAttribute('data-value'))).toBe(true);
    expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
  } finally {
    await context.setOffline(false);
    if (server.listening) { server.closeAllConnections(); server.close(); }
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
