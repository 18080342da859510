// Bundled puzzle sets, assets/puzzles/<task><board>.txt (sudoku9.txt, sudoku6.txt, maze30.txt): one puzzle per
// line in the one-line text format; anything after a comma on the line (e.g. a solution) is ignored, as are
// blank lines. (No comment syntax: a maze line legitimately starts with '#'.)
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

export function puzzleLines(text) {
  return text.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.trim()).map((l) => l.split(',')[0]);
}
