// One truth from engine to pixel: the first screen (default model, its demo puzzle and recommended settings),
// step labels, cancel that always cancels, errors and results where the user is looking, inputs that explain
// themselves, contrast.
const { test, expect, link, waitState, recordStatus, sudokuSolves, contrastOf, defaultDemo } = require('./fixtures');
const { SOLVED } = require('./known');

// The engine step each trajectory card shows (data-step), in card order.
const stepsShown = (page) => page.evaluate(() => [...document.querySelectorAll('[data-testid=traj]')].map((c) => Number(c.dataset.step)));

const VIEWPORTS = [['1280x800', { width: 1280, height: 800 }], ['390x844', { width: 390, height: 844 }]];

test('first screen: the strongest 9x9 model, its recommended settings and a puzzle where PTRM beats deterministic', async ({ page }) => {
  const { index, model, demo } = await defaultDemo(page);
  expect(model.task).toBe('sudoku');
  expect(model.board).toBe(Math.max(...index.models.filter((m) => m.task === 'sudoku').map((m) => m.board)));
  await page.goto('/');
  await waitState(page, 'ready');
  // The picker shows the card's figures; the inputs hold its recommended settings; the box holds the demo puzzle.
  const info = page.getByTestId('model-info');
  await expect(info).toContainText('Held-out');
  await expect(info).toContainText(`${(model.heldOut.deterministic.accuracy * 100).toFixed(1).replace(/\.0$/, '')} % deterministic`);
  await expect(info).toContainText(model.trained.text);
  await expect(info).toContainText(`K ${model.recommended.k}, σ ${model.recommended.sigma}, ${model.recommended.steps} steps`);
  await expect(page.locator('#model option:checked')).toContainText('held-out');
  for (const key of ['k', 'sigma', 'steps', 'seed']) {
    expect(Number(await page.locator(`#${key}`).inputValue()), key).toBe(Number(demo.settings[key]));
  }
  // The card's early exit and answer rule: in the inputs, and in words in the Recommended row.
  expect(model.recommended).toMatchObject({ exit: 'solve', select: 'valid' });
  expect(demo.settings).toMatchObject({ exit: model.recommended.exit, select: model.recommended.select });
  await expect(page.locator('#exit')).toHaveValue(model.recommended.exit);
  await expect(page.locator('#select')).toHaveValue(model.recommended.select);
  await expect(info).toContainText('stop at the first valid answer · answer: the highest q_halt among valid answers');
  expect(await page.locator('#puzzle-text').inputValue()).toBe(demo.puzzle);
  await expect(page.getByTestId('puzzle-note')).toContainText('inside what the model was trained on');

  // First Solve: PTRM finds the answer, and the whole solve stops at that step (the card's exit)...
  await page.getByRole('button', { name: 'Solve' }).click();
  expect(await waitState(page, ['solved', 'error'])).toBe('solved');
  await expect(page.getByTestId('badge')).toHaveText('valid');
  await expect(page.getByTestId('status')).toContainText('Valid answer');
  const answer = await page.getByTestId('answer').getAttribute('data-value');
  expect(sudokuSolves(demo.puzzle, answer)).toBe(true);
  const shown = await stepsShown(page);
  expect(shown).toHaveLength(model.recommended.k);
  expect(new Set(shown).size, 'every trajectory stops at the same step').toBe(1);
  expect(shown[0]).toBeLessThan(model.recommended.steps);
  await expect(page.getByTestId('progress')).toHaveText(`step ${shown[0]} / ${model.recommended.steps}`);
  await expect(page.locator('#selection')).toContainText(
    `${shown[0] * model.recommended.k} of ${model.recommended.k * model.recommended.steps} trajectory-steps run`);
  // ...where one deterministic trajectory (K = 1, σ = 0) does not, and the page says what may help.
  await page.locator('#k').fill('1');
  await page.locator('#sigma').fill('0');
  await page.getByRole('button', { name: 'Solve' }).click();
  expect(await waitState(page, ['solved', 'error'])).toBe('solved');
  await expect(page.getByTestId('badge')).toHaveText('invalid');
  await expect(page.getByTestId('status')).toContainText('Invalid answer');
  await expect(page.getByTestId('status')).toContainText('What may help');
  await expect(page.getByTestId('status')).toContainText('more trajectories (K 1 → 4)');
  await expect(page.getByTestId('board-note')).toContainText('Invalid');
});

