// The ptrm app: wires the controls, the board, the live trajectory/PCA views and the shareable-link state to
// the engine's JS API (engine/ptrm.js). It never touches the wasm module directly, and it never decides an
// answer: the chosen trajectory, its validity and the option limits are the engine's.
//
// Page state for people and tests: <html data-state> is loading → ready → solving → solved, or error (message in
// [data-testid=error]); after a solve the chosen answer text is in [data-testid=answer][data-value].
import { ensureIsolation } from './coi.js';
import { BoardView } from './board.js';
import { csvRecords, parseCsv } from './csv.js';
import { TrajectoryView } from './trajectories.js';
import { PcaView } from './pcaview.js';
import { loadIndex, modelFor, taskChoices } from '../lib/models.js';
import { puzzleLines, puzzleSet } from './puzzlesets.js';
import { DEFAULTS, SETTINGS, readParams, shareUrl } from './params.js';
import { EXIT_WORDS, earlyExitFor } from '../lib/exits.js';
import { answerCells, conflicts, describePuzzle, emptyCells, inferSide, parseCells, taskLabel } from '../lib/tasks.js';

// Trajectory cards (and PCA paths) the page draws; a larger K runs in full, the page says it draws the first ones.
const MAX_CARDS = 256;
// A puzzle file is text of a few KB (an ARC task JSON a few hundred KB at most).
const MAX_PUZZLE_BYTES = 1 << 20;

const $ = (id) => /** @type {any} the controls of index.html, each of its own element type */ (document.getElementById(id));
const el = {
  env: $('env'), errorBox: $('error'), errorText: $('error-text'), errorDetail: $('error-detail'),
  errorDetails: $('error-details'), errorClose: $('error-close'),
  model: $('model'), modelFile: $('model-file'), modelInfo: $('model-info'), progressBar: $('load-progress'),
  task: $('task'), text: $('puzzle-text'), puzzleNote: $('puzzle-note'), random: $('random'), clear: $('clear'),
  puzzleFile: $('puzzle-file'), boardKeys: $('board-keys'),
  k: $('k'), sigma: $('sigma'), steps: $('steps'), seed: $('seed'), noise: $('noise'), exit: $('exit'),
  select: $('select'), kNote: $('k-note'), settingsSource: $('settings-source'), recommended: $('recommended'),
  solve: $('solve'), cancel: $('cancel'), share: $('share'), status: $('status'), progress: $('progress'),
  board: $('board'), boardNote: $('board-note'), badge: $('badge'), answer: $('answer'), elapsed: $('elapsed'),
  rate: $('rate'), selection: $('selection'), trajs: $('trajs'), trajNote: $('traj-note'), pca: $('pca'),
  pcaCaption: $('pca-caption'), drop: $('drop'),
};
const NUMERIC = { k: 'K', sigma: 'σ', steps: 'Steps' };
// The answer rules (the engine's `select`) in words: the status line and the model's Recommended row.
const SELECT_WORDS = {
  bestQ: 'the highest q_halt', mode: 'the most frequent answer', valid: 'the highest q_halt among valid answers',
  vote: 'the answer with the largest Σ exp(q_halt) over its trajectories',
};

const app = {
  api: null,          // the engine module
  index: { models: [], default: null },
  solver: null,
  model: null,        // {name, url|null, task, board, entry (index entry or null), info}
  running: null,      // AbortController of the solve in flight
  loadSeq: 0,         // drops results of superseded model loads
};

function setState(s) { document.documentElement.dataset.state = s; }

// ---- messages: the status line and errors beside Solve, a short note on the board -------------------------

// tone: '' | 'ok' | 'bad'. The status is a polite live region: screen readers hear every change.
function status(text, tone = '') {
  el.status.textContent = text;
  el.status.className = `status${tone ? ` ${tone}` : ''}`;
}

function boardNote(text, tone = '') {
  el.boardNote.hidden = !text;
  el.boardNote.textContent = text || '';
  el.boardNote.className = `board-note${tone ? ` ${tone}` : ''}`;
}

// The engine's limits for K, σ and steps (Solver.info.limits): one source for the inputs' min/max and for the
// page's own messages.
function limits() {
  return (app.model && app.model.info.limits) || null;
}

// Settings outside the engine's limits, in plain words (also marks the fields).
function fieldProblems() {
  const lim = limits();
  const out = [];
  for (const key of Object.keys(NUMERIC)) {
    const input = el[key], l = lim && lim[key];
    const v = num(input);
    let bad = null;
    if (!Number.isFinite(v)) bad = `${NUMERIC[key]} is empty or not a number`;
    else if (l && (v < l.min || v > l.max || (key !== 'sigma' && !Number.isInteger(v)))) {
      bad = `${NUMERIC[key]} must be ${key === 'sigma' ? 'a number' : 'a whole number'} from ${l.min} to ${l.max} (you entered ${input.value})`;
    }
    input.setAttribute('aria-invalid', String(!!bad));
    if (bad) out.push(bad);
  }
  return out;
}

