// The ptrm app: wires the controls, the board, the live trajectory/PCA views and the shareable-link state to
// the engine's JS API (engine/ptrm.js). It never touches the wasm module directly.
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
import { DEFAULTS, readParams, shareUrl } from './params.js';
import { answerCells, conflicts, emptyCells, inferSide, parseCells, taskLabel } from '../lib/tasks.js';

const $ = (id) => /** @type {any} the controls of index.html, each of its own element type */ (document.getElementById(id));
const el = {
  env: $('env'), errorBox: $('error'), errorText: $('error-text'), errorClose: $('error-close'),
  model: $('model'), modelFile: $('model-file'), modelInfo: $('model-info'), progress: $('load-progress'),
  task: $('task'), text: $('puzzle-text'), random: $('random'), clear: $('clear'), puzzleFile: $('puzzle-file'),
  k: $('k'), sigma: $('sigma'), steps: $('steps'), seed: $('seed'), noise: $('noise'), exit: $('exit'),
  solve: $('solve'), cancel: $('cancel'), share: $('share'), status: $('status'),
  board: $('board'), badge: $('badge'), answer: $('answer'), elapsed: $('elapsed'), rate: $('rate'),
  selection: $('selection'), trajs: $('trajs'), pca: $('pca'), pcaCaption: $('pca-caption'), drop: $('drop'),
};

const app = {
  api: null,          // the engine module
  index: { models: [], default: null },
  solver: null,
  model: null,        // {name, url|null, task, board}
  running: null,      // AbortController of the solve in flight
  loadSeq: 0,         // drops results of superseded model loads
};

function setState(s) { document.documentElement.dataset.state = s; }

function showError(e) {
  const msg = e && e.message ? e.message : String(e);
  const kind = e && e.name && e.name !== 'Error' ? `${e.name}: ` : '';
  el.errorText.textContent = kind + msg;
  el.errorBox.hidden = false;
  setState('error');
}

function clearError() {
  el.errorBox.hidden = true;
  el.errorText.textContent = '';
}

function status(text) { el.status.textContent = text; }

