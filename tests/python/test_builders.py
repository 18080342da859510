"""Data builders: generated Sudoku/maze puzzles are valid, unique where promised, rated, split without leaks, and
the on-the-fly augmentations keep puzzles valid and equivalent."""
import os
import subprocess
import sys
from collections import deque

import numpy as np
import pytest

from conftest import REPO, TRAINING

sys.path.insert(0, TRAINING)
from build_sudoku import tool  # noqa: E402
from ptrm_train.augment import augment_maze, augment_sudoku, dihedral_maps  # noqa: E402
from ptrm_train.data import DataError, load_csv  # noqa: E402

BOX = {6: (2, 3), 9: (3, 3)}


def sudoku_rows(*args, stdin=None):
    out = subprocess.run([tool("sudoku_gen"), *args], input=stdin, capture_output=True, text=True, check=True)
    return [line.split(",") for line in out.stdout.splitlines()]


def valid_solution(answer: str, side: int) -> bool:
    g = np.array([int(c) for c in answer]).reshape(side, side)
    br, bc = BOX[side]
    want = set(range(1, side + 1))
    units = [g[r] for r in range(side)] + [g[:, c] for c in range(side)]
    units += [g[r:r + br, c:c + bc].ravel() for r in range(0, side, br) for c in range(0, side, bc)]
    return all(set(u.tolist()) == want for u in units)


@pytest.mark.parametrize("side,lo,hi", [(6, 9, 14), (9, 24, 30)])
def test_generated_sudoku_valid_unique_in_range(side, lo, hi):
    rows = sudoku_rows("gen", "--side", str(side), "--count", "40", "--seed", "3", "--min-givens", str(lo),
                       "--max-givens", str(hi))
    assert len(rows) == 40
    for source, q, a, rating, key in rows:
        assert source == f"gen{side}" and len(q) == len(a) == side * side
        assert valid_solution(a, side)
        assert all(qc in (".", ac) for qc, ac in zip(q, a))
        assert lo <= sum(c != "." for c in q) <= hi
        assert int(rating) >= 0 and len(key) == side * side
    # the rater independently confirms uniqueness and the same answer
    rated = sudoku_rows("rate", "--side", str(side),
                        stdin="source,question,answer,rating\n" + "".join(f"x,{r[1]},,\n" for r in rows))
    assert [r[2] for r in rated] == [r[2] for r in rows]


def test_rate_drops_ambiguous_and_malformed():
    solved = sudoku_rows("gen", "--side", "6", "--count", "1", "--seed", "1", "--min-givens", "12",
                         "--max-givens", "12")[0]
    empty = "." * 36
    stdin = f"source,question,answer,rating\nok,{solved[1]},,\nmany,{empty},,\nbad,{'x' * 36},,\nshort,123,,\n"
    out = subprocess.run([tool("sudoku_gen"), "rate", "--side", "6"], input=stdin, capture_output=True, text=True,
                         check=True)
    assert [line.split(",")[0] for line in out.stdout.splitlines()] == ["ok"]
    assert "dropped 3" in out.stderr


def test_sudoku_gen_rejects_bad_options():
    r = subprocess.run([tool("sudoku_gen"), "gen", "--side", "7", "--count", "1", "--min-givens", "1",
                        "--max-givens", "2"], capture_output=True, text=True)
    assert r.returncode == 2 and "side" in r.stderr


@pytest.mark.parametrize("side", [6, 9])
def test_augmentation_keeps_validity_and_canonical_key(side):
    lo, hi = (10, 14) if side == 6 else (26, 30)
    rows = sudoku_rows("gen", "--side", str(side), "--count", "20", "--seed", "5", "--min-givens", str(lo),
                       "--max-givens", str(hi))
    tok = lambda s: np.array([1 if c == "." else int(c) + 1 for c in s])  # noqa: E731
    inputs = np.stack([tok(r[1]) for r in rows])
    labels = np.stack([tok(r[2]) for r in rows])
    aug_in, aug_lab = augment_sudoku(np.random.default_rng(0), side, inputs, labels)
    assert not np.array_equal(aug_in, inputs)
    text = lambda t: "".join("." if v == 1 else str(v - 1) for v in t)  # noqa: E731
    stdin = "source,question,answer,rating\n" + "".join(f"a,{text(q)},,\n" for q in aug_in)
    rated = sudoku_rows("rate", "--side", str(side), stdin=stdin)
    assert len(rated) == len(rows)  # still uniquely solvable
    for r, lab in zip(rated, aug_lab):
        assert r[2] == text(lab) and valid_solution(r[2], side)
    if side == 6:  # the exhaustive canonical form is invariant under the whole group
        assert [r[4] for r in rated] == [r[4] for r in rows]


