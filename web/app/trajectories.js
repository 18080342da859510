// Live view of all K trajectories: one small board per trajectory (redrawn as its steps arrive), a q_halt
// sparkline, the current best-Q trajectory highlighted and a mark on trajectories that agree with the
// majority answer. Drawing is batched into animation frames so hundreds of step events per second stay cheap.
// Steps are the engine's: 1-based (event.step = the number of supervision steps that trajectory has run), used
// as given everywhere here; 0 means "no step yet".
import { trajColor } from './palette.js';
import { drawBoard, fitCanvas } from '../lib/canvas.js';

export class TrajectoryView {
  // onLead(cells): the live best-Q trajectory's current answer, so the big board can preview it mid-solve.
  /** @param {HTMLElement} root @param {{onLead?: (cells: string[]) => void}} [options] */
  constructor(root, { onLead } = {}) {
    this.root = root;
    this.onLead = onLead;
    this.trajs = [];
    this.frame = 0;
  }

  // k: cards to draw (the page caps it at MAX_CARDS; trajectories beyond are solved but not drawn).
  reset(k, task, side, puzzleCells, steps) {
    this.task = task;
    this.steps = steps;
    this.side = side;
    this.puzzle = puzzleCells;
    this.final = null;
    this.root.replaceChildren();
    this.trajs = Array.from({ length: k }, (_, t) => {
      const card = document.createElement('figure');
      card.className = 'traj';
      card.dataset.testid = 'traj';
      card.dataset.traj = String(t);
      card.dataset.step = '0';
      card.style.setProperty('--traj', trajColor(t, k));
      const board = document.createElement('canvas');
      board.className = 'traj-board';
      board.setAttribute('role', 'img');
      const spark = document.createElement('canvas');
      spark.className = 'traj-spark';
      spark.setAttribute('aria-hidden', 'true');
      const cap = document.createElement('figcaption');
      card.append(board, spark, cap);
      this.root.append(card);
      return { card, board, spark, cap, cells: null, q: [], step: 0, valid: false, dirty: true };
    });
    this.#schedule();
  }

  update(ev, cells) {
    const tr = this.trajs[ev.traj];
    if (!tr) return;
    tr.cells = cells;
    tr.step = ev.step;
    tr.q[ev.step - 1] = ev.qHalt; // q[i] = q_halt after step i + 1
    tr.valid = !!ev.valid;
    tr.dirty = true;
    this.#schedule();
  }

  // The engine's own selection, once the solve is done (replaces the live best-Q guess).
  finish(chosen) {
    this.final = chosen;
    this.trajs.forEach((tr) => { tr.dirty = true; });
    this.#schedule();
  }

  #schedule() {
    if (!this.frame) this.frame = requestAnimationFrame(() => { this.frame = 0; this.#draw(); });
  }

  #liveBest() {
    let best = -1, bq = -Infinity;
    this.trajs.forEach((tr, t) => {
      const q = tr.q[tr.step - 1];
      if (tr.step > 0 && q > bq) { bq = q; best = t; }
    });
    return best;
  }

  #majority() {
    const counts = new Map();
    for (const tr of this.trajs) if (tr.cells) {
      const key = tr.cells.join('');
      counts.set(key, (counts.get(key) || 0) + 1);
    }
    let top = null, n = 1, tie = false;
    for (const [key, c] of counts) {
      if (c > n) { top = key; n = c; tie = false; } else if (c === n) tie = true;
    }
    return tie ? null : top;
  }

  #draw() {
    const chosen = this.final ?? this.#liveBest();
    const major = this.#majority();
    if (this.final === null && chosen >= 0 && this.onLead) this.onLead(this.trajs[chosen].cells);
    this.trajs.forEach((tr, t) => {
      const isChosen = t === chosen;
      const agrees = major !== null && tr.cells && tr.cells.join('') === major;
      tr.card.classList.toggle('chosen', isChosen);
      tr.card.classList.toggle('majority', !!agrees);
      tr.card.classList.toggle('valid', tr.valid);
      if (!tr.dirty) return;
      tr.dirty = false;
      tr.card.dataset.step = String(tr.step);
      if (tr.cells) tr.card.dataset.answer = tr.cells.join('');
      const q = tr.q[tr.step - 1];
      tr.cap.textContent = tr.step === 0 ? `#${t}` : `#${t} · q ${q.toFixed(1)}${tr.valid ? ' ✓' : ''}`;
      tr.cap.title = tr.step === 0 ? '' : `step ${tr.step}, q_halt ${q.toFixed(3)}, ${tr.valid ? 'valid' : 'not valid'}`;
      tr.board.setAttribute('aria-label', `trajectory ${t}${tr.step > 0 ? `, step ${tr.step}, ${tr.valid ? 'valid' : 'not valid'}` : ', waiting'}`);
      drawBoard(tr.board, this.task, this.side, tr.cells, this.puzzle);
      tr.spark.dataset.points = String(drawSpark(tr.spark, tr.q, this.steps));
    });
  }
}

// q_halt is a logit; drawn through a sigmoid so "halt" (q > 0) is the upper half, with the 0 line marked.
// q[i] is the value after step i + 1: step 1 sits at the left edge, step `steps` at the right. Returns the
// number of points drawn.
function drawSpark(canvas, q, steps) {
  const ctx = fitCanvas(canvas);
  const w = canvas.clientWidth, h = canvas.clientHeight;
  ctx.clearRect(0, 0, w, h);
  ctx.strokeStyle = 'rgba(43,47,58,0.25)';
  ctx.setLineDash([2, 2]);
  ctx.beginPath(); ctx.moveTo(0, h / 2); ctx.lineTo(w, h / 2); ctx.stroke();
  ctx.setLineDash([]);
  const pts = q.map((v, i) => [i, v]).filter(([, v]) => Number.isFinite(v));
  if (!pts.length) return 0;
  const n = Math.max(2, Number.isFinite(steps) ? steps : 0, q.length);
  const xy = ([i, v]) => [2 + (i / (n - 1)) * (w - 4), 2 + (1 - 1 / (1 + Math.exp(-v))) * (h - 4)];
  ctx.strokeStyle = getComputedStyle(canvas.parentElement).getPropertyValue('--traj') || '#1f5fbf';
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  pts.forEach((p, j) => { const [x, y] = xy(p); if (j) ctx.lineTo(x, y); else ctx.moveTo(x, y); });
  ctx.stroke();
  const [x, y] = xy(pts[pts.length - 1]);
  ctx.fillStyle = ctx.strokeStyle;
  ctx.beginPath(); ctx.arc(x, y, 2, 0, 2 * Math.PI); ctx.fill();
  return pts.length;
}
