#!/usr/bin/python3
"""Build maze train/test CSVs (`source,question,answer,rating`) with the C++ generator (builders/maze_gen.cpp).

Maze-Hard-like (30x30, shortest path > 110 cells; ties broken by the generator's search order, as upstream):
    build_maze.py --side 30 --min-path 110 --train 1000 --test 1000 --out training/data/maze30
Small variant the CPU can train (unique shortest paths, so dihedral augmentation keeps labels correct):
    build_maze.py --side 10 --min-path 16 --unique-path --train 50000 --test 1000 --out training/data/maze10
Train and test use different seeds; a train maze equal to a test maze up to the 8 dihedral maps is dropped.

Size curriculum on one board: a share of the train set are smaller mazes (side --smaller..side-1) drawn at a random
offset on a board of walls of the full side, so every maze has the same row stride (the model's positions are 1-D
RoPE: "the cell above" is always `side` tokens back) and the skills learnt on small mazes carry to big ones. The
test set stays full-size mazes only:
    build_maze.py --side 15 --min-path 24 --unique-path --smaller 6 --smaller-frac 0.5 --train 60000 --test 1000 \
        --smaller-test 200 --out training/data/maze15mix
(--smaller-test N adds held-out smaller mazes, N per side, in test_smaller/maze<side>.csv.)

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


def generate(args, count: int, seed: int, side: int | None = None, min_path: int | None = None) -> list[list[str]]:
    side = side or args.side
    cmd = [tool("maze_gen"), "--side", str(side), "--count", str(count), "--seed", str(seed),
           "--min-path", str(args.min_path if min_path is None else min_path),
           "--unique-path", "1" if args.unique_path else "0", "--source", f"maze{side}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    sys.stderr.write(out.stderr)
    return [line.split(",") for line in out.stdout.splitlines() if line]


def pad(row: list[str], side: int, board: int, r0: int, c0: int) -> list[str]:
    """A side x side maze row drawn at (r0, c0) on a board x board grid of walls."""
    out = list(row)
    for k in (1, 2):
        grid = ["#"] * (board * board)
        for r in range(side):
            grid[(r0 + r) * board + c0:(r0 + r) * board + c0 + side] = row[k][r * side:(r + 1) * side]
        out[k] = "".join(grid)
    return out


def smaller_rows(args, count: int, seed: int) -> list[tuple[list[str], tuple]]:
    """`count` mazes of sides args.smaller..args.side-1 (equal shares), min path scaled with the side, each at a
    random offset on a full-size board of walls; with each, the key of the unpadded maze (side, canonical form), so
    the same small maze at another offset is recognised."""
    import numpy as np
    sides = list(range(args.smaller, args.side))
    rng = np.random.default_rng(seed)
    rows = []
    for i, s in enumerate(sides):
        n = count // len(sides) + (i < count % len(sides))
        maps = dihedral_maps(s)
        for row in generate(args, n, seed * 100 + s, side=s, min_path=round(args.min_path * s / args.side)):
            r0, c0 = rng.integers(0, args.side - s + 1, size=2)
            rows.append((pad(row, s, args.side, int(r0), int(c0)), (s, canonical(row[1], maps))))
    return rows


def held_out_smaller(args, train_keys: set, per_side: int, seed: int) -> dict[int, list[list[str]]]:
    """Up to `per_side` padded mazes of each smaller side drawn with `seed`, keeping none whose unpadded maze (at
    any offset, under any of the 8 symmetries) is in `train_keys` or already kept."""
    seen = set(train_keys)
    by_side: dict[int, list[list[str]]] = {}
    for row, key in smaller_rows(args, per_side * (args.side - args.smaller), seed):
        if key not in seen:
            seen.add(key)
            by_side.setdefault(key[0], []).append(row)
    return by_side


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
    p.add_argument("--smaller", type=int, help="also train on mazes of side SMALLER..side-1, padded with walls")
    p.add_argument("--smaller-frac", type=float, default=0.5, help="share of the train set that is smaller mazes")
    p.add_argument("--smaller-test", type=int, default=0,
                   help="also write test_smaller/maze<side>.csv: this many held-out mazes per smaller side, none of "
                        "them a train maze at any offset or symmetry (to follow learning by size)")
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
    if args.smaller is not None and not (4 <= args.smaller < args.side and 0 < args.smaller_frac < 1):
        p.error("need 4 <= --smaller < --side and 0 < --smaller-frac < 1")
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
    n_small = round(args.train * args.smaller_frac) if args.smaller is not None else 0
    small = smaller_rows(args, n_small, 2 * args.seed + 3) if n_small else []
    for row in generate(args, args.train - n_small, 2 * args.seed + 2) + [row for row, _ in small]:
        k = canonical(row[1], maps)
        if k not in keys:
            keys.add(k)
            train.append(row)
    write_csv(os.path.join(args.out, "test.csv"), kept_test)
    write_csv(os.path.join(args.out, "train.csv"), train)
    if args.smaller is not None and args.smaller_test > 0:
        held = held_out_smaller(args, {key for _, key in small}, args.smaller_test, 2 * args.seed + 4)
        for s, rows in sorted(held.items()):
            write_csv(os.path.join(args.out, "test_smaller", f"maze{s}.csv"), rows)


if __name__ == "__main__":
    main()
