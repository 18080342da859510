// Types of the ptrm JS API (wasm/ptrm.js).

export type ErrorKind = 'BadModel' | 'BadPuzzle' | 'BadOptions' | 'Cancelled' | 'Io' | 'Internal';

export class PtrmError extends Error {
  constructor(message: string, kind?: ErrorKind);
  readonly kind: ErrorKind;
}
export class BadModelError extends PtrmError {}
export class BadPuzzleError extends PtrmError {}
export class BadOptionsError extends PtrmError {}
export class CancelledError extends PtrmError {}
export class IoError extends PtrmError {}
export class InternalError extends PtrmError {}

export interface LoadOptions {
  /** Model download progress in bytes (total ≥ loaded; equals loaded when the size is unknown). `cached`: the
   *  model came from the model cache (one call with loaded = total). */
  onProgress?: (p: { loaded: number; total: number; cached?: boolean }) => void;
  /** Engine threads: 'auto' (default) or 1..64. > 1 needs SharedArrayBuffer (cross-origin isolation in browsers),
   *  else 1 is used; a count above the cores available is clamped (info.threadsNote says so). 'auto' loads a pool
   *  of min(cores, 4) and keeps 1 thread or the pool, whichever a short calibration step finds faster on this
   *  machine now (cached per model for the tab; info.calibration has the timings). */
  threads?: number | 'auto';
  /** Run the engine in a Worker (default true). false runs it in this thread: solve() then blocks it. */
  worker?: boolean;
  /** The engine folder: worker.js, engine.js, errors.js and ptrm-st.* / ptrm-mt.* (URL, or a path under node,
   *  where the worker is always the worker.js beside ptrm.js). Default: the folder of ptrm.js. Set it when a bundler moved ptrm.js away from those files. It may be on
   *  another origin if that server sends CORS headers (the worker then starts from a blob: URL). */
  wasmBase?: string | URL;
  /** Browsers: keep downloaded models in the Cache API (default true, cache MODEL_CACHE); a string names the
   *  cache, false always downloads. Entries are keyed by the full URL: version your URLs (`?v=<hash>`); a new
   *  version replaces the cached entries of the same path. */
  cache?: boolean | string;
}

/** Cores this context may use: navigator.hardwareConcurrency, or under node the affinity mask bounded by the
 *  cgroup v2 CPU quota (what `threads` is clamped to). */
export function availableThreads(): Promise<number>;

/** Name of the Cache API cache Solver.load keeps models in. */
export const MODEL_CACHE: string;
/** The models kept by Solver.load's cache ([] where there is no Cache API). */
export function cachedModels(cacheName?: string): Promise<{ url: string; bytes: number }[]>;
/** Deletes the model cache; true if there was one. */
export function clearModelCache(cacheName?: string): Promise<boolean>;

export interface ModelInfo {
  task: 'sudoku' | 'maze' | 'arc';
  board: number;
  variant: 'mlp_t' | 'attention';
  seqLen: number;
  vocabSize: number;
  /** Whether answers can be checked without a label (result.valid, event.valid). */
  hasChecker: boolean;
  params: number;
  /** Threads solves run on (1 or poolThreads). */
  threads: number;
  /** Size of the engine's thread pool (1 in the 'st' flavour). */
  poolThreads: number;
  /** Set when an explicit `threads` was clamped to the cores available. */
  threadsNote?: string;
  /** Set when 'auto' measured: ms per step of `rows` rows at 1 thread and at poolThreads (medians). */
  calibration?: { threads: number; rows: number; msPerStep: Record<number, number>; samples: number };
  flavour: 'st' | 'mt';
  name: string;
  description: string;
  /** The model's "ptrm.config" (docs/design.md). */
  config: Record<string, number | string | boolean>;
  puzzleIdentifiers: string[] | null;
  /** The engine's bounds on k, sigma and steps (what solve() accepts; steps 0 also means "the model's"). */
  limits: { k: Range; sigma: Range; steps: Range };
}

export interface Range { min: number; max: number }

