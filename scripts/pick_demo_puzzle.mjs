#!/usr/bin/env node
// Picks the web app's first-screen puzzle for a shipped model: a held-out puzzle (assets/puzzles/<task><board>.txt,
// `question,answer` lines from the test split) where deterministic TRM (K = 1, σ = 0) gets the answer wrong and PTRM
// with the model's recommended settings (its card's ptrm-card block: K, σ, steps, seed, and the early exit and
// answer rule where it gives them) chooses the right one, so the first Solve shows what PTRM adds. The deterministic
// run uses the same early exit and answer rule, as the page does when K and σ are set to 1 and 0. Uses the native
// CLI (the same engine as the page: the Jest parity test holds them equal) and writes
// assets/models/<name>.demo.json (settings include exit and select), which scripts/model_index.mjs puts in the
// model index.
//
//   node scripts/pick_demo_puzzle.mjs [--model assets/models/sudoku9.safetensors] [--cli build/ptrm] [--dry-run]
//
// Rerun it whenever the model file changes. Prefers puzzles inside the model's trained range and, among those,
// with an early exit one whose solve stops before the last step (so the first Solve shows the exit) but not before
// step 3 (so something is seen to evolve), then the first where the K trajectories disagree most (more to see in
// the trajectory cards and the PCA).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cardSettings, modelIndex } from './model_index.mjs';
import { earlyExitFor } from '../web/lib/exits.js';
import { DEFAULTS } from '../web/app/params.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function args(argv) {
  const o = { model: 'assets/models/sudoku9.safetensors', cli: 'build/ptrm', dryRun: false, scan: 100 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--dry-run') o.dryRun = true;
    else if (a === '--model' || a === '--cli' || a === '--scan') o[a.slice(2)] = argv[++i];
    else throw new Error(`unknown argument ${a} (usage: --model F --cli PATH --scan N --dry-run)`);
  }
  return o;
}

// exit: a word of web/lib/exits.js, through the engine's earlyExit option it stands for to the CLI's flags.
function solve(cli, model, puzzle, { k, sigma, steps, seed, noise, exit, select }) {
  const early = earlyExitFor(exit);
  const out = execFileSync(cli, ['solve', '--model', model, '--puzzle', puzzle, '--k', String(k), '--sigma',
    String(sigma), '--steps', String(steps), '--seed', String(seed), '--noise-on', noise, ...(early.haltOnQ ? ['--halt-on-q'] : []),
    ...(early.stopOnValid !== 'none' ? ['--stop-on-valid', early.stopOnValid] : []), '--select', select,
    '--threads', '1', '--json'], { encoding: 'utf8' });
  return JSON.parse(out);
}

const givens = (q) => [...q].filter((c) => c !== '.' && c !== '0').length;

async function main() {
  const o = args(process.argv.slice(2));
  const model = path.resolve(REPO, o.model);
  const cli = path.resolve(REPO, o.cli);
  if (!existsSync(cli)) throw new Error(`CLI not found at ${cli}: build it (cmake + ninja) or pass --cli`);
  const base = model.replace(/\.safetensors$/, '');
  const { settings, error } = cardSettings(readFileSync(`${base}.md`, 'utf8'));
  if (!settings || !settings.recommended) throw new Error(`${base}.md has no ptrm-card block with recommended settings${error ? `: ${error}` : ''}`);
  const rec = { ...DEFAULTS, ...settings.recommended }; // the page's defaults where the card says nothing
  // The bundled set for the model's task and board (read from its header, as the page's index does).
  const probe = (await modelIndex(path.dirname(model))).models.find((x) => x.file === path.basename(model));
  if (!probe || !probe.task) throw new Error(`${o.model}: not a readable ptrm model`);
  const setFile = path.join(REPO, 'assets/puzzles', `${probe.task}${probe.board}.txt`);
  const lines = readFileSync(setFile, 'utf8').split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.trim());
  const range = settings.trained && settings.trained.measure === 'givens' ? settings.trained : null;
  // A candidate's rank, compared left to right: the exit ends it early (with an exit), steps run up to 3 (a solve
  // stopping at step 2 beats one stopping at step 1), then disagreement.
  const rank = (c) => [rec.exit === 'none' || c.early ? 1 : 0, c.early ? Math.min(c.stepsRun, 3) : 3, c.distinct];
  const better = (a, b) => { const ra = rank(a), rb = rank(b); const j = ra.findIndex((x, n) => x !== rb[n]); return j >= 0 && ra[j] > rb[j]; };
  let best = null;
  for (let i = 0; i < Math.min(lines.length, Number(o.scan)); i++) {
    const [question, label] = lines[i].split(',');
    if (!label) continue;
    if (range && (givens(question) < range.min || givens(question) > range.max)) continue;
    const det = solve(cli, model, question, { ...rec, k: 1, sigma: 0, seed: 0 });
    if (det.answer === label) continue;
    const ptrm = solve(cli, model, question, rec);
    if (ptrm.answer !== label) continue;
    const distinct = new Set(ptrm.trajectories.map((t) => t.answer)).size;
    const agree = ptrm.trajectories.filter((t) => t.answer === label).length;
    const stepsRun = Math.max(...ptrm.trajectories.map((t) => t.steps));
    const early = rec.exit !== 'none' && stepsRun < rec.steps;
    // With an early exit, a solve that stops at step 1 shows nothing evolve: prefer one that runs a few steps.
    const watchable = !early || stepsRun >= Math.min(3, rec.steps);
    console.log(`line ${i + 1}: deterministic wrong, PTRM chose #${ptrm.chosen} (correct; ${agree}/${rec.k} trajectories ` +
      `correct, ${distinct} distinct answers, stopped after step ${stepsRun} / ${rec.steps})`);
    const cand = { line: i + 1, question, label, det, ptrm, distinct, agree, stepsRun, early };
    if (!best || better(cand, best)) best = cand;
    if ((rec.exit === 'none' || early) && watchable && distinct >= Math.min(4, rec.k)) break;
  }
  if (!best) throw new Error(`no puzzle in ${path.relative(REPO, setFile)} where deterministic fails and PTRM (${JSON.stringify(rec)}) succeeds`);
  const out = {
    model: path.basename(model),
    model_sha256: probe.sha256,
    puzzle: best.question,
    answer: best.label,
    source: `${path.relative(REPO, setFile)} line ${best.line} (held-out test split)`,
    settings: rec,
    deterministic: { answer: best.det.answer, valid: best.det.valid, q_halt: best.det.trajectories[0].q_halt },
    ptrm: { chosen: best.ptrm.chosen, valid: best.ptrm.valid, correct_trajectories: best.agree,
      distinct_answers: best.distinct, steps_run: best.stepsRun, traj_steps_run: best.ptrm.traj_steps_run,
      traj_steps_budget: best.ptrm.traj_steps_budget },
    picked_by: `node scripts/pick_demo_puzzle.mjs --model ${path.relative(REPO, model)}`,
  };
  const file = `${base}.demo.json`;
  if (o.dryRun) console.log(JSON.stringify(out, null, 1));
  else {
    writeFileSync(file, `${JSON.stringify(out, null, 1)}\n`);
    console.log(`wrote ${path.relative(REPO, file)}: line ${best.line}`);
  }
}

main().catch((e) => {
  console.error(`pick_demo_puzzle: ${e.message}`);
  process.exit(1);
});