test('a link\'s exit=none wins over the card: every trajectory runs all its steps', async ({ page }) => {
  const { model, demo } = await defaultDemo(page);
  await page.goto(link({ exit: 'none', autosolve: 1 }));
  expect(await waitState(page, ['solved', 'error'])).toBe('solved');
  await expect(page.locator('#exit')).toHaveValue('none');
  await expect(page.locator('#select')).toHaveValue(model.recommended.select); // the keys the link leaves out: the card's
  await expect(page.locator('#settings-source')).toContainText('from the link');
  expect(await page.locator('#puzzle-text').inputValue()).toBe(demo.puzzle);
  expect(await stepsShown(page)).toEqual(Array(model.recommended.k).fill(model.recommended.steps));
  await expect(page.getByTestId('progress')).toHaveText(`step ${model.recommended.steps} / ${model.recommended.steps}`);
  await expect(page.getByTestId('badge')).toHaveText('valid');
});

// The Answer menu offers the engine's rules and passes the one picked as is: sudoku6 line 5 (assets/puzzles) at
// K 8, σ 1, 4 steps, seed 3, where `ptrm solve --select vote` chooses #5 (7 of 8 trajectories, valid) over best-Q's
// #2 (tests/js/selection.test.js holds the CLI and the wasm engine to the same choice).
test('answer rule vote: the menu offers it and the page shows the engine\'s vote, not best-Q', async ({ page }) => {
  const puzzle = '2.....61.45..5..6..6..25...2...245..';
  await page.goto(link({ task: 'sudoku', puzzle, k: 8, sigma: 1, steps: 4, seed: 3, exit: 'none', select: 'vote', autosolve: 1 }));
  expect(await waitState(page, ['solved', 'error'])).toBe('solved');
  expect(await page.locator('#select option').evaluateAll((os) => os.map((o) => o.value))).toEqual(['bestQ', 'mode', 'valid', 'vote']);
  await expect(page.locator('#select')).toHaveValue('vote');
  await expect(page.getByTestId('status')).toContainText('trajectory #5 (the answer with the largest Σ exp(q_halt) over its trajectories; 7 of 8 end on this answer)');
  await expect(page.locator('#selection')).toContainText('best-Q: #2');
  await expect(page.getByTestId('badge')).toHaveText('valid');
  await expect(page.locator('[data-testid=traj].chosen')).toHaveAttribute('data-traj', '5');
});

test('step labels after an N-step solve are the engine\'s 1-based steps', async ({ page }) => {
  const N = 5;
  await page.goto(link({ task: 'sudoku', ...SOLVED, steps: N, autosolve: 1 }));
  expect(await waitState(page, ['solved', 'error'])).toBe('solved');
  const cards = page.getByTestId('traj');
  await expect(cards).toHaveCount(SOLVED.k);
  for (let t = 0; t < SOLVED.k; t++) {
    const card = cards.nth(t);
    await expect(card).toHaveAttribute('data-step', String(N));
    await expect(card.locator('canvas.traj-board')).toHaveAttribute('aria-label', new RegExp(`^trajectory ${t}, step ${N}, `));
    await expect(card.locator('figcaption')).toHaveAttribute('title', new RegExp(`^step ${N}, q_halt`));
    await expect(card.locator('canvas.traj-spark')).toHaveAttribute('data-points', String(N)); // no empty first slot
  }
  await expect(page.getByTestId('progress')).toHaveText(`step ${N} / ${N}`);
  await expect(page.locator('#pca')).toHaveAttribute('data-points', String(SOLVED.k * N)); // drawn at most 5×/s
});

test('<ptrm-solver> prints the engine\'s step as given', async ({ page }) => {
  await page.goto('/embed.html');
  await page.waitForFunction(() => /^(solved|error)/.test(document.getElementById('log').textContent), null, { timeout: 90000 });
  const labels = await page.evaluate(async () => {
    const el = document.getElementById('demo');
    await el.ready;
    el.setAttribute('steps', '3');
    el.setAttribute('exit', 'none'); // every step of every trajectory (the default model's card stops early)
    const seen = [];
    el.addEventListener('ptrm-step', (e) => seen.push([e.detail.step, el.shadowRoot.querySelector('.msg').textContent]));
    await el.solve();
    return seen;
  });
  expect(Math.max(...labels.map(([s]) => s))).toBe(3);
  for (const [step, text] of labels) expect(text).toMatch(new RegExp(`^step ${step} / 3 `));
});