// A typed engine error (or the page's own) → one plain sentence; the engine's own text goes under "details".
function plainError(e) {
  const msg = e && e.message ? e.message : String(e);
  const label = app.model ? taskLabel(app.model.task, app.model.board) : 'puzzle';
  switch (e && e.name) {
    case 'BadPuzzleError': {
      const d = app.model ? describePuzzle(app.model.task, app.model.board, el.text.value) : null;
      return `This is not a valid ${label} puzzle: ${d && d.problems.length ? d.problems[0] : msg}.`;
    }
    case 'BadOptionsError': {
      const p = fieldProblems();
      return p.length ? `${p[0]}.` : `The engine refused these settings: ${msg}.`;
    }
    case 'BadModelError': return 'That file is not a model this engine can run (it needs a ptrm .safetensors model).';
    case 'IoError': return 'The model could not be downloaded or read (check the address and the connection).';
    case 'InternalError': return 'The engine failed unexpectedly. The page still works: try again, or reload it.';
    default: return msg;
  }
}

// Shows an error beside Solve (role=alert: announced at once) and a short note on the board.
/** @param {any} e the error (null for the page's own refusals) @param {{headline?: string}} [opts] */
function showError(e, { headline } = {}) {
  el.errorText.textContent = headline || plainError(e);
  const detail = e && e.name && e.name !== 'Error' ? `${e.name}: ${e.message}` : '';
  el.errorDetail.textContent = detail;
  el.errorDetails.hidden = !detail;
  el.errorDetails.open = false;
  el.errorBox.hidden = false;
  setState('error');
}

function clearError() {
  el.errorBox.hidden = true;
  el.errorText.textContent = '';
  el.errorDetail.textContent = '';
}

const board = new BoardView(el.board, {
  onEdit(cells) {
    el.text.value = cells.join('');
    resetResult();
    notePuzzle();
  },
});
const trajView = new TrajectoryView(el.trajs, {
  onLead(cells) {
    if (!app.running || !cells) return;
    const { task, board: side } = app.model;
    board.showAnswer(cells, conflicts(task, side, cells, board.cells));
  },
});
const pcaView = new PcaView(el.pca, el.pcaCaption);

function resetResult() {
  el.badge.hidden = true;
  el.answer.dataset.value = '';
  el.answer.textContent = '';
  el.selection.textContent = '';
  boardNote('');
}

// ---- puzzle entry -------------------------------------------------------------------------------------------

function showPuzzleText(text) {
  el.text.value = text;
  syncBoardFromText();
}

// The trained range of the loaded model (its card), in the card's own measure.
function rangeNote(d) {
  const tr = app.model && app.model.entry && app.model.entry.trained;
  if (!tr || !d.cells) return null;
  const value = tr.measure === 'givens' ? d.givens : tr.measure === 'path' ? d.pathCells : null;
  if (value === null || value < 0) return null;
  const unit = tr.measure === 'givens' ? 'givens' : 'path cells';
  const inside = value >= tr.min && value <= tr.max;
  return {
    inside,
    text: inside ? `${value} ${unit}: inside what the model was trained on (${tr.min}–${tr.max}).`
      : `${value} ${unit}: outside what the model was trained on (${tr.min}–${tr.max} ${unit}); expect a wrong answer.`,
  };
}

// The note under the puzzle box: what is wrong with the text as typed (length, characters, clashing givens),
// else how it relates to the model's trained range. Also marks clashing givens on the board.
function notePuzzle() {
  if (!app.model || app.model.task === 'arc') { el.puzzleNote.textContent = ''; return null; }
  const { task, board: side } = app.model;
  const d = describePuzzle(task, side, el.text.value);
  board.setClashes(d.conflicts);
  const range = d.problems.length ? null : rangeNote(d);
  el.puzzleNote.textContent = d.problems.length ? `${d.problems.join('; ')}.` : range ? range.text : '';
  el.puzzleNote.classList.toggle('warn', d.problems.length > 0 || (range && !range.inside));
  return { d, range };
}

function syncBoardFromText() {
  if (!app.model || app.model.task === 'arc') return;
  const { task, board: side } = app.model;
  const cells = parseCells(task, side, el.text.value);
  board.setPuzzle(task, side, cells || emptyCells(task, side));
  resetResult();
  notePuzzle();
}

// user: clicked "Random" (a missing set is an error); otherwise filling the board after a model load, where a
// missing set only means the user has to type or paste a puzzle.
async function randomPuzzle(user = false) {
  if (!app.model) return;
  try {
    const set = await puzzleSet(app.model.task, app.model.board);
    if (!set.length) throw new Error('the bundled puzzle set is empty');
    showPuzzleText(set[Math.floor(Math.random() * set.length)]);
    clearError();
    if (document.documentElement.dataset.state === 'error') setState('ready');
  } catch (e) {
    if (user) showError(e);
    else status(`Ready. Enter a puzzle: ${e.message}.`);
  }
}