const board = new BoardView(el.board, {
  onEdit(cells) {
    el.text.value = cells.join('');
    resetResult();
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
}

// ---- puzzle entry -------------------------------------------------------------------------------------------

function showPuzzleText(text) {
  el.text.value = text;
  syncBoardFromText();
}

function syncBoardFromText() {
  if (!app.model || app.model.task === 'arc') return;
  const { task, board: side } = app.model;
  const cells = parseCells(task, side, el.text.value);
  board.setPuzzle(task, side, cells || emptyCells(task, side));
  resetResult();
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

// A dropped/chosen text file: the whole file if it is one board (multi-line mazes), else its first puzzle line.
async function puzzleFromFile(file) {
  const text = await file.text();
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

function fillModelPicker() {
  el.model.replaceChildren(...app.index.models.map((m) => {
    const o = new Option(`${m.name} — ${taskLabel(m.task, m.board)}`, m.url);
    return o;
  }));
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

// source: a URL string or an ArrayBuffer (a dropped file). Resolves true when this load is the one now in use.
async function loadModel(source, name) {
  const seq = ++app.loadSeq;
  if (app.running) app.running.abort();
  setState('loading');
  clearError();
  el.solve.disabled = true;
  el.progress.hidden = false;
  el.progress.removeAttribute('value');
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
        if (p && p.total) { el.progress.max = p.total; el.progress.value = p.loaded; }
        if (!p.cached) status(`Loading ${name}… ${kiB(p.loaded)} of ${kiB(p.total)}`);
      },
    });
  } catch (e) {
    if (seq !== app.loadSeq) return false;
    el.progress.hidden = true;
    el.solve.disabled = !app.solver;
    fillModelPicker(); // back to the model still in use, if any
    status(app.solver ? `Still using ${app.model.name}.` : 'No model loaded.');
    showError(e);
    return false;
  }
  if (seq !== app.loadSeq) { solver.dispose(); return false; }
  if (app.solver) app.solver.dispose();
  app.solver = solver;
  el.solve.disabled = false;
  const info = solver.info;
  app.model = { name: info.name || name, url: typeof source === 'string' ? source : null, task: info.task, board: info.board };
  el.progress.hidden = true;
  el.modelInfo.textContent = modelSummary(info) + cacheNote(source, got);
  el.modelInfo.dataset.cache = typeof source !== 'string' || !got || !self.caches ? 'none' : got.cached ? 'hit' : 'stored';
  document.documentElement.dataset.threads = String(info.threads);
  document.documentElement.dataset.poolThreads = String(info.poolThreads);
  el.env.textContent = envText(info.threads, info.poolThreads);
  fillModelPicker();
  el.text.placeholder = placeholder(info.task, info.board);
  // ARC tasks are JSON with several grids: no single editable board; the answer shows as text below.
  el.board.hidden = info.task === 'arc';
  syncBoardFromText();
  status('Ready.');
  setState('ready');
  return true;
}

function modelSummary(info) {
  const parts = [taskLabel(info.task, info.board)];
  if (info.params) parts.push(`${(info.params / 1e6).toFixed(2)} M params`);
  if (info.config) parts.push(`D=${info.config.hidden_size}, T=${info.config.H_cycles}, n=${info.config.L_cycles}`);
  return parts.join(' · ');
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

// threads: what solves run on; pool: what was available to choose from (the library measured which is faster).
function envText(threads, pool = threads) {
  const iso = self.crossOriginIsolated ? 'cross-origin isolated' : 'not isolated';
  if (threads === undefined) return `${iso} · threads chosen when the model loads`;
  if (pool > threads) return `${iso} · ${threads} of ${pool} threads (measured faster)`;
  return `${iso} · ${threads} thread${threads === 1 ? '' : 's'}`;
}

async function modelFromFile(file) {
  if (!file.name.endsWith('.safetensors')) return showError(new Error(`${file.name}: expected a .safetensors model file`));
  const ok = await loadModel(await file.arrayBuffer(), file.name.replace(/\.safetensors$/, ''));
  if (ok) showPuzzleText('');
}

// ---- solving ------------------------------------------------------------------------------------------------

// A number field's value; an empty or unparseable field (the browser blanks those) is NaN, never 0, so the
// engine reports it instead of silently solving with a value nobody typed.
function num(input) {
  return input.value.trim() === '' ? NaN : Number(input.value);
}

function options() {
  const exit = el.exit.value;
  return {
    task: app.model.task,
    k: num(el.k),
    sigma: num(el.sigma),
    steps: num(el.steps),
    seed: el.seed.value.trim(),
    noiseOn: el.noise.value,
    earlyExit: { haltOnQ: exit === 'haltOnQ', stopOnValid: exit === 'trajectory' || exit === 'solve' ? exit : 'none' },
  };
}

function setBusy(busy) {
  for (const c of [el.solve, el.model, el.modelFile, el.task, el.random, el.clear, el.puzzleFile, el.text,
    el.k, el.sigma, el.steps, el.seed, el.noise, el.exit]) c.disabled = busy;
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
  const k = Number.isInteger(opts.k) && opts.k > 0 && opts.k <= 256 ? opts.k : 0;
  trajView.reset(k, task, side, puzzleCells, opts.steps);
  pcaView.reset(k);
  const ac = new AbortController();
  app.running = ac;
  setBusy(true);
  el.board.classList.add('live');
  setState('solving');
  status('Solving…');
  const t0 = performance.now();
  let events = 0;
  const tick = setInterval(() => showTiming(performance.now() - t0, events), 100);
  try {
    const res = await app.solver.solve(puzzleText, {
      ...opts,
      signal: ac.signal,
      onStep(ev) {
        events++;
        trajView.update(ev, answerCells(task, side, ev.answer));
        pcaView.add(ev.traj, ev.step, ev.summary);
      },
    });
    clearInterval(tick);
    showTiming(performance.now() - t0, events);
    showResult(res, task, side, puzzleCells);
    status(`Solved: ${res.trajectories.length} trajectories, chose #${res.chosen}.`);
    setState('solved');
  } catch (e) {
    clearInterval(tick);
    board.showAnswer(null); // drop the live preview: there is no chosen answer
    if (e.name === 'CancelledError') {
      status(`Cancelled after ${events} trajectory steps.`);
      setState('ready');
    } else {
      status('Solve failed.');
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

function showResult(res, task, side, puzzleCells) {
  const cells = answerCells(task, side, res.answer);
  if (cells) board.showAnswer(cells, conflicts(task, side, cells, puzzleCells));
  el.answer.dataset.value = res.answer;
  el.answer.textContent = res.answer;
  el.badge.hidden = false;
  el.badge.textContent = res.valid ? 'valid' : 'invalid';
  el.badge.className = `badge ${res.valid ? 'ok' : 'bad'}`;
  el.badge.dataset.valid = String(!!res.valid);
  trajView.finish(res.chosen);
  pcaView.setChosen(res.chosen);
  const { bestQ, mode } = res.selection;
  const agree = res.trajectories.filter((t) => t.answer === res.answer).length;
  el.selection.textContent = `best-Q chose #${bestQ.traj} (q_halt ${bestQ.qHalt.toFixed(2)}) · ` +
    (mode.count < 2 ? 'no two trajectories agree' : mode.answer === bestQ.answer ? `the majority answer (${mode.count}×) agrees`
      : `the majority answer (#${mode.traj}, ${mode.count}×) differs`) +
    ` · ${agree}/${res.trajectories.length} trajectories end on this answer`;
}

// ---- wiring -------------------------------------------------------------------------------------------------

function shareLink() {
  if (!app.model) return '';
  return shareUrl(location.href, {
    task: app.model.task, model: app.model.url && app.model.url !== defaultModelUrl() ? relativeUrl(app.model.url) : null,
    puzzle: el.text.value, k: el.k.value, sigma: el.sigma.value, steps: el.steps.value, seed: el.seed.value,
    noise: el.noise.value, exit: el.exit.value,
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

function wire() {
  el.errorClose.addEventListener('click', () => {
    clearError();
    if (document.documentElement.dataset.state === 'error') setState(app.solver ? 'ready' : 'loading');
  });
  el.text.addEventListener('input', syncBoardFromText);
  el.random.addEventListener('click', () => randomPuzzle(true));
  el.clear.addEventListener('click', () => showPuzzleText(''));
  el.solve.addEventListener('click', solve);
  el.cancel.addEventListener('click', () => app.running && app.running.abort());
  el.model.addEventListener('change', () => {
    const m = app.index.models.find((x) => x.url === el.model.value);
    if (m) loadModel(m.url, m.name).then((ok) => ok && randomPuzzle());
  });
  el.task.addEventListener('change', () => {
    const [task, b] = el.task.value.split(':');
    const m = modelFor(app.index, task, Number(b));
    if (m) loadModel(m.url, m.name).then((ok) => ok && randomPuzzle());
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
    if (e.key === 'Escape' && app.running) app.running.abort();
  });
  // Drop anywhere: a .safetensors file loads as the model, anything else is read as a puzzle.
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

async function boot() {
  setState('loading');
  setBusy(true);
  el.cancel.disabled = true;
  const iso = await ensureIsolation();
  el.env.textContent = envText(self.crossOriginIsolated ? undefined : 1) + (iso === 'failed' ? ' (isolation failed)' : '');
  const params = readParams(location.search);
  for (const key of ['k', 'sigma', 'steps', 'seed', 'noise', 'exit']) el[key].value = params[key] ?? DEFAULTS[key];
  wire();
  try {
    app.api = await import('../engine/ptrm.js');
  } catch (e) {
    showError(new Error(`the engine is not built (web/engine/ptrm.js): run \`npm start\`, which builds it (${e.message})`));
    return;
  }
  try {
    app.index = await loadIndex();
  } catch (e) {
    if (!params.model) showError(e);
  }
  let source = params.model ? new URL(params.model, location.href).toString() : null;
  if (!source) {
    const side = params.task ? inferSide(params.task, params.puzzle) : null;
    const m = (params.task && modelFor(app.index, params.task, side)) || app.index.default;
    if (!m) {
      if (!el.errorBox.hidden) return;
      return showError(new Error('no model found in assets/models/: drop a .safetensors file here'));
    }
    source = m.url;
  }
  fillModelPicker();
  setBusy(false);
  const shipped = app.index.models.find((m) => m.url === source);
  const ok = await loadModel(source, shipped ? shipped.name : decodeURIComponent(source.split('/').pop()));
  if (!ok) { setBusy(false); return; }
  if (params.puzzle !== null) showPuzzleText(params.puzzle);
  else await randomPuzzle();
  if (params.autosolve && document.documentElement.dataset.state === 'ready') solve();
}

boot();