def test_build_sudoku_splits_do_not_leak(tmp_path):
    out = tmp_path / "s6"
    subprocess.run([sys.executable, os.path.join(TRAINING, "build_sudoku.py"), "gen", "--side", "6", "--out",
                    str(out), "--train", "300", "--test", "100", "--givens", "9-13", "--seed", "7"],
                   check=True, capture_output=True)
    train, test = load_csv(str(out / "train.csv"), "sudoku"), load_csv(str(out / "test.csv"), "sudoku")
    assert len(test) == 100 and 250 <= len(train) <= 300
    keys = lambda s: {r[4] for r in sudoku_rows(  # noqa: E731
        "rate", "--side", "6", stdin=open(s).read())}
    assert not keys(out / "train.csv") & keys(out / "test.csv")
    assert set(np.unique(train.givens)) <= set(range(9, 14))


def bfs_len(grid: list[str], side: int, s: int, g: int) -> int:
    dist = {s: 0}
    q = deque([s])
    while q:
        cur = q.popleft()
        r, c = divmod(cur, side)
        for rr, cc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
            nb = rr * side + cc
            if 0 <= rr < side and 0 <= cc < side and grid[nb] != "#" and nb not in dist:
                dist[nb] = dist[cur] + 1
                q.append(nb)
    return dist.get(g, -1)


@pytest.mark.parametrize("side,min_path,unique", [(10, 14, True), (30, 110, False)])
def test_maze_generator(side, min_path, unique):
    count = 30 if side == 10 else 2
    out = subprocess.run([tool("maze_gen"), "--side", str(side), "--count", str(count), "--seed", "1",
                          "--min-path", str(min_path), "--unique-path", "1" if unique else "0"],
                         capture_output=True, text=True, check=True)
    rows = [line.split(",") for line in out.stdout.splitlines()]
    assert len(rows) == count
    for _, q, a, rating in rows:
        assert len(q) == len(a) == side * side and set(q) <= set("# SG") and set(a) <= set("# SGo")
        s, g = q.index("S"), q.index("G")
        assert q.count("S") == q.count("G") == 1 and a[s] == "S" and a[g] == "G"
        assert all(qc == ac or (qc == " " and ac == "o") for qc, ac in zip(q, a))
        path = {i for i, ch in enumerate(a) if ch in "SGo"}
        assert len(path) == int(rating) > min_path
        assert bfs_len(list(q), side, s, g) + 1 == int(rating)  # the drawn path is a shortest one
        # the path cells form a connected chain: BFS restricted to them reaches G in rating-1 moves
        only_path = ["#" if i not in path else " " for i in range(side * side)]
        assert bfs_len(only_path, side, s, g) + 1 == int(rating)


def test_maze_size_curriculum_pads_smaller_mazes_onto_the_full_board(tmp_path):
    """--smaller: part of the train set are smaller mazes drawn on a board of walls of the full side; each one is
    still a valid maze with its shortest path labelled, the test set stays full-size, and nothing leaks."""
    side = 9
    subprocess.run([sys.executable, os.path.join(TRAINING, "build_maze.py"), "--side", str(side), "--min-path", "12",
                    "--unique-path", "--smaller", "5", "--smaller-frac", "0.5", "--train", "40", "--test", "10",
                    "--smaller-test", "6", "--out", str(tmp_path)], check=True, capture_output=True)
    read = lambda f: [line.split(",") for line in f.read_text().splitlines()[1:]]  # noqa: E731
    train, test = read(tmp_path / "train.csv"), read(tmp_path / "test.csv")
    held = {s: read(tmp_path / "test_smaller" / f"maze{s}.csv") for s in range(5, 9)}
    assert all(rows and {r[0] for r in rows} == {f"maze{s}"} for s, rows in held.items())

    def small_keys(q: str, small: int) -> set:
        """The canonical forms of every small x small window of q outside which q is all walls."""
        keys = set()
        for r0 in range(side - small + 1):
            for c0 in range(side - small + 1):
                inside = {(r0 + r) * side + c0 + c for r in range(small) for c in range(small)}
                if all(q[i] == "#" for i in range(side * side) if i not in inside):
                    window = "".join(q[(r0 + r) * side + c0:(r0 + r) * side + c0 + small] for r in range(small))
                    keys.add(min("".join(window[i] for i in m) for m in dihedral_maps(small)))
        return keys
    train_keys = set().union(*(small_keys(r[1], int(r[0][4:])) for r in train if r[0] != "maze9"))
    for s, rows in held.items():
        for r in rows:
            assert not small_keys(r[1], s) & train_keys  # held out at every offset and symmetry
    assert {r[0] for r in test} == {"maze9"} and len(test) == 10
    sources = [r[0] for r in train]  # duplicates of a test maze (up to the 8 symmetries) are dropped: rare
    assert 18 <= sources.count("maze9") <= 20 and {f"maze{s}" for s in range(5, 9)} <= set(sources)
    for source, q, a, rating in train + test + [r for rows in held.values() for r in rows]:
        small = int(source[4:])
        assert len(q) == len(a) == side * side
        rows = [q[r * side:(r + 1) * side] for r in range(side)]
        # outside a small x small window everything is wall
        walled_rows = [r for r in rows if r == "#" * side]
        assert len(walled_rows) >= side - small
        s, g = q.index("S"), q.index("G")
        assert all(qc == ac or (qc == " " and ac == "o") for qc, ac in zip(q, a))
        assert bfs_len(list(q), side, s, g) + 1 == int(rating) == sum(ch in "SGo" for ch in a)
        assert int(rating) >= small
    assert not {r[1] for r in train} & {r[1] for r in test}


