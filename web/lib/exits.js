// The one-word early-exit setting of the app (its Early exit menu and `exit=` links), of <ptrm-solver> (its
// `exit` attribute) and of a model card's `recommended.exit`, and the engine's `earlyExit` option it stands for
// (docs/design.md "Early exits"). The one home of that vocabulary and its mapping: web/app, the element and
// scripts/pick_demo_puzzle.mjs (which turns the mapped option into the CLI's flags) all use it.

// Words for people, in menu order; the keys are the setting's values.
export const EXIT_WORDS = {
  none: 'none (all steps)',
  haltOnQ: 'stop a trajectory when q_halt > 0',
  trajectory: 'stop a trajectory once valid',
  solve: 'stop at the first valid answer',
};
export const EXITS = Object.keys(EXIT_WORDS);

/**
 * The engine's `earlyExit` for an exit word. A word that is not one of EXITS goes to the engine as typed (as
 * `stopOnValid`), so the engine's BadOptionsError names it: never a silent 'none'.
 * @param {string} exit
 * @returns {{haltOnQ: boolean, stopOnValid: 'none' | 'trajectory' | 'solve'}}
 */
export function earlyExitFor(exit) {
  if (exit === 'haltOnQ') return { haltOnQ: true, stopOnValid: 'none' };
  return { haltOnQ: false, stopOnValid: /** @type {any} checked by the engine */ (exit) };
}
