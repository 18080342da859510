// Screenshots for docs/screenshots/ of the first screen (the default model, its demo puzzle and recommended
// settings): solved (as the first Solve runs, with the card's early exit) and mid-solve (early exit none, so the
// recursion is seen running), desktop and a 390 px phone. They rewrite tracked files, so they run only when
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
    // Solved: the first Solve as a visitor gets it (the card's settings, early exit included).
    await page.getByRole('button', { name: 'Solve' }).click();
    expect(await waitState(page, ['solved', 'error'])).toBe('solved');
    await page.screenshot({ path: path.join(OUT, `${name}-solved.png`), fullPage: true });
    // Mid-solve: the card's early exit ends the demo within a step or two, so this shot runs every step (exit none).
    await page.locator('#exit').selectOption('none');
    await page.getByRole('button', { name: 'Solve' }).click();
    await waitState(page, ['solving', 'solved']);
    await page.waitForFunction(() => {
      const steps = [...document.querySelectorAll('[data-testid=traj]')].map((c) => Number(c.dataset.step));
      return document.documentElement.dataset.state !== 'solving' || (steps.length && Math.min(...steps) >= 3);
    });
    await page.screenshot({ path: path.join(OUT, `${name}-solving.png`), fullPage: true });
    expect(await waitState(page, ['solved', 'error'])).toBe('solved');
  });
}
