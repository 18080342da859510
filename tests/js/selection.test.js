// One selection rule: the chosen trajectory is decided by the engine (SolveOptions::select) and printed as is by
// the CLI (`ptrm solve --json`) and the JS API. The same solves (default options, each early exit, each policy)
// through both front doors must choose the same trajectory and answer. Shipped models on held-out puzzles, so
// that answers are sometimes valid and sometimes not, and the policies really differ.
import { readFileSync } from 'node:fs';
import { Solver } from '../../wasm/ptrm.js';
import { WASM_BASE, nativeSolve, REPO } from './helpers.js';

const BASE = { k: 8, sigma: 0.6, steps: 8, seed: 3 };
// sudoku6 line 5 at σ = 1, 4 steps: best-Q (#2) is invalid while #5 is valid, so select=valid differs (found by
// scanning the bundled set with the CLI; the Q head is usually right, so such cases are rare).
const MODELS = [
  { name: 'sudoku9', lines: [0, 1, 2], opts: BASE },
  { name: 'sudoku6', lines: [4], opts: { k: 8, sigma: 1.0, steps: 4, seed: 3 } },
];
const EXITS = [
  ['default', {}],
  ['haltOnQ', { haltOnQ: true }],
  ['stopOnValid=trajectory', { stopOnValid: 'trajectory' }],
  ['stopOnValid=solve', { stopOnValid: 'solve' }],
];
const POLICIES = [undefined, 'bestQ', 'mode', 'valid', 'vote'];

const modelFile = (name) => `${REPO}assets/models/${name}.safetensors`;
const puzzles = (name) => readFileSync(`${REPO}assets/puzzles/${name}.txt`, 'utf8').split('\n').filter((l) => l.trim())
  .map((l) => l.split(',')[0]);

const seen = { differs: 0, validOverBestQ: 0, voteOverBestQ: 0, cases: 0, expected: 0 };

describe.each(MODELS)('$name: CLI and wasm choose the same answer', ({ name, lines, opts: base }) => {
  let solver;
  beforeAll(async () => { solver = await Solver.load(modelFile(name), { threads: 1, wasmBase: WASM_BASE }); }, 60000);
  afterAll(() => solver.dispose());

  const cases = [];
  for (const line of lines) {
    for (const [exitName, earlyExit] of EXITS) for (const select of POLICIES) cases.push({ line, exitName, earlyExit, select });
  }
  seen.expected += cases.length;

  test.each(cases)('puzzle line $line, $exitName, select=$select', async ({ line, earlyExit, select }) => {
    const puzzle = puzzles(name)[line];
    const opts = { ...base, earlyExit, ...(select ? { select } : {}) };
    const native = nativeSolve(modelFile(name), puzzle, opts);
    const res = await solver.solve(puzzle, opts);
    expect(res.select).toBe(select || 'bestQ');
    expect(native.select).toBe(res.select);
    expect(res.chosen).toBe(native.chosen);
    expect(res.chosen).toBe(native.selection.chosen);
    expect(res.answer).toBe(native.answer);
    expect(res.valid).toBe(native.valid);
    expect(res.selection.bestQ.traj).toBe(native.selection.best_q);
    expect(res.selection.mode.traj).toBe(native.selection.mode);
    expect(res.selection.vote.traj).toBe(native.selection.vote);
    expect(res.selection.vote.answer).toBe(native.trajectories[native.selection.vote].answer);
    for (let t = 0; t < base.k; t++) {
      expect(res.trajectories[t].steps).toBe(native.trajectories[t].steps);
      expect(res.trajectories[t].valid).toBe(native.trajectories[t].valid);
    }
    seen.cases++;
    if (res.chosen !== res.selection.bestQ.traj) seen.differs++;
    if (select === 'valid' && res.valid && !res.trajectories[res.selection.bestQ.traj].valid) seen.validOverBestQ++;
    if (select === 'vote' && res.answer !== res.selection.bestQ.answer) seen.voteOverBestQ++;
  }, 60000);
});

// The grid must exercise the rule, not only agree on trivial cases: some choices differ from best-Q,
// select=valid sometimes takes a checked answer over an invalid best-Q one, and select=vote sometimes takes another
// answer than best-Q's (sudoku6 line 5, no early exit: 7 of 8 trajectories outvote best-Q's q 2.43).
test('the policies really differ on these puzzles', () => {
  expect(seen.cases).toBe(seen.expected);
  expect(seen.differs).toBeGreaterThan(0);
  expect(seen.validOverBestQ).toBeGreaterThan(0);
  expect(seen.voteOverBestQ).toBeGreaterThan(0);
});

test('select=valid needs a checker and an unknown policy is refused, the same way in both front doors', async () => {
  const solver = await Solver.load(modelFile('sudoku6'), { threads: 1, wasmBase: WASM_BASE });
  try {
    await expect(solver.solve(puzzles('sudoku6')[0], { ...BASE, select: 'first' })).rejects.toThrow("select must be 'bestQ', 'mode', 'valid' or 'vote', got 'first'");
  } finally {
    await solver.dispose();
  }
  expect(() => nativeSolve(modelFile('sudoku6'), puzzles('sudoku6')[0], { ...BASE, select: 'first' })).toThrow(/--select/);
}, 60000);