test('cancel, solve, cancel, solve in quick succession: earlier solves report cancelled, the last one finishes', async ({ page }) => {
  await recordStatus(page);
  // Long solves to cancel (the default 9x9 model at K = 256 × 1024 steps would take minutes if a cancel were
  // lost), then the first screen's own solve.
  await page.goto('/');
  await waitState(page, 'ready');
  await page.locator('#k').fill('256');
  await page.locator('#steps').fill('1024');
  await page.locator('#exit').selectOption('none'); // long for sure: the card's exit could end it at step 1
  expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true); // threaded: the shared cancel flag
  const cancelled = await page.evaluate(async () => {
    const state = () => document.documentElement.dataset.state;
    const until = (f) => new Promise((resolve) => { const tick = () => (f() ? resolve() : requestAnimationFrame(tick)); tick(); });
    let n = 0;
    for (let i = 0; i < 3; i++) {
      document.getElementById('solve').click();
      await until(() => state() === 'solving');
      document.getElementById('cancel').click();
      await until(() => state() !== 'solving');
      if (/^Cancelled/.test(document.getElementById('status').textContent)) n++;
    }
    return n;
  });
  expect(cancelled).toBe(3);
  await page.locator('#recommended').click();
  await expect(page.locator('#exit')).toHaveValue('solve'); // the card's, again
  await page.getByRole('button', { name: 'Solve' }).click();
  // Generous: the recommended solve takes seconds at most; a lost cancel would keep the engine busy for minutes.
  expect(await waitState(page, ['solved', 'error'], 60000)).toBe('solved');
  await expect(page.getByTestId('badge')).toHaveText('valid');
  const log = await page.evaluate(() => window.__statusLog);
  expect(log.filter((s) => s.startsWith('Cancelled')).length).toBe(3);
});

for (const [name, viewport] of VIEWPORTS) {
  test(`${name}: errors and results appear beside Solve and on the board, in view`, async ({ page }) => {
    await page.setViewportSize(viewport);
    await page.goto(link({ task: 'sudoku', puzzle: SOLVED.puzzle, k: SOLVED.k, sigma: SOLVED.sigma, steps: SOLVED.steps, seed: SOLVED.seed }));
    await waitState(page, 'ready');
    // A bad puzzle typed through the controls.
    await page.locator('#puzzle-text').fill(SOLVED.puzzle.slice(0, -1) + '9');
    await page.getByRole('button', { name: 'Solve' }).click();
    expect(await waitState(page, ['solved', 'error'])).toBe('error');
    const error = page.getByTestId('error');
    await expect(error).toBeInViewport({ ratio: 1 });
    await expect(error).toContainText('This is not a valid Sudoku 6×6 puzzle');
    await expect(page.getByTestId('board-note')).toBeInViewport();
    await expect(page.getByTestId('status')).toBeInViewport({ ratio: 1 });
    // The engine's own words are one click away.
    await expect(page.locator('#error-detail')).toBeHidden();
    await page.locator('#error-details summary').click();
    await expect(page.locator('#error-detail')).toContainText('BadPuzzleError');
    // A bad setting names the field and the engine's limit.
    await page.locator('#puzzle-text').fill(SOLVED.puzzle);
    await page.locator('#sigma').fill('11');
    await page.getByRole('button', { name: 'Solve' }).click();
    expect(await waitState(page, ['solved', 'error'])).toBe('error');
    await expect(error).toBeInViewport({ ratio: 1 });
    await expect(error).toContainText('σ must be a number from 0 to 10');
    await expect(page.locator('#sigma')).toHaveAttribute('aria-invalid', 'true');
    // A good solve: the result is announced beside Solve and shown on the board.
    await page.locator('#sigma').fill(String(SOLVED.sigma));
    await page.getByRole('button', { name: 'Solve' }).click();
    expect(await waitState(page, ['solved', 'error'])).toBe('solved');
    await expect(error).toBeHidden();
    await expect(page.getByTestId('status')).toBeInViewport({ ratio: 1 });
    await expect(page.getByTestId('status')).toContainText('Valid answer');
    await expect(page.getByTestId('board-note')).toBeInViewport();
    // The tag sits above the board: it hides no cell of the first row.
    const note = await page.getByTestId('board-note').boundingBox();
    const board = await page.locator('#board').boundingBox();
    expect(note.y + note.height).toBeLessThanOrEqual(board.y + 0.5);
    await expect(page.getByTestId('badge')).toBeInViewport();
    await expect(page.locator('#status')).toHaveAttribute('aria-live', 'polite');
    await expect(error).toHaveAttribute('role', 'alert');
  });
}

