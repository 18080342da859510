#!/usr/bin/python3
"""Build maze train/test CSVs (`source,question,answer,rating`) with the C++ generator (builders/maze_gen.cpp).

Maze-Hard-like (30x30, shortest path > 110 cells; ties broken by the generator's search order, as upstream):
    build_maze.py --side 30 --min-path 110 --train 1000 --test 1000 --out training/data/maze30
Small variant the CPU can train (unique shortest paths, so dihedral augmentation keeps labels correct):
    build_maze.py --side 10 --min-path 16 --unique-path --train 50000 --test 1000 --out training/data/maze10
Train and test use different seeds; a train maze equal to a test maze up to the 8 dihedral maps is dropped.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from build_sudoku import tool, write_csv  # noqa: E402
from ptrm_train.augment import dihedral_maps  # noqa: E402


def canonical(question: str, maps) -> str:
    return min("".join(question[i] for i in m) for m in maps)


def generate(args, count: int, seed: int) -> list[list[str]]:
    cmd = [tool("maze_gen"), "--side", str(args.side), "--count", str(count), "--seed", str(seed),
           "--min-path", str(args.min_path), "--unique-path", "1" if args.unique_path else "0"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    sys.stderr.write(out.stderr)
    return [line.split(",") for line in out.stdout.splitlines() if line]


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--side", type=int, required=True)
    p.add_argument("--min-path", type=int, required=True, help="keep mazes whose shortest path has more cells")
    p.add_argument("--unique-path", action="store_true")
    p.add_argument("--train", type=int, default=1000)
    p.add_argument("--test", type=int, default=1000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    if not 4 <= args.side <= 64 or min(args.train, args.test) <= 0:
        p.error("need 4 <= --side <= 64 and positive --train/--test")
    maps = dihedral_maps(args.side)
    test = generate(args, args.test, 2 * args.seed + 1)
    keys = set()
    kept_test = []
    for row in test:
        k = canonical(row[1], maps)
        if k not in keys:
            keys.add(k)
            kept_test.append(row)
    train = []
    for row in generate(args, args.train, 2 * args.seed + 2):
        k = canonical(row[1], maps)
        if k not in keys:
            keys.add(k)
            train.append(row)
    write_csv(os.path.join(args.out, "test.csv"), kept_test)
    write_csv(os.path.join(args.out, "train.csv"), train)


if __name__ == "__main__":
    main()
