// The engine core shared by the worker (worker.js) and the in-thread path of ptrm.js: instantiates one
// Emscripten flavour, loads a model into it, runs solves and shapes their results. Synchronous once loaded: a
// solve blocks the calling thread, which is why ptrm.js runs this inside a Worker by default.
import { errorFromKind, InternalError } from './errors.js';

// Environment facts every module of the JS API shares (defined here once; ptrm.js and worker.js import them).
export const isNode = typeof process === 'object' && !!(process.versions && process.versions.node);
export const now = () => (typeof performance === 'object' ? performance.now() : Date.now());

// node's built-in modules, imported only under node and hidden from bundlers (which would try to bundle or reject
// `node:` imports when building for browsers).
export const importNode = (name) => import(/* webpackIgnore: true */ /* @vite-ignore */ name);

// A tiny module whose only function returns a v128: valid iff the engine supports WebAssembly SIMD128.
const SIMD_PROBE = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7b, 3, 2, 1, 0,
  0x0a, 8, 1, 6, 0, 0x41, 0, 0xfd, 0x0f, 0x0b]);

export function hasSimd() {
  return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
}

// Threads need SharedArrayBuffer, which browsers only expose to cross-origin isolated pages (COOP + COEP).
export function hasThreads() {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') return false;
  return isNode || globalThis.crossOriginIsolated === true;
}

// Unwraps the bindings' {result} | {error} convention.
function unwrap(r) {
  if (r.error) throw errorFromKind(r.error.kind, r.error.message);
  return r.result;
}

async function loadFactory(flavour, base) {
  const jsUrl = new URL(`ptrm-${flavour}.js`, base);
  if (isNode) {
    const { createRequire } = await importNode('node:module');
    const { fileURLToPath } = await importNode('node:url');
    const fs = await importNode('node:fs');
    // The Emscripten outputs are CommonJS. In a "type": "module" package (the npm package) node would take them
    // for ES modules, so there they have .cjs twins (scripts/pack.mjs), which node always loads as CommonJS.
    const cjs = (p) => {
      const twin = p.replace(/\.js$/, '.cjs');
      return twin !== p && fs.existsSync(twin) ? twin : p;
    };
    const jsPath = cjs(fileURLToPath(jsUrl));
    const wasmPath = fileURLToPath(new URL(`ptrm-${flavour}.wasm`, base));
    if (!fs.existsSync(jsPath)) throw new InternalError(`engine build missing: ${jsPath} (run scripts/build_wasm.sh)`);
    const factory = createRequire(import.meta.url)(jsPath);
    // Handing the bytes over avoids Emscripten 3.1.6 fetch()ing a file path under node ≥ 18; node's Worker (the
    // pthreads) wants file paths, not file: URLs.
    return {
      factory,
      extra: { wasmBinary: fs.readFileSync(wasmPath), locateFile: (p) => cjs(fileURLToPath(new URL(p, base))) },
    };
  }
  // Browsers (page or module worker): the output is a classic script defining the global createPtrm; a module
  // worker cannot importScripts(), so it is evaluated at global scope instead.
  const res = await fetch(jsUrl);
  if (!res.ok) throw new InternalError(`cannot fetch ${jsUrl}: HTTP ${res.status}`);
  const text = await res.text();
  (0, eval)(`${text}\n//# sourceURL=${jsUrl}`);
  /** @type {{mainScriptUrlOrBlob: string | Blob, locateFile: (p: string) => string}} */
  const extra = { mainScriptUrlOrBlob: jsUrl.href, locateFile: (p) => new URL(p, base).href };
  if (flavour === 'mt' && jsUrl.origin !== globalThis.origin) {
    // The pthreads are Workers too, and a Worker must come from this origin: blob: copies of the pthread script and
    // of the main script (already fetched, with CORS) stand in for the engine's own URLs.
    const workerUrl = new URL(`ptrm-${flavour}.worker.js`, base);
    const w = await fetch(workerUrl);
    if (!w.ok) throw new InternalError(`cannot fetch ${workerUrl}: HTTP ${w.status}`);
    const workerBlob = URL.createObjectURL(new Blob([`${await w.text()}\n//# sourceURL=${workerUrl}`],
      { type: 'text/javascript' }));
    extra.mainScriptUrlOrBlob = new Blob([`${text}\n//# sourceURL=${jsUrl}`], { type: 'text/javascript' });
    extra.locateFile = (p) => (p.endsWith('.worker.js') ? workerBlob : new URL(p, base).href);
  }
  return { factory: globalThis.createPtrm, extra };
}

// XNNPACK (2024) gives wasm its faster f32 GEMM microkernels ("loadsplat", 1.3x here: docs/wasm-bench.md) only
// when its `hardware_concurrency` import — navigator.hardwareConcurrency, 1 under node — exceeds 4, as a proxy for
// "an x86 CPU with AVX"; it asks only on x86 hosts (src/configs/gemm-config.c). 2-4-core laptops, and node, would
// get the slower "splat" kernels. Answering 8 gives every x86 host the loadsplat kernels; the choice changes which
// fp32 kernel runs, not the results' precision. The import is found by its source text (its name is minified); if
// a future build lacks it, nothing is changed.
function instantiateWithLoadsplat(binary) {
  return (info, receiveInstance) => {
    for (const imports of Object.values(info)) {
      for (const [name, fn] of Object.entries(imports)) {
        if (typeof fn === 'function' && /hardwareConcurrency/.test(Function.prototype.toString.call(fn))) {
          imports[name] = () => 8;
        }
      }
    }
    const done = (r) => receiveInstance(r.instance, r.module);
    const p = binary.bytes ? WebAssembly.instantiate(binary.bytes, info)
      : WebAssembly.instantiateStreaming(fetch(binary.url, { credentials: 'same-origin' }), info);
    p.then(done, (e) => binary.fail(e));
    return {};
  };
}

