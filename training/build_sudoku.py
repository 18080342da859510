#!/usr/bin/python3
"""Build Sudoku train/test CSVs (`source,question,answer,rating`, question with '.') with the C++ generator.

Generated sets (side 6 with 2x3 boxes, or side 9):
    build_sudoku.py gen --side 6 --out training/data/sudoku6 --train 100000 --test 1000 --givens 9-20
Train and test come from different seeds; a train puzzle equivalent to a test puzzle (same canonical key, i.e. equal
up to band/row/stack/column permutations and digit relabelling) is dropped, as are duplicates inside a split.

Sudoku-Extreme-like set from the tdoku source collections in ../shared/data/sudoku-sources:
    build_sudoku.py extreme --out training/data/sudoku9x --test-fraction 0.1
Each puzzle is solved and rated (backtracks of the MRV solver in builders/sudoku_solver.h), then split 90/10 at
random; train puzzles equivalent (digit relabelling) to a test puzzle are dropped. Canonical keys for side 9 only
cover digit relabelling (the full group is too large to enumerate per puzzle); the builders' `rate` output is
deterministic, the split uses --seed.
"""
from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BUILDERS = os.path.join(HERE, "builders")
SUDOKU_SOURCES = os.path.join(HERE, "..", "..", "shared", "data", "sudoku-sources")  # ../shared from the repo
EXTREME_FILES = ("puzzles2_17_clue.csv", "puzzles3_magictour_top1465.csv", "puzzles5_forum_hardest_1905_11+.csv")
SHORT_NAMES = {"puzzles2_17_clue.csv": "17clue", "puzzles3_magictour_top1465.csv": "magictour",
               "puzzles5_forum_hardest_1905_11+.csv": "forum"}
HEADER = "source,question,answer,rating\n"


def tool(name: str) -> str:
    """Path of a builder binary, (re)built with make when missing or stale."""
    subprocess.run(["make", "-s", "-C", BUILDERS, f"bin/{name}"], check=True)
    return os.path.join(BUILDERS, "bin", name)


def parse_range(text: str) -> tuple[int, int]:
    lo, _, hi = text.partition("-")
    try:
        a, b = int(lo), int(hi or lo)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected A-B, got {text!r}") from None
    if a > b:
        raise argparse.ArgumentTypeError(f"empty range {text!r}")
    return a, b


def run_rows(cmd: list[str], stdin: str | None = None) -> list[list[str]]:
    """Rows `source,question,answer,rating,key` printed by sudoku_gen."""
    out = subprocess.run(cmd, input=stdin, capture_output=True, text=True, check=True)
    sys.stderr.write(out.stderr)
    return [line.split(",") for line in out.stdout.splitlines() if line]


def dedup(rows: list[list[str]], banned: set[str]) -> list[list[str]]:
    seen = set(banned)
    kept = []
    for row in rows:
        if row[4] in seen:
            continue
        seen.add(row[4])
        kept.append(row)
    return kept


def write_csv(path: str, rows: list[list[str]]) -> None:
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(HEADER)
        for row in rows:
            f.write(",".join(row[:4]) + "\n")
    os.replace(tmp, path)
    print(f"wrote {len(rows)} puzzles to {path}")


def build_generated(args) -> None:
    gen = tool("sudoku_gen")
    lo, hi = args.givens
    test_lo, test_hi = args.test_givens or args.givens

    def generate(count: int, seed: int, a: int, b: int) -> list[list[str]]:
        return run_rows([gen, "gen", "--side", str(args.side), "--count", str(count), "--seed", str(seed),
                         "--min-givens", str(a), "--max-givens", str(b)])

    # Seeds differ between the splits; the test seed is derived so that re-running with another --seed changes both.
    test = dedup(generate(args.test, 2 * args.seed + 1, test_lo, test_hi), set())
    train = dedup(generate(args.train, 2 * args.seed + 2, lo, hi), {r[4] for r in test})
    write_csv(os.path.join(args.out, "test.csv"), test)
    write_csv(os.path.join(args.out, "train.csv"), train)


def build_extreme(args) -> None:
    gen = tool("sudoku_gen")
    rows: list[list[str]] = []
    for name in EXTREME_FILES:
        with open(os.path.join(args.sources, name)) as f:
            rows += run_rows([gen, "rate", "--side", "9"], f.read())
    rows = dedup(rows, set())
    rng = random.Random(args.seed)
    rng.shuffle(rows)
    n_test = int(round(len(rows) * args.test_fraction))
    test, train = rows[:n_test], rows[n_test:]
    train = dedup(train, {r[4] for r in test})
    write_csv(os.path.join(args.out, "test.csv"), test)
    write_csv(os.path.join(args.out, "train.csv"), train)


