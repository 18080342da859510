#!/usr/bin/python3
"""Build maze train/test CSVs (`source,question,answer,rating`) with the C++ generator (builders/maze_gen.cpp).

Maze-Hard-like (30x30, shortest path > 110 cells; ties broken by the generator's search order, as upstream):
    build_maze.py --side 30 --min-path 110 --train 1000 --test 1000 --out training/data/maze30
Small variant the CPU can train (unique shortest paths, so dihedral augmentation keeps labels correct):
    build_maze.py --side 10 --min-path 16 --unique-path --train 50000 --test 1000 --out training/data/maze10
Train and test use different seeds; a train maze equal to a test maze up to the 8 dihedral maps is dropped.

The official Maze-Hard set (TRM builder's npy layout, tokens 1..5 = "# SGo") as CSVs the trainer and `ptrm eval`
read (rating = cells on the labelled path, S and G included):
    build_maze.py --official ../shared/data/maze-hard/maze-30x30-hard-1k --out training/data/mazehard
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
from ptrm_train.data import MAZE_CHARSET  # noqa: E402


def canonical(question: str, maps) -> str:
    return min("".join(question[i] for i in m) for m in maps)


def generate(args, count: int, seed: int) -> list[list[str]]:
    cmd = [tool("maze_gen"), "--side", str(args.side), "--count", str(count), "--seed", str(seed),
           "--min-path", str(args.min_path), "--unique-path", "1" if args.unique_path else "0"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    sys.stderr.write(out.stderr)
    return [line.split(",") for line in out.stdout.splitlines() if line]


def official_rows(split_dir: str) -> list[list[str]]:
    import numpy as np
    inputs = np.load(os.path.join(split_dir, "all__inputs.npy"))
    labels = np.load(os.path.join(split_dir, "all__labels.npy"))
    if inputs.shape != labels.shape or inputs.ndim != 2 or inputs.min() < 1 or labels.max() > len(MAZE_CHARSET):
        raise SystemExit(f"{split_dir}: not the official maze layout (tokens 1..{len(MAZE_CHARSET)})")
    chars = np.frombuffer(("?" + MAZE_CHARSET).encode(), np.uint8)
    return [["maze-hard", chars[q].tobytes().decode(), chars[a].tobytes().decode(), str(int((a >= 3).sum()))]
            for q, a in zip(inputs, labels)]


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--official", help="convert the official npy layout in this folder (train/ and test/) instead")
    p.add_argument("--side", type=int)
    p.add_argument("--min-path", type=int, help="keep mazes whose shortest path has more cells")
    p.add_argument("--unique-path", action="store_true")
    p.add_argument("--train", type=int, default=1000)
    p.add_argument("--test", type=int, default=1000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    if args.official:
        for split in ("train", "test"):
            write_csv(os.path.join(args.out, f"{split}.csv"), official_rows(os.path.join(args.official, split)))
        return
    if args.side is None or args.min_path is None:
        p.error("--side and --min-path are required (or --official DIR)")
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