export class EngineCore {
  // flavour 'st' | 'mt'; threads ≥ 1 (1 for 'st'); base: URL of the folder with the build outputs.
  static async create(flavour, threads, base) {
    const { factory, extra } = await loadFactory(flavour, base);
    let fail;
    const failed = new Promise((_, reject) => { fail = reject; });
    const binary = { bytes: 'wasmBinary' in extra ? extra.wasmBinary : undefined, url: new URL(`ptrm-${flavour}.wasm`, base).href, fail };
    const module = await Promise.race([failed, factory({
      ...extra,
      instantiateWasm: instantiateWithLoadsplat(binary),
      ptrmPoolSize: threads,
      print: () => {},
      printErr: (t) => console.warn(`[ptrm] ${t}`),
    })]);
    return new EngineCore(module, flavour, threads);
  }

  constructor(module, flavour, threads) {
    this.module = module;
    this.flavour = flavour;
    this.threads = threads;
    this.engine = null;
  }

  // bytes: Uint8Array of a .safetensors file → info (config parsed). threadPolicy (ptrm.js decides it, see
  // threadPlan there): undefined → solves use the whole pool; {use: n} → n (1 or the pool size) without
  // measuring; {calibrate: true} → calibrate() picks 1 or the pool size and info.calibration tells the timings.
  load(bytes, threadPolicy) {
    if (this.engine) this.engine.delete();
    this.engine = new this.module.Engine();
    let raw = unwrap(this.engine.load(bytes, this.threads));
    let calibration;
    if (threadPolicy && raw.poolThreads > 1) {
      if (threadPolicy.calibrate) calibration = this.calibrate(raw.poolThreads);
      const use = calibration ? calibration.threads : threadPolicy.use;
      if (use !== undefined && use !== raw.threads) raw = unwrap(this.engine.setThreads(use));
    }
    const { configJson, puzzleIdentifiersJson, ...rest } = raw;
    return {
      ...rest,
      flavour: this.flavour,
      config: JSON.parse(configJson),
      puzzleIdentifiers: puzzleIdentifiersJson ? JSON.parse(puzzleIdentifiersJson) : null,
      ...(calibration ? { calibration } : {}),
    };
  }

  // Measures one supervision step on 1 thread and on the whole pool (n threads), alternating 1, n, 1, n, ... so
  // drifting background load hits both, and keeps n only if its median is at least 5 % faster (more threads also
  // cost the visitor CPU and battery). Rows grow until a step takes ≥ 20 ms, so tiny models time something real;
  // at most ~1.5 s of measuring after the first pair (an official-size model takes ~0.7 s a step at 1 thread).
  calibrate(n) {
    let rows = 1;
    while (rows < 64 && unwrap(this.engine.timeStep(1, rows)) < 20) rows *= 2;
    const ms = { 1: [], [n]: [] };
    const t0 = now();
    for (let i = 0; i < 3 && (i === 0 || now() - t0 < 1500); i++) {
      ms[1].push(unwrap(this.engine.timeStep(1, rows)));
      ms[n].push(unwrap(this.engine.timeStep(n, rows)));
    }
    const med = (v) => [...v].sort((a, b) => a - b)[(v.length - 1) >> 1];
    const threads = med(ms[n]) <= 0.95 * med(ms[1]) ? n : 1;
    return { threads, rows, msPerStep: { 1: med(ms[1]), [n]: med(ms[n]) }, samples: ms[1].length };
  }

  // options: the complete, normalised options of ptrm.js (no callbacks). onBatch(batch) → false cancels.
  solve(puzzle, options, onBatch) {
    const t0 = now();
    const raw = unwrap(this.engine.solve(String(puzzle), JSON.stringify(options), onBatch));
    const solveMs = now() - t0;
    return shapeResult(raw, solveMs);
  }

  rngNormals(seed, traj, step, firstElem, count) {
    return unwrap(this.module.rngNormals(String(seed), traj, step, firstElem, count));
  }

  dispose() {
    if (this.engine) this.engine.delete();
    this.engine = null;
    if (this.module.PThread) this.module.PThread.terminateAllThreads();
  }
}

// Raw bindings result → the public result of docs/design.md. The chosen trajectory is the engine's (its
// selection policy, SolveOptions::select): nothing here picks an answer.
function shapeResult(raw, solveMs) {
  const t = raw.trajectories;
  const sel = raw.selection;
  const chosen = sel.chosen;
  const finalQ = (i) => t[i].qHalt[t[i].qHalt.length - 1];
  const maxSteps = t.reduce((m, x) => Math.max(m, x.steps), 0);
  return {
    answer: t[chosen].answer,
    chosen,
    select: sel.policy,
    valid: t[chosen].valid,
    qHalt: finalQ(chosen),
    selection: {
      bestQ: { traj: sel.bestQ, answer: t[sel.bestQ].answer, qHalt: finalQ(sel.bestQ) },
      mode: { traj: sel.mode, answer: t[sel.mode].answer, count: sel.modeCount },
      vote: { traj: sel.vote, answer: t[sel.vote].answer, qHalt: finalQ(sel.vote) },
    },
    trajectories: t,
    timings: {
      solveMs,
      msPerStep: maxSteps ? solveMs / maxSteps : 0,
      trajStepsRun: raw.trajStepsRun,
      trajStepsBudget: raw.trajStepsBudget,
    },
  };
}