/** The engine's answer rule (docs/design.md "Selection"): highest final q_halt; the most frequent answer;
 *  the highest-q answer that passes the task checker (else bestQ; needs a checker); the answer whose trajectories
 *  have the largest Σ exp(final q_halt) (a softmax-weighted vote: bestQ when one q dominates, mode when they are
 *  alike). */
export type SelectPolicy = 'bestQ' | 'mode' | 'valid' | 'vote';

/** One supervision step of one trajectory. */
export interface StepEvent {
  /** 1-based number of supervision steps this trajectory has run. */
  step: number;
  traj: number;
  /** Decoded answer text, in the puzzle's input format. */
  answer: string;
  /** Answer tokens [seqLen] (a view, valid during the callback; copy to keep). */
  tokens: Int32Array;
  qHalt: number;
  /** 32-float latent summary of zH (for PCA), a view like tokens. */
  summary: Float32Array;
  valid: boolean;
  /** false on the trajectory's last step. */
  active: boolean;
}

export interface SolveOptions {
  /** Must equal the model's task when given. */
  task?: string;
  /** Trajectories, 1..1024 (default 1). */
  k?: number;
  /** Noise std, 0..10 (default 0: plain TRM). */
  sigma?: number;
  /** Supervision steps, 1..1024 (default: the model's halt_max_steps). */
  steps?: number;
  seed?: number | bigint | string;
  noiseOn?: 'z' | 'y' | 'both';
  noiseEveryInner?: boolean;
  earlyExit?: { haltOnQ?: boolean; stopOnValid?: 'none' | 'trajectory' | 'solve' };
  puzzleId?: number;
  /** Rows per engine batch (0: automatic). */
  maxBatchRows?: number;
  /** The engine's selection policy: which trajectory `answer`/`chosen` report (default 'bestQ'). */
  select?: SelectPolicy;
  /** Keep every step's answer in trajectories[i].answers (default true). */
  history?: boolean;
  /** 'fp32' (default) or 'int8': opt-in int8 block GEMMs (per-channel int8 weights, per-row dynamically quantized
   *  activations). Faster, not bit-identical: answers agree with fp32 on the shipped models (docs/benchmarks.md). */
  precision?: 'fp32' | 'int8';
  /** Called for every step of every trajectory, delivered one supervision step at a time. */
  onStep?: (event: StepEvent) => void;
  /** Cancels the solve: the promise rejects with CancelledError; the solver stays usable. */
  signal?: AbortSignal;
}

export interface TrajectoryResult {
  /** Answer after each step (empty with history: false). */
  answers: string[];
  /** q_halt after each step. */
  qHalt: Float32Array;
  answer: string;
  tokens: Int32Array;
  steps: number;
  stop: 'steps' | 'haltQ' | 'valid' | 'solveDone';
  valid: boolean;
}

export interface SolveResult {
  /** The chosen trajectory's answer. */
  answer: string;
  /** The trajectory the engine chose with `select` (the same index the CLI prints). */
  chosen: number;
  select: SelectPolicy;
  /** Whether the chosen answer passes the task checker (false when the task has none). */
  valid: boolean;
  /** The chosen trajectory's final q_halt (< 0: the model itself would not halt on it). */
  qHalt: number;
  selection: {
    bestQ: { traj: number; answer: string; qHalt: number };
    mode: { traj: number; answer: string; count: number };
    /** The best-Q member of the answer the softmax-weighted vote picks (what select 'vote' chooses). */
    vote: { traj: number; answer: string; qHalt: number };
  };
  trajectories: TrajectoryResult[];
  timings: {
    /** Engine time of the solve. */
    solveMs: number;
    /** solveMs / the longest trajectory's steps. */
    msPerStep: number;
    /** Including messaging with the worker. */
    totalMs: number;
    trajStepsRun: number;
    trajStepsBudget: number;
  };
}

export class Solver {
  static load(source: string | URL | Uint8Array | ArrayBuffer, options?: LoadOptions): Promise<Solver>;
  readonly info: ModelInfo;
  /** One solve at a time: calls made while one runs wait for it. */
  solve(puzzle: string, options?: SolveOptions): Promise<SolveResult>;
  dispose(): Promise<void>;
}