def relabel_key(question: str) -> str:
    """sudoku_solver.h's canonical_key for side 9: digits renamed 1, 2, ... in order of first appearance."""
    names: dict[str, str] = {}
    return "".join(ch if ch in ".0" else names.setdefault(ch, str(len(names) + 1)) for ch in question)


def build_mix(args) -> None:
    """Generated puzzles over a givens range plus the rated tdoku collections, each with its own held-out split.

    train.csv: generated train rows + (1 - test_fraction) of every collection, shuffled.
    test.csv: generated held-out puzzles of ordinary difficulty (--test-givens, another seed).
    test_<collection>.csv: each collection's held-out rows (never in train, nor any digit relabelling of them).
    """
    gen = tool("sudoku_gen")
    lo, hi = args.givens
    tlo, thi = args.test_givens
    rows = lambda count, seed, a, b: run_rows([gen, "gen", "--side", "9", "--count", str(count), "--seed",  # noqa
                                              str(seed), "--min-givens", str(a), "--max-givens", str(b)])
    test = dedup(rows(args.test, 2 * args.seed + 1, tlo, thi), set())
    banned = {r[4] for r in test}
    rng = random.Random(args.seed)
    train: list[list[str]] = []
    for name in EXTREME_FILES:
        # The collections ship verified unique solutions (../shared/data/sudoku-sources/SOURCE.md); only the
        # held-out rows are re-solved and rated here (the rater needs ~20 ms per 17-clue puzzle).
        with open(os.path.join(args.sources, name)) as f:
            lines = f.read().splitlines()[1:]
        rng.shuffle(lines)
        n_test = int(round(len(lines) * args.test_fraction))
        held = dedup(run_rows([gen, "rate", "--side", "9"], HEADER + "\n".join(lines[:n_test]) + "\n"), banned)
        banned |= {r[4] for r in held}
        coll = [r.split(",")[:3] for r in lines[n_test:]]
        coll = [[src, q, a, "-1", relabel_key(q)] for src, q, a in coll]
        write_csv(os.path.join(args.out, f"test_{SHORT_NAMES[name]}.csv"), held)
        train += coll
    train += rows(args.train, 2 * args.seed + 2, lo, hi)
    train = dedup(train, banned)
    rng.shuffle(train)
    write_csv(os.path.join(args.out, "test.csv"), test)
    write_csv(os.path.join(args.out, "train.csv"), train)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="mode", required=True)
    g = sub.add_parser("gen", help="generated puzzles")
    g.add_argument("--side", type=int, choices=(6, 9), required=True)
    g.add_argument("--out", required=True)
    g.add_argument("--train", type=int, default=100000)
    g.add_argument("--test", type=int, default=1000)
    g.add_argument("--givens", type=parse_range, required=True, help="train givens range A-B")
    g.add_argument("--test-givens", type=parse_range, help="test givens range (default: --givens)")
    g.add_argument("--seed", type=int, default=0)
    e = sub.add_parser("extreme", help="rated tdoku source collections")
    e.add_argument("--out", required=True)
    e.add_argument("--sources", default=SUDOKU_SOURCES)
    e.add_argument("--test-fraction", type=float, default=0.1)
    e.add_argument("--seed", type=int, default=0)
    m = sub.add_parser("mix", help="generated puzzles + the tdoku collections, each with a held-out split")
    m.add_argument("--out", required=True)
    m.add_argument("--train", type=int, default=200000, help="generated train puzzles")
    m.add_argument("--test", type=int, default=1000, help="generated held-out puzzles")
    m.add_argument("--givens", type=parse_range, default=(22, 40), help="generated train givens range")
    m.add_argument("--test-givens", type=parse_range, default=(22, 35), help="generated held-out givens range")
    m.add_argument("--sources", default=SUDOKU_SOURCES)
    m.add_argument("--test-fraction", type=float, default=0.1, help="held-out share of each collection")
    m.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    if args.mode == "mix":
        if min(args.train, args.test) <= 0 or not 0 < args.test_fraction < 1:
            p.error("--train/--test must be positive and --test-fraction in (0, 1)")
        build_mix(args)
    elif args.mode == "gen":
        if min(args.train, args.test) <= 0:
            p.error("--train and --test must be positive")
        build_generated(args)
    else:
        if not 0 < args.test_fraction < 1:
            p.error("--test-fraction must be in (0, 1)")
        build_extreme(args)


if __name__ == "__main__":
    main()