// Signatures of common binary files, to name what was dropped.
/** @type {Array<[number[], string]>} */
const MAGIC = [[[0x89, 0x50, 0x4e, 0x47], 'a PNG image'], [[0xff, 0xd8, 0xff], 'a JPEG image'], [[0x47, 0x49, 0x46], 'a GIF image'],
  [[0x25, 0x50, 0x44, 0x46], 'a PDF document'], [[0x50, 0x4b, 0x03, 0x04], 'a ZIP archive'], [[0x52, 0x49, 0x46, 0x46], 'a RIFF (WebP/WAV) file']];

// Why a file cannot be a puzzle text, in plain words, or null.
async function refusePuzzleFile(file) {
  if (file.size > MAX_PUZZLE_BYTES) {
    return `${file.name} is ${(file.size / 2 ** 20).toFixed(1)} MB: too large for a puzzle (a puzzle file is text under 1 MB).`;
  }
  const head = new Uint8Array(await file.slice(0, 4096).arrayBuffer());
  const magic = MAGIC.find(([sig]) => sig.every((b, i) => head[i] === b));
  let control = 0;
  for (const b of head) if (b === 0 || (b < 32 && b !== 9 && b !== 10 && b !== 13)) control++;
  if (magic || control > 0) {
    return `${file.name} is ${magic ? magic[1] : 'a binary file'}, not a puzzle: use a text file (.txt, .csv or an ARC .json).`;
  }
  return null;
}

// A dropped/chosen text file: the whole file if it is one board (multi-line mazes), else its first puzzle line.
async function puzzleFromFile(file) {
  if (file.name.endsWith('.safetensors')) {
    return showError(null, { headline: `${file.name} is a model file: open it with "Open your own .safetensors…" (or drop it on the page).` });
  }
  const refusal = await refusePuzzleFile(file);
  if (refusal) return showError(null, { headline: refusal });
  const text = await file.text();
  clearError();
  if (document.documentElement.dataset.state === 'error') setState('ready');
  const body = text.replace(/[\r\n]+$/, ''); // not trim(): spaces are open maze cells
  if (app.model && (app.model.task === 'arc' || parseCells(app.model.task, app.model.board, body))) {
    return showPuzzleText(body);
  }
  // A dataset CSV (`source,question,answer,rating`, as the training sets): the first row's question.
  try {
    const records = csvRecords(text);
    const col = records.length ? records[0].fields.indexOf('question') : -1;
    if (col >= 0) return showPuzzleText(parseCsv(text).rows[0]?.[col] ?? '');
    showPuzzleText(puzzleLines(text)[0] || '');
  } catch (e) {
    showError(e);  // malformed CSV: the reader's message names the line
  }
}

// ---- models -------------------------------------------------------------------------------------------------

const pct = (x) => `${(x * 100).toFixed(1).replace(/\.0$/, '')} %`; // 0.995 is 99.5 %, not 100 %

// One line for the picker: name and held-out accuracy (the task is in the task picker and the info below).
function modelLabel(m) {
  const acc = m.heldOut && m.heldOut.deterministic ? m.heldOut.deterministic.accuracy : m.exactAccuracy;
  return `${m.name}${acc >= 0 && acc !== null ? ` · ${pct(acc)} held-out` : ''} · ${taskLabel(m.task, m.board)}`;
}

function fillModelPicker() {
  el.model.replaceChildren(...app.index.models.map((m) => new Option(modelLabel(m), m.url)));
  if (app.model && !app.index.models.some((m) => m.url === app.model.url)) {
    el.model.append(new Option(`${app.model.name} (your file)`, app.model.url || 'custom'));
  }
  if (app.model) el.model.value = app.model.url || 'custom';
  else {
    el.model.prepend(new Option('— choose a model —', '', true, true));
    el.model.options[0].disabled = true;
  }
  const choices = taskChoices([...app.index.models, ...(app.model ? [app.model] : [])]);
  el.task.replaceChildren(...choices.map((c) => new Option(taskLabel(c.task, c.board), `${c.task}:${c.board}`)));
  if (app.model) el.task.value = `${app.model.task}:${app.model.board}`;
}

