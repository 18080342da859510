// Shared helpers of the Jest suites: where the builds and fixtures are, the native CLI, fixture puzzles.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
// scripts/build_wasm.sh gathers both flavours here.
export const WASM_BASE = process.env.PTRM_WASM_BASE || `${REPO}web/engine/`;
export const fixture = (name) => `${REPO}tests/fixtures/${name}.safetensors`;

// The native `ptrm` built from the same sources (scripts/test.sh builds it before the JS tests).
export function nativeCli() {
  const path = process.env.PTRM_NATIVE || `${REPO}build/ptrm`;
  if (!existsSync(path)) {
    throw new Error(`native CLI not found at ${path}: build it (cmake -S . -B build -G Ninja && ninja -C build ptrm) ` +
      'or set PTRM_NATIVE');
  }
  return path;
}

// `ptrm solve ... --json` → parsed output. Early exits and the selection policy in the JS API's spelling
// (earlyExit: {haltOnQ, stopOnValid}, select; a top-level haltOnQ also works), mapped to the CLI's flags.
export function nativeSolve(model, puzzle, { k, sigma, steps, seed, threads = 1, haltOnQ = false, earlyExit = {}, select }) {
  const args = ['solve', '--model', model, '--puzzle', puzzle, '--k', String(k), '--sigma', String(sigma),
    '--steps', String(steps), '--seed', String(seed), '--threads', String(threads), '--json'];
  if (haltOnQ || earlyExit.haltOnQ) args.push('--halt-on-q');
  if (earlyExit.stopOnValid && earlyExit.stopOnValid !== 'none') args.push('--stop-on-valid', earlyExit.stopOnValid);
  if (select) args.push('--select', select);
  return JSON.parse(execFileSync(nativeCli(), args, { encoding: 'utf8' }));
}

// Minimal safetensors reader for the fixtures' expected outputs (trusted files written by make_fixtures.py).
export function readSafetensors(path) {
  const buf = readFileSync(path);
  const headerLen = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + headerLen).toString('utf8'));
  const data = buf.subarray(8 + headerLen);
  const tensor = (name) => {
    const { dtype, shape, data_offsets: [a, b] } = header[name];
    const bytes = new Uint8Array(data.subarray(a, b));  // copy: aligned for the typed array view
    const Arr = { F32: Float32Array, I32: Int32Array }[dtype];
    return { shape, values: new Arr(bytes.buffer) };
  };
  return { header, tensor };
}

const SUDOKU_CHARS = (t) => (t === 1 ? '.' : String(t - 1));
const MAZE_CHARS = ['?', '#', ' ', 'S', 'G', 'o'];

// Row `row` of a fixture's `inputs` as puzzle text in the task's input format.
export function fixturePuzzle(name, row = 0) {
  const st = readSafetensors(`${REPO}tests/fixtures/${name}.expected.safetensors`);
  const { shape: [, n], values } = st.tensor('inputs');
  const tokens = Array.from(values.subarray(row * n, (row + 1) * n));
  if (name.startsWith('maze')) {
    const side = Math.round(Math.sqrt(n));
    const lines = [];
    for (let r = 0; r < side; r++) lines.push(tokens.slice(r * side, (r + 1) * side).map((t) => MAZE_CHARS[t]).join(''));
    return lines.join('\n');
  }
  return tokens.map(SUDOKU_CHARS).join('');
}
