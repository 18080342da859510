// A page on another origin embeds <ptrm-solver> with one script tag pointing at the ptrm host (the Playwright
// server): the engine's worker must start (from a same-origin blob: URL importing the real worker.js with CORS),
// with threads when the host page is cross-origin isolated and on one thread when it is not.
const http = require('node:http');
const { test, expect, sudokuSolves } = require('./fixtures');
const { DEMO } = require('./known');

let server;
let hostOrigin;

test.beforeAll(async ({ baseURL }) => {
  const ptrm = new URL(baseURL).origin;
  server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const coi = url.searchParams.get('coi') === '1';
    const headers = { 'Content-Type': 'text/html; charset=utf-8' };
    if (coi) Object.assign(headers, { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' });
    if (url.pathname !== '/') { res.writeHead(404, headers); res.end(); return; }
    res.writeHead(200, headers);
    res.end(`<!doctype html><meta charset="utf-8"><title>someone else's blog</title>
<script type="module" src="${ptrm}/lib/ptrm-solver.js"></script>
<p>An article with a live solver:</p>
<ptrm-solver id="el" puzzle="${DEMO.puzzle}" k="${DEMO.k}" sigma="${DEMO.sigma}" steps="${DEMO.steps}" seed="${DEMO.seed}"></ptrm-solver>`);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  hostOrigin = `http://127.0.0.1:${server.address().port}`;
  expect(hostOrigin).not.toBe(ptrm);
});

test.afterAll(() => { if (server) { server.closeAllConnections(); server.close(); } });

for (const coi of [true, false]) {
  test(`element from another origin solves (host page ${coi ? 'isolated: threads' : 'not isolated: one thread'})`, async ({ page }) => {
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${hostOrigin}/?coi=${coi ? 1 : 0}`);
    const r = await page.evaluate(async () => {
      const el = document.getElementById('el');
      const solver = await el.ready;
      if (!solver) return { error: el.shadowRoot.querySelector('.msg').textContent };
      let steps = 0;
      el.addEventListener('ptrm-step', () => { steps++; });
      const res = await el.solve();
      return { isolated: self.crossOriginIsolated, threads: solver.info.threads, pool: solver.info.poolThreads, flavour: solver.info.flavour, steps,
        answer: res && res.answer, valid: res && res.valid };
    });
    expect(r.error).toBeUndefined();
    expect(errors).toEqual([]);
    expect(r.isolated).toBe(coi);
    if (coi) {
      expect(r.flavour).toBe('mt');
      // A pool of several threads; solves use 1 or all of it (measured at load).
      expect(r.pool).toBeGreaterThan(1);
      expect([1, r.pool]).toContain(r.threads);
    } else {
      expect(r).toMatchObject({ flavour: 'st', threads: 1 });
    }
    expect(r.steps).toBeGreaterThanOrEqual(DEMO.k); // the element uses the default model: its demo puzzle
    expect(r.valid).toBe(true);
    expect(sudokuSolves(DEMO.puzzle, r.answer)).toBe(true);
  });
}
