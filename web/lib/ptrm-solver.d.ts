// Types of the <ptrm-solver> custom element (web/lib/ptrm-solver.js; `ptrm/element` in the npm package).
// Importing the module registers the element.
import type { PtrmError, Solver, SolveResult, StepEvent } from '../engine/ptrm.js';

export declare class PtrmSolverElement extends HTMLElement {
  /**
   * Attributes: model (URL; default: the deployment's default model), puzzle, k, sigma, steps, seed,
   * noise ('z' | 'y' | 'both': the engine's noiseOn), exit ('none' | 'haltOnQ' | 'trajectory' | 'solve': the
   * engine's earlyExit, web/lib/exits.js),
   * select ('bestQ' | 'mode' | 'valid' | 'vote': the engine's answer rule), autosolve. An attribute left out takes
   * the default model's card recommendation (without `model`), else k 8, sigma 0.3, the model's steps, seed 1, noise
   * 'z', exit 'none', select 'bestQ'. A bad value is the engine's BadOptionsError, reported as a `ptrm-error` event.
   */
  static readonly observedAttributes: string[];
  /** Resolves to the loaded Solver (its `info` says task and board), or null if loading failed. */
  readonly ready: Promise<Solver | null>;
  /** The last solve's result, or null. */
  result: SolveResult | null;
  /** Solves the `puzzle` attribute; resolves to the result (null if it failed or was cancelled). */
  solve(): Promise<SolveResult | null>;
  cancel(): void;
}

export interface PtrmSolverEventMap {
  'ptrm-step': CustomEvent<StepEvent>;
  'ptrm-solved': CustomEvent<SolveResult>;
  'ptrm-error': CustomEvent<PtrmError | Error>;
}

declare global {
  interface HTMLElementTagNameMap {
    'ptrm-solver': PtrmSolverElement;
  }
}
