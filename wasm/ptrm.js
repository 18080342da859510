// ptrm public JS API (ES module): load a TRM/PTRM model and solve puzzles with it, in a Web Worker by default so
// the page never freezes. See wasm/README.md and ptrm.d.ts.
//
//   const solver = await Solver.load('model.safetensors', { onProgress, threads, worker: true, wasmBase });
//   const result = await solver.solve(puzzleText, { k: 16, sigma: 0.1, onStep, signal });
import { EngineCore, hasSimd, hasThreads, isNode, now } from './engine.js';
import {
  PtrmError, BadModelError, BadPuzzleError, BadOptionsError, CancelledError, IoError, InternalError, errorFromKind,
} from './errors.js';

export { PtrmError, BadModelError, BadPuzzleError, BadOptionsError, CancelledError, IoError, InternalError };

const MAX_THREADS = 64;      // the bindings' bound
const AUTO_MAX_THREADS = 8;  // more pthreads than this rarely pays off for these model sizes

function checkKeys(obj, allowed, what) {
  if (obj === undefined || obj === null) return {};
  if (typeof obj !== 'object') throw new BadOptionsError(`${what} must be an object`);
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw new BadOptionsError(`unknown ${what} key '${key}' (allowed: ${allowed.join(', ')})`);
  }
  return obj;
}

// ---------------------------------------------------------------------------------------------------------------
// Options

const SOLVE_KEYS = ['task', 'k', 'sigma', 'steps', 'seed', 'noiseOn', 'noiseEveryInner', 'earlyExit', 'puzzleId',
  'maxBatchRows', 'select', 'history', 'onStep', 'signal'];
const EARLY_EXIT_KEYS = ['haltOnQ', 'stopOnValid'];

function seedText(seed) {
  if (typeof seed === 'bigint') {
    if (seed < 0n || seed >= 1n << 64n) throw new BadOptionsError(`seed must be in [0, 2^64), got ${seed}`);
    return seed.toString();
  }
  if (typeof seed === 'number') {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new BadOptionsError(`seed must be a non-negative integer ≤ 2^53 - 1 (use a BigInt or string above), got ${seed}`);
    }
    return String(seed);
  }
  if (typeof seed === 'string') return seed;  // the engine checks the digits and the range
  throw new BadOptionsError(`seed must be a number, BigInt or decimal string, got ${typeof seed}`);
}

// Public options → the flat object the bindings read (every key present). Values are type-checked and
// range-checked by the engine (one place for the rules, same messages as the CLI); here only the JS-only parts.
function normaliseSolveOptions(options) {
  const o = checkKeys(options, SOLVE_KEYS, 'solve option');
  const early = checkKeys(o.earlyExit, EARLY_EXIT_KEYS, 'earlyExit');
  if (o.onStep !== undefined && typeof o.onStep !== 'function') throw new BadOptionsError('onStep must be a function');
  if (o.signal !== undefined && !(o.signal && typeof o.signal.aborted === 'boolean')) {
    throw new BadOptionsError('signal must be an AbortSignal');
  }
  const def = (v, d) => (v === undefined ? d : v);
  return {
    engine: {
      task: def(o.task, ''),
      k: def(o.k, 1),
      sigma: def(o.sigma, 0),
      steps: def(o.steps, 0),
      seed: seedText(def(o.seed, 0)),
      noiseOn: def(o.noiseOn, 'z'),
      noiseEveryInner: def(o.noiseEveryInner, false),
      haltOnQ: def(early.haltOnQ, false),
      stopOnValid: def(early.stopOnValid, 'none'),
      puzzleId: def(o.puzzleId, 0),
      maxBatchRows: def(o.maxBatchRows, 0),
      history: def(o.history, true),
      select: def(o.select, 'bestQ'),  // the engine's selection policy (checked there, as the CLI's --select)
    },
    onStep: o.onStep,
    signal: o.signal,
  };
}

