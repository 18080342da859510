// Cancelling a running solve with an AbortSignal: the promise rejects with CancelledError promptly, the engine
// stops computing (the next solve does not wait for the cancelled one to run to the end), and the solver works.
import { Solver, CancelledError } from '../../wasm/ptrm.js';
import { WASM_BASE, fixture, fixturePuzzle } from './helpers.js';

const NAME = 'sudoku_attn_tiny';
const puzzle = fixturePuzzle(NAME);
// Long enough that running it to the end would dwarf a cancel (measured below, not assumed).
const LONG = { k: 16, steps: 200, sigma: 0.1, seed: 1, history: false };
const SHORT = { k: 2, steps: 2, sigma: 0.1, seed: 2 };

async function cancelAfterFirstStep(solver, opts) {
  const ac = new AbortController();
  let stepsSeen = 0;
  const t0 = performance.now();
  const err = await solver.solve(puzzle, {
    ...opts,
    signal: ac.signal,
    onStep: (ev) => {
      stepsSeen = Math.max(stepsSeen, ev.step);
      if (ev.step === 1) ac.abort();
    },
  }).then(() => null, (e) => e);
  const next = await solver.solve(puzzle, SHORT);  // waits for the engine to be free again
  return { err, stepsSeen, ms: performance.now() - t0, next };
}

describe.each([
  ['st worker (shared flag)', { threads: 1 }],
  ['mt worker (shared flag)', { threads: 2 }],
  ['mt in-thread (signal checked after each step)', { threads: 2, worker: false }],
])('%s', (_, load) => {
  let solver;
  beforeAll(async () => { solver = await Solver.load(fixture(NAME), { ...load, wasmBase: WASM_BASE }); }, 60000);
  afterAll(() => solver.dispose());

  test('cancel mid-solve, then solve again', async () => {
    // The uncancelled cost of a few steps gives the scale of the full run.
    const t0 = performance.now();
    await solver.solve(puzzle, { ...LONG, steps: 3 });
    const fullMs = ((performance.now() - t0) * LONG.steps) / 3;

    const { err, stepsSeen, ms, next } = await cancelAfterFirstStep(solver, LONG);
    expect(err).toBeInstanceOf(CancelledError);
    expect(err.kind).toBe('Cancelled');
    expect(stepsSeen).toBeLessThanOrEqual(2);
    expect(ms).toBeLessThan(fullMs / 10);
    expect(next.trajectories.length).toBe(SHORT.k);
  }, 120000);

  test('an already aborted signal rejects without running', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(solver.solve(puzzle, { ...SHORT, signal: ac.signal })).rejects.toBeInstanceOf(CancelledError);
  });

  test('an error thrown by onStep cancels the solve and is passed on', async () => {
    const boom = new Error('boom');
    await expect(solver.solve(puzzle, { ...SHORT, onStep: () => { throw boom; } })).rejects.toBe(boom);
    expect((await solver.solve(puzzle, SHORT)).trajectories.length).toBe(SHORT.k);
  });
});

// The race of issue 10: cancel A, start B, cancel B before the worker has read A's cancel. With one shared
// "cancel this id" slot, B's id overwrote A's and A ran to its end before anything else could run. The flag is
// now "cancel every solve up to id": A stops after its current step, so C runs at once.
describe.each([
  ['st worker', { threads: 1 }],
  ['mt worker', { threads: 2 }],
])('%s: cancel, solve, cancel, solve in quick succession', (_, load) => {
  let solver;
  beforeAll(async () => { solver = await Solver.load(fixture(NAME), { ...load, wasmBase: WASM_BASE }); }, 60000);
  afterAll(() => solver.dispose());

  test('both cancelled solves reject, and the last solve does not wait for them', async () => {
    const HEAVY = { k: 64, steps: 1024, sigma: 0.1, seed: 1, history: false };
    const t0 = performance.now();
    await solver.solve(puzzle, { ...HEAVY, steps: 4 });
    const fullMs = ((performance.now() - t0) * HEAVY.steps) / 4;

    const a = new AbortController(), b = new AbortController();
    const errA = await solver.solve(puzzle, {
      ...HEAVY, signal: a.signal, onStep: (ev) => { if (ev.step === 1) a.abort(); },
    }).then(() => null, (e) => e);
    const pb = solver.solve(puzzle, { ...HEAVY, signal: b.signal }).then(() => null, (e) => e);
    await new Promise((r) => setTimeout(r, 0)); // B is now posted to the worker, which is still inside A
    b.abort();
    const errB = await pb;
    const t1 = performance.now();
    const c = await solver.solve(puzzle, SHORT);
    const cMs = performance.now() - t1;
    expect(errA).toBeInstanceOf(CancelledError);
    expect(errB).toBeInstanceOf(CancelledError);
    expect(c.trajectories.length).toBe(SHORT.k);
    // C waited at most for A's and B's current step, not for A's 1024 steps (ratio against the measured cost).
    expect(cMs).toBeLessThan(fullMs / 4);
  }, 300000);
});

test('without SharedArrayBuffer a cancel restarts the worker, and the solver keeps working', async () => {
  const saved = globalThis.SharedArrayBuffer;
  delete globalThis.SharedArrayBuffer;  // as on a page that is not cross-origin isolated
  let solver;
  try {
    solver = await Solver.load(fixture(NAME), { wasmBase: WASM_BASE });
  } finally {
    globalThis.SharedArrayBuffer = saved;
  }
  try {
    expect(solver.info.flavour).toBe('st');
    const { err, next } = await cancelAfterFirstStep(solver, LONG);
    expect(err).toBeInstanceOf(CancelledError);
    const again = await solver.solve(puzzle, SHORT);
    expect(again.trajectories.map((t) => t.answer)).toEqual(next.trajectories.map((t) => t.answer));
  } finally {
    await solver.dispose();
  }
}, 120000);
