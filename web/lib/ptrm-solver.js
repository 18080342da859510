// <ptrm-solver>: a TRM/PTRM solver any page can embed with one script tag.
//
//   <script type="module" src="https://host/lib/ptrm-solver.js"></script>
//   <ptrm-solver model="https://host/assets/models/x.safetensors" puzzle="…" k="8" sigma="0.3" steps="16" seed="1"
//                noise="z" exit="solve" select="valid" autosolve></ptrm-solver>
//
// `noise`: what the PTRM noise is added to, z (the latent, the paper's choice), y (the answer state) or both.
// `exit`: the early exit, one word of lib/exits.js: none (all steps), haltOnQ (a trajectory stops once q_halt > 0),
// trajectory (a trajectory stops once its answer is valid), solve (the whole solve stops at the first valid
// answer). `select`: the engine's answer rule, bestQ, mode, valid or vote. Without `model` it uses the default model of
// the ptrm deployment the script came from, with that model's recommended K, σ, steps, seed, noise, exit and select
// (its card) for any attribute left out; otherwise (and where the card says nothing) noise 'z', exit 'none', select
// 'bestQ'. A bad value is the engine's BadOptionsError (a `ptrm-error` event), never silently replaced. Events
// (bubbling, composed): `ptrm-step` (detail = the engine's step event), `ptrm-solved` (detail = result),
// `ptrm-error` (detail = the typed error). Methods: solve(), cancel(); properties `ready` (→ Solver), `result`.
// Threads are used only when the host page is crossOriginIsolated; otherwise it runs single-threaded. The script
// may come from another origin than the page (that server must send CORS headers, as scripts/serve.mjs does):
// the engine's worker then starts from a blob: URL. Models are kept in the Cache API after the first download.
import { drawBoard } from './canvas.js';
import { answerCells, parseCells, taskLabel } from './tasks.js';
import { loadIndex } from './models.js';
import { earlyExitFor } from './exits.js';

const ENGINE_URL = new URL('../engine/ptrm.js', import.meta.url);
const INDEX_BASE = new URL('../', import.meta.url);

const STYLE = `
:host { display: inline-block; width: 260px; max-width: 100%; font: 14px/1.35 system-ui, sans-serif; color: #2b2f3a; }
.box { border: 1px solid #dcd6ca; border-radius: 10px; background: #fffdf8; padding: 10px; }
canvas { display: block; width: 100%; aspect-ratio: 1; }
.bar { display: flex; align-items: center; gap: 8px; margin-top: 8px; flex-wrap: wrap; }
button { font: inherit; border: 1px solid #1f5fbf; background: #1f5fbf; color: #fff; border-radius: 6px; padding: 3px 12px; cursor: pointer; }
button:disabled { opacity: .45; cursor: default; }
.badge { font-weight: 700; font-size: 12px; padding: 1px 8px; border-radius: 999px; }
.ok { background: #d8f0e1; color: #17683a; } .bad { background: #fbe3df; color: #a3271b; }
.msg { font-size: 12px; color: #5f636d; flex: 1 1 100%; overflow-wrap: anywhere; }
.err { color: #a3271b; }
`;

let enginePromise = null;
const engine = () => (enginePromise ||= import(ENGINE_URL.href));

