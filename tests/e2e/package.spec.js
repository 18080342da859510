// The npm package as a web developer meets it: `npm pack` (scripts/pack.mjs) → `npm install` of the tarball into a
// scratch page project (offline: a local tarball with no dependencies) → serve that project → solve in Chromium,
// the three ways the README shows: a bundler (esbuild) importing 'ptrm', a plain <script type="module"> from the
// static folder, and the <ptrm-solver> element with its default model; and node importing 'ptrm'.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { pathToFileURL } = require('node:url');
const { test, expect, sudokuSolves } = require('./fixtures');
const { SOLVED, DEMO } = require('./known');

const REPO = path.join(__dirname, '..', '..');
let scratch;
let server;
let origin;

test.beforeAll(async () => {
  test.setTimeout(240000);
  const pack = await import(pathToFileURL(path.join(REPO, 'scripts', 'pack.mjs')).href);
  await pack.assemble();
  const tgz = pack.tarball();
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ptrm-pkg-'));
  fs.writeFileSync(path.join(scratch, 'package.json'), JSON.stringify({ name: 'scratch-page', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', tgz], { cwd: scratch, stdio: 'pipe' });
  const installed = JSON.parse(fs.readFileSync(path.join(scratch, 'node_modules', 'ptrm', 'package.json'), 'utf8'));
  expect(installed.exports['.'].default).toBe('./engine/ptrm.js');

  // 2. plain module script, straight from node_modules
  fs.writeFileSync(path.join(scratch, 'static.html'), `<!doctype html><meta charset="utf-8"><title>static</title>
<script type="module">
  import { Solver } from './node_modules/ptrm/engine/ptrm.js';
  window.run = async (puzzle, options) => {
    const solver = await Solver.load('./node_modules/ptrm/assets/models/sudoku6.safetensors');
    const r = await solver.solve(puzzle, options);
    const out = { answer: r.answer, valid: r.valid, threads: solver.info.threads, pool: solver.info.poolThreads };
    await solver.dispose();
    return out;
  };
</script>`);

  // 3. the element, default model from the package's own assets/models/index.json
  fs.writeFileSync(path.join(scratch, 'element.html'), `<!doctype html><meta charset="utf-8"><title>element</title>
<script type="module" src="./node_modules/ptrm/lib/ptrm-solver.js"></script>
<ptrm-solver id="el" puzzle="${DEMO.puzzle}" k="${DEMO.k}" sigma="${DEMO.sigma}" steps="${DEMO.steps}" seed="${DEMO.seed}"></ptrm-solver>`);

  // 1. a bundler: the API bundled into one file, the engine folder copied to the site as the README says
  fs.writeFileSync(path.join(scratch, 'main.js'), `import { Solver, BadPuzzleError } from 'ptrm';
window.run = async (puzzle, options) => {
  const solver = await Solver.load('./node_modules/ptrm/assets/models/sudoku6.safetensors', { wasmBase: './ptrm-engine/' });
  let typed = false;
  try { await solver.solve('not a puzzle', {}); } catch (e) { typed = e instanceof BadPuzzleError; }
  const r = await solver.solve(puzzle, options);
  await solver.dispose();
  return { answer: r.answer, valid: r.valid, typedError: typed };
};`);
  const esbuild = require('esbuild');
  await esbuild.build({ entryPoints: [path.join(scratch, 'main.js')], bundle: true, format: 'esm', platform: 'browser',
    outfile: path.join(scratch, 'out', 'bundle.js'), absWorkingDir: scratch, logLevel: 'error' });
  fs.cpSync(path.join(scratch, 'node_modules', 'ptrm', 'engine'), path.join(scratch, 'ptrm-engine'), { recursive: true });
  fs.writeFileSync(path.join(scratch, 'bundled.html'), `<!doctype html><meta charset="utf-8"><title>bundled</title>
<script type="module" src="./out/bundle.js"></script>`);

  const { createServer } = await import(pathToFileURL(path.join(REPO, 'scripts', 'serve.mjs')).href);
  server = createServer({ webRoot: scratch, assetsRoot: path.join(scratch, 'no-assets') });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${server.address().port}`;
});

test.afterAll(async () => {
  if (server) { server.closeAllConnections(); server.close(); }
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

test('the tarball holds the entry, types, both engine flavours, the worker and the element', async () => {
  const root = path.join(scratch, 'node_modules', 'ptrm');
  for (const f of ['engine/ptrm.js', 'engine/ptrm.d.ts', 'engine/worker.js', 'engine/engine.js', 'engine/errors.js',
    'engine/ptrm-st.js', 'engine/ptrm-st.wasm', 'engine/ptrm-mt.js', 'engine/ptrm-mt.wasm', 'engine/ptrm-mt.worker.js',
    'lib/ptrm-solver.js', 'lib/ptrm-solver.d.ts', 'lib/exits.js', 'assets/models/index.json', 'README.md']) {
    expect(fs.existsSync(path.join(root, f)), f).toBe(true);
  }
  // Everything the element imports is inside the package (no ../app/ of the demo).
  for (const f of fs.readdirSync(path.join(root, 'lib')).filter((n) => n.endsWith('.js'))) {
    const text = fs.readFileSync(path.join(root, 'lib', f), 'utf8');
    for (const m of text.matchAll(/from\s+'([^']+)'/g)) expect(fs.existsSync(path.resolve(root, 'lib', m[1])), `${f}: ${m[1]}`).toBe(true);
  }
  expect(fs.readFileSync(path.join(root, 'README.md'), 'utf8')).toContain("} from 'ptrm';");
});

test('node: import from "ptrm" solves with one thread and with worker threads', async () => {
  fs.writeFileSync(path.join(scratch, 'node-check.mjs'), `import { Solver } from 'ptrm';
const out = [];
for (const threads of [1, 2]) {
  const s = await Solver.load('node_modules/ptrm/assets/models/sudoku6.safetensors', { threads });
  const r = await s.solve(${JSON.stringify(SOLVED.puzzle)}, { k: ${SOLVED.k}, sigma: ${SOLVED.sigma}, steps: ${SOLVED.steps}, seed: ${SOLVED.seed} });
  out.push({ flavour: s.info.flavour, answer: r.answer, valid: r.valid });
  await s.dispose();
}
console.log(JSON.stringify(out));`);
  const out = JSON.parse(execFileSync(process.execPath, ['node-check.mjs'], { cwd: scratch, encoding: 'utf8', timeout: 120000 }));
  expect(out.map((r) => [r.flavour, r.valid])).toEqual([['st', true], ['mt', true]]);
  for (const r of out) expect(sudokuSolves(SOLVED.puzzle, r.answer)).toBe(true);
});

test('plain <script type="module"> from the installed folder solves (threads: the page is isolated)', async ({ page }) => {
  await page.goto(`${origin}/static.html`);
  await page.waitForFunction(() => typeof window.run === 'function');
  const r = await page.evaluate((s) => window.run(s.puzzle, { k: s.k, sigma: s.sigma, steps: s.steps, seed: s.seed }), SOLVED);
  expect(r.valid).toBe(true);
  expect(sudokuSolves(SOLVED.puzzle, r.answer)).toBe(true);
  // A pool of several threads; solves use 1 or all of it, whichever the load-time calibration measured faster.
  expect(r.pool).toBeGreaterThan(1);
  expect([1, r.pool]).toContain(r.threads);
});

test('bundled with esbuild (import from "ptrm", engine folder beside the bundle) solves', async ({ page }) => {
  await page.goto(`${origin}/bundled.html`);
  await page.waitForFunction(() => typeof window.run === 'function');
  const r = await page.evaluate((s) => window.run(s.puzzle, { k: s.k, sigma: s.sigma, steps: s.steps, seed: s.seed }), SOLVED);
  expect(r.typedError).toBe(true);
  expect(r.valid).toBe(true);
  expect(sudokuSolves(SOLVED.puzzle, r.answer)).toBe(true);
});

test('<ptrm-solver> from the package loads its default model and solves', async ({ page }) => {
  await page.goto(`${origin}/element.html`);
  const r = await page.evaluate(async () => {
    const el = document.getElementById('el');
    const solver = await el.ready;
    if (!solver) return { error: el.shadowRoot.querySelector('.msg').textContent };
    const res = await el.solve();
    return { task: solver.info.task, board: solver.info.board, answer: res && res.answer, valid: res && res.valid };
  });
  expect(r.error).toBeUndefined();
  expect(r.task).toBe('sudoku');
  expect(r.valid).toBe(true);
  expect(sudokuSolves(DEMO.puzzle, r.answer)).toBe(true); // the default model's demo puzzle
});
