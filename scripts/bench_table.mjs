// Summarises the interleaved benchmark rounds of scripts/bench.sh / bench_wasm.sh / bench_threads.sh:
//   node scripts/bench_table.mjs DIR BASE PEERS ROUNDS THREADS...
// DIR holds r<round>-<engine>-<threads>.json, each {results: [{config, k, ms_per_step, cpu_ms_per_step}]}.
// Prints one markdown row per (config, K, threads): the median ms per step of BASE and of every peer over the
// rounds, and per peer the median over rounds of the per-round ratio BASE / peer (< 1: BASE is faster).
import fs from 'node:fs';

const [dir, base, peersArg, roundsArg, ...threads] = process.argv.slice(2);
const peers = peersArg ? peersArg.split(',').filter(Boolean) : [];
const rounds = Number(roundsArg);
const median = (v) => {
  const s = v.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const n = s.length;
  if (!n) return NaN;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const read = (r, e, t) => {
  const f = `${dir}/r${r}-${e}-${t}.json`;
  return fs.existsSync(f) ? JSON.parse(fs.readFileSync(f, 'utf8')) : null;
};
const find = (j, config, k) => (j ? j.results.find((x) => x.config === config && x.k === k) : undefined);

const engines = [base, ...peers];
const head = ['config', 'K', 'threads', ...engines.map((e) => `${e} ms (cpu ms)`), ...peers.map((p) => `${base}/${p}`),
  ...peers.map((p) => `cpu ${base}/${p}`)];
console.log(`| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|`);
const versions = new Set();
const parity = {};  // per ORT peer: max |ORT - PyTorch reference| over every output, checked before timing
for (const t of threads) {
  const first = read(1, base, t);
  if (!first) continue;
  for (const { config, k } of first.results) {
    const ms = {};
    const cpu = {};
    for (const e of engines) {
      ms[e] = [];
      cpu[e] = [];
      for (let r = 1; r <= rounds; r++) {
        const j = read(r, e, t);
        if (j && j.peer) versions.add(`${j.peer} ${j.version}`);
        const px = find(j, config, k);
        if (px && px.parity_max_abs !== undefined) parity[e] = Math.max(parity[e] || 0, px.parity_max_abs);
        if (j && j.torch) versions.add(`torch ${j.torch}, BLAS ${j.blas}`);
        const x = find(j, config, k);
        ms[e].push(x ? x.ms_per_step : NaN);
        cpu[e].push(x ? x.cpu_ms_per_step : NaN);
      }
    }
    const cells = engines.map((e) => `${median(ms[e]).toFixed(0)} (${median(cpu[e]).toFixed(0)})`);
    const ratios = peers.map((p) => median(ms[base].map((v, i) => v / ms[p][i])).toFixed(2));
    const cpuRatios = peers.map((p) => median(cpu[base].map((v, i) => v / cpu[p][i])).toFixed(2));
    console.log(`| ${config} | ${k} | ${t} | ${cells.join(' | ')} | ${ratios.join(' | ')} | ${cpuRatios.join(' | ')} |`);
  }
}
console.log(`\nms = median wall ms per supervision step over ${rounds} interleaved rounds (cpu ms: process CPU time, all ` +
  `threads); ratio = median over rounds of the per-round wall-time ratio (< 1: ${base} faster); cpu ratio = the ` +
  'same for process CPU time, which a loaded machine disturbs much less than wall time (at 1 thread it is the fairer ' +
  'figure; at 2 threads it also counts the CPU a runtime burns waiting).');
for (const v of [...versions].sort()) console.log(v);
for (const [e, p] of Object.entries(parity)) console.log(`${e}: parity with the PyTorch reference checked before timing, max |diff| ${p.toExponential(1)}`);
