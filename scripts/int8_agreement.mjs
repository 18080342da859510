// Does the opt-in int8 path (--precision int8) keep the answers? For every shipped model (assets/models/*.safetensors)
// and its bundled held-out puzzles (assets/puzzles/<task><board>.txt, "question,answer" per line), solves each
// puzzle with fp32 and with int8 through the native CLI — deterministic (K=1) and PTRM best-Q (K=16, the card's
// sigma) — and prints: answers identical (%), fp32 accuracy, int8 accuracy, and the verdict against the bar int8
// must meet to be offered as the default (identical on ≥ 99 %, accuracy within 1 point), and the identical share split
// by whether fp32 solved the puzzle (where int8 changes answers: on solved or on failed puzzles). Not a test: a report.
// Steps, sigma and the noise target are the card's recommended settings (its ptrm-card block, read as the web app
// reads it), never a copy of them here. Default models: every shipped model with a bundled puzzle set.
//   node scripts/int8_agreement.mjs [--ptrm build/ptrm] [--limit N] [--models sudoku9,maze15,...] [--k16]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cardSettings } from './model_index.mjs';
import { DEFAULTS } from '../web/app/params.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
const ptrm = path.resolve(opt('--ptrm', path.join(repo, 'build', 'ptrm')));
const limit = Number(opt('--limit', 100));
const withK16 = args.includes('--k16');
const modelsDir = path.join(repo, 'assets', 'models');
const shipped = fs.readdirSync(modelsDir).filter((f) => f.endsWith('.safetensors')).map((f) => f.replace(/\.safetensors$/, ''))
  .filter((name) => fs.existsSync(path.join(repo, 'assets', 'puzzles', `${name}.txt`)));
const models = opt('--models', shipped.join(',')).split(',');

function recommended(name) {
  const card = path.join(modelsDir, `${name}.md`);
  const { settings, error } = cardSettings(fs.readFileSync(card, 'utf8'));
  const r = settings && settings.recommended;
  if (!r || !Number.isFinite(r.steps) || !Number.isFinite(r.sigma)) {
    throw new Error(`${path.relative(repo, card)}: ${error || 'no recommended steps and sigma in its ptrm-card block'}`);
  }
  return r;
}

function solve(model, puzzle, precision, k, sigma, steps, noise) {
  const out = execFileSync(ptrm, ['solve', '--model', model, '--puzzle', puzzle, '--k', String(k), '--sigma', String(sigma),
    '--steps', String(steps), '--noise-on', noise, '--seed', '0', '--threads', '1', '--precision', precision, '--json'], { encoding: 'utf8' });
  return JSON.parse(out).answer;
}

console.log('| model | puzzles | K (sigma) | answers identical | identical where fp32 right / wrong | fp32 accuracy | int8 accuracy | meets the bar |');
console.log('|---|---|---|---|---|---|---|---|');
for (const name of models) {
  const model = path.join(modelsDir, `${name}.safetensors`);
  const lines = fs.readFileSync(path.join(repo, 'assets', 'puzzles', `${name}.txt`), 'utf8').split('\n').filter(Boolean).slice(0, limit);
  const { steps, sigma, noise = DEFAULTS.noise } = recommended(name);
  for (const [k, s] of withK16 ? [[1, 0], [16, sigma]] : [[1, 0]]) {
    let same = 0, ok32 = 0, ok8 = 0, sameRight = 0;
    for (const line of lines) {
      const cut = line.lastIndexOf(',');
      const q = line.slice(0, cut), label = line.slice(cut + 1);
      const a32 = solve(model, q, 'fp32', k, s, steps, noise), a8 = solve(model, q, 'int8', k, s, steps, noise);
      // Answers come back in the task's text form (mazes: N lines); labels are one line.
      const norm = (t) => t.replace(/\n/g, '');
      const right = norm(a32) === norm(label);
      same += a32 === a8;
      sameRight += right && a32 === a8;
      ok32 += right;
      ok8 += norm(a8) === norm(label);
    }
    const n = lines.length;
    const pct = (x) => (100 * x / n).toFixed(1);
    const share = (x, of) => (of ? `${(100 * x / of).toFixed(1)} % of ${of}` : '-');
    const split = `${share(sameRight, ok32)} / ${share(same - sameRight, n - ok32)}`;
    const pass = same / n >= 0.99 && Math.abs(ok32 - ok8) / n <= 0.01;
    console.log(`| ${name} | ${n} | ${k} (${s}) | ${pct(same)} % | ${split} | ${pct(ok32)} % | ${pct(ok8)} % | ${pass ? 'yes' : 'no'} |`);
  }
}