// The model card's figures under the picker: held-out accuracy, trained range, recommended settings.
// cache: the size / offline-cache note of this load (may be empty).
function showModelInfo(info, entry, cache = '') {
  const rows = [['Model', `${taskLabel(info.task, info.board)} · ${(info.params / 1e6).toFixed(2)} M params · D=${info.config.hidden_size}, T=${info.config.H_cycles}, n=${info.config.L_cycles}${cache}`]];
  const h = entry && entry.heldOut;
  if (h) {
    const parts = [];
    if (h.deterministic) parts.push(`${pct(h.deterministic.accuracy)} deterministic (${h.deterministic.n} puzzles)`);
    for (const p of h.ptrm || []) parts.push(`${pct(p.accuracy)} best-Q@${p.k}, σ ${p.sigma} (${p.n})`);
    rows.push(['Held-out', parts.join(' · ')]);
  } else if (entry && entry.exactAccuracy >= 0 && entry.exactAccuracy !== null) {
    rows.push(['Held-out', `${pct(entry.exactAccuracy)} deterministic`]);
  }
  if (entry && entry.trained) rows.push(['Trained on', entry.trained.text || `${entry.trained.min}–${entry.trained.max} ${entry.trained.measure}`]);
  const rec = recommendedFor(info, entry);
  const card = (entry && entry.recommended) || null;
  // The noise target, early exit and answer rule only where the card recommends them (otherwise the defaults).
  const noiseText = card && card.noise ? ` · noise on ${card.noise}` : '';
  const exitText = card && card.exit ? ` · ${EXIT_WORDS[card.exit] || `early exit '${card.exit}'`}` : '';
  const selectText = card && card.select ? ` · answer: ${SELECT_WORDS[card.select] || card.select}` : '';
  rows.push(['Recommended', `K ${rec.k ?? '–'}, σ ${rec.sigma ?? '–'}, ${rec.steps} steps${noiseText}${exitText}${selectText}${card ? '' : ' (no card: steps = the model\'s halt_max_steps)'}`]);
  const dl = document.createElement('dl');
  for (const [k, v] of rows) {
    const dt = document.createElement('dt'); dt.textContent = k;
    const dd = document.createElement('dd'); dd.textContent = v;
    dl.append(dt, dd);
  }
  el.modelInfo.replaceChildren(dl);
  if (entry && entry.cardUrl) {
    const a = document.createElement('a');
    a.href = entry.cardUrl;
    a.textContent = 'model card';
    a.target = '_blank';
    el.modelInfo.append(a);
  }
  if (entry && entry.cardError) {
    const p = document.createElement('p');
    p.className = 'note warn';
    p.textContent = `Its card's settings block could not be read: ${entry.cardError}.`;
    el.modelInfo.append(p);
  }
}

// The card's recommended settings; without a card, the model's own step count. The noise target, the early exit
// and the answer rule are the card's or the defaults ('z', 'none', 'bestQ'), so a model's recommendation never
// carries over to the next.
function recommendedFor(info, entry) {
  const rec = (entry && entry.recommended) || {};
  return {
    ...rec, steps: rec.steps ?? info.config.halt_max_steps,
    noise: rec.noise ?? DEFAULTS.noise, exit: rec.exit ?? DEFAULTS.exit, select: rec.select ?? DEFAULTS.select,
  };
}

// values: any of SETTINGS; source: words for where they came from.
// Returns what a menu (noise, exit, answer) could not take: a browser <select> silently blanks an unknown value,
// so each refusal is said by name (a link's `exit=sometimes`), never solved with a blank.
function applySettings(values, source) {
  const refused = [];
  for (const key of SETTINGS) {
    if (values[key] === undefined || values[key] === null) continue;
    const prev = el[key].value;
    el[key].value = String(values[key]);
    if (el[key] instanceof HTMLSelectElement && el[key].value !== String(values[key])) {
      const offered = [...el[key].options].map((o) => `'${o.value}'`).join(', ');
      refused.push(`The setting ${key}='${values[key]}' is not one this page offers (${offered}); kept '${prev}'.`);
      el[key].value = prev;
    }
  }
  el.settingsSource.textContent = source;
  settingsChanged();
  return refused;
}

function applyRecommended() {
  if (!app.model) return;
  applySettings(recommendedFor(app.model.info, app.model.entry),
    app.model.entry && app.model.entry.recommended ? `Settings: ${app.model.name}'s recommended (from its model card).`
      : `Settings: steps from ${app.model.name} (no model card with recommendations).`);
}

// The inputs' bounds are the engine's; K beyond what the page draws is said, not silently dropped.
function applyLimits() {
  const lim = limits();
  if (!lim) return;
  for (const key of Object.keys(NUMERIC)) {
    el[key].min = String(lim[key].min);
    el[key].max = String(lim[key].max);
  }
}

function settingsChanged() {
  const p = fieldProblems();
  const k = num(el.k);
  let note = p.join('; ');
  if (!note && k > MAX_CARDS) note = `K = ${k}: all ${k} trajectories run, but the page draws only the first ${MAX_CARDS} (cards and latent paths).`;
  el.kNote.textContent = note ? `${note}${note.endsWith('.') ? '' : '.'}` : '';
  el.kNote.classList.toggle('warn', p.length > 0);
}

