// Canvas plot of the K latent-summary trajectories projected on their first two principal components,
// recomputed as steps stream in (at most a few times per second: the PCA is over all points seen so far).
import { pca2, project } from './pca.js';
import { trajColor } from './palette.js';
import { fitCanvas } from '../lib/canvas.js';

const MIN_INTERVAL_MS = 200;

export class PcaView {
  constructor(canvas, caption) {
    this.canvas = canvas;
    this.caption = caption;
    this.reset(0);
  }

  reset(k) {
    this.k = k;
    this.paths = Array.from({ length: k }, () => []);
    this.axes = null;
    this.chosen = -1;
    this.last = 0;
    clearTimeout(this.timer);
    this.timer = 0;
    this.#draw();
  }

  // step: the engine's 1-based step number, as given.
  add(traj, step, summary) {
    if (!this.paths[traj] || !summary) return;
    this.paths[traj][step - 1] = Array.from(summary);
    this.#schedule();
  }

  setChosen(t) {
    this.chosen = t;
    this.#schedule(true);
  }

  #schedule(now = false) {
    if (this.timer) return;
    const wait = now ? 0 : Math.max(0, this.last + MIN_INTERVAL_MS - performance.now());
    this.timer = setTimeout(() => {
      this.timer = 0;
      this.last = performance.now();
      requestAnimationFrame(() => this.#draw());
    }, wait);
  }

  #draw() {
    const ctx = fitCanvas(this.canvas);
    const w = this.canvas.clientWidth, h = this.canvas.clientHeight;
    ctx.clearRect(0, 0, w, h);
    const pts = this.paths.flatMap((p) => p.filter(Boolean));
    this.canvas.dataset.points = String(pts.length);
    const p = pca2(pts, this.axes);
    if (!p) {
      this.caption.textContent = 'Latent PCA: waiting for steps…';
      return;
    }
    this.axes = p.axes;
    const proj = this.paths.map((path) => path.map((x) => (x ? project(p, x) : null)));
    let umin = Infinity, umax = -Infinity, vmin = Infinity, vmax = -Infinity;
    for (const path of proj) for (const q of path) if (q) {
      umin = Math.min(umin, q[0]); umax = Math.max(umax, q[0]);
      vmin = Math.min(vmin, q[1]); vmax = Math.max(vmax, q[1]);
    }
    // Same scale on both axes so distances in the picture mean distances in latent space.
    const pad = 14, span = Math.max(umax - umin, vmax - vmin, 1e-9);
    const s = Math.min(w, h) - 2 * pad;
    const cx = (umin + umax) / 2, cy = (vmin + vmax) / 2;
    /** @param {number[]} q */
    const xy = ([u, v]) => [w / 2 + ((u - cx) / span) * s, h / 2 - ((v - cy) / span) * s];
    ctx.strokeStyle = 'rgba(43,47,58,0.12)';
    ctx.beginPath(); ctx.moveTo(pad, h / 2); ctx.lineTo(w - pad, h / 2); ctx.moveTo(w / 2, pad); ctx.lineTo(w / 2, h - pad); ctx.stroke();
    const order = [...proj.keys()].sort((a, b) => Number(a === this.chosen) - Number(b === this.chosen)); // chosen on top
    for (const t of order) {
      const path = proj[t].filter(Boolean);
      if (!path.length) continue;
      const color = trajColor(t, this.k);
      ctx.strokeStyle = color;
      ctx.fillStyle = color;
      ctx.globalAlpha = this.chosen < 0 || t === this.chosen ? 1 : 0.55;
      ctx.lineWidth = t === this.chosen ? 2.5 : 1.2;
      ctx.beginPath();
      path.forEach((q, i) => { const [x, y] = xy(q); if (i) ctx.lineTo(x, y); else ctx.moveTo(x, y); });
      ctx.stroke();
      const [x0, y0] = xy(path[0]);
      ctx.beginPath(); ctx.arc(x0, y0, 1.8, 0, 2 * Math.PI); ctx.fill();
      const [x1, y1] = xy(path[path.length - 1]);
      ctx.beginPath(); ctx.arc(x1, y1, t === this.chosen ? 4.5 : 3, 0, 2 * Math.PI); ctx.fill();
    }
    ctx.globalAlpha = 1;
    this.caption.textContent = `Latent PCA of ${pts.length} steps · PC1+PC2 explain ${(p.explained * 100).toFixed(0)}% of variance` +
      (this.chosen >= 0 ? ` · bold = chosen #${this.chosen}` : '');
  }
}