export class PtrmSolverElement extends HTMLElement {
  static get observedAttributes() { return ['model', 'puzzle']; }

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = `<style>${STYLE}</style><div class="box"><canvas role="img" part="board"></canvas>
      <div class="bar"><button type="button" part="solve">Solve</button><span class="badge" hidden></span>
      <span class="msg" role="status" aria-live="polite"></span></div></div>`;
    this.canvas = root.querySelector('canvas');
    this.button = root.querySelector('button');
    this.badge = /** @type {HTMLElement} */ (root.querySelector('.badge'));
    this.msg = root.querySelector('.msg');
    this.button.addEventListener('click', () => (this.controller ? this.cancel() : this.solve()));
    this.solver = null;
    this.loading = null;
    this.controller = null;
    this.result = null;
    this.recommended = null; // the default model's card settings, when the element uses the default model
  }

  connectedCallback() { this.#load(); }

  // Resolves to the loaded Solver (its `info` says task and board), or null if loading failed.
  get ready() { return this.#load(); }

  disconnectedCallback() {
    this.cancel();
    if (this.solver) this.solver.dispose();
    this.solver = null;
    this.loading = null;
  }

  attributeChangedCallback(name, before, after) {
    if (before === after || !this.isConnected) return;
    if (name === 'model') {
      if (this.solver) this.solver.dispose();
      this.solver = null;
      this.loading = null;
      this.#load();
    } else {
      this.result = null;
      this.#draw(null);
    }
  }

  #num(name, fallback) {
    const v = this.getAttribute(name);
    return v === null || v === '' ? fallback : Number(v);
  }

  #status(text, isError = false) {
    this.msg.textContent = text;
    this.msg.classList.toggle('err', isError);
  }

  #fail(e) {
    this.#status(`${e.name && e.name !== 'Error' ? e.name + ': ' : ''}${e.message}`, true);
    this.dispatchEvent(new CustomEvent('ptrm-error', { detail: e, bubbles: true, composed: true }));
  }

  async #modelUrl() {
    const attr = this.getAttribute('model');
    this.recommended = null;
    if (attr) return new URL(attr, document.baseURI).href;
    const index = await loadIndex(INDEX_BASE);
    if (!index.default) throw new Error('no model given and the ptrm deployment ships none');
    this.recommended = index.default.recommended || null;
    return index.default.url;
  }

  // An attribute, else the model card's recommendation, else a fixed fallback.
  #setting(name, fallback) {
    const rec = this.recommended && this.recommended[name];
    return this.#num(name, rec ?? fallback);
  }

  // The same for a word (noise, exit, select), passed on as written: the engine checks it.
  #word(name, fallback) {
    const v = this.getAttribute(name);
    if (v !== null && v !== '') return v;
    const rec = this.recommended && this.recommended[name];
    return rec ?? fallback;
  }

  #load() {
    if (this.loading) return this.loading;
    this.button.disabled = true;
    this.#status('Loading model…');
    this.loading = (async () => {
      const { Solver } = await engine();
      const url = await this.#modelUrl();
      const kiB = (n) => `${Math.ceil(n / 1024)} KiB`;
      // No `threads`: the library's policy picks them (measured; 1 where the page is not cross-origin isolated).
      const solver = await Solver.load(url, {
        onProgress: (p) => this.#status(p.cached ? `Model ${kiB(p.total)} (cached)` : `Loading model… ${kiB(p.loaded)} of ${kiB(p.total)}`),
      });
      if (!this.isConnected) { solver.dispose(); return null; }
      this.solver = solver;
      this.button.disabled = false;
      this.#status(`${taskLabel(solver.info.task, solver.info.board)} · ${solver.info.threads} thread(s)`);
      this.#draw(null);
      if (this.hasAttribute('autosolve')) this.solve();
      return solver;
    })().catch((e) => { this.loading = null; this.button.disabled = false; this.#fail(e); return null; });
    return this.loading;
  }

  #draw(cells) {
    if (!this.solver) return;
    const { task, board } = this.solver.info;
    drawBoard(this.canvas, task, board, cells, parseCells(task, board, this.getAttribute('puzzle') || ''));
  }

  cancel() {
    if (this.controller) this.controller.abort();
  }

  async solve() {
    const solver = this.solver || (await this.#load());
    if (!solver || this.controller) return this.result;
    const { task, board } = solver.info;
    const puzzle = this.getAttribute('puzzle') || '';
    const k = this.#setting('k', 8);
    const steps = this.#setting('steps', solver.info.config.halt_max_steps);
    const best = new Map(); // traj → last q_halt, to show the currently preferred trajectory live
    this.result = null;     // a failed or cancelled solve leaves none (never the previous solve's)
    this.controller = new AbortController();
    this.button.textContent = 'Cancel';
    this.badge.hidden = true;
    this.#status('Solving…');
    const t0 = performance.now();
    try {
      this.result = await solver.solve(puzzle, {
        task, k, sigma: this.#setting('sigma', 0.3), steps, seed: this.getAttribute('seed') || String(this.#setting('seed', 1)),
        noiseOn: this.#word('noise', 'z'),
        earlyExit: earlyExitFor(this.#word('exit', 'none')), select: this.#word('select', 'bestQ'),
        signal: this.controller.signal,
        onStep: (ev) => {
          best.set(ev.traj, ev.qHalt);
          const lead = [...best].reduce((a, b) => (b[1] > a[1] ? b : a));
          if (lead[0] === ev.traj) this.#draw(answerCells(task, board, ev.answer));
          this.#status(`step ${ev.step} / ${steps} · ${((performance.now() - t0) / 1000).toFixed(1)} s`); // ev.step: 1-based
          this.dispatchEvent(new CustomEvent('ptrm-step', { detail: ev, bubbles: true, composed: true }));
        },
      });
      const r = this.result;
      this.#draw(answerCells(task, board, r.answer));
      this.badge.hidden = false;
      this.badge.textContent = r.valid ? 'valid' : 'invalid';
      this.badge.className = `badge ${r.valid ? 'ok' : 'bad'}`;
      this.#status(`${r.valid ? 'Valid answer' : solver.info.hasChecker ? 'Invalid answer' : 'Answer'}: trajectory #${r.chosen} of ${k} ` +
        `(${r.select}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`, !r.valid && solver.info.hasChecker);
      this.dispatchEvent(new CustomEvent('ptrm-solved', { detail: r, bubbles: true, composed: true }));
    } catch (e) {
      if (e.name === 'CancelledError') this.#status('Cancelled.');
      else this.#fail(e);
    } finally {
      this.controller = null;
      this.button.textContent = 'Solve';
    }
    return this.result;
  }
}

if (!customElements.get('ptrm-solver')) customElements.define('ptrm-solver', PtrmSolverElement);
