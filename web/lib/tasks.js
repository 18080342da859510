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

// Cells of the shortest S→G path (S and G included) over the open cells of a maze, or -1 when there is none
// (or not exactly one S and one G). The unit the maze model cards use for their trained range.
export function shortestPathCells(side, cells) {
  const s = cells.indexOf('S'), g = cells.indexOf('G');
  if (s < 0 || g < 0) return -1;
  const dist = new Array(side * side).fill(-1);
  dist[s] = 0;
  const queue = [s];
  for (let h = 0; h < queue.length; h++) {
    const c = queue[h], r = Math.floor(c / side), col = c % side;
    for (const [rr, cc] of [[r - 1, col], [r + 1, col], [r, col - 1], [r, col + 1]]) {
      const nb = rr * side + cc;
      if (rr >= 0 && rr < side && cc >= 0 && cc < side && dist[nb] < 0 && cells[nb] !== '#') {
        dist[nb] = dist[c] + 1;
        queue.push(nb);
      }
    }
  }
  return dist[g] < 0 ? -1 : dist[g] + 1;
}

// What the page can say about a puzzle while it is typed: how many cells are there, which givens conflict, how
// many givens (Sudoku) or path cells (maze) it has. Never a verdict on validity: the engine has the last word.
// → {cells (null unless a full board), entered, need, conflicts: Set, givens, pathCells, problems: [text]}
export function describePuzzle(task, side, text) {
  const need = side * side;
  const out = { cells: null, entered: 0, need, conflicts: new Set(), givens: 0, pathCells: -1, problems: [] };
  if (task !== 'sudoku' && task !== 'maze') return out;
  const flat = task === 'sudoku' ? text.replace(/\s+/g, '') : text.replace(/\r/g, '').split('\n').filter((l) => l.length).join('');
  out.entered = flat.length;
  const bad = task === 'sudoku' ? new RegExp(`[^.0-${side}]`) : /[^# SGo]/;
  const m = bad.exec(flat);
  if (m) {
    out.problems.push(`'${m[0]}' at cell ${m.index + 1} is not allowed (${task === 'sudoku' ? `digits 1–${side}, . or 0 for a blank` : '# wall, space, S, G'})`);
  }
  if (flat.length !== need) {
    if (flat.length) out.problems.push(`${flat.length} of ${need} cells: a ${side}×${side} ${task === 'sudoku' ? 'Sudoku' : 'maze'} needs ${need}`);
    return out;
  }
  if (m) return out;
  out.cells = parseCells(task, side, text);
  if (!out.cells) return out;
  if (task === 'sudoku') {
    out.givens = out.cells.filter((c) => c !== '.').length;
    out.conflicts = conflicts(task, side, out.cells, null);
    if (out.conflicts.size) out.problems.push(`${out.conflicts.size} givens clash (same digit twice in a row, column or box): the puzzle has no solution as typed`);
  } else {
    const s = out.cells.filter((c) => c === 'S').length, g = out.cells.filter((c) => c === 'G').length;
    if (s !== 1 || g !== 1) out.problems.push(`a maze needs exactly one S and one G (has ${s} S, ${g} G)`);
    else {
      out.pathCells = shortestPathCells(side, out.cells);
      if (out.pathCells < 0) out.problems.push('no open path from S to G');
    }
  }
  return out;
}
