// The wasm engine (both flavours, through the public Solver API) against the native CLI built from the same sources
// and against the Python reference outputs stored with the fixtures.
//
// Tolerance for q_halt: both engines run fp32, but XNNPACK's AVX2/FMA kernels (native) and its SIMD128 kernels
// (wasm, no FMA) sum in different orders, so every GEMM differs by a few ulps and the recursion carries that along.
// The fixtures are numerically stable (make_fixtures.py: fp32 and fp64 rollouts agree to ~1e-6). Measured on
// these cases: max |Δq| wasm vs native 8.3e-7, wasm vs the Python reference over 16 steps 1.1e-6. Q_TOL = 1e-4
// (relative to max(1, |q|)) leaves ~100x margin while any real difference (a wrong op) moves q by O(0.1).
// Answers (argmax tokens) must match exactly.
import { readFileSync } from 'node:fs';
import { Solver } from '../../wasm/ptrm.js';
import { WASM_BASE, fixture, fixturePuzzle, nativeSolve, readSafetensors, REPO } from './helpers.js';

const Q_TOL = 1e-4;
const closeQ = (a, b) => Math.abs(a - b) <= Q_TOL * Math.max(1, Math.abs(b));

const FIXTURES = ['sudoku_mlp_tiny', 'sudoku_attn_tiny', 'sudoku6_mlp_tiny', 'maze_attn_tiny', 'sudoku_learned_tiny'];
const FLAVOURS = [
  { name: 'st (1 thread, worker)', load: { threads: 1 } },
  { name: 'mt (2 threads, worker)', load: { threads: 2 } },
  { name: 'mt (2 threads, in-thread)', load: { threads: 2, worker: false } },
];