// source: a URL string or an ArrayBuffer (a dropped file); entry: its index entry (shipped models) or null.
// Resolves true when this load is the one now in use.
async function loadModel(source, name, entry = null) {
  const seq = ++app.loadSeq;
  if (app.running) app.running.abort();
  setState('loading');
  clearError();
  el.solve.disabled = true;
  el.progressBar.hidden = false;
  el.progressBar.removeAttribute('value');
  board.showSkeleton();
  boardNote(`Loading ${name}…`);
  status(`Loading ${name}…`);
  let solver;
  /** @type {{loaded: number, total: number, cached?: boolean} | null} */
  let got = null;  // last progress report: size, and whether the model came from the offline model cache
  try {
    // No `threads`: the library's policy picks them (wasm/ptrm.js threadPlan: measured, not hardwareConcurrency).
    solver = await app.api.Solver.load(source, {
      onProgress: (p) => {
        if (seq !== app.loadSeq) return;
        got = p;
        if (p && p.total) { el.progressBar.max = p.total; el.progressBar.value = p.loaded; }
        if (!p.cached) status(`Loading ${name}… ${kiB(p.loaded)} of ${kiB(p.total)}`);
      },
    });
  } catch (e) {
    if (seq !== app.loadSeq) return false;
    el.progressBar.hidden = true;
    el.solve.disabled = !app.solver;
    fillModelPicker(); // back to the model still in use, if any
    if (app.solver) {
      syncBoardFromText();
      status(`Still using ${app.model.name}.`);
    } else {
      boardNote('No model loaded: pick one above, or drop a .safetensors file on the page.', 'bad');
      status('No model loaded.');
    }
    showError(e);
    return false;
  }
  if (seq !== app.loadSeq) { solver.dispose(); return false; }
  if (app.solver) app.solver.dispose();
  app.solver = solver;
  el.solve.disabled = false;
  const info = solver.info;
  app.model = { name: info.name || name, url: typeof source === 'string' ? source : null, task: info.task, board: info.board, entry, info };
  el.progressBar.hidden = true;
  showModelInfo(info, entry, cacheNote(source, got));
  el.modelInfo.dataset.cache = typeof source !== 'string' || !got || !self.caches ? 'none' : got.cached ? 'hit' : 'stored';
  applyLimits();
  document.documentElement.dataset.threads = String(info.threads);
  document.documentElement.dataset.poolThreads = String(info.poolThreads);
  el.env.textContent = envText(info.threads, info.poolThreads);
  fillModelPicker();
  el.text.placeholder = placeholder(info.task, info.board);
  el.boardKeys.replaceChildren(...keysHint(info.task, info.board));
  el.select.querySelector('[value=valid]').disabled = !info.hasChecker;
  // ARC tasks are JSON with several grids: no single editable board; the answer shows as text below.
  el.board.hidden = info.task === 'arc';
  syncBoardFromText();
  status('Ready.');
  setState('ready');
  return true;
}

const kiB = (n) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${Math.ceil(n / 1024)} KiB`);

// Size of the model and where it came from: the engine keeps downloaded models for offline use (Cache API).
function cacheNote(source, got) {
  if (!got || typeof source !== 'string') return '';
  const where = got.cached ? 'from the offline cache' : self.caches ? 'downloaded and kept for offline use' : 'downloaded';
  return ` · ${kiB(got.total)}, ${where}`;
}

function placeholder(task, side) {
  if (task === 'sudoku') return `${side * side} characters, 1–${side} or . for blank (rows left to right)`;
  if (task === 'maze') return `${side} lines of ${side} characters: # wall, space open, S start, G goal`;
  return 'ARC task JSON {"train": [...], "test": [...]}';
}

// The board's keyboard shortcuts for this task, as <kbd> elements (shown, not just documented).
function keysHint(task, side) {
  const k = (t) => { const e = document.createElement('kbd'); e.textContent = t; return e; };
  const t = (s) => document.createTextNode(s);
  if (task === 'sudoku') {
    return [t('Click a cell and type ('), k('1'), t('–'), k(String(side)), t('; '), k('.'), t(' or '), k('Backspace'),
      t(' clears; arrow keys move), paste the one-line text, or drop a file anywhere. '), k('Ctrl'), t('+'), k('Enter'),
      t(' solves, '), k('Esc'), t(' cancels.')];
  }
  if (task === 'maze') {
    return [t('Click a cell to toggle a wall; '), k('S'), t(' / '), k('G'), t(' place start / goal, '), k('Backspace'),
      t(' opens a cell, arrow keys move. '), k('Ctrl'), t('+'), k('Enter'), t(' solves, '), k('Esc'), t(' cancels.')];
  }
  return [t('Paste or drop an ARC task JSON. '), k('Ctrl'), t('+'), k('Enter'), t(' solves, '), k('Esc'), t(' cancels.')];
}

// threads: what solves run on; pool: what was available to choose from (the library measured which is faster).
function envText(threads, pool = threads) {
  const iso = self.crossOriginIsolated ? 'cross-origin isolated' : 'not isolated';
  if (threads === undefined) return `${iso} · threads chosen when the model loads`;
  if (pool > threads) return `${iso} · ${threads} of ${pool} threads (measured faster)`;
  return `${iso} · ${threads} thread${threads === 1 ? '' : 's'}`;
}

async function modelFromFile(file) {
  if (!file.name.endsWith('.safetensors')) {
    return showError(null, { headline: `${file.name} is not a model: a model is a .safetensors file (a puzzle goes in "Open file…").` });
  }
  const ok = await loadModel(await file.arrayBuffer(), file.name.replace(/\.safetensors$/, ''));
  if (ok) {
    applyRecommended();
    showPuzzleText('');
  }
}

