// The first screen's puzzle is the default model's demo (assets/models/<default>.demo.json, read through the
// served model index by fixtures.defaultDemo). SOLVED: a puzzle the bundled 6x6 Sudoku model solves with the settings below (deterministic: fixed seed), picked
// from the model's own evaluation, so the e2e tests can demand a *valid* answer rather than just "an answer".
// Picked: assets/puzzles/sudoku6.txt line 1 (held-out test split); `build-model/ptrm solve --model
// assets/models/sudoku6.safetensors --puzzle … --k 4 --sigma 0.3 --steps 16 --seed 1 --json` → valid, equal to the
// label, all 4 trajectories agree. Re-pick it whenever the shipped model changes.
// MAZE: assets/puzzles/maze8.txt line 1 (held-out test split of maze8); `build-cli/ptrm solve --model
// assets/models/maze8.safetensors --puzzle … --k 4 --sigma 0.3 --steps 8 --seed 1 --json` → valid, equal to the label,
// all 4 trajectories agree. Re-pick it whenever the shipped maze model changes.
// DEMO: the default model's first-screen puzzle and settings (scripts/pick_demo_puzzle.mjs) for tests of pages that
// use the default model without the served index at hand (status.spec.js checks sudoku9 is that default).
const DEMO = JSON.parse(require('node:fs').readFileSync(require('node:path').join(__dirname, '../../assets/models/sudoku9.demo.json'), 'utf8'));
DEMO.k = DEMO.settings.k; DEMO.sigma = DEMO.settings.sigma; DEMO.steps = DEMO.settings.steps; DEMO.seed = DEMO.settings.seed;

module.exports = {
  DEMO,
  MAZE: {
    model: 'assets/models/maze8.safetensors',
    puzzle: '#   #  #   #     S# #  G #    ##   #  ###  ## ### # ###    # #  ',
    k: 4, sigma: 0.3, seed: 1, steps: 8,
  },
  SOLVED: {
    puzzle: '..1....5..1...4.6.51...2.231.6....34',
    k: 4, sigma: 0.3, seed: 1, steps: 16,
  },
};
