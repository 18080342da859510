// The engine core shared by the worker (worker.js) and the in-thread path of ptrm.js: instantiates one
// Emscripten flavour, loads a model into it, runs solves and shapes their results. Synchronous once loaded: a
// solve blocks the calling thread, which is why ptrm.js runs this inside a Worker by default.
import { errorFromKind, InternalError } from './errors.js';

// Environment facts every module of the JS API shares (defined here once; ptrm.js and worker.js import them).
export const isNode = typeof process === 'object' && !!(process.versions && process.versions.node);
export const now = () => (typeof performance === 'object' ? performance.now() : Date.now());

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
    const { createRequire } = await import('node:module');
    const { fileURLToPath } = await import('node:url');
    const fs = await import('node:fs');
    const jsPath = fileURLToPath(jsUrl);
    const wasmPath = fileURLToPath(new URL(`ptrm-${flavour}.wasm`, base));
    if (!fs.existsSync(jsPath)) throw new InternalError(`engine build missing: ${jsPath} (run scripts/build_wasm.sh)`);
    const factory = createRequire(import.meta.url)(jsPath);
    // Handing the bytes over avoids Emscripten 3.1.6 fetch()ing a file path under node ≥ 18; node's Worker (the
    // pthreads) wants file paths, not file: URLs.
    return {
      factory,
      extra: { wasmBinary: fs.readFileSync(wasmPath), locateFile: (p) => fileURLToPath(new URL(p, base)) },
    };
  }
  // Browsers (page or module worker): the output is a classic script defining the global createPtrm; a module
  // worker cannot importScripts(), so it is evaluated at global scope instead.
  const res = await fetch(jsUrl);
  if (!res.ok) throw new InternalError(`cannot fetch ${jsUrl}: HTTP ${res.status}`);
  (0, eval)(`${await res.text()}\n//# sourceURL=${jsUrl}`);
  return {
    factory: globalThis.createPtrm,
    extra: { mainScriptUrlOrBlob: jsUrl.href, locateFile: (p) => new URL(p, base).href },
  };
}

export class EngineCore {
  // flavour 'st' | 'mt'; threads ≥ 1 (1 for 'st'); base: URL of the folder with the build outputs.
  static async create(flavour, threads, base) {
    const { factory, extra } = await loadFactory(flavour, base);
    const module = await factory({
      ...extra,
      ptrmPoolSize: threads,
      print: () => {},
      printErr: (t) => console.warn(`[ptrm] ${t}`),
    });
    return new EngineCore(module, flavour, threads);
  }

  constructor(module, flavour, threads) {
    this.module = module;
    this.flavour = flavour;
    this.threads = threads;
    this.engine = null;
  }

  // bytes: Uint8Array of a .safetensors file → info (config parsed).
  load(bytes) {
    if (this.engine) this.engine.delete();
    this.engine = new this.module.Engine();
    const raw = unwrap(this.engine.load(bytes, this.threads));
    const { configJson, puzzleIdentifiersJson, ...rest } = raw;
    return {
      ...rest,
      flavour: this.flavour,
      config: JSON.parse(configJson),
      puzzleIdentifiers: puzzleIdentifiersJson ? JSON.parse(puzzleIdentifiersJson) : null,
    };
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
