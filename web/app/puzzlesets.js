// Bundled puzzle sets, assets/puzzles/<task><board>.txt (sudoku9.txt, sudoku6.txt, maze30.txt): one puzzle per
// line in the one-line text format; anything after the first CSV field (e.g. a solution) is ignored, as are
// blank lines. (No comment syntax: a maze line legitimately starts with '#'.)
import { csvRecords } from './csv.js';

const cache = new Map();

export function setUrl(task, board) {
  return new URL(`assets/puzzles/${task}${board}.txt`, document.baseURI).toString();
}

export async function puzzleSet(task, board) {
  const url = setUrl(task, board);
  if (!cache.has(url)) {
    cache.set(url, fetch(url, { cache: 'no-cache' }).then(async (r) => {
      if (!r.ok) throw new Error(`no bundled ${task} ${board}×${board} puzzles (${new URL(url).pathname}: HTTP ${r.status})`);
      return puzzleLines(await r.text());
    }));
  }
  try {
    return await cache.get(url);
  } catch (e) {
    cache.delete(url);
    throw e;
  }
}

// The first field of every non-blank line, read as CSV (cli/csv.cpp's rules: a quoted field may hold commas).
export function puzzleLines(text) {
  return csvRecords(text).map((r) => r.fields[0]).filter((p) => p.trim());
}