// A bindings step batch (columnar typed arrays, one per supervision step and postMessage) → one onStep call per
// trajectory. tokens/summary are views into the batch's arrays.
function emitEvents(batch, seqLen, onStep) {
  for (let i = 0; i < batch.traj.length; i++) {
    onStep({
      step: batch.step,
      traj: batch.traj[i],
      answer: batch.answers[i],
      tokens: batch.tokens.subarray(i * seqLen, (i + 1) * seqLen),
      qHalt: batch.qHalt[i],
      summary: batch.latent.subarray(i * 32, (i + 1) * 32),
      valid: batch.valid[i] === 1,
      active: batch.active[i] === 1,
    });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Loading

async function resolveBase(wasmBase) {
  let url;
  if (wasmBase === undefined) url = new URL('./', import.meta.url);
  else if (wasmBase instanceof URL) url = new URL(wasmBase.href);
  else if (typeof wasmBase !== 'string') throw new BadOptionsError('wasmBase must be a string or URL');
  else if (/^[a-z][a-z0-9+.-]*:/i.test(wasmBase) && !/^[a-z]:[\\/]/i.test(wasmBase)) url = new URL(wasmBase);
  else if (isNode) url = (await import('node:url')).pathToFileURL((await import('node:path')).resolve(wasmBase));
  else url = new URL(wasmBase, globalThis.location.href);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

async function defaultThreads() {
  const hc = globalThis.navigator && globalThis.navigator.hardwareConcurrency;
  const n = hc || (isNode ? (await import('node:os')).availableParallelism() : 1);
  return Math.max(1, Math.min(n, AUTO_MAX_THREADS));
}

// threads > 1 needs the pthread flavour, which needs SharedArrayBuffer (cross-origin isolation in browsers);
// otherwise the single-thread SIMD flavour.
async function pickFlavour(threads) {
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= MAX_THREADS)) {
    throw new BadOptionsError(`threads must be an integer in [1, ${MAX_THREADS}], got ${threads}`);
  }
  const want = threads ?? (await defaultThreads());
  return want > 1 && hasThreads() ? { flavour: 'mt', threads: want } : { flavour: 'st', threads: 1 };
}

async function fetchBytes(url, onProgress) {
  let res;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new IoError(`cannot fetch ${url}: ${e.message}`);
  }
  if (!res.ok) throw new IoError(`cannot fetch ${url}: HTTP ${res.status}`);
  const declared = Number(res.headers.get('content-length')) || 0;
  if (!res.body || !onProgress) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  const chunks = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    // content-length counts compressed bytes when the server compresses: never report loaded > total.
    onProgress({ loaded, total: Math.max(declared, loaded) });
  }
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

// Uint8Array | ArrayBuffer | URL | string (URL, or a file path under node) → model bytes.
async function readSource(source, onProgress) {
  let bytes;
  if (source instanceof Uint8Array) bytes = source;
  else if (source instanceof ArrayBuffer) bytes = new Uint8Array(source);
  else if (typeof source === 'string' || source instanceof URL) {
    const text = String(source);
    if (isNode && !/^https?:/i.test(text)) {
      const { readFile } = await import('node:fs/promises');
      const { fileURLToPath } = await import('node:url');
      try {
        bytes = new Uint8Array(await readFile(text.startsWith('file:') ? fileURLToPath(text) : text));
      } catch (e) {
        throw new IoError(`cannot read ${text}: ${e.message}`);
      }
    } else {
      if (typeof fetch !== 'function') throw new IoError(`cannot fetch ${text}: no fetch() in this environment`);
      const url = isNode ? text : new URL(text, globalThis.location.href).href;
      return fetchBytes(url, onProgress);
    }
  } else {
    throw new BadOptionsError('model source must be a URL, a path (node), a Uint8Array or an ArrayBuffer');
  }
  if (onProgress) onProgress({ loaded: bytes.length, total: bytes.length });
  return bytes;
}

// ---------------------------------------------------------------------------------------------------------------
// Backends: the same engine in this thread (InlineBackend) or in a Worker (WorkerBackend).

class InlineBackend {
  static async start(bytes, flavour, threads, base) {
    const core = await EngineCore.create(flavour, threads, base);
    try {
      return { backend: new InlineBackend(core), info: core.load(bytes) };
    } catch (e) {
      core.dispose();
      throw e;
    }
  }

