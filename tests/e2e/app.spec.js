// The app end to end against the real engine (web/engine, built from wasm/) and the shipped model.
const { test, expect, link, waitState, recordStepUpdates, sudokuSolves, mazeSolves } = require('./fixtures');
const { SOLVED, MAZE } = require('./known');

const solvedLink = (extra = {}) => link({ task: 'sudoku', ...SOLVED, autosolve: 1, ...extra });

// The pool has several threads; whether solves use them or 1 is measured at load (a loaded box may pick 1).
test('the page is cross-origin isolated and the solver has several threads to choose from', async ({ page }) => {
  await page.goto('/');
  await waitState(page, 'ready');
  const env = await page.evaluate(() => ({
    isolated: self.crossOriginIsolated, sab: typeof SharedArrayBuffer, threads: Number(document.documentElement.dataset.threads),
    pool: Number(document.documentElement.dataset.poolThreads),
  }));
  expect(env.isolated).toBe(true);
  expect(env.sab).toBe('function');
  expect(env.pool).toBeGreaterThan(1);
  expect([1, env.pool]).toContain(env.threads);
  await expect(page.locator('#env')).toContainText('threads');
});

test('a K=4 shareable-link solve streams every trajectory and ends on a valid chosen answer', async ({ page }) => {
  await recordStepUpdates(page);
  await page.goto(solvedLink({ exit: 'none' })); // every step streamed, whatever the model card recommends
  expect(await waitState(page, ['solved', 'error'])).toBe('solved');

  const cards = page.getByTestId('traj');
  await expect(cards).toHaveCount(SOLVED.k);
  // Each trajectory's board changed while the page was still solving, over more than one supervision step.
  const log = await page.evaluate(() => window.__stepLog);
  for (let t = 0; t < SOLVED.k; t++) {
    const live = new Set(log.filter((e) => e.traj === t && e.state === 'solving').map((e) => e.step));
    expect(live.size, `trajectory ${t} steps seen during the solve`).toBeGreaterThan(1);
  }
  const answer = await page.getByTestId('answer').getAttribute('data-value');
  expect(sudokuSolves(SOLVED.puzzle, answer)).toBe(true);
  await expect(page.getByTestId('badge')).toHaveText('valid');
  await expect(page.locator('.traj.chosen')).toHaveCount(1);
  // The PCA plot received one point per trajectory step.
  const points = Number(await page.locator('#pca').getAttribute('data-points'));
  expect(points).toBeGreaterThanOrEqual(SOLVED.k * 2);
});

test('a malformed puzzle shows a typed error and the page keeps working', async ({ page }) => {
  // Right length (so the link picks the 6x6 model), one illegal character: the engine's BadPuzzleError.
  await page.goto(link({ task: 'sudoku', puzzle: SOLVED.puzzle.slice(0, -2) + 'x7', k: 2, steps: 2, autosolve: 1 }));
  expect(await waitState(page, ['solved', 'error'])).toBe('error');
  await expect(page.getByTestId('error')).toBeVisible();
  await expect(page.getByTestId('error')).toContainText('BadPuzzleError');

  await page.locator('#puzzle-text').fill(SOLVED.puzzle);
  for (const key of ['k', 'sigma', 'seed', 'steps']) await page.locator(`#${key}`).fill(String(SOLVED[key]));
  await page.getByRole('button', { name: 'Solve' }).click();
  expect(await waitState(page, ['solved', 'error'])).toBe('solved');
  await expect(page.getByTestId('error')).toBeHidden();
  await expect(page.getByTestId('badge')).toHaveText('valid');
});

for (const [what, params] of [['K = 100000', { k: 100000 }], ['σ = NaN', { sigma: 'NaN' }], ['σ = -1', { sigma: -1 }]]) {
  test(`absurd options (${what}) are refused with BadOptionsError, not a hang`, async ({ page }) => {
    await page.goto(link({ task: 'sudoku', ...SOLVED, ...params, autosolve: 1 }));
    expect(await waitState(page, ['solved', 'error'])).toBe('error');
    await expect(page.getByTestId('error')).toContainText('BadOptionsError');
  });
}

test('a file that is not a model gives BadModelError; picking a shipped model recovers', async ({ page }) => {
  await page.goto(link({ model: '/index.html' }));
  expect(await waitState(page, ['ready', 'error'])).toBe('error');
  await expect(page.getByTestId('error')).toContainText('BadModelError');
  const first = await page.locator('#model option:not([disabled])').first().getAttribute('value');
  await page.locator('#model').selectOption(first);
  expect(await waitState(page, ['ready', 'error'])).toBe('ready');
  // The picked model brings its own puzzle (its demo or a bundled one) and settings.
  expect((await page.locator('#puzzle-text').inputValue()).length).toBeGreaterThan(0);
  await page.getByRole('button', { name: 'Solve' }).click();
  expect(await waitState(page, ['solved', 'error'])).toBe('solved');
});

test('Cancel stops a running solve and the next solve still works', async ({ page }) => {
  await page.goto(link({ task: 'sudoku', puzzle: SOLVED.puzzle, k: 64, steps: 256, sigma: 0.3, seed: 2, autosolve: 1 }));
  await waitState(page, 'solving');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=traj]')].some((c) => Number(c.dataset.step) >= 1));
  const t0 = Date.now();
  await page.getByRole('button', { name: 'Cancel' }).click();
  expect(await waitState(page, ['ready', 'solved', 'error'], 10000)).toBe('ready');
  expect(Date.now() - t0).toBeLessThan(5000);
  await expect(page.locator('#status')).toContainText('Cancelled');
  const stepsAtCancel = await page.evaluate(() => Math.max(...[...document.querySelectorAll('[data-testid=traj]')].map((c) => Number(c.dataset.step))));
  expect(stepsAtCancel).toBeLessThan(255);

  for (const key of ['k', 'sigma', 'seed', 'steps']) await page.locator(`#${key}`).fill(String(SOLVED[key]));
  await page.getByRole('button', { name: 'Solve' }).click();
  expect(await waitState(page, ['solved', 'error'])).toBe('solved');
  await expect(page.getByTestId('badge')).toHaveText('valid');
});

test('editing a cell on the board updates the puzzle text', async ({ page }) => {
  await page.goto(link({ task: 'sudoku', puzzle: SOLVED.puzzle }));
  await waitState(page, 'ready');
  const blank = SOLVED.puzzle.indexOf('.');
  await page.locator(`#board [data-i="${blank}"]`).click();
  await page.keyboard.press('1');
  const text = await page.locator('#puzzle-text').inputValue();
  expect(text[blank]).toBe('1');
  expect(text.length).toBe(SOLVED.puzzle.length);
});

test('the shipped maze model draws a shortest path for a held-out maze', async ({ page }) => {
  await recordStepUpdates(page);
  await page.goto(link({ task: 'maze', ...MAZE, autosolve: 1 }));
  expect(await waitState(page, ['solved', 'error'])).toBe('solved');
  await expect(page.getByTestId('traj')).toHaveCount(MAZE.k);
  const answer = await page.getByTestId('answer').getAttribute('data-value');
  expect(mazeSolves(MAZE.puzzle, answer)).toBe(true);
  await expect(page.getByTestId('badge')).toHaveText('valid');
});