// A shipped model by index entry: load it, use its recommended settings, show its demo puzzle (or a random one).
async function switchModel(m) {
  if (!(await loadModel(m.url, m.name, m))) return;
  applyRecommended();
  if (m.demo) showPuzzleText(m.demo.puzzle);
  else await randomPuzzle();
}

// ---- solving ------------------------------------------------------------------------------------------------

// A number field's value; an empty or unparseable field (the browser blanks those) is NaN, never 0, so the
// engine reports it instead of silently solving with a value nobody typed.
function num(input) {
  return input.value.trim() === '' ? NaN : Number(input.value);
}

function options() {
  return {
    task: app.model.task,
    k: num(el.k),
    sigma: num(el.sigma),
    steps: num(el.steps),
    seed: el.seed.value.trim(),
    noiseOn: el.noise.value,
    earlyExit: earlyExitFor(el.exit.value),
    select: el.select.value,
  };
}

function setBusy(busy) {
  for (const c of [el.solve, el.model, el.modelFile, el.task, el.random, el.clear, el.puzzleFile, el.text,
    el.k, el.sigma, el.steps, el.seed, el.noise, el.exit, el.select, el.recommended]) c.disabled = busy;
  el.cancel.disabled = !busy;
  board.setEditable(!busy);
}

async function solve() {
  if (app.running) return;
  if (!app.solver) return showError(new Error('no model is loaded'));
  clearError();
  resetResult();
  const opts = options();
  const { task, board: side } = app.model;
  const puzzleText = el.text.value;
  const puzzleCells = parseCells(task, side, puzzleText);
  const k = Number.isInteger(opts.k) && opts.k > 0 ? opts.k : 0;
  const steps = Number.isFinite(opts.steps) && opts.steps > 0 ? opts.steps : app.model.info.config.halt_max_steps;
  const drawn = Math.min(k, MAX_CARDS);
  trajView.reset(drawn, task, side, puzzleCells, steps);
  pcaView.reset(drawn);
  el.trajNote.hidden = k <= MAX_CARDS;
  el.trajNote.textContent = k > MAX_CARDS ? `Showing the first ${MAX_CARDS} of ${k} trajectories (all ${k} run and take part in the choice).` : '';
  const ac = new AbortController();
  app.running = ac;
  setBusy(true);
  el.board.classList.add('live');
  setState('solving');
  status(`Solving: ${k} trajectories…`);
  const t0 = performance.now();
  let events = 0, lastStep = 0;
  const showProgress = () => { el.progress.textContent = `step ${lastStep} / ${steps}`; };
  showProgress();
  const tick = setInterval(() => showTiming(performance.now() - t0, events), 100);
  try {
    const res = await app.solver.solve(puzzleText, {
      ...opts,
      signal: ac.signal,
      onStep(ev) {
        events++;
        if (ev.step > lastStep) { lastStep = ev.step; showProgress(); }
        if (ev.traj >= drawn) return;
        trajView.update(ev, answerCells(task, side, ev.answer));
        pcaView.add(ev.traj, ev.step, ev.summary);
      },
    });
    clearInterval(tick);
    showTiming(performance.now() - t0, events);
    showResult(res, opts, task, side, puzzleCells);
    setState('solved');
  } catch (e) {
    clearInterval(tick);
    board.showAnswer(null); // drop the live preview: there is no chosen answer
    if (e.name === 'CancelledError') {
      status(`Cancelled at step ${lastStep} / ${steps}.`);
      setState('ready');
    } else {
      el.progress.textContent = '';
      status('Solve failed: no answer.', 'bad'); // the alert below says why (and is announced itself)
      boardNote('No answer (see above)', 'bad');
      showError(e);
    }
  } finally {
    app.running = null;
    el.board.classList.remove('live');
    setBusy(false);
  }
}

function showTiming(ms, events) {
  el.elapsed.textContent = `${(ms / 1000).toFixed(2)} s`;
  el.rate.textContent = ms > 0 ? `${(events / (ms / 1000)).toFixed(1)} steps/s` : '';
}

// What may help after an invalid answer, from what the solve and the model card say.
function suggestions(res, opts, puzzleNote) {
  const tips = [];
  const lim = limits();
  const validTraj = res.trajectories.findIndex((t) => t.valid);
  if (validTraj >= 0 && res.select !== 'valid') tips.push(`trajectory #${validTraj} found a valid answer: set Answer to "best valid" to take it`);
  if (opts.k < (lim ? lim.k.max : 1024)) tips.push(`more trajectories (K ${opts.k} → ${Math.min(opts.k * 4, lim ? lim.k.max : 1024)})`);
  if (opts.sigma < 1) tips.push(`more noise (σ ${opts.sigma} → ${Math.min(1, Math.max(0.3, opts.sigma * 2))})`);
  if (puzzleNote && puzzleNote.range && !puzzleNote.range.inside) tips.push(`a puzzle inside the model's trained range (${puzzleNote.range.text.split(':')[0]} now)`);
  return tips;
}

