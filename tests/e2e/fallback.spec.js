// Without cross-origin isolation (no SharedArrayBuffer) the app must fall back to one thread and still solve;
// on a static host that cannot send headers, web/sw.js must restore isolation.
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { test, expect, link, waitState, sudokuSolves } = require('./fixtures');
const { SOLVED } = require('./known');

test('?coi=0: not isolated, one thread, still solves', async ({ page }) => {
  await page.goto(link({ coi: 0, task: 'sudoku', ...SOLVED, autosolve: 1 }));
  expect(await waitState(page, ['solved', 'error'])).toBe('solved');
  const env = await page.evaluate(() => ({ isolated: self.crossOriginIsolated, threads: document.documentElement.dataset.threads }));
  expect(env).toEqual({ isolated: false, threads: '1' });
  const answer = await page.getByTestId('answer').getAttribute('data-value');
  expect(sudokuSolves(SOLVED.puzzle, answer)).toBe(true);
});

test('header-less host: the service worker makes the page isolated and threaded', async ({ page }) => {
  const { createServer } = await import(pathToFileURL(path.join(__dirname, '../../scripts/serve.mjs')).href);
  const server = createServer({ coi: false });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  try {
    const { port } = server.address();
    const res = await page.request.get(`http://127.0.0.1:${port}/`);
    expect(res.headers()['cross-origin-embedder-policy']).toBeUndefined();
    await page.goto(`http://127.0.0.1:${port}/`);
    await waitState(page, ['ready', 'error']);
    const env = await page.evaluate(() => ({ isolated: self.crossOriginIsolated, controlled: !!navigator.serviceWorker.controller, pool: Number(document.documentElement.dataset.poolThreads) }));
    expect(env.isolated).toBe(true);
    expect(env.controlled).toBe(true);
    expect(env.pool).toBeGreaterThan(1);
  } finally {
    server.close();
  }
});
