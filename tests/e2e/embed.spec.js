// web/embed.html stands for a third-party page embedding <ptrm-solver> with one script tag.
const { test, expect, defaultDemo } = require('./fixtures');

test('<ptrm-solver> loads the default model, solves, and reports through events', async ({ page }) => {
  const { demo } = await defaultDemo(page); // the default model's puzzle that PTRM solves with its settings
  await page.goto('/embed.html');
  // The page solves a random bundled puzzle on its own first; let that finish.
  await page.waitForFunction(() => /^(solved|error)/.test(document.getElementById('log').textContent), null, { timeout: 90000 });
  await expect(page.locator('#log')).toContainText('solved');
  const r = await page.evaluate(async (s) => {
    const el = document.getElementById('demo');
    const solver = await el.ready;
    let steps = 0;
    el.addEventListener('ptrm-step', () => { steps++; });
    for (const key of ['k', 'sigma', 'seed', 'steps']) el.setAttribute(key, String(s.settings[key]));
    el.setAttribute('puzzle', s.puzzle);
    const solved = new Promise((resolve) => el.addEventListener('ptrm-solved', (e) => resolve(e.detail), { once: true }));
    await el.solve();
    const res = await solved;
    return { task: solver.info.task, steps, answer: res.answer, valid: res.valid,
      badge: el.shadowRoot.querySelector('.badge').textContent };
  }, demo);
  expect(r.task).toBe('sudoku');
  expect(r.steps).toBeGreaterThanOrEqual(demo.settings.k);
  expect(r.valid).toBe(true);
  expect(r.badge).toBe('valid');
});