test('share links: wrong length and unknown task are reported as such, and the model is not switched', async ({ page }) => {
  const { model } = await defaultDemo(page);
  await page.goto(link({ task: 'sudoku', puzzle: '1'.repeat(79), k: 2, autosolve: 1 }));
  expect(await waitState(page, ['solved', 'error', 'ready'])).toBe('error');
  await expect(page.getByTestId('error')).toContainText('has 79 cells');
  await expect(page.getByTestId('error')).toContainText('81 (Sudoku 9×9)');
  expect(await page.locator('#model').inputValue()).toContain(model.file);
  expect(await page.locator('#puzzle-text').inputValue()).toBe('1'.repeat(79)); // kept, to fix
  await expect(page.getByTestId('puzzle-note')).toContainText('79 of 81 cells');

  await page.goto(link({ task: 'chess', puzzle: 'e4', autosolve: 1 }));
  expect(await waitState(page, ['solved', 'error', 'ready'])).toBe('error');
  await expect(page.getByTestId('error')).toContainText("task 'chess'");
  expect(await page.locator('#model').inputValue()).toContain(model.file);

  // A menu value the page does not offer is said by name and not solved (a <select> would silently blank it).
  await page.goto(link({ task: 'sudoku', puzzle: SOLVED.puzzle, exit: 'sometimes', autosolve: 1 }));
  expect(await waitState(page, ['solved', 'error', 'ready'])).toBe('error');
  await expect(page.getByTestId('error')).toContainText("exit='sometimes' is not one this page offers");
  expect(await page.locator('#exit').inputValue()).not.toBe('');
});

test('inputs: engine limits, K beyond what the page draws, conflicting givens, refused files', async ({ page }) => {
  await page.goto(link({ task: 'sudoku', puzzle: SOLVED.puzzle }));
  await waitState(page, 'ready');
  // Limits are the engine's (Solver.info.limits), not the page's guesses.
  await expect(page.locator('#k')).toHaveAttribute('max', '1024');
  await expect(page.locator('#sigma')).toHaveAttribute('max', '10');
  await expect(page.locator('#steps')).toHaveAttribute('max', '1024');
  await page.locator('#k').fill('512');
  await expect(page.getByTestId('k-note')).toContainText('the page draws only the first 256');
  await page.locator('#k').fill('2000');
  await expect(page.getByTestId('k-note')).toContainText('K must be a whole number from 1 to 1024');
  await expect(page.locator('#k')).toHaveAttribute('aria-invalid', 'true');
  await page.locator('#k').fill('4');
  await expect(page.locator('#k')).toHaveAttribute('aria-invalid', 'false');

  // Conflicting givens are marked while typing.
  const clash = '11' + SOLVED.puzzle.slice(2);
  await page.locator('#puzzle-text').fill(clash);
  await expect(page.getByTestId('puzzle-note')).toContainText('givens clash');
  await expect(page.locator('#board [data-i="0"]')).toHaveClass(/conflict/);
  await expect(page.locator('#board [data-i="1"]')).toHaveClass(/conflict/);
  await page.locator('#puzzle-text').fill(SOLVED.puzzle);
  await expect(page.locator('#board .conflict')).toHaveCount(0);

  // Binary and oversized files are refused with a message, and the puzzle stays as it was.
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  await page.locator('#puzzle-file').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: png });
  await expect(page.getByTestId('error')).toContainText('photo.png is a PNG image, not a puzzle');
  expect(await page.locator('#puzzle-text').inputValue()).toBe(SOLVED.puzzle);
  await page.locator('#puzzle-file').setInputFiles({ name: 'big.txt', mimeType: 'text/plain', buffer: Buffer.alloc(3 << 20, 0x31) });
  await expect(page.getByTestId('error')).toContainText('big.txt is 3.0 MB: too large for a puzzle');
  expect(await page.locator('#puzzle-text').inputValue()).toBe(SOLVED.puzzle);
});

test('loading shows a skeleton board, and a missing model says so on the board', async ({ page }) => {
  let release;
  const held = new Promise((r) => { release = r; });
  await page.route(/\.safetensors$/, async (route) => { await held; await route.continue(); });
  await page.goto('/');
  await waitState(page, 'loading');
  await page.waitForFunction(() => document.getElementById('board-note').textContent.startsWith('Loading'));
  const look = await page.evaluate(() => {
    const b = document.getElementById('board');
    return { skeleton: b.classList.contains('skeleton'), bg: getComputedStyle(b).backgroundColor, busy: b.getAttribute('aria-busy') };
  });
  expect(look.skeleton).toBe(true);
  expect(look.busy).toBe('true');
  expect(look.bg).not.toBe('rgb(43, 47, 58)'); // not the ink-black square
  release();
  await waitState(page, 'ready');
  await expect(page.locator('#board')).not.toHaveClass(/skeleton/);
  await page.unroute(/\.safetensors$/);

  await page.goto(link({ model: '/assets/models/missing.safetensors' }));
  expect(await waitState(page, ['ready', 'error'])).toBe('error');
  await expect(page.getByTestId('error')).toContainText('could not be downloaded');
  await expect(page.getByTestId('board-note')).toContainText('No model loaded');
  await expect(page.locator('#board')).toHaveClass(/skeleton/);
});

