#!/bin/bash
# The one home of every training-data recipe. `bash training/data.sh NAME ...` builds training/data/NAME from its
# recipe below unless it is already there; `--list` prints the names. Run folders' cmd.sh call this, so a fresh
# clone rebuilds exactly the data a run was trained on. Each set is built in training/data/NAME.partial and renamed
# when its recipe has finished, so an interrupted build is redone instead of being taken for a complete set.
# The builders are seeded (--seed 0 by default): the same recipe gives the same files on every machine.
# env: PY (default /usr/bin/python3, Debian's, which the trainer also uses).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-/usr/bin/python3}
NAMES="sudoku6 sudoku9 sudoku9g sudoku9x sudoku9m sudoku9h maze8 maze10 maze15 maze15mix maze15mix75 maze30 mazehard arc1 arc2"

# recipe NAME OUT: write the set NAME into the folder OUT.
recipe() {
  local name=$1 out=$2
  case $name in
    # 6x6: 150k train with 9-22 givens, 1,000 held out with 9-20 (what assets/models/sudoku6 was trained on)
    sudoku6) "$PY" training/build_sudoku.py gen --side 6 --out "$out" --train 150000 --test 1000 --givens 9-22 --test-givens 9-20 ;;
    # 9x9 generated: 60k train with 22-45 givens (curriculum material), 1,000 held out with 22-30
    sudoku9) "$PY" training/build_sudoku.py gen --side 9 --out "$out" --train 60000 --test 1000 --givens 22-45 --test-givens 22-30 ;;
    # 9x9 generated only, the generated half of sudoku9m's recipe: what training/gpu_recipe.sh builds where
    # ../shared (the tdoku collections) is not there
    sudoku9g) "$PY" training/build_sudoku.py gen --side 9 --out "$out" --train 200000 --test 1000 --givens 22-40 --test-givens 22-35 ;;
    # Sudoku-Extreme-like: the tdoku collections in ../shared/data/sudoku-sources, rated, 90/10 split
    sudoku9x) "$PY" training/build_sudoku.py extreme --out "$out" ;;
    # the main 9x9 set: 200k generated (22-40 givens) + 90 % of each tdoku collection; held out: test.csv (1,000
    # generated, 22-35 givens) and test_{17clue,forum,magictour}.csv (each collection's other 10 %)
    sudoku9m) "$PY" training/build_sudoku.py mix --out "$out" --train 200000 --test 1000 ;;
    # the hard-collection push: every collection row of sudoku9m's train set + every 4th generated row (its held-out
    # sets are sudoku9m's, so it holds no test file of its own)
    sudoku9h)
      build sudoku9m
      awk -F, 'NR == 1 || $1 != "gen9" || ++n % 4 == 0' training/data/sudoku9m/train.csv > "$out/train.csv" ;;
    # unique-path mazes, 30-50 % walls, shortest path longer than --min-path cells
    maze8) "$PY" training/build_maze.py --side 8 --min-path 11 --unique-path --train 60000 --test 1000 --out "$out" ;;
    maze10) "$PY" training/build_maze.py --side 10 --min-path 16 --unique-path --train 60000 --test 1000 --out "$out" ;;
    maze15) "$PY" training/build_maze.py --side 15 --min-path 24 --unique-path --train 60000 --test 1000 --out "$out" ;;
    # 15x15 with a size curriculum on one board: half the train rows are mazes of side 6-14 padded with walls;
    # test.csv is full-size only (the same 1,000 as maze15's), test_smaller/maze<side>.csv 200 per smaller side
    maze15mix) "$PY" training/build_maze.py --side 15 --min-path 24 --unique-path --smaller 6 --smaller-frac 0.5 \
      --train 60000 --test 1000 --smaller-test 200 --out "$out" ;;
    # 15x15-heavier subset of maze15mix's train set: every full-size maze + every 3rd smaller one (75 % full size);
    # held-out sets are maze15mix's
    maze15mix75)
      build maze15mix
      awk -F, 'NR == 1 || $1 == "maze15" || ++n % 3 == 0' training/data/maze15mix/train.csv > "$out/train.csv" ;;
    # Maze-Hard-like 30x30 from our generator (path > 110 cells, ties broken by search order as upstream)
    maze30) "$PY" training/build_maze.py --side 30 --min-path 110 --train 1000 --test 1000 --out "$out" ;;
    # the official Maze-Hard train/test (TRM npy layout) as CSVs
    mazehard) "$PY" training/build_maze.py --official ../shared/data/maze-hard/maze-30x30-hard-1k --out "$out" ;;
    # ARC-AGI in the official TRM layout (build_arc.py presets)
    arc1) "$PY" training/build_arc.py --preset arc1 --out "$out" ;;
    arc2) "$PY" training/build_arc.py --preset arc2 --out "$out" ;;
  esac
}

build() {
  local name=$1 dir=training/data/$1
  case " $NAMES " in *" $name "*) ;; *) echo "training/data.sh: unknown data set '$name' (known: $NAMES)" >&2; exit 2 ;; esac
  [ -d "$dir" ] && return 0
  rm -rf "$dir.partial" && mkdir -p "$dir.partial"
  echo "training/data.sh: building $dir"
  recipe "$name" "$dir.partial"
  mv "$dir.partial" "$dir"
}

[ $# -gt 0 ] || { echo "usage: bash training/data.sh NAME ... | --list" >&2; exit 2; }
if [ "$1" = --list ]; then echo "$NAMES" | tr ' ' '\n'; exit 0; fi
# One builder at a time: two runs resumed together (or a resume beside the CI) would otherwise share NAME.partial,
# and the first to finish would rename the other's half-written files into place. The second waits, then finds the set.
mkdir -p training/data
exec 9> training/data/.lock
flock 9
for name in "$@"; do build "$name"; done