function showResult(res, opts, task, side, puzzleCells) {
  const cells = answerCells(task, side, res.answer);
  const bad = cells ? conflicts(task, side, cells, puzzleCells) : new Set();
  if (cells) board.showAnswer(cells, bad);
  el.answer.dataset.value = res.answer;
  el.answer.textContent = res.answer;
  trajView.finish(res.chosen < MAX_CARDS ? res.chosen : -1);
  pcaView.setChosen(res.chosen < MAX_CARDS ? res.chosen : -1);
  const n = res.trajectories.length;
  const agree = res.trajectories.filter((t) => t.answer === res.answer).length;
  const how = `trajectory #${res.chosen} (${SELECT_WORDS[res.select] || res.select}; ${agree} of ${n} end on this answer)`;
  const lowQ = Number.isFinite(res.qHalt) && res.qHalt < 0
    ? ` The model itself is not confident (q_halt ${res.qHalt.toFixed(2)} < 0).` : '';
  const hasChecker = app.model.info.hasChecker;
  el.badge.hidden = !hasChecker;
  el.badge.textContent = res.valid ? 'valid' : 'invalid';
  el.badge.className = `badge ${res.valid ? 'ok' : 'bad'}`;
  el.badge.dataset.valid = String(!!res.valid);
  if (!hasChecker) {
    status(`Answer: ${how}. This task has no checker, so the answer is not verified.${lowQ}`);
    boardNote('');
  } else if (res.valid) {
    status(`Valid answer: ${how}.${lowQ}`, 'ok');
    boardNote(`Valid · #${res.chosen}`, 'ok');
  } else {
    const tips = suggestions(res, opts, notePuzzle());
    const broken = bad.size ? `${bad.size} cell${bad.size === 1 ? '' : 's'} break the rules (marked)` : 'it does not solve the puzzle';
    status(`Invalid answer: ${broken}.${lowQ}${tips.length ? ` What may help: ${tips.join('; ')}.` : ''}`, 'bad');
    boardNote(`Invalid: ${broken}`, 'bad');
  }
  const { bestQ, mode } = res.selection;
  el.selection.textContent = `chosen: ${how} · best-Q: #${bestQ.traj} (q_halt ${bestQ.qHalt.toFixed(2)}) · ` +
    (mode.count < 2 ? 'no two trajectories agree' : mode.answer === bestQ.answer ? `the majority answer (${mode.count}×) agrees`
      : `the majority answer (#${mode.traj}, ${mode.count}×) differs`) +
    ` · ${res.timings.trajStepsRun} of ${res.timings.trajStepsBudget} trajectory-steps run`;
}

// ---- wiring -------------------------------------------------------------------------------------------------

function shareLink() {
  if (!app.model) return '';
  const values = Object.fromEntries(SETTINGS.map((key) => [key, el[key].value]));
  return shareUrl(location.href, {
    task: app.model.task, model: app.model.url && app.model.url !== defaultModelUrl() ? relativeUrl(app.model.url) : null,
    puzzle: el.text.value, ...values,
  });
}

function defaultModelUrl() {
  const m = modelFor(app.index, app.model.task, app.model.board);
  return m ? m.url : null;
}

function relativeUrl(u) {
  const url = new URL(u, location.href);
  return url.origin === location.origin ? url.pathname + url.search : url.toString();
}

function cancel() {
  if (app.running) app.running.abort();
}

function wire() {
  el.exit.replaceChildren(...Object.entries(EXIT_WORDS).map(([value, words]) => new Option(words, value)));
  el.errorClose.addEventListener('click', () => {
    clearError();
    if (document.documentElement.dataset.state === 'error') setState(app.solver ? 'ready' : 'loading');
  });
  el.text.addEventListener('input', syncBoardFromText);
  el.random.addEventListener('click', () => randomPuzzle(true));
  el.clear.addEventListener('click', () => showPuzzleText(''));
  el.solve.addEventListener('click', solve);
  el.cancel.addEventListener('click', cancel);
  el.recommended.addEventListener('click', applyRecommended);
  for (const key of SETTINGS) {
    el[key].addEventListener('input', () => {
      settingsChanged();
      el.settingsSource.textContent = 'Settings: your own.';
    });
  }
  el.model.addEventListener('change', () => {
    const m = app.index.models.find((x) => x.url === el.model.value);
    if (m) switchModel(m);
  });
  el.task.addEventListener('change', () => {
    const [task, b] = el.task.value.split(':');
    const m = modelFor(app.index, task, Number(b));
    if (m) switchModel(m);
  });
  el.modelFile.addEventListener('change', () => { if (el.modelFile.files[0]) modelFromFile(el.modelFile.files[0]); });
  el.puzzleFile.addEventListener('change', () => { if (el.puzzleFile.files[0]) puzzleFromFile(el.puzzleFile.files[0]); });
  el.share.addEventListener('click', async () => {
    const link = shareLink();
    history.replaceState(null, '', link.replace(/&autosolve=1$/, ''));
    try {
      await navigator.clipboard.writeText(link);
      status('Link copied to the clipboard.');
    } catch {
      status(`Link: ${link}`);
    }
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) solve();
    if (e.key === 'Escape') cancel();
  });
  // Drop anywhere: a .safetensors file loads as the model, anything else is read as a puzzle (or refused).
  let depth = 0;
  window.addEventListener('dragenter', (e) => { e.preventDefault(); depth++; el.drop.hidden = false; });
  window.addEventListener('dragleave', () => { if (--depth <= 0) { depth = 0; el.drop.hidden = true; } });
  window.addEventListener('dragover', (e) => e.preventDefault());
  window.addEventListener('drop', (e) => {
    e.preventDefault();
    depth = 0;
    el.drop.hidden = true;
    const file = e.dataTransfer.files[0];
    if (!file || app.running) return;
    if (file.name.endsWith('.safetensors')) modelFromFile(file);
    else puzzleFromFile(file);
  });
}

