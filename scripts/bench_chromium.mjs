// ptrm against onnxruntime-web in a real Chromium tab (Debian's /usr/bin/chromium through playwright-core,
// headless, cross-origin isolated page so both get wasm threads). Same weights: the `ptrm bench` models and their
// ONNX export (parity-checked against PyTorch in the tab before timing). Interleaved rounds, a fresh tab per run,
// medians and per-round ratios (ptrm time / ORT time: < 1 means ptrm is faster). A benchmark, not a test.
//
//   node scripts/bench_chromium.mjs DIR [--threads 1,2] [--k 1,16] [--steps 2] [--rounds 3] [--config mlp_t]
//                                       [--solve K,STEPS,THREADS]
// DIR: made by `ptrm bench --save-weights DIR` + training/export_onnx.py (scripts/bench_wasm.sh leaves one, or
// run scripts/bench_chromium.sh). ptrm runs the public API the app uses (Solver.load in its default Worker; per
// step = interval between step batches of one solve, sigma 0); ORT runs InferenceSession (wasm EP, SIMD, numThreads)
// with the carry fed back each step. --solve K,STEPS,THREADS also times one whole solve of the mlp_t model
// (K trajectories x STEPS supervision steps, the page's default thread policy when THREADS is 'auto').
//
//   node scripts/bench_chromium.mjs --models A.safetensors,B.safetensors [--solve K,STEPS,THREADS] [--rounds 3] [--card]
// Whole-solve time of shipped 9x9 Sudoku models in a tab, as the app runs them (no ORT): each round solves the same
// puzzle once per model (order alternating, a fresh tab per solve); prints medians and each model's per-round ratio
// to the first. Model files must lie inside the repository (they are served from it). Default --solve 16,16,auto,
// σ 0, no early exit. --card: each model with its own card's recommended settings instead (K, σ, steps, seed, early
// exit, answer rule; the ptrm-card block of the .md beside it, read as the app reads it; a model without a card gets
// the app's defaults), so a model whose card stops at the first valid answer is timed as the app's first Solve runs it.
import http from 'node:http';
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { cardSettings } from './model_index.mjs';
import { DEFAULTS } from '../web/app/params.js';
import { earlyExitFor } from '../web/lib/exits.js';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const o = { dir: argv[0], threads: [1, 2], ks: [1, 16], steps: 2, rounds: 3, configs: ['mlp_t'], solve: null, models: null, card: false };
  if (argv[0] === '--models') o.dir = null;
  for (let i = o.dir ? 1 : 0; i < argv.length; i += 2) {
    const v = argv[i + 1];
    if (argv[i] === '--card') { o.card = true; i -= 1; continue; }
    switch (argv[i]) {
      case '--threads': o.threads = v.split(',').map(Number); break;
      case '--k': o.ks = v.split(',').map(Number); break;
      case '--steps': o.steps = Number(v); break;
      case '--rounds': o.rounds = Number(v); break;
      case '--config': o.configs = v.split(','); break;
      case '--models': o.models = v.split(',').map((f) => path.resolve(f)); break;
      case '--solve': { const [k, s, t] = v.split(','); o.solve = { k: Number(k), steps: Number(s), threads: t === 'auto' ? 'auto' : Number(t) }; break; }
      default: throw new Error(`unknown argument ${argv[i]}`);
    }
  }
  if (o.models) {
    for (const f of o.models) {
      if (!f.startsWith(repo + path.sep) || !fs.existsSync(f)) throw new Error(`--models: ${f} is not a file inside the repository`);
    }
    o.solve = o.solve || { k: 16, steps: 16, threads: 'auto' };
    return o;
  }
  if (!o.dir || !fs.existsSync(path.join(o.dir, 'bench-mlp_t.safetensors'))) {
    throw new Error('usage: node scripts/bench_chromium.mjs DIR [...] (DIR with bench-*.safetensors/.onnx/.parity.bin)');
  }
  return o;
}

