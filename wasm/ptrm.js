// ptrm public JS API (ES module): load a TRM/PTRM model and solve puzzles with it, in a Web Worker by default so
// the page never freezes. See wasm/README.md and ptrm.d.ts.
//
//   const solver = await Solver.load('model.safetensors', { onProgress, threads, worker: true, wasmBase });
//   const result = await solver.solve(puzzleText, { k: 16, sigma: 0.1, onStep, signal });
import { EngineCore, hasSimd, hasThreads, importNode, isNode, now } from './engine.js';
import {
  PtrmError, BadModelError, BadPuzzleError, BadOptionsError, CancelledError, IoError, InternalError, errorFromKind,
} from './errors.js';

export { PtrmError, BadModelError, BadPuzzleError, BadOptionsError, CancelledError, IoError, InternalError };

const MAX_THREADS = 64;      // the bindings' bound

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
  'maxBatchRows', 'select', 'history', 'precision', 'onStep', 'signal'];
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
      precision: def(o.precision, 'fp32'),
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
  else if (isNode) url = (await importNode('node:url')).pathToFileURL((await importNode('node:path')).resolve(wasmBase));
  else url = new URL(wasmBase, globalThis.location.href);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

// ---------------------------------------------------------------------------------------------------------------
// Threads: the one home of the thread-count policy. Front ends (web/app, web/lib/ptrm-solver.js) pass no `threads`
// and show solver.info.threads; an explicit count is honoured up to the cores available.

const AUTO_MAX_THREADS = 4;  // candidates above this rarely pay off for these model sizes (and cost the visitor)

// Cores this context may use: navigator.hardwareConcurrency in browsers (and workers); under node
// os.availableParallelism() (the affinity mask) bounded by a cgroup v2 cpu.max quota, as the native engine does.
export async function availableThreads() {
  const hc = globalThis.navigator && globalThis.navigator.hardwareConcurrency;
  if (hc) return Math.max(1, hc);
  if (!isNode) return 1;
  const os = await importNode('node:os');
  let n = os.availableParallelism ? os.availableParallelism() : os.cpus().length;
  try {
    const fs = await importNode('node:fs');
    const [quota, period] = fs.readFileSync('/sys/fs/cgroup/cpu.max', 'utf8').trim().split(/\s+/);
    if (quota !== 'max' && Number(period) > 0) n = Math.min(n, Math.ceil(Number(quota) / Number(period)));
  } catch { /* no cgroup v2 quota visible */ }
  return Math.max(1, n || 1);
}

// Decisions of earlier calibrations, per model header and candidate count: in this realm, and for the browser tab
// (sessionStorage) so a reload or a second Solver does not measure again.
const calibrated = new Map();
const storageKey = (key) => `ptrm.threads.${key}`;
function cachedThreads(key) {
  if (calibrated.has(key)) return calibrated.get(key);
  try {
    const v = Number(globalThis.sessionStorage && globalThis.sessionStorage.getItem(storageKey(key)));
    if (Number.isInteger(v) && v >= 1) return v;
  } catch { /* storage blocked */ }
  return undefined;
}
function rememberThreads(key, threads) {
  calibrated.set(key, threads);
  try {
    if (globalThis.sessionStorage) globalThis.sessionStorage.setItem(storageKey(key), String(threads));
  } catch { /* storage blocked */ }
}

