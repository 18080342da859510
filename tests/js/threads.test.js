// The one JS thread-count policy (wasm/ptrm.js threadPlan) and the opt-in int8 precision. Counts and answers only:
// nothing here is timed (which thread count wins is the calibration's business, on the machine of the day).
import { readFileSync } from 'node:fs';
import { Solver, BadOptionsError, availableThreads } from '../../wasm/ptrm.js';
import { WASM_BASE, fixture, fixturePuzzle } from './helpers.js';

const MODEL = fixture('sudoku_mlp_tiny');
const puzzle = fixturePuzzle('sudoku_mlp_tiny');

test('auto: a pool of min(cores, 4), solves on 1 thread or the whole pool, as measured; cached per model', async () => {
  const cores = await availableThreads();
  const bytes = new Uint8Array(readFileSync(MODEL));
  const first = await Solver.load(bytes, { wasmBase: WASM_BASE, worker: false });
  try {
    const pool = Math.min(cores, 4);
    expect(first.info.poolThreads).toBe(pool);
    if (pool > 1) {
      expect(first.info.flavour).toBe('mt');
      expect([1, pool]).toContain(first.info.threads);
      const c = first.info.calibration;
      expect(c.threads).toBe(first.info.threads);
      expect(c.rows).toBeGreaterThanOrEqual(1);
      expect(Object.keys(c.msPerStep).map(Number).sort()).toEqual([1, pool]);
    }
    expect((await first.solve(puzzle, { steps: 2 })).answer).toHaveLength(81);
  } finally {
    await first.dispose();
  }
  // Same model again (this time in a Worker): the decision is reused, not measured again.
  const second = await Solver.load(bytes, { wasmBase: WASM_BASE, threads: 'auto' });
  try {
    expect(second.info.calibration).toBeUndefined();
    expect(second.info.threads).toBe(first.info.threads);
  } finally {
    await second.dispose();
  }
}, 120000);

test('an explicit count above the cores available is clamped, with a note', async () => {
  const cores = await availableThreads();
  const solver = await Solver.load(MODEL, { wasmBase: WASM_BASE, threads: 64 });
  try {
    expect(solver.info.threads).toBe(Math.min(64, cores));
    expect(solver.info.calibration).toBeUndefined();
    if (cores < 64) expect(solver.info.threadsNote).toMatch(`threads 64 is more than the ${cores} core(s)`);
  } finally {
    await solver.dispose();
  }
}, 60000);

test("precision: 'int8' runs, 'fp32' is the default, anything else is BadOptionsError", async () => {
  const solver = await Solver.load(MODEL, { wasmBase: WASM_BASE, threads: 1 });
  try {
    const fp32 = await solver.solve(puzzle, { steps: 4 });
    expect((await solver.solve(puzzle, { steps: 4, precision: 'fp32' })).answer).toBe(fp32.answer);
    const int8 = await solver.solve(puzzle, { steps: 4, precision: 'int8' });
    expect(int8.answer).toHaveLength(fp32.answer.length);
    await expect(solver.solve(puzzle, { precision: 'fp16' })).rejects.toBeInstanceOf(BadOptionsError);
  } finally {
    await solver.dispose();
  }
}, 60000);
