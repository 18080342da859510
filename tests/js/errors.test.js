// Bad input becomes a typed PtrmError (never a crash or a hang), and the solver stays usable afterwards.
import { readFileSync } from 'node:fs';
import {
  Solver, PtrmError, BadModelError, BadPuzzleError, BadOptionsError, IoError,
} from '../../wasm/ptrm.js';
import { WASM_BASE, fixture, fixturePuzzle } from './helpers.js';
import { EXITS, earlyExitFor } from '../../web/lib/exits.js';

const MODEL = fixture('sudoku_mlp_tiny');
const good = new Uint8Array(readFileSync(MODEL));

describe.each([
  ['st', { threads: 1 }],
  ['mt', { threads: 2 }],
])('%s flavour', (_, load) => {
  let solver;
  const puzzle = fixturePuzzle('sudoku_mlp_tiny');
  beforeAll(async () => { solver = await Solver.load(MODEL, { ...load, wasmBase: WASM_BASE }); }, 60000);
  afterAll(() => solver.dispose());

  const loadBytes = (bytes) => Solver.load(bytes, { ...load, wasmBase: WASM_BASE });

  test('corrupt model files are BadModelError', async () => {
    const truncated = good.slice(0, good.length - 100);
    const garbage = new Uint8Array(4096).map((_, i) => (i * 7919) & 255);
    const hugeHeader = good.slice();
    new DataView(hugeHeader.buffer).setBigUint64(0, 1n << 40n, true);
    const badJson = good.slice();
    badJson[9] = 0x7b;  // break the header JSON right after its opening brace
    for (const bytes of [truncated, garbage, hugeHeader, badJson, new Uint8Array(0)]) {
      const err = await loadBytes(bytes).then(() => null, (e) => e);
      expect(err).toBeInstanceOf(BadModelError);
      expect(err).toBeInstanceOf(PtrmError);
      expect(err.kind).toBe('BadModel');
      expect(err.message.length).toBeGreaterThan(5);
    }
  }, 60000);

  test('a missing model file is IoError', async () => {
    await expect(loadBytes('/nonexistent/model.safetensors')).rejects.toBeInstanceOf(IoError);
  });

  test('malformed puzzles are BadPuzzleError', async () => {
    for (const p of ['', '123', puzzle.slice(0, 80) + 'x', puzzle + '1', 'a'.repeat(81)]) {
      await expect(solver.solve(p, { steps: 1 })).rejects.toBeInstanceOf(BadPuzzleError);
    }
    await expect(solver.solve(42, {})).rejects.toBeInstanceOf(BadPuzzleError);
  });

  test.each([
    [{ k: 0 }], [{ k: -1 }], [{ k: 1e9 }], [{ k: 2.5 }], [{ k: Infinity }], [{ k: '4' }],
    [{ sigma: NaN }], [{ sigma: -1 }], [{ sigma: Infinity }], [{ sigma: 1e6 }],
    [{ steps: -3 }], [{ steps: 1e7 }], [{ seed: -1 }], [{ seed: 1.5 }], [{ seed: 'abc' }], [{ seed: 2n ** 64n }],
    [{ noiseOn: 'x' }], [{ earlyExit: { stopOnValid: 'sometimes' } }], [{ earlyExit: { haltQ: true } }],
    [{ task: 'maze' }], [{ puzzleId: 5 }], [{ select: 'best' }], [{ kk: 3 }], [{ onStep: 3 }],
    [{ k: 1024, steps: 1024 }],  // legal k and steps, but the per-step answer history would be too large
  ])('bad options %p are BadOptionsError', async (opts) => {
    await expect(solver.solve(puzzle, opts)).rejects.toBeInstanceOf(BadOptionsError);
  });

  // The app's and the element's exit words (web/lib/exits.js) are all engine options; another word reaches the
  // engine as typed and is refused there, by name.
  test('every exit word maps to an accepted earlyExit; an unknown word is BadOptionsError', async () => {
    for (const exit of EXITS) {
      const r = await solver.solve(puzzle, { k: 2, steps: 2, sigma: 0.1, earlyExit: earlyExitFor(exit) });
      expect(r.trajectories.length).toBe(2);
    }
    const err = await solver.solve(puzzle, { earlyExit: earlyExitFor('sometimes') }).then(() => null, (e) => e);
    expect(err).toBeInstanceOf(BadOptionsError);
    expect(err.message).toContain("'sometimes'");
  });

  test('the solver still works after every error', async () => {
    const r = await solver.solve(puzzle, { k: 2, steps: 2, sigma: 0.1 });
    expect(r.trajectories.length).toBe(2);
  });
});

test('bad load options are BadOptionsError', async () => {
  for (const opts of [{ threads: 0 }, { threads: 1.5 }, { threads: 65 }, { workers: true }, { onProgress: 1 }, { cache: 1 }]) {
    await expect(Solver.load(MODEL, { ...opts, wasmBase: WASM_BASE })).rejects.toBeInstanceOf(BadOptionsError);
  }
  await expect(Solver.load(12345, { wasmBase: WASM_BASE })).rejects.toBeInstanceOf(BadOptionsError);
});