// Which shipped model a link asks for, and what is wrong with the link, said plainly. A link never silently
// lands on another board size: a puzzle of the wrong length is reported as such and kept in the box to fix.
function modelForLink(params) {
  const problems = [...params.problems];
  let puzzleOk = true;
  if (params.model) return { source: new URL(params.model, location.href).toString(), problems, puzzleOk };
  let m = null;
  if (params.task) {
    const boards = [...new Set(app.index.models.filter((x) => x.task === params.task).map((x) => x.board))];
    const side = params.puzzle !== null ? inferSide(params.task, params.puzzle) : null;
    if (params.puzzle !== null && params.task !== 'arc' && (!side || !boards.includes(side))) {
      const cells = params.task === 'sudoku' ? params.puzzle.replace(/\s+/g, '').length
        : params.puzzle.replace(/\r/g, '').split('\n').join('').length;
      const need = boards.map((b) => `${b * b} (${taskLabel(params.task, b)})`).join(' or ');
      problems.push(side ? `The link's puzzle is a ${taskLabel(params.task, side)}, and no shipped model solves that size${need ? ` (there are models for ${need} cells)` : ''}.`
        : `The link's puzzle has ${cells} cells; a ${params.task} puzzle here needs ${need || 'a model for this task'}.`);
      puzzleOk = false;
    }
    m = modelFor(app.index, params.task, side && boards.includes(side) ? side : null);
    if (!m) problems.push(`No shipped model solves ${params.task} puzzles; showing the default model instead.`);
  }
  m = m || app.index.default;
  return { source: m ? m.url : null, entry: m, problems, puzzleOk };
}

async function boot() {
  setState('loading');
  setBusy(true);
  el.cancel.disabled = true;
  board.showSkeleton();
  boardNote('Starting the engine…');
  const iso = await ensureIsolation();
  el.env.textContent = envText(self.crossOriginIsolated ? undefined : 1) + (iso === 'failed' ? ' (isolation failed)' : '');
  const params = readParams(location.search);
  wire();
  try {
    app.api = await import('../engine/ptrm.js');
  } catch (e) {
    boardNote('The engine is not built.', 'bad');
    showError(new Error(`the engine is not built (web/engine/ptrm.js): run \`npm start\`, which builds it (${e.message})`));
    return;
  }
  try {
    app.index = await loadIndex();
  } catch (e) {
    if (!params.model) showError(e);
  }
  const { source, entry: linkEntry, problems, puzzleOk } = modelForLink(params);
  if (!source) {
    boardNote('No model: drop a .safetensors file on the page.', 'bad');
    if (!el.errorBox.hidden) return;
    return showError(new Error('no model found in assets/models/: drop a .safetensors file here'));
  }
  fillModelPicker();
  setBusy(false);
  const entry = linkEntry || app.index.models.find((m) => m.url === source) || null;
  const ok = await loadModel(source, entry ? entry.name : decodeURIComponent(source.split('/').pop()), entry);
  if (!ok) { setBusy(false); return; }
  if (params.task && params.model && params.task !== app.model.task) {
    problems.push(`The link says task '${params.task}', but its model solves ${taskLabel(app.model.task, app.model.board)} puzzles.`);
  }
  // Settings: the link's values win, then the demo puzzle's (for its own puzzle), then the model's card.
  const rec = recommendedFor(app.model.info, entry);
  const fromLink = Object.fromEntries(SETTINGS.filter((key) => params[key] !== undefined).map((key) => [key, params[key]]));
  const useDemo = params.puzzle === null && entry && entry.demo;
  problems.push(...applySettings({ ...DEFAULTS, ...rec, ...(useDemo && entry.demo.settings ? entry.demo.settings : {}), ...fromLink },
    Object.keys(fromLink).length ? 'Settings: from the link.' : entry && entry.recommended
      ? `Settings: ${app.model.name}'s recommended (from its model card).` : 'Settings: defaults.'));
  if (params.puzzle !== null) showPuzzleText(params.puzzle);
  else if (useDemo) showPuzzleText(entry.demo.puzzle);
  else await randomPuzzle();
  if (problems.length) {
    showError(null, { headline: problems.join(' ') });
    return;
  }
  if (params.autosolve && puzzleOk !== false && document.documentElement.dataset.state === 'ready') solve();
}

boot();
