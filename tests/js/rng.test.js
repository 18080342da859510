// The PTRM noise RNG in wasm: bit-identical to the native build, and equal to an independent JS implementation of
// the design's definition (docs/design.md "RNG": Philox4x32-10, counter (elem/4, traj, step, "ptr1"), key = seed
// halves, u = (x + 0.5)·2^-32, Box-Muller on (u0,u1) and (u2,u3)).
import { EngineCore } from '../../wasm/engine.js';
import { WASM_BASE } from './helpers.js';
import { pathToFileURL } from 'node:url';

// normal(seed, traj, step, elem) as float32 bits from the native engine (x86-64-v3, -ffp-contract=off): a tiny
// program calling ptrm::normal() for these arguments, linked with engine/src/sampler/rng.cpp.
const NATIVE = [
  ['0', 0, 0, 0, 0x3ea1a85a],
  ['0', 0, 0, 1, 0x3d6cbe5d],
  ['0', 0, 0, 2, 0xbf283fc3],
  ['0', 0, 0, 3, 0x3e64ee45],
  ['42', 3, 7, 1001, 0x3fecc537],
  ['20251008', 0, 1, 5, 0xbf1809b8],
  ['18446744073709551615', 1023, 1048581, 4000000, 0xbf9fe8fe],
  ['123456789', 1073741826, 15, 77, 0x3fab3223],
];

const bitsOf = (x) => new Uint32Array(new Float32Array([x]).buffer)[0];

function philox(ctr, key) {
  const M0 = 0xd2511f53n, M1 = 0xcd9e8d57n, W0 = 0x9e3779b9n, W1 = 0xbb67ae85n, MASK = 0xffffffffn;
  let c = ctr.map(BigInt);
  let k = key.map(BigInt);
  for (let round = 0; round < 10; round++) {
    if (round > 0) k = [(k[0] + W0) & MASK, (k[1] + W1) & MASK];
    const p0 = M0 * c[0];
    const p1 = M1 * c[2];
    c = [((p1 >> 32n) ^ c[1] ^ k[0]) & MASK, p1 & MASK, ((p0 >> 32n) ^ c[3] ^ k[1]) & MASK, p0 & MASK];
  }
  return c.map(Number);
}

function referenceNormal(seedText, traj, step, elem) {
  const seed = BigInt(seedText);
  const x = philox([Math.floor(elem / 4), traj, step, 0x70747231],
    [Number(seed & 0xffffffffn), Number(seed >> 32n)]);
  const u = x.map((w) => (w + 0.5) * 2 ** -32);
  const pair = Math.floor((elem % 4) / 2);
  const r = Math.sqrt(-2 * Math.log(u[2 * pair]));
  const a = 2 * Math.PI * u[2 * pair + 1];
  return elem % 2 === 0 ? r * Math.cos(a) : r * Math.sin(a);
}

describe.each([['st', 1], ['mt', 2]])('wasm %s', (flavour, threads) => {
  let core;
  beforeAll(async () => { core = await EngineCore.create(flavour, threads, pathToFileURL(WASM_BASE)); }, 60000);
  afterAll(() => core.dispose());

  test('normal() is bit-identical to the native engine', () => {
    for (const [seed, traj, step, elem, bits] of NATIVE) {
      expect(bitsOf(core.rngNormals(seed, traj, step, elem, 1)[0]).toString(16)).toBe(bits.toString(16));
    }
  });

  test('normal() follows the design definition (independent JS implementation, within float32 rounding)', () => {
    const cases = [['0', 0, 0], ['7', 2, 3], ['18446744073709551615', 1023, 65536]];
    for (const [seed, traj, step] of cases) {
      const got = core.rngNormals(seed, traj, step, 0, 64);
      for (let e = 0; e < 64; e++) {
        const want = referenceNormal(seed, traj, step, e);
        expect(Math.abs(got[e] - want)).toBeLessThanOrEqual(2 ** -23 * Math.max(1, Math.abs(want)));
      }
    }
  });
});