def test_held_out_smaller_mazes_exclude_train_mazes_at_any_offset():
    """held_out_smaller drops every maze whose unpadded form is a train maze: drawn with the train set's own seed
    (same mazes; the offsets come from the same draw, the keys ignore them), nothing is left; with another seed
    nothing is dropped but repeats."""
    import argparse
    import build_maze
    args = argparse.Namespace(side=9, min_path=12, unique_path=True, smaller=5)
    train = build_maze.smaller_rows(args, 8, seed=7)
    keys = {key for _, key in train}
    assert {key[0] for key in keys} == {5, 6, 7, 8}
    assert build_maze.held_out_smaller(args, keys, 2, seed=7) == {}
    other = build_maze.held_out_smaller(args, keys, 2, seed=8)
    assert sorted(other) == [5, 6, 7, 8] and all(len(rows) == 2 for rows in other.values())


def test_maze_dihedral_augmentation_is_a_group_action():
    maps = dihedral_maps(5)
    assert len({tuple(m) for m in maps}) == 8
    rng = np.random.default_rng(0)
    inputs = rng.integers(1, 6, size=(16, 25))
    aug_in, aug_lab = augment_maze(rng, 5, inputs, inputs.copy())
    assert np.array_equal(aug_in, aug_lab)
    assert all(sorted(a) == sorted(b) for a, b in zip(aug_in.tolist(), inputs.tolist()))


def test_load_csv_rejects_malformed(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("source,question,answer,rating\nx,12..,1234,0\n")
    with pytest.raises(DataError, match="side"):
        load_csv(str(p), "sudoku")
    p.write_text("a,b\n")
    with pytest.raises(DataError, match="header"):
        load_csv(str(p), "sudoku")
    p.write_text("source,question,answer,rating\nx," + "1" * 35 + ",1,0\n")
    with pytest.raises(DataError):
        load_csv(str(p), "sudoku")


def test_build_sudoku_mix_holds_out_each_collection(tmp_path):
    """mix: generated rows + every collection's train part in train.csv; each collection's held-out rows (and
    their digit relabellings) never in train."""
    src = tmp_path / "sources"
    src.mkdir()
    gen = sudoku_rows("gen", "--side", "9", "--count", "60", "--seed", "11", "--min-givens", "24",
                      "--max-givens", "30")
    import build_sudoku
    for i, name in enumerate(build_sudoku.EXTREME_FILES):
        with open(src / name, "w") as f:
            f.write("source,question,answer,rating\n")
            for r in gen[20 * i:20 * i + 20]:
                f.write(f"{name[:-4]},{r[1]},{r[2]},-1\n")
    out = tmp_path / "mix"
    subprocess.run([sys.executable, os.path.join(TRAINING, "build_sudoku.py"), "mix", "--out", str(out),
                    "--train", "50", "--test", "20", "--givens", "30-36", "--test-givens", "25-30",
                    "--sources", str(src), "--test-fraction", "0.25", "--seed", "3"], check=True, capture_output=True)
    train = load_csv(str(out / "train.csv"), "sudoku")
    key = build_sudoku.relabel_key
    train_keys = {key("".join(".123456789"[t - 1] if t > 1 else "." for t in row)) for row in train.inputs}
    for short in build_sudoku.SHORT_NAMES.values():
        held = load_csv(str(out / f"test_{short}.csv"), "sudoku")
        assert len(held) == 5
        held_keys = {key("".join(".123456789"[t - 1] if t > 1 else "." for t in row)) for row in held.inputs}
        assert not held_keys & train_keys
    assert len(train) == 50 + 3 * 15
    assert len(load_csv(str(out / "test.csv"), "sudoku")) == 20


def test_official_maze_layout_converts_to_csv(tmp_path):
    """--official: the TRM npy layout (tokens 1..5 = '# SGo') becomes question/answer text, rating = path cells."""
    q = np.array([[3, 2, 4, 1], [1, 3, 2, 4]], np.uint8)
    a = np.array([[3, 5, 4, 1], [1, 3, 5, 4]], np.uint8)
    for split in ("train", "test"):
        (tmp_path / "in" / split).mkdir(parents=True)
        np.save(tmp_path / "in" / split / "all__inputs.npy", q)
        np.save(tmp_path / "in" / split / "all__labels.npy", a)
    subprocess.run([sys.executable, os.path.join(TRAINING, "build_maze.py"), "--official", str(tmp_path / "in"),
                    "--out", str(tmp_path / "out")], check=True, capture_output=True)
    rows = (tmp_path / "out" / "test.csv").read_text().splitlines()
    assert rows[1:] == ["maze-hard,S G#,SoG#,3", "maze-hard,#S G,#SoG,3"]
