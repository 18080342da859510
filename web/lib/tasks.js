// UI-side view of the puzzle text formats in docs/design.md: enough to draw, edit and mark conflicts.
// The engine stays the authority on what is a valid puzzle (it throws BadPuzzleError); these helpers never
// reject input the engine would accept, they only decide how to render it.

export const SUDOKU_BOX = { 9: [3, 3], 6: [2, 3] }; // [rows, cols] of one box

export function taskLabel(task, board) {
  if (task === 'sudoku') return `Sudoku ${board}×${board}`;
  if (task === 'maze') return `Maze ${board}×${board}`;
  if (task === 'arc') return 'ARC';
  return String(task);
}

// Text → array of N² single-character cells ('.' for a sudoku blank), or null when it is not a full board.
export function parseCells(task, side, text) {
  if (typeof text !== 'string') return null;
  const n = side * side;
  if (task === 'sudoku') {
    const s = text.replace(/\s+/g, '');
    if (s.length !== n) return null;
    const cells = [];
    for (const ch of s) {
      if (ch === '.' || ch === '0') cells.push('.');
      else if (ch >= '1' && ch <= String(side)) cells.push(ch);
      else return null;
    }
    return cells;
  }
  if (task === 'maze') {
    const t = text.replace(/\r/g, '');
    const flat = t.includes('\n') ? t.split('\n').filter((l) => l.length > 0).join('') : t;
    if (flat.length !== n || /[^# SGo]/.test(flat)) return null;
    return [...flat];
  }
  return null;
}

export function emptyCells(task, side) {
  return new Array(side * side).fill(task === 'maze' ? ' ' : '.');
}

// Indices of cells that break the rules in a (possibly partial) board: repeated digits in a sudoku
// row/column/box or a changed given; for a maze, a changed wall/S/G or a dead end of the path.
export function conflicts(task, side, cells, puzzleCells) {
  const bad = new Set();
  if (!cells) return bad;
  if (task === 'sudoku') {
    const [br, bc] = SUDOKU_BOX[side] || [0, 0];
    const groups = [];
    for (let i = 0; i < side; i++) {
      const row = [], col = [];
      for (let j = 0; j < side; j++) { row.push(i * side + j); col.push(j * side + i); }
      groups.push(row, col);
    }
    if (br) {
      for (let r0 = 0; r0 < side; r0 += br) for (let c0 = 0; c0 < side; c0 += bc) {
        const box = [];
        for (let r = r0; r < r0 + br; r++) for (let c = c0; c < c0 + bc; c++) box.push(r * side + c);
        groups.push(box);
      }
    }
    for (const g of groups) {
      const seen = new Map();
      for (const i of g) {
        const v = cells[i];
        if (v === '.' || v === undefined) continue;
        if (seen.has(v)) { bad.add(i); bad.add(seen.get(v)); } else seen.set(v, i);
      }
    }
    if (puzzleCells) cells.forEach((v, i) => { if (puzzleCells[i] !== '.' && puzzleCells[i] !== v) bad.add(i); });
    return bad;
  }
  if (task === 'maze') {
    // A predicted path may only cover open cells of the puzzle, and S/G/walls must be kept.
    if (puzzleCells) {
      cells.forEach((v, i) => {
        const p = puzzleCells[i];
        if (v === 'o' ? p !== ' ' : v !== p) bad.add(i);
      });
    }
    // A path cell with fewer than two path/S/G neighbours is a dead end: the S→G path is broken there.
    const on = (i) => cells[i] === 'o' || cells[i] === 'S' || cells[i] === 'G';
    cells.forEach((v, i) => {
      if (v !== 'o') return;
      const r = Math.floor(i / side), c = i % side;
      let deg = 0;
      if (r > 0 && on(i - side)) deg++;
      if (r < side - 1 && on(i + side)) deg++;
      if (c > 0 && on(i - 1)) deg++;
      if (c < side - 1 && on(i + 1)) deg++;
      if (deg < 2) bad.add(i);
    });
  }
  return bad;
}

// Side length implied by a puzzle text for a task (used to pick a model that fits a shared link).
export function inferSide(task, text) {
  if (typeof text !== 'string') return null;
  if (task === 'sudoku') {
    const n = text.replace(/\s+/g, '').length;
    return n === 81 ? 9 : n === 36 ? 6 : null;
  }
  if (task === 'maze') {
    const t = text.replace(/\r/g, '');
    const flat = t.includes('\n') ? t.split('\n').filter((l) => l.length).join('') : t;
    const s = Math.round(Math.sqrt(flat.length));
    return s * s === flat.length ? s : null;
  }
  return null;
}

// An engine answer (text in the input format; tokens that are illegal in an answer print as '?') → cells,
// keeping every character so a bad prediction is shown as-is; null when it is not a full board.
export function answerCells(task, side, text) {
  if (typeof text !== 'string') return null;
  const flat = task === 'sudoku' ? text.replace(/\s+/g, '') : text.replace(/\r?\n/g, '');
  return flat.length === side * side ? [...flat] : null;
}
