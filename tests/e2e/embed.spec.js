// web/embed.html stands for a third-party page embedding <ptrm-solver> with one script tag.
const { test, expect, defaultDemo } = require('./fixtures');

// The page solves a random bundled puzzle on its own first; let that finish.
async function openEmbed(page) {
  await page.goto('/embed.html');
  await page.waitForFunction(() => /^(solved|error)/.test(document.getElementById('log').textContent), null, { timeout: 90000 });
}

test('<ptrm-solver> loads the default model, solves, and reports through events', async ({ page }) => {
  const { demo } = await defaultDemo(page); // the default model's puzzle that PTRM solves with its settings
  await openEmbed(page);
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

test('<ptrm-solver> takes the default model\'s early exit from its card; an exit attribute overrides it; a bad one is the engine\'s error', async ({ page }) => {
  const { model, demo } = await defaultDemo(page);
  expect(model.recommended.exit).toBe('solve');
  await openEmbed(page);
  const r = await page.evaluate(async (s) => {
    const el = document.getElementById('demo');
    await el.ready;
    for (const key of ['k', 'sigma', 'seed', 'steps']) el.setAttribute(key, String(s.settings[key]));
    el.setAttribute('puzzle', s.puzzle);
    const run = async () => {
      const res = await el.solve();
      return res && { valid: res.valid, select: res.select, trajs: res.trajectories.map((t) => ({ stop: t.stop, steps: t.steps })) };
    };
    const card = await run();              // no exit/select attribute: the card's
    el.setAttribute('exit', 'none');
    const none = await run();
    el.setAttribute('exit', 'sometimes');
    const errored = new Promise((resolve) => el.addEventListener('ptrm-error', (e) => resolve({ name: e.detail.name, message: e.detail.message }), { once: true }));
    const bad = await el.solve();
    return { card, none, bad, error: await errored, msg: el.shadowRoot.querySelector('.msg').textContent };
  }, demo);
  // The card's exit: the whole solve stops at the first valid answer; select 'valid' takes it.
  expect(r.card.select).toBe(model.recommended.select);
  expect(r.card.valid).toBe(true);
  expect(r.card.trajs).toHaveLength(demo.settings.k);
  for (const t of r.card.trajs) expect(['valid', 'solveDone']).toContain(t.stop);
  expect(r.card.trajs.some((t) => t.stop === 'valid')).toBe(true);
  expect(Math.max(...r.card.trajs.map((t) => t.steps))).toBeLessThan(demo.settings.steps);
  // exit="none": every trajectory runs every step.
  expect(r.none.trajs).toEqual(Array(demo.settings.k).fill({ stop: 'steps', steps: demo.settings.steps }));
  // A word the engine does not know: its BadOptionsError, as a ptrm-error event, no result.
  expect(r.bad).toBeNull();
  expect(r.error.name).toBe('BadOptionsError');
  expect(r.error.message).toContain("'sometimes'");
  expect(r.msg).toContain('BadOptionsError');
});

test('<ptrm-solver> passes its noise attribute on as the engine\'s noiseOn; a bad one is the engine\'s error', async ({ page }) => {
  const { demo } = await defaultDemo(page);
  await openEmbed(page);
  const r = await page.evaluate(async (s) => {
    const el = document.getElementById('demo');
    await el.ready;
    // Every trajectory runs every step, so the q_halt curves differ only by where the noise went.
    for (const key of ['k', 'sigma', 'seed', 'steps']) el.setAttribute(key, String(s.settings[key]));
    el.setAttribute('exit', 'none');
    el.setAttribute('puzzle', s.puzzle);
    const run = async () => {
      const res = await el.solve();
      return res && res.trajectories.map((t) => Array.from(t.qHalt));
    };
    const z = await run();                 // no noise attribute: the card's (sudoku9's card says nothing: z)
    el.setAttribute('noise', 'z');
    const zNamed = await run();
    el.setAttribute('noise', 'y');
    const y = await run();
    const yAgain = await run();
    el.setAttribute('noise', 'sideways');
    const errored = new Promise((resolve) => el.addEventListener('ptrm-error', (e) => resolve({ name: e.detail.name, message: e.detail.message }), { once: true }));
    const bad = await el.solve();
    return { z, zNamed, y, yAgain, bad, error: await errored };
  }, demo);
  expect(r.z).toHaveLength(demo.settings.k);
  expect(r.zNamed).toEqual(r.z);
  expect(r.yAgain).toEqual(r.y);
  expect(r.y).not.toEqual(r.z);
  expect(r.bad).toBeNull();
  expect(r.error.name).toBe('BadOptionsError');
  expect(r.error.message).toContain("'sideways'");
});
