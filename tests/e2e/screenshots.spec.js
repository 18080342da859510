// Screenshots for docs/screenshots/ of the first screen (the default model, its demo puzzle and recommended
// settings): mid-solve and solved, desktop and a 390 px phone. They rewrite tracked files, so they run only when
// asked: `PTRM_SCREENSHOTS=1 npx playwright test -c playwright.config.cjs screenshots`.
const path = require('node:path');
const { test, expect, waitState } = require('./fixtures');

const OUT = path.join(__dirname, '../../docs/screenshots');

for (const [name, viewport] of [['desktop', { width: 1280, height: 800 }], ['narrow', { width: 390, height: 844 }]]) {
  test(`screenshots: ${name}`, async ({ page }) => {
    test.skip(process.env.PTRM_SCREENSHOTS !== '1', 'writes docs/screenshots/: set PTRM_SCREENSHOTS=1 to retake them');
    await page.setViewportSize(viewport);
    await page.goto('/');
    await waitState(page, 'ready');
    await page.getByRole('button', { name: 'Solve' }).click();
    await waitState(page, ['solving', 'solved']);
    await page.waitForFunction(() => {
      const steps = [...document.querySelectorAll('[data-testid=traj]')].map((c) => Number(c.dataset.step));
      return document.documentElement.dataset.state !== 'solving' || (steps.length && Math.min(...steps) >= 3);
    });
    await page.screenshot({ path: path.join(OUT, `${name}-solving.png`), fullPage: true });
    expect(await waitState(page, ['solved', 'error'])).toBe('solved');
    await page.screenshot({ path: path.join(OUT, `${name}-solved.png`), fullPage: true });
  });
}