  constructor(core) { this.core = core; }

  // Blocks this thread; signal can only become aborted from inside onStep here, and is checked after each step.
  async solve(puzzle, engineOptions, onStep, signal) {
    let userError = null;
    const onBatch = (batch) => {
      if (onStep) {
        try {
          onStep(batch);
        } catch (e) {
          userError = e;
          return false;
        }
      }
      return !(signal && signal.aborted);
    };
    try {
      return this.core.solve(puzzle, engineOptions, onBatch);
    } catch (e) {
      if (userError) throw userError;
      throw e instanceof PtrmError ? e : new InternalError(`engine failure: ${e && e.message ? e.message : e}`);
    }
  }

  dispose() {
    this.core.dispose();
    return Promise.resolve();
  }
}

// A Worker with one interface for browsers (module Worker) and node (worker_threads).
async function spawnWorker(onMessage, onFailure) {
  const url = new URL('./worker.js', import.meta.url);
  if (isNode) {
    const { Worker } = await import('node:worker_threads');
    const w = new Worker(url);
    w.on('message', onMessage);
    w.on('error', (e) => onFailure(`engine worker failed: ${e && e.message ? e.message : e}`));
    w.on('exit', (code) => onFailure(`engine worker exited (code ${code})`));
    return { post: (m, t) => w.postMessage(m, t), terminate: () => w.terminate() };
  }
  const w = new Worker(url, { type: 'module' });
  w.onmessage = (e) => onMessage(e.data);
  w.onerror = (e) => { e.preventDefault(); onFailure(`engine worker failed: ${e.message || 'error'}`); };
  return { post: (m, t) => w.postMessage(m, t), terminate: () => w.terminate() };
}

class WorkerBackend {
  static async start(bytes, flavour, threads, base) {
    const b = new WorkerBackend(bytes, flavour, threads, base);
    const info = await b.boot();
    return { backend: b, info };
  }

  constructor(bytes, flavour, threads, base) {
    this.bytes = bytes;  // kept to restart the worker after a cancel without SharedArrayBuffer, or a crash
    this.flavour = flavour;
    this.threads = threads;
    this.base = base;
    // Cancellation reaches the busy worker through shared memory only; without it a cancel restarts the worker.
    this.cancel = hasThreads() ? new Int32Array(new SharedArrayBuffer(4)) : null;
    this.worker = null;
    this.pending = new Map();  // id → {resolve, reject, onStep}
    this.nextId = 1;
  }

  async boot() {
    const worker = await spawnWorker((m) => this.onMessage(worker, m), (why) => this.onFailure(worker, why));
    this.worker = worker;
    const loaded = new Promise((resolve, reject) => this.pending.set('load', { resolve, reject }));
    const copy = this.bytes.slice();
    worker.post({ type: 'load', bytes: copy, flavour: this.flavour, threads: this.threads, base: this.base.href,
      cancel: this.cancel }, [copy.buffer]);
    try {
      return await loaded;
    } catch (e) {
      this.kill();
      throw e;
    }
  }

  onMessage(worker, m) {
    if (m.type === 'disposed' && this.onDisposed) this.onDisposed();
    if (worker !== this.worker) return;  // a worker we already replaced or disposed
    const key = m.type === 'loaded' || (m.type === 'error' && m.id === undefined) ? 'load' : m.id;
    const p = this.pending.get(key);
    if (!p) return;
    switch (m.type) {
      case 'loaded': this.pending.delete(key); p.resolve(m.info); break;
      case 'result': this.pending.delete(key); p.resolve(m.result); break;
      case 'error': this.pending.delete(key); p.reject(errorFromKind(m.error.kind, m.error.message)); break;
      case 'step': p.onStep(m.batch); break;
      default: break;
    }
  }

  onFailure(worker, why) {
    if (worker !== this.worker) return;
    this.worker = null;
    for (const p of this.pending.values()) p.reject(new InternalError(why));
    this.pending.clear();
  }

