// The big board: an editable, keyboard-accessible grid showing the puzzle and, over it, the chosen answer.
import { SUDOKU_BOX } from '../lib/tasks.js';

const MAZE_KEYS = { '#': '#', ' ': ' ', s: 'S', g: 'G', S: 'S', G: 'G', o: ' ' };
const MAZE_NAMES = { '#': 'wall', ' ': 'open', S: 'start', G: 'goal', o: 'path' };

export class BoardView {
  constructor(root, { onEdit }) {
    this.root = root;
    this.onEdit = onEdit;
    this.task = null;
    this.side = 0;
    this.cells = [];
    this.answer = null;
    this.editable = true;
    this.focus = 0;
    root.setAttribute('role', 'grid');
    root.addEventListener('keydown', (e) => this.#key(e));
    root.addEventListener('click', (e) => {
      const el = e.target.closest('[data-i]');
      if (!el) return;
      this.#moveTo(Number(el.dataset.i));
      if (this.task === 'maze' && this.editable) this.#set(this.focus, this.cells[this.focus] === '#' ? ' ' : '#');
    });
  }

  // clashes: Set of cell indices whose givens conflict with each other (marked while the user types).
  setPuzzle(task, side, cells, clashes = new Set()) {
    const rebuild = task !== this.task || side !== this.side || !this.els;
    this.task = task;
    this.side = side;
    this.cells = cells.slice();
    this.answer = null;
    this.clashes = clashes;
    this.conflicts = clashes;
    if (rebuild) this.#build();
    this.root.classList.remove('skeleton');
    this.root.setAttribute('aria-busy', 'false');
    this.focus = Math.min(this.focus, side * side - 1);
    this.render();
  }

  // answer: cells of the chosen answer (or null to show only the puzzle); conflicts: Set of cell indices.
  showAnswer(answer, conflicts = new Set()) {
    this.answer = answer;
    this.conflicts = answer ? conflicts : this.clashes || new Set();
    this.render();
  }

  setClashes(clashes) {
    this.clashes = clashes;
    if (!this.answer) this.conflicts = clashes;
    this.render();
  }

  // A pale placeholder grid while a model loads or when none is loaded (never an empty black square).
  showSkeleton() {
    this.root.classList.add('skeleton');
    this.root.setAttribute('aria-busy', 'true');
  }

  setEditable(on) {
    this.editable = on;
    this.root.setAttribute('aria-readonly', String(!on));
  }

  #build() {
    const { side, task } = this;
    this.root.replaceChildren();
    this.root.className = `board board-${task}`;
    this.root.style.setProperty('--side', side);
    this.root.setAttribute('aria-rowcount', side);
    this.root.setAttribute('aria-colcount', side);
    const [br, bc] = SUDOKU_BOX[side] || [0, 0];
    this.els = [];
    for (let r = 0; r < side; r++) {
      const row = document.createElement('div');
      row.setAttribute('role', 'row');
      row.className = 'board-row';
      for (let c = 0; c < side; c++) {
        const el = document.createElement('div');
        el.setAttribute('role', 'gridcell');
        el.dataset.i = String(r * side + c);
        el.tabIndex = -1;
        if (task === 'sudoku') {
          if (c % bc === bc - 1 && c !== side - 1) el.classList.add('box-r');
          if (r % br === br - 1 && r !== side - 1) el.classList.add('box-b');
        }
        row.append(el);
        this.els.push(el);
      }
      this.root.append(row);
    }
  }

  render() {
    const { task, cells, answer, conflicts, side } = this;
    this.els.forEach((el, i) => {
      const given = cells[i];
      const shown = answer ? answer[i] : given;
      const r = Math.floor(i / side) + 1, c = (i % side) + 1;
      el.tabIndex = i === this.focus ? 0 : -1;
      el.classList.toggle('conflict', conflicts.has(i));
      if (task === 'sudoku') {
        const isGiven = given !== '.';
        el.textContent = shown === '.' ? '' : shown;
        el.classList.toggle('given', isGiven);
        el.classList.toggle('predicted', !isGiven && shown !== '.');
        el.setAttribute('aria-label', `row ${r} column ${c}: ${shown === '.' ? 'blank' : shown}${isGiven ? ' (given)' : ''}${conflicts.has(i) ? ', conflicts' : ''}`);
      } else {
        el.dataset.v = shown === ' ' ? '_' : shown;
        el.setAttribute('aria-label', `row ${r} column ${c}: ${MAZE_NAMES[shown] || shown}`);
      }
    });
  }

  #moveTo(i) {
    this.focus = Math.max(0, Math.min(this.side * this.side - 1, i));
    this.els.forEach((el, j) => { el.tabIndex = j === this.focus ? 0 : -1; });
    this.els[this.focus].focus();
  }

  #set(i, v) {
    if (this.cells[i] === v) return;
    this.cells[i] = v;
    this.answer = null;
    this.render();
    this.onEdit(this.cells.slice());
  }

  #key(e) {
    const { side } = this;
    const moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -side, ArrowDown: side };
    if (e.key in moves) {
      e.preventDefault();
      this.#moveTo(this.focus + moves[e.key]);
      return;
    }
    if (!this.editable || e.ctrlKey || e.metaKey || e.altKey) return;
    let v = null;
    if (this.task === 'sudoku') {
      if (e.key >= '1' && e.key <= String(side)) v = e.key;
      else if (['0', '.', 'Backspace', 'Delete', ' '].includes(e.key)) v = '.';
    } else if (this.task === 'maze') {
      if (e.key in MAZE_KEYS) v = MAZE_KEYS[e.key];
      else if (e.key === 'Backspace' || e.key === 'Delete') v = ' ';
    }
    if (v === null) return;
    e.preventDefault();
    this.#set(this.focus, v);
  }
}