// /engine/* → web/engine (the built wasm + JS API), /ort/* → onnxruntime-web's dist, /models/* → DIR; every
// response cross-origin isolated (COOP + COEP) so SharedArrayBuffer and wasm threads are available.
function serve(dir) {
  const roots = { engine: path.join(repo, 'web', 'engine'), ort: path.join(repo, 'node_modules', 'onnxruntime-web', 'dist'), models: dir, repo };
  const mime = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const h = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin', 'Cache-Control': 'no-store' };
    if (url.pathname === '/') {
      res.writeHead(200, { ...h, 'Content-Type': 'text/html' });
      res.end('<!doctype html><meta charset="utf-8"><title>ptrm bench</title><p>bench</p>');
      return;
    }
    const [, root, ...rest] = url.pathname.split('/');
    const base = roots[root];
    const file = base && path.resolve(base, rest.join('/'));
    if (!file || !file.startsWith(base + path.sep) || !fs.existsSync(file)) { res.writeHead(404, h); res.end(); return; }
    res.writeHead(200, { ...h, 'Content-Type': mime[path.extname(file)] || 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// In the tab: ptrm through the public API (Worker backend, as the app uses it).
async function ptrmInTab({ config, url, k, steps, threads, sigma = 0, seed = '0', earlyExit, select }) {
  const { Solver } = await import('/engine/ptrm.js');
  const solver = await Solver.load(url || `/models/bench-${config}.safetensors`, { threads });
  const PUZZLE = '..3.2.6..9..3.5..1..18.64....81.29..7.......8..67.82....26.95..8..2.3..9..5.1.3..';
  const stamps = [];
  let last = 0;
  const t0 = performance.now();
  await solver.solve(PUZZLE, {
    k, sigma, steps, seed, history: false, ...(earlyExit ? { earlyExit } : {}), ...(select ? { select } : {}),
    onStep: (ev) => { if (ev.step !== last) { last = ev.step; stamps.push(performance.now()); } },
  });
  const total = performance.now() - t0;
  const info = solver.info;
  await solver.dispose();
  const intervals = stamps.slice(1).map((t, i) => t - stamps[i]).slice(1);  // first interval = warm-up
  return { intervals, total, stepsRun: stamps.length, threads: info.threads, poolThreads: info.poolThreads, calibration: info.calibration || null };
}

// In the tab: onnxruntime-web (wasm EP) on the ONNX export, parity first.
async function ortInTab({ config, k, steps, threads }) {
  const ort = await import('/ort/ort.wasm.min.mjs');
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.wasmPaths = '/ort/';
  const session = await ort.InferenceSession.create(`/models/bench-${config}.onnx`, {
    executionProviders: ['wasm'], graphOptimizationLevel: 'all', executionMode: 'sequential',
  });
  const buf = new Uint8Array(await (await fetch(`/models/bench-${config}.parity.bin`)).arrayBuffer());
  const nl = buf.indexOf(10);
  const head = JSON.parse(new TextDecoder().decode(buf.subarray(0, nl)));
  const ref = {};
  let at = nl + 1;
  for (const name of head.order) {
    const shape = head.shapes[name];
    const n = shape.reduce((a, b) => a * b, 1);
    const copy = buf.slice(at, at + 4 * n).buffer;
    ref[name] = { shape, data: head.dtypes[name] === 'int32' ? new Int32Array(copy) : new Float32Array(copy) };
    at += 4 * n;
  }
  const T = (a) => new ort.Tensor(a.data instanceof Int32Array ? 'int32' : 'float32', a.data, a.shape);
  const feeds = (z) => ({ z_H: T(z.z_H), z_L: T(z.z_L), tokens: T(z.tokens), puzzle_ids: T(z.puzzle_ids) });
  const got = await session.run(feeds(ref));
  let maxAbs = 0;
  for (const name of ['z_H_out', 'z_L_out', 'logits', 'q_halt']) {
    const a = got[name].data, b = ref[name].data;
    for (let i = 0; i < a.length; i++) maxAbs = Math.max(maxAbs, Math.abs(a[i] - b[i]));
  }
  if (!(maxAbs <= 1e-3)) throw new Error(`ORT-web disagrees with the PyTorch reference: max |diff| ${maxAbs}`);
  const tile = (a) => {
    const row = a.data.length / a.shape[0];
    const data = new a.data.constructor(row * k);
    for (let r = 0; r < k; r++) data.set(a.data.subarray(0, row), r * row);
    return { shape: [k, ...a.shape.slice(1)], data };
  };
  let state = { z_H: tile(ref.z_H), z_L: tile(ref.z_L), tokens: tile(ref.tokens), puzzle_ids: tile(ref.puzzle_ids) };
  const intervals = [];
  for (let s = 0; s < steps - 1; s++) {
    const t0 = performance.now();
    const out = await session.run(feeds(state));
    const t1 = performance.now();
    state = { ...state, z_H: { shape: out.z_H_out.dims, data: out.z_H_out.data }, z_L: { shape: out.z_L_out.dims, data: out.z_L_out.data } };
    if (s > 0) intervals.push(t1 - t0);
  }
  await session.release();
  return { intervals, parity: maxAbs };
}

// The header every figure needs (CPU model, ISA, CPUs, load average): scripts/bench_common.sh's, the one copy.
const cpuLine = () => execFileSync('bash', ['-c', '. "$1" && bench_header', 'bench_header', path.join(repo, 'scripts', 'bench_common.sh')],
  { encoding: 'utf8' }).trim();

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const server = await serve(o.dir ? path.resolve(o.dir) : repo);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
  const inTab = async (fn, arg) => {
    const page = await browser.newPage();
    try {
      await page.goto(`${origin}/`);
      const iso = await page.evaluate(() => globalThis.crossOriginIsolated);
      if (!iso) throw new Error('bench page is not cross-origin isolated');
      return await page.evaluate(fn, arg);
    } finally {
      await page.close();
    }
  };
  console.log(cpuLine());
  const version = (await import('node:fs')).readFileSync(path.join(repo, 'node_modules', 'onnxruntime-web', 'package.json'), 'utf8');
  console.log(`# Chromium ${browser.version()}, onnxruntime-web ${JSON.parse(version).version}, ` +
    `navigator.hardwareConcurrency ${await inTab(() => globalThis.navigator.hardwareConcurrency)}`);

  if (o.models) {
    await modelSolves(o, inTab);
    await browser.close();
    server.close();
    return;
  }

  // Steps per run: warm-up + `steps` timed (ptrm: one extra step so intervals exist).
  const rows = [];
  for (const config of o.configs) {
    for (const k of o.ks) {
      for (const threads of o.threads) {
        const ptrm = [], ort = [];
        for (let r = 0; r < o.rounds; r++) {
          const order = r % 2 ? ['ort', 'ptrm'] : ['ptrm', 'ort'];
          for (const e of order) {
            const arg = { config, k, steps: o.steps + 2, threads };
            const res = e === 'ptrm' ? await inTab(ptrmInTab, arg) : await inTab(ortInTab, arg);
            (e === 'ptrm' ? ptrm : ort).push(median(res.intervals));
            process.stderr.write(`# ${config} K=${k} ${threads}t round ${r + 1} ${e}: ${median(res.intervals).toFixed(0)} ms/step\n`);
          }
        }
        rows.push([config, k, threads, median(ptrm).toFixed(0), median(ort).toFixed(0),
          median(ptrm.map((v, i) => v / ort[i])).toFixed(2)]);
      }
    }
  }
  console.log('| config | K | threads | ptrm ms/step | ORT-web ms/step | ptrm/ORT |\n|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  console.log(`\nmedians over ${o.rounds} interleaved rounds, a fresh tab per run; ratio = median of per-round ratios`);

  if (o.solve) {
    const { k, steps, threads } = o.solve;
    const res = await inTab(ptrmInTab, { config: 'mlp_t', k, steps, threads: threads === 'auto' ? undefined : threads });
    console.log(`\nwhole solve in a tab: official-size Sudoku MLP-t, K=${k} x ${steps} steps, threads ${threads} ` +
      `(ran on ${res.threads} of ${res.poolThreads}${res.calibration ? `, calibration ${JSON.stringify(res.calibration.msPerStep)} ms/step at ${res.calibration.rows} row(s)` : ''}): ` +
      `${(res.total / 1e3).toFixed(1)} s (median step ${median(res.intervals).toFixed(0)} ms)`);
  }
  await browser.close();
  server.close();
}

// --models: whole solves of each model file, interleaved; ratios against the first model of the list.
async function modelSolves(o, inTab) {
  const names = o.models.map((f) => path.relative(repo, f));
  const plans = o.models.map((f) => solvePlan(o, f));
  const totals = names.map(() => []);
  const ran = names.map(() => 0);
  for (let r = 0; r < o.rounds; r++) {
    const order = names.map((_, i) => i);
    if (r % 2) order.reverse();
    for (const i of order) {
      const res = await inTab(ptrmInTab, { url: `/repo/${names[i]}`, ...plans[i].tab });
      totals[i].push(res.total);
      ran[i] = res.stepsRun;
      process.stderr.write(`# ${names[i]} round ${r + 1}: ${(res.total / 1e3).toFixed(2)} s, ${res.stepsRun} steps (ran on ${res.threads} of ${res.poolThreads} threads)\n`);
    }
  }
  console.log(`whole solve in a tab, one 9x9 puzzle, ${o.card ? "each model with its card's recommended settings" : 'the same settings for every model'}:\n`);
  console.log(`| model | settings | steps run | median s | ratio to ${names[0]} |\n|---|---|---|---|---|`);
  for (let i = 0; i < names.length; i++) {
    console.log(`| ${names[i]} | ${plans[i].text} | ${ran[i]} | ${(median(totals[i]) / 1e3).toFixed(2)} | ${median(totals[i].map((v, j) => v / totals[0][j])).toFixed(2)} |`);
  }
  console.log(`\nmedians over ${o.rounds} interleaved rounds, a fresh tab per solve; ratio = median of per-round ratios`);
}

// What one model's solves run: --solve's K x steps at σ 0 without an early exit, or (--card) its card's
// recommended settings over the app's defaults, as the page applies them.
function solvePlan(o, file) {
  const { k, steps, threads } = o.solve;
  const tabThreads = threads === 'auto' ? undefined : threads;
  if (!o.card) return { tab: { k, steps, threads: tabThreads }, text: `K ${k}, σ 0, ${steps} steps, exit none, threads ${threads}` };
  const card = file.replace(/\.safetensors$/, '.md');
  const { settings, error } = fs.existsSync(card) ? cardSettings(fs.readFileSync(card, 'utf8')) : { settings: null, error: null };
  if (error) throw new Error(`${path.relative(repo, card)}: ${error}`);
  const s = { ...DEFAULTS, ...((settings && settings.recommended) || {}) };
  return {
    tab: { k: s.k, steps: s.steps, sigma: s.sigma, seed: String(s.seed), noiseOn: s.noise, earlyExit: earlyExitFor(s.exit), select: s.select, threads: tabThreads },
    text: `K ${s.k}, σ ${s.sigma}, ${s.steps} steps, noise ${s.noise}, exit ${s.exit}, select ${s.select}${settings ? ' (card)' : ' (no card: defaults)'}, threads ${threads}`,
  };
}

main().catch((e) => { console.error(e); process.exit(1); });