  kill() {
    const w = this.worker;
    this.worker = null;
    if (w) w.terminate();
  }

  async solve(puzzle, engineOptions, onStep, signal) {
    if (!this.worker) await this.boot();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (fn, v) => {
        if (settled) return;
        settled = true;
        if (signal) signal.removeEventListener('abort', abort);
        fn(v);
      };
      // The promise rejects at once; the worker stops after the step it is computing (shared "cancel every solve
      // up to this id": raised, never lowered, so cancelling solve n+1 cannot overwrite the still-unread cancel of
      // solve n) or, without shared memory, is terminated and restarted by the next solve.
      const stop = (why) => {
        this.pending.delete(id);
        if (this.cancel) Atomics.store(this.cancel, 0, Math.max(Atomics.load(this.cancel, 0), id));
        else this.kill();
        finish(reject, why);
      };
      const abort = () => stop(new CancelledError());
      this.pending.set(id, {
        resolve: (r) => finish(resolve, r),
        reject: (e) => finish(reject, e),
        onStep: (batch) => {
          if (!onStep || settled) return;
          try {
            onStep(batch);
          } catch (e) {
            stop(e);
          }
        },
      });
      if (signal) signal.addEventListener('abort', abort);
      this.worker.post({ type: 'solve', id, puzzle: String(puzzle), options: engineOptions, wantSteps: !!onStep });
    });
  }

  // Lets the worker stop its pthreads, then makes sure it is gone even if it does not answer.
  dispose() {
    const w = this.worker;
    this.worker = null;
    for (const p of this.pending.values()) p.reject(new PtrmError('solver disposed', 'Internal'));
    this.pending.clear();
    if (!w) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.onDisposed = null;
        w.terminate();
        resolve();
      };
      const timer = setTimeout(done, 2000);
      this.onDisposed = done;
      w.post({ type: 'dispose' });
    });
  }
}

// ---------------------------------------------------------------------------------------------------------------

const LOAD_KEYS = ['onProgress', 'threads', 'worker', 'wasmBase'];

export class Solver {
  // source: URL / path (node) / Uint8Array / ArrayBuffer of a .safetensors model.
  static async load(source, options = {}) {
    const o = checkKeys(options, LOAD_KEYS, 'load option');
    if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw new BadOptionsError('onProgress must be a function');
    if (!hasSimd()) throw new PtrmError('this JavaScript engine lacks WebAssembly SIMD128, which ptrm requires', 'Internal');
    const base = await resolveBase(o.wasmBase);
    const { flavour, threads } = await pickFlavour(o.threads);
    const bytes = await readSource(source, o.onProgress);
    const Backend = o.worker === false ? InlineBackend : WorkerBackend;
    const { backend, info } = await Backend.start(bytes, flavour, threads, base);
    return new Solver(backend, info);
  }

  constructor(backend, info) {
    this._backend = backend;
    this._info = Object.freeze(info);
    this._queue = Promise.resolve();  // one solve at a time; later calls wait their turn
  }

  // {task, board, variant, seqLen, vocabSize, hasChecker, params, threads, flavour, name, description, config,
  //  puzzleIdentifiers}
  get info() { return this._info; }

  solve(puzzle, options) {
    const run = async () => {
      if (!this._backend) throw new PtrmError('solver is disposed', 'Internal');
      const { engine, onStep, signal } = normaliseSolveOptions(options);
      if (typeof puzzle !== 'string') throw new BadPuzzleError('puzzle must be a string');
      if (signal && signal.aborted) throw new CancelledError();
      const t0 = now();
      const seqLen = this._info.seqLen;
      const result = await this._backend.solve(puzzle, engine,
        onStep ? (batch) => emitEvents(batch, seqLen, onStep) : null, signal);
      result.timings.totalMs = now() - t0;
      return result;
    };
    const p = this._queue.then(run, run);
    this._queue = p.catch(() => {});
    return p;
  }

  // Frees the engine (and its worker and threads). Resolves once they are gone.
  dispose() {
    const b = this._backend;
    this._backend = null;
    return b ? b.dispose() : Promise.resolve();
  }
}
