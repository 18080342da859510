// Screenshots for docs/screenshots/: mid-solve and solved, desktop and a 390 px phone.
const path = require('node:path');
const { test, expect, link, waitState } = require('./fixtures');
const { SOLVED } = require('./known');

const OUT = path.join(__dirname, '../../docs/screenshots');

for (const [name, viewport] of [['desktop', { width: 1400, height: 1000 }], ['narrow', { width: 390, height: 844 }]]) {
  test(`screenshots: ${name}`, async ({ page }) => {
    await page.setViewportSize(viewport);
    // More trajectories and steps than the functional test so there is a mid-solve moment to capture.
    await page.goto(link({ task: 'sudoku', ...SOLVED, k: 16, steps: 32, autosolve: 1 }));
    await waitState(page, 'solving');
    await page.waitForFunction(() => {
      const steps = [...document.querySelectorAll('[data-testid=traj]')].map((c) => Number(c.dataset.step));
      return steps.length && Math.min(...steps) >= 2;
    });
    await page.screenshot({ path: path.join(OUT, `${name}-solving.png`), fullPage: true });
    expect(await waitState(page, ['solved', 'error'])).toBe('solved');
    await page.screenshot({ path: path.join(OUT, `${name}-solved.png`), fullPage: true });
  });
}
