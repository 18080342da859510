// Times one supervision step of the official-size Sudoku TRMs in the wasm engine under node, through the public
// Solver API, for the bench models written by `ptrm bench --save-weights DIR` (see scripts/bench_wasm.sh).
// Per-step time = the interval between consecutive step batches of one solve (sigma 0, no history), median over
// the timed steps after one warm-up step; the engine runs in this thread so the timestamps carry no messaging.
// Also the process CPU time per step (all threads), which a busy shared machine disturbs much less than wall time.
// usage: node --no-experimental-fetch --no-liftoff scripts/bench_wasm.mjs DIR THREADS K[,K...] STEPS [CONFIGS]
// prints JSON: {threads, flavour, results: [{config, k, ms_per_step, cpu_ms_per_step}]}
import { Solver } from '../wasm/ptrm.js';

const [dir, threadsArg, ksArg, stepsArg, configsArg] = process.argv.slice(2);
const threads = Number(threadsArg);
const ks = ksArg.split(',').map(Number);
const timed = Number(stepsArg);
// Any valid puzzle: a step's cost does not depend on the tokens (the same one `ptrm bench` uses).
const PUZZLE = '..3.2.6..9..3.5..1..18.64....81.29..7.......8..67.82....26.95..8..2.3..9..5.1.3..';
const wasmBase = new URL('../web/engine/', import.meta.url);

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

const results = [];
let flavour = null;
for (const config of (configsArg || 'mlp_t,attention').split(',')) {
  const solver = await Solver.load(`${dir}/bench-${config}.safetensors`, { threads, worker: false, wasmBase });
  flavour = solver.info.flavour;
  if (solver.info.threads !== threads) throw new Error(`asked for ${threads} threads, got ${solver.info.threads}`);
  for (const k of ks) {
    const stamps = [];
    const cpu = [];
    let lastStep = 0;
    // steps = warm-up + timed + 1: the first interval (from step 1 to 2) is the warm-up.
    await solver.solve(PUZZLE, {
      k, sigma: 0, steps: timed + 2, history: false,
      onStep: (ev) => {
        if (ev.step !== lastStep) {
          lastStep = ev.step;
          stamps.push(performance.now());
          const u = process.cpuUsage();
          cpu.push((u.user + u.system) / 1e3);
        }
      },
    });
    const timedIntervals = (v) => v.slice(1).map((t, i) => t - v[i]).slice(1);
    results.push({ config, k, ms_per_step: median(timedIntervals(stamps)), cpu_ms_per_step: median(timedIntervals(cpu)) });
  }
  await solver.dispose();
}
console.log(JSON.stringify({ threads, flavour, results }));