// FNV-1a of the safetensors header (config, names, shapes, offsets): identifies the model for the cache.
function modelKey(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = bytes.length >= 8 ? Number(view.getBigUint64(0, true)) : 0;
  const end = Math.min(bytes.length, 8 + Math.min(headerLen, 1 << 16));
  let h = 0x811c9dc5;
  for (let i = 0; i < end; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
  return `${h.toString(16)}-${bytes.length}`;
}

// threads (the load option) → {flavour, threads: pthread pool size, policy for EngineCore.load, note}.
//  - a number: that many threads, clamped to the cores available (with a note), no measuring;
//  - undefined / 'auto': the candidate min(cores, AUTO_MAX_THREADS); with 2+ and SharedArrayBuffer, the pthread
//    flavour is loaded with that pool and a short calibration (EngineCore.calibrate) keeps 1 thread or the pool,
//    whichever runs a step faster on this machine now — a busy sibling core can make 2 threads lose to 1. The
//    decision is cached per model for the tab.
async function threadPlan(threads, bytes) {
  const available = await availableThreads();
  if (threads !== undefined && threads !== 'auto') {
    const n = Math.min(threads, available);
    const note = n < threads ? `threads ${threads} is more than the ${available} core(s) available; using ${n}` : undefined;
    return n > 1 && hasThreads() ? { flavour: 'mt', threads: n, note } : { flavour: 'st', threads: 1, note };
  }
  const candidate = Math.min(available, AUTO_MAX_THREADS);
  if (candidate < 2 || !hasThreads()) return { flavour: 'st', threads: 1 };
  const key = `${modelKey(bytes)}-${candidate}`;
  const use = cachedThreads(key);
  return { flavour: 'mt', threads: candidate, policy: use ? { use } : { calibrate: true }, key };
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

// ---------------------------------------------------------------------------------------------------------------
// Model cache (browsers): downloaded models are kept in the Cache API, keyed by their full URL, so a second visit
// loads them without the network and works offline. Publishers version their URLs (the shipped index appends
// `?v=<content hash>`): a new version is a new URL, a cache miss, and replaces the older entries of the same path.

export const MODEL_CACHE = 'ptrm-models';

async function openModelCache(name) {
  if (!name || typeof caches !== 'object' || !caches) return null;
  try {
    return await caches.open(name);
  } catch {
    return null;  // opaque origins, private modes and the like: no cache, plain downloads
  }
}

const samePath = (a, b) => a.origin === b.origin && a.pathname === b.pathname;

async function cachedFetch(url, onProgress, cacheName) {
  const cache = await openModelCache(cacheName);
  const hit = cache && (await cache.match(url).catch(() => undefined));
  if (hit) {
    const bytes = new Uint8Array(await hit.arrayBuffer());
    if (onProgress) onProgress({ loaded: bytes.length, total: bytes.length, cached: true });
    return bytes;
  }
  const bytes = await fetchBytes(url, onProgress);
  if (cache) {
    try {
      await cache.put(url, new Response(bytes, { headers: { 'Content-Type': 'application/octet-stream' } }));
      const here = new URL(url);
      for (const req of await cache.keys()) {
        if (req.url !== url && samePath(new URL(req.url), here)) await cache.delete(req);
      }
    } catch {
      // quota or a storage failure: the model still loads, it just is not kept
    }
  }
  return bytes;
}

/** The models kept by Solver.load's cache: [{url, bytes}] (browsers; [] where there is no Cache API). */
export async function cachedModels(cacheName = MODEL_CACHE) {
  const cache = await openModelCache(cacheName);
  if (!cache) return [];
  const out = [];
  for (const req of await cache.keys()) {
    const res = await cache.match(req);
    out.push({ url: req.url, bytes: res ? (await res.arrayBuffer()).byteLength : 0 });
  }
  return out;
}

/** Forgets every cached model. Resolves true if there was a cache to delete. */
export async function clearModelCache(cacheName = MODEL_CACHE) {
  if (typeof caches !== 'object' || !caches) return false;
  return caches.delete(cacheName).catch(() => false);
}

// Uint8Array | ArrayBuffer | URL | string (URL, or a file path under node) → model bytes.
async function readSource(source, onProgress, cacheName) {
  let bytes;
  if (source instanceof Uint8Array) bytes = source;
  else if (source instanceof ArrayBuffer) bytes = new Uint8Array(source);
  else if (typeof source === 'string' || source instanceof URL) {
    const text = String(source);
    if (isNode && !/^https?:/i.test(text)) {
      const { readFile } = await importNode('node:fs/promises');
      const { fileURLToPath } = await importNode('node:url');
      try {
        bytes = new Uint8Array(await readFile(text.startsWith('file:') ? fileURLToPath(text) : text));
      } catch (e) {
        throw new IoError(`cannot read ${text}: ${e.message}`);
      }
    } else {
      if (typeof fetch !== 'function') throw new IoError(`cannot fetch ${text}: no fetch() in this environment`);
      const url = isNode ? text : new URL(text, globalThis.location.href).href;
      return isNode ? fetchBytes(url, onProgress) : cachedFetch(url, onProgress, cacheName);
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
  static async start(bytes, flavour, threads, base, threadPolicy) {
    const core = await EngineCore.create(flavour, threads, base);
    try {
      return { backend: new InlineBackend(core), info: core.load(bytes, threadPolicy) };
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

// A Worker with one interface for browsers (module Worker) and node (worker_threads). worker.js sits in the
// engine folder (base). Browsers start workers only from same-origin URLs: when the engine comes from another
// origin (a page embedding ptrm from its host), the worker is a same-origin blob: module that imports the real
// worker.js with CORS, so its own imports and the wasm still come from the engine's origin.
// (Under node the worker is the one beside this module, an ES module like it, whatever folder wasmBase names.)
async function spawnWorker(base, onMessage, onFailure) {
  if (isNode) {
    const { Worker } = await importNode('node:worker_threads');
    const w = new Worker(new URL('./worker.js', import.meta.url));
    w.on('message', onMessage);
    w.on('error', (e) => onFailure(`engine worker failed: ${e && e.message ? e.message : e}`));
    w.on('exit', (code) => onFailure(`engine worker exited (code ${code})`));
    return { post: (m, t) => w.postMessage(m, t), terminate: () => w.terminate() };
  }
  const url = new URL('worker.js', base);
  let script = url.href;
  let blobUrl = null;
  if (url.origin !== globalThis.origin) {
    blobUrl = URL.createObjectURL(new Blob([`import ${JSON.stringify(url.href)};\n`], { type: 'text/javascript' }));
    script = blobUrl;
  }
  const w = new Worker(script, { type: 'module' });
  w.onmessage = (e) => onMessage(e.data);
  w.onerror = (e) => {
    e.preventDefault();
    onFailure(`engine worker failed: ${e.message || `could not start ${url.href} (network, CORS or CSP)`}`);
  };
  const terminate = () => {
    w.terminate();
    if (blobUrl) URL.revokeObjectURL(blobUrl);
  };
  return { post: (m, t) => w.postMessage(m, t), terminate };
}

class WorkerBackend {
  static async start(bytes, flavour, threads, base, threadPolicy) {
    const b = new WorkerBackend(bytes, flavour, threads, base, threadPolicy);
    const info = await b.boot();
    // A restarted worker reuses the decision instead of measuring again.
    if (threadPolicy) b.threadPolicy = { use: info.threads };
    return { backend: b, info };
  }

  constructor(bytes, flavour, threads, base, threadPolicy) {
    this.bytes = bytes;  // kept to restart the worker after a cancel without SharedArrayBuffer, or a crash
    this.flavour = flavour;
    this.threads = threads;
    this.threadPolicy = threadPolicy;
    this.base = base;
    // Cancellation reaches the busy worker through shared memory only; without it a cancel restarts the worker.
    this.cancel = hasThreads() ? new Int32Array(new SharedArrayBuffer(4)) : null;
    this.worker = null;
    this.pending = new Map();  // id → {resolve, reject, onStep}
    this.nextId = 1;
  }

  async boot() {
    const worker = await spawnWorker(this.base, (m) => this.onMessage(worker, m), (why) => this.onFailure(worker, why));
    this.worker = worker;
    const loaded = new Promise((resolve, reject) => this.pending.set('load', { resolve, reject }));
    const copy = this.bytes.slice();
    worker.post({ type: 'load', bytes: copy, flavour: this.flavour, threads: this.threads, base: this.base.href,
      cancel: this.cancel, threadPolicy: this.threadPolicy }, [copy.buffer]);
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

const LOAD_KEYS = ['onProgress', 'threads', 'worker', 'wasmBase', 'cache'];

export class Solver {
  // source: URL / path (node) / Uint8Array / ArrayBuffer of a .safetensors model. (The JSDoc types come from
  // ptrm.d.ts, which tsc resolves for './ptrm.js': the lint stage checks this file against the published types.)
  /**
   * @param {string | URL | Uint8Array | ArrayBuffer} source
   * @param {import('./ptrm.js').LoadOptions} [options]
   * @returns {Promise<Solver>}
   */
  static async load(source, options = {}) {
    const o = checkKeys(options, LOAD_KEYS, 'load option');
    if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw new BadOptionsError('onProgress must be a function');
    if (!hasSimd()) throw new PtrmError('this JavaScript engine lacks WebAssembly SIMD128, which ptrm requires', 'Internal');
    const base = await resolveBase(o.wasmBase);
    if (o.threads !== undefined && o.threads !== 'auto'
        && !(Number.isInteger(o.threads) && o.threads >= 1 && o.threads <= MAX_THREADS)) {
      throw new BadOptionsError(`threads must be 'auto' or an integer in [1, ${MAX_THREADS}], got ${o.threads}`);
    }
    if (o.cache !== undefined && typeof o.cache !== 'boolean' && typeof o.cache !== 'string') {
      throw new BadOptionsError('cache must be a boolean or a cache name');
    }
    const cacheName = o.cache === false ? null : typeof o.cache === 'string' ? o.cache : MODEL_CACHE;
    const bytes = await readSource(source, o.onProgress, cacheName);
    const plan = await threadPlan(o.threads, bytes);
    const Backend = o.worker === false ? InlineBackend : WorkerBackend;
    const { backend, info } = await Backend.start(bytes, plan.flavour, plan.threads, base, plan.policy);
    if (info.calibration) rememberThreads(plan.key, info.threads);
    if (plan.note) info.threadsNote = plan.note;
    return new Solver(backend, info);
  }

  constructor(backend, info) {
    this._backend = backend;
    this._info = Object.freeze(info);
    this._queue = Promise.resolve();  // one solve at a time; later calls wait their turn
  }

  // {task, board, variant, seqLen, vocabSize, hasChecker, params, threads, flavour, name, description, config,
  //  puzzleIdentifiers}
  /** @returns {import('./ptrm.js').ModelInfo} */
  get info() { return this._info; }

  /**
   * @param {string} puzzle
   * @param {import('./ptrm.js').SolveOptions} [options]
   * @returns {Promise<import('./ptrm.js').SolveResult>}
   */
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
