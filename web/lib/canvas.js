// Canvas helpers: DPR-correct sizing and drawing a board (trajectory cards, the embeddable element).
import { conflicts, SUDOKU_BOX } from './tasks.js';

// Canvas backing store sized to its CSS box × devicePixelRatio; returns a context in CSS pixels.
export function fitCanvas(canvas) {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(canvas.clientWidth * dpr)), h = Math.max(1, Math.round(canvas.clientHeight * dpr));
  if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}

// The app's colours (styles.css --ink, --start, --goal, --path); S and G also carry their letter, so start and
// goal never differ by colour alone.
const MAZE_FILL = { '#': '#2b2f3a', ' ': '#f4f1ea', S: '#1b6e3d', G: '#b3261e', o: '#e0a100' };

// A whole board in a square canvas: `cells` (the answer so far, or null to show just the puzzle) over
// `puzzleCells`, with rule conflicts shaded. Used by the trajectory cards and the <ptrm-solver> element.
export function drawBoard(canvas, task, side, cells, puzzleCells) {
  const ctx = fitCanvas(canvas);
  const w = canvas.clientWidth, cell = w / side;
  ctx.clearRect(0, 0, w, w);
  const shown = cells || puzzleCells;
  if (!shown) return;
  if (task === 'maze') {
    shown.forEach((v, i) => {
      ctx.fillStyle = MAZE_FILL[v] || '#888';
      ctx.fillRect((i % side) * cell, Math.floor(i / side) * cell, Math.ceil(cell), Math.ceil(cell));
    });
    ctx.font = `700 ${Math.max(6, cell * 0.75)}px system-ui, sans-serif`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillStyle = '#fff';
    shown.forEach((v, i) => {
      if (v === 'S' || v === 'G') ctx.fillText(v, (i % side + 0.5) * cell, (Math.floor(i / side) + 0.5) * cell + 0.5);
    });
    return;
  }
  const bad = cells ? conflicts(task, side, cells, puzzleCells) : new Set();
  ctx.font = `${Math.max(6, cell * 0.7)}px system-ui, sans-serif`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  shown.forEach((v, i) => {
    const x = (i % side) * cell, y = Math.floor(i / side) * cell;
    const given = puzzleCells && puzzleCells[i] !== '.';
    ctx.fillStyle = bad.has(i) ? '#f6c9c4' : given ? '#e9e5dc' : '#fffdf8';
    ctx.fillRect(x, y, cell, cell);
    if (v !== '.') {
      ctx.fillStyle = bad.has(i) ? '#c0392b' : given ? '#2b2f3a' : '#1f5fbf';
      ctx.fillText(v, x + cell / 2, y + cell / 2 + 0.5);
    }
  });
  ctx.strokeStyle = '#2b2f3a';
  ctx.lineWidth = 1;
  const box = SUDOKU_BOX[side] || [side, side];
  for (let i = 0; i <= side; i++) {
    ctx.globalAlpha = i % box[0] === 0 ? 0.9 : 0.15;
    ctx.beginPath(); ctx.moveTo(0, i * cell); ctx.lineTo(w, i * cell); ctx.stroke();
    ctx.globalAlpha = i % box[1] === 0 ? 0.9 : 0.15;
    ctx.beginPath(); ctx.moveTo(i * cell, 0); ctx.lineTo(i * cell, w); ctx.stroke();
  }
  ctx.globalAlpha = 1;
}
