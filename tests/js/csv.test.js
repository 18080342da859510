// The page's CSV reader (web/app/csv.js) on the cases the engine's reader (cli/csv.cpp) is tested against
// (tests/cases/csv.json, also run by tests/engine/test_csv.cpp): one grammar, the same rows and messages.
import { readFileSync } from 'node:fs';
import { CsvError, parseCsv } from '../../web/app/csv.js';
import { puzzleLines } from '../../web/app/puzzlesets.js';
import { REPO } from './helpers.js';

const { cases } = JSON.parse(readFileSync(`${REPO}tests/cases/csv.json`, 'utf8'));

describe('web/app/csv.js reads CSV like the engine', () => {
  test.each(cases.map((c) => [c.name, c]))('%s', (name, c) => {
    if (c.error) {
      expect(() => parseCsv(c.text)).toThrow(CsvError);
      expect(() => parseCsv(c.text)).toThrow(c.error);
    } else {
      expect(parseCsv(c.text)).toEqual({ header: c.header, rows: c.rows, lines: c.lines });
    }
  });

  test('bundled puzzle lists: the first field of each line, quoted maze rows intact', () => {
    expect(puzzleLines('..3.,sol\r\n\n"# S, G#",x\n 1 \n')).toEqual(['..3.', '# S, G#', ' 1 ']);
    const maze = readFileSync(`${REPO}assets/puzzles/maze8.txt`, 'utf8');
    const lines = puzzleLines(maze);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.length === 64)).toBe(true);
  });
});