describe.each(FLAVOURS)('wasm $name', ({ load }) => {
  const solvers = {};
  beforeAll(async () => {
    for (const f of FIXTURES) solvers[f] = await Solver.load(fixture(f), { ...load, wasmBase: WASM_BASE });
  }, 60000);
  afterAll(async () => {
    for (const s of Object.values(solvers)) await s.dispose();
  });

  test('loads with the expected flavour and model info', () => {
    const info = solvers.sudoku_mlp_tiny.info;
    expect(info.flavour).toBe(load.threads > 1 ? 'mt' : 'st');
    expect(info.threads).toBe(load.threads);
    expect(info).toMatchObject({ task: 'sudoku', board: 9, variant: 'mlp_t', seqLen: 81 });
    expect(info.config.hidden_size).toBe(32);
    expect(solvers.maze_attn_tiny.info).toMatchObject({ task: 'maze', board: 12, variant: 'attention' });
  });

  test.each(FIXTURES)('%s: deterministic TRM follows the Python reference step by step', async (name) => {
    const ref = readSafetensors(`${REPO}tests/fixtures/${name}.expected.safetensors`);
    const ids = ref.tensor('puzzle_identifiers').values;
    const q = ref.tensor('q_halt');
    const logits = ref.tensor('logits');
    const [steps, rows, seqLen, vocab] = logits.shape;
    const row = 0;
    const res = await solvers[name].solve(fixturePuzzle(name, row), { steps, puzzleId: ids[row] });
    const traj = res.trajectories[0];
    expect(traj.qHalt.length).toBe(steps);
    for (let s = 0; s < steps; s++) expect(closeQ(traj.qHalt[s], q.values[s * rows + row])).toBe(true);
    // Final answer = argmax of the reference's last logits, wherever the reference is not a near-tie.
    const last = logits.values.subarray(((steps - 1) * rows + row) * seqLen * vocab, ((steps - 1) * rows + row + 1) * seqLen * vocab);
    let compared = 0;
    for (let p = 0; p < seqLen; p++) {
      const l = Array.from(last.subarray(p * vocab, (p + 1) * vocab));
      const best = l.indexOf(Math.max(...l));
      const second = Math.max(...l.filter((_, i) => i !== best));
      if (l[best] - second < 1e-3) continue;
      expect(traj.tokens[p]).toBe(best);
      compared++;
    }
    expect(compared).toBeGreaterThan(seqLen * 0.9);
  }, 60000);

  test.each([
    ['sudoku_mlp_tiny', 8, 0.3, 6, 7],
    ['sudoku_attn_tiny', 5, 0.2, 5, 123456789],
    ['sudoku6_mlp_tiny', 4, 0.5, 4, 3],
    ['maze_attn_tiny', 3, 0.1, 4, 42],
    ['sudoku_learned_tiny', 6, 1.0, 3, '18446744073709551615'],
  ])('%s: K=%d sigma=%d matches the native CLI (same seed)', async (name, k, sigma, steps, seed) => {
    const puzzle = fixturePuzzle(name, 0);
    const native = nativeSolve(fixture(name), puzzle, { k, sigma, steps, seed });
    const res = await solvers[name].solve(puzzle, { k, sigma, steps, seed });
    expect(res.trajectories.length).toBe(k);
    for (let t = 0; t < k; t++) {
      const w = res.trajectories[t];
      const n = native.trajectories[t];
      expect(w.answer).toBe(n.answer);
      expect(w.steps).toBe(n.steps);
      expect(w.valid).toBe(n.valid);
      expect(w.stop).toBe(n.stop);
      expect(closeQ(w.qHalt[w.qHalt.length - 1], n.q_halt)).toBe(true);
    }
    expect(res.selection.bestQ.traj).toBe(native.selection.best_q);
    expect(res.selection.mode.count).toBe(native.selection.mode_count);
    expect(res.timings.trajStepsRun).toBe(native.traj_steps_run);
  }, 60000);

  test('stop reasons are spelled as the CLI spells them (haltQ here)', async () => {
    const opts = { k: 6, sigma: 0.5, steps: 4, seed: 3 };
    const puzzle = fixturePuzzle('sudoku_mlp_tiny', 0);
    const native = nativeSolve(fixture('sudoku_mlp_tiny'), puzzle, { ...opts, haltOnQ: true });
    const res = await solvers.sudoku_mlp_tiny.solve(puzzle, { ...opts, earlyExit: { haltOnQ: true } });
    expect(res.trajectories.map((t) => t.stop)).toEqual(native.trajectories.map((t) => t.stop));
    expect(native.trajectories.some((t) => t.stop === 'haltQ')).toBe(true);
  }, 60000);

    test('onStep streams every step of every trajectory, consistent with the result', async () => {
    const k = 4;
    const steps = 5;
    const seen = [];
    const res = await solvers.sudoku_attn_tiny.solve(fixturePuzzle('sudoku_attn_tiny'), {
      k, sigma: 0.3, steps, seed: 11,
      onStep: (ev) => seen.push({ ...ev, tokens: Array.from(ev.tokens), summary: Array.from(ev.summary) }),
    });
    expect(seen.length).toBe(k * steps);
    for (const ev of seen) {
      const t = res.trajectories[ev.traj];
      expect(ev.answer).toBe(t.answers[ev.step - 1]);
      expect(ev.qHalt).toBe(t.qHalt[ev.step - 1]);
      expect(ev.summary.length).toBe(32);
      expect(ev.summary.every(Number.isFinite)).toBe(true);
      expect(ev.tokens.length).toBe(81);
      expect(ev.active).toBe(ev.step < steps);
    }
    // Steps arrive in order: all of step s before any of step s+1.
    const order = seen.map((e) => e.step);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(res.answer).toBe(res.trajectories[res.chosen].answer);
    expect(res.trajectories.every((t) => t.answers.length === steps)).toBe(true);
  }, 60000);

  test('a model given as bytes loads like the file', async () => {
    const s = await Solver.load(new Uint8Array(readFileSync(fixture('sudoku_mlp_tiny'))).buffer, { ...load, wasmBase: WASM_BASE });
    const puzzle = fixturePuzzle('sudoku_mlp_tiny');
    const a = await s.solve(puzzle, { k: 2, sigma: 0.1, steps: 3, seed: 5 });
    const b = await solvers.sudoku_mlp_tiny.solve(puzzle, { k: 2, sigma: 0.1, steps: 3, seed: 5 });
    await s.dispose();
    expect(a.trajectories.map((t) => Array.from(t.qHalt))).toEqual(b.trajectories.map((t) => Array.from(t.qHalt)));
  }, 60000);
});
