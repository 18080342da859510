// ONNX Runtime peer of the benchmarks: times one supervision step of an ONNX export of the same weights
// (training/export_onnx.py) in onnxruntime-node (CPU EP, MLAS) or onnxruntime-web (wasm backend, SIMD128) under
// node, after checking that it computes what the PyTorch reference computed (the export's --parity file).
// Per-step time: one session.run() whose outputs carry is fed back as the next input (sigma 0), median over the
// timed steps after one warm-up; process CPU time alongside, as scripts/bench_wasm.mjs does.
// usage: node scripts/bench_ort.mjs node|web DIR THREADS K[,K...] STEPS [CONFIGS]
//   DIR holds bench-<config>.onnx and bench-<config>.parity.bin (scripts/bench.sh / bench_wasm.sh make them).
// prints JSON: {peer, version, threads, results: [{config, k, ms_per_step, cpu_ms_per_step, parity_max_abs}]}
import fs from 'node:fs';
import { createRequire } from 'node:module';

const [backend, dir, threadsArg, ksArg, stepsArg, configsArg] = process.argv.slice(2);
if (!['node', 'web'].includes(backend) || !dir || !threadsArg || !ksArg || !stepsArg) {
  console.error('usage: node scripts/bench_ort.mjs node|web DIR THREADS K[,K...] STEPS [mlp_t,attention]');
  process.exit(2);
}
const threads = Number(threadsArg);
const ks = ksArg.split(',').map(Number);
const timed = Number(stepsArg);
const configs = (configsArg || 'mlp_t,attention').split(',');
// Max |reference - ORT| allowed on any output element after one step from the initial carry: fp32 reordering
// noise over 21 unrolled net calls (measured 3e-6..6e-5 on the official-size bench models).
const PARITY_TOL = 1e-3;

const require = createRequire(import.meta.url);
let ort;
if (backend === 'node') {
  ort = require('onnxruntime-node');
} else {
  // The node build of onnxruntime-web (dist/ort.node.min.mjs): the same wasm as in browsers, in this process.
  ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.simd = true;
}
const version = ort.env.versions ? (ort.env.versions.node || ort.env.versions.web || ort.env.versions.common) : '';

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

// The export's parity file: a JSON header line, then the arrays (little-endian float32 / int32) in header order.
function readParity(path) {
  const buf = fs.readFileSync(path);
  const nl = buf.indexOf(10);
  const head = JSON.parse(buf.subarray(0, nl).toString('utf8'));
  const out = {};
  let at = nl + 1;
  for (const name of head.order) {
    const shape = head.shapes[name];
    const n = shape.reduce((a, b) => a * b, 1);
    const bytes = buf.subarray(at, at + 4 * n);
    const copy = new Uint8Array(bytes).buffer;  // aligned
    out[name] = { shape, data: head.dtypes[name] === 'int32' ? new Int32Array(copy) : new Float32Array(copy) };
    at += 4 * n;
  }
  return out;
}

function tensor(name, a) {
  return new ort.Tensor(a.data instanceof Int32Array ? 'int32' : 'float32', a.data, a.shape);
}

// Rows of a [B, ...] array repeated to k rows.
function tile(a, k) {
  const row = a.data.length / a.shape[0];
  const data = new a.data.constructor(row * k);
  for (let r = 0; r < k; r++) data.set(a.data.subarray((r % a.shape[0]) * row, (r % a.shape[0] + 1) * row), r * row);
  return { shape: [k, ...a.shape.slice(1)], data };
}

const results = [];
for (const config of configs) {
  const session = await ort.InferenceSession.create(`${dir}/bench-${config}.onnx`, {
    executionProviders: [backend === 'node' ? 'cpu' : 'wasm'],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
  });
  const ref = readParity(`${dir}/bench-${config}.parity.bin`);
  const feeds = (z) => ({
    z_H: tensor('z_H', z.z_H), z_L: tensor('z_L', z.z_L),
    tokens: tensor('tokens', z.tokens), puzzle_ids: tensor('puzzle_ids', z.puzzle_ids),
  });
  const got = await session.run(feeds(ref));
  let maxAbs = 0;
  for (const name of ['z_H_out', 'z_L_out', 'logits', 'q_halt']) {
    const a = got[name].data, b = ref[name].data;
    if (a.length !== b.length) throw new Error(`${config}: ${name} has ${a.length} values, reference ${b.length}`);
    for (let i = 0; i < a.length; i++) maxAbs = Math.max(maxAbs, Math.abs(a[i] - b[i]));
  }
  if (!(maxAbs <= PARITY_TOL)) {
    throw new Error(`${config}: ONNX Runtime (${backend}) disagrees with the PyTorch reference: max |diff| ${maxAbs}`);
  }
  for (const k of ks) {
    let state = { z_H: tile(ref.z_H, k), z_L: tile(ref.z_L, k), tokens: tile(ref.tokens, k), puzzle_ids: tile(ref.puzzle_ids, k) };
    const wall = [];
    const cpu = [];
    for (let s = 0; s < timed + 1; s++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const out = await session.run(feeds(state));
      const t1 = performance.now();
      const c1 = process.cpuUsage(c0);
      state = { ...state, z_H: { shape: out.z_H_out.dims, data: out.z_H_out.data },
        z_L: { shape: out.z_L_out.dims, data: out.z_L_out.data } };
      if (s > 0) { wall.push(t1 - t0); cpu.push((c1.user + c1.system) / 1e3); }
    }
    results.push({ config, k, ms_per_step: median(wall), cpu_ms_per_step: median(cpu), parity_max_abs: maxAbs });
  }
  await session.release();
}
console.log(JSON.stringify({ peer: `onnxruntime-${backend}`, version, threads, results }));