test('picking another model applies its recommended settings; maze start and goal carry letters', async ({ page }) => {
  await page.goto('/');
  await waitState(page, 'ready');
  const maze = await page.evaluate(async () => (await (await fetch('/assets/models/index.json')).json()).models.find((m) => m.task === 'maze'));
  test.skip(!maze, 'no maze model shipped');
  await page.locator('#noise').selectOption('y'); // a setting picked by hand for the Sudoku model
  await page.locator('#task').selectOption(`maze:${maze.board}`);
  await waitState(page, 'ready');
  await expect(page.locator('#steps')).toHaveValue(String(maze.recommended.steps));
  await expect(page.locator('#sigma')).toHaveValue(String(maze.recommended.sigma));
  // The maze card names no noise target and no early exit: the defaults, not the hand-picked noise or the Sudoku
  // card's exit carried over.
  expect(maze.recommended.exit).toBeUndefined();
  expect(maze.recommended.noise).toBeUndefined();
  await expect(page.locator('#noise')).toHaveValue('z');
  await expect(page.locator('#exit')).toHaveValue('none');
  await expect(page.locator('#select')).toHaveValue('bestQ');
  await expect(page.getByTestId('model-info')).not.toContainText('stop at the first valid answer');
  await expect(page.getByTestId('model-info')).toContainText(maze.trained.text);
  const letters = await page.evaluate(() => ['S', 'G'].map((v) => getComputedStyle(document.querySelector(`#board [data-v="${v}"]`), '::after').content));
  expect(letters).toEqual(['"S"', '"G"']);
  await expect(page.locator('#board-keys kbd', { hasText: /^S$/ })).toHaveCount(1);
});

test('key text meets WCAG AA contrast (4.5:1), keyboard shortcuts are shown', async ({ page }) => {
  await page.goto(link({ task: 'sudoku', ...SOLVED, autosolve: 1 }));
  expect(await waitState(page, ['solved', 'error'])).toBe('solved');
  await expect(page.locator('#solve')).toHaveAttribute('aria-keyshortcuts', 'Control+Enter');
  await expect(page.locator('#solve kbd')).toHaveText(['Ctrl', 'Enter']);
  await expect(page.locator('#cancel kbd')).toHaveText('Esc');
  const solved = await contrastOf(page, ['#status', '.hint', '#selection', '#answer', '.stat-label', '#badge',
    '.traj figcaption', '#board .given', '#board .predicted', 'h2', '#solve', '#env', '.sampling label', '#board-note',
    '#puzzle-note', '.model-info dd']);
  // The other states of the same elements: mid-solve preview digits, the invalid badge, an error.
  await page.evaluate(() => {
    document.getElementById('board').classList.add('live');
    const b = document.getElementById('badge');
    b.className = 'badge bad';
    b.textContent = 'invalid';
    document.getElementById('status').className = 'status bad';
    document.getElementById('error').hidden = false;
    document.getElementById('error-text').textContent = 'An error';
  });
  const other = await contrastOf(page, ['#board .predicted', '#badge', '#status', '#error-text']);
  const ratios = { ...solved, ...Object.fromEntries(Object.entries(other).map(([k, v]) => [`${k} (other state)`, v])) };
  for (const [sel, r] of Object.entries(ratios)) expect(r, `${sel} contrast ${r.toFixed(2)}:1`).toBeGreaterThanOrEqual(4.5);

  // Maze start and goal carry their letter, readable on their colour.
  await page.goto(link({ task: 'maze', puzzle: '#   #  #   #     S# #  G #    ##   #  ###  ## ### # ###    # #  ' }));
  expect(await waitState(page, ['ready', 'error'])).toBe('ready');
  const maze = await contrastOf(page, ['#board [data-v="S"]::after', '#board [data-v="G"]::after']);
  for (const [sel, r] of Object.entries(maze)) expect(r, `${sel} contrast ${r.toFixed(2)}:1`).toBeGreaterThanOrEqual(4.5);
});
