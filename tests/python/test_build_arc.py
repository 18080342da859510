"""ARC dataset builder (training/build_arc.py): canvas encoding, augmentations that invert back to the original
task, colour 0 fixed, puzzle ids grouped per task (as convert.py --tasks reads them), de-duplicated variants, an
un-translated test split, and clear errors for bad input. Builds a few synthetic tasks with --num-aug 20."""
import argparse
import json
import os
import sys

import numpy as np
import pytest

from conftest import TRAINING

sys.path.insert(0, TRAINING)
import build_arc  # noqa: E402
from convert import select_rows  # noqa: E402

NUM_AUG = 20
SHARED = os.path.normpath(os.path.join(TRAINING, "..", "..", "shared", "data"))
# Inverse of each official dihedral id, written out with numpy (independent of the builder's table).
UNDO = {0: lambda a: a, 1: lambda a: np.rot90(a, -1), 2: lambda a: np.rot90(a, 2), 3: lambda a: np.rot90(a, 1),
        4: np.fliplr, 5: np.flipud, 6: lambda a: a.T, 7: lambda a: np.fliplr(np.rot90(a, 1))}


def grid(rng, h, w):
    return rng.integers(0, 10, size=(h, w)).tolist()


def pair(i, o):
    return {"input": i, "output": o}


def make_tasks():
    rng = np.random.default_rng(7)
    training = {
        "tA": {"train": [pair([[1, 2], [3, 0]], [[0, 3], [2, 1]]), pair(grid(rng, 3, 4), grid(rng, 4, 3))],
               "test": [pair(grid(rng, 2, 2), grid(rng, 2, 2))]},
        # one colour, 1x1: only 9 distinct variants exist (colour 1 -> 1..9; every dihedral map is the identity)
        "tone": {"test": [pair([[1]], [[1]])], "train": [pair([[1]], [[1]])]},
    }
    evaluation = {
        "tB": {"train": [pair(grid(rng, 30, 30), grid(rng, 1, 30)), pair(grid(rng, 5, 7), grid(rng, 7, 5))],
               "test": [pair([[1, 2, 3], [4, 5, 6]], [[6, 5, 4], [3, 2, 1]]),
                        pair(grid(rng, 30, 1), grid(rng, 2, 30))]},
        "tC": {"train": [pair(grid(rng, 4, 4), grid(rng, 6, 6))], "test": [pair(grid(rng, 9, 3), grid(rng, 3, 9))]},
    }
    return {"training": training, "evaluation": evaluation}


def write_kaggle(folder, subsets, solutions=True):
    """Kaggle layout: <prefix>_<subset>_challenges.json without test outputs + _solutions.json."""
    for name, tasks in subsets.items():
        chal = {k: {kind: [{"input": p["input"]} if kind == "test" else p for p in v[kind]] for kind in v}
                for k, v in tasks.items()}
        with open(os.path.join(folder, f"arc-agi_{name}_challenges.json"), "w") as f:
            json.dump(chal, f)
        if solutions:
            with open(os.path.join(folder, f"arc-agi_{name}_solutions.json"), "w") as f:
                json.dump({k: [p["output"] for p in v["test"]] for k, v in tasks.items()}, f)
    return os.path.join(str(folder), "arc-agi")


def run(args):
    return build_arc.main([str(a) for a in args])


def load(out):
    data = {"ids": json.load(open(os.path.join(out, "identifiers.json"))),
            "test_puzzles": json.load(open(os.path.join(out, "test_puzzles.json")))}
    for split in ("train", "test"):
        d = {k: np.load(os.path.join(out, split, f"all__{k}.npy")) for k in
             ("inputs", "labels", "puzzle_identifiers", "puzzle_indices", "group_indices")}
        d["meta"] = json.load(open(os.path.join(out, split, "dataset.json")))
        data[split] = d
    return data


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("arc")
    tasks = make_tasks()
    prefix = write_kaggle(root, tasks)
    out = root / "out"
    assert run(["--input-prefix", prefix, "--subsets", "training", "evaluation", "--test-set-name", "evaluation",
                "--num-aug", NUM_AUG, "--seed", 3, "--out", out]) == 0
    return tasks, load(out), prefix, out


def canvas(g, r0=0, c0=0):
    """The spec's encoding, restated: colours c+2 at (r0, c0), EOS row below / column right where they fit."""
    g = np.asarray(g)
    h, w = g.shape
    c = np.zeros((30, 30), np.uint8)
    c[r0:r0 + h, c0:c0 + w] = g + 2
    if r0 + h < 30:
        c[r0 + h, c0:c0 + w] = 1
    if c0 + w < 30:
        c[r0:r0 + h, c0 + w] = 1
    return c.ravel()


def locate(tokens):
    """(r0, c0, grid) of the colour block on a canvas."""
    rows, cols = np.nonzero(tokens.reshape(30, 30) >= 2)
    r0, c0 = rows.min(), cols.min()
    return r0, c0, tokens.reshape(30, 30)[r0:rows.max() + 1, c0:cols.max() + 1] - 2


def parse_name(name):
    if "|||" not in name:
        return name, 0, np.arange(10)
    task, t, perm = name.split("|||")
    assert t[0] == "t" and len(perm) == 10
    return task, int(t[1:]), np.array([int(c) for c in perm])


def puzzles(split):
    """(group, puzzle id, examples range) for every puzzle of a split."""
    gi, pi = split["group_indices"], split["puzzle_indices"]
    for g in range(len(gi) - 1):
        for p in range(gi[g], gi[g + 1]):
            yield g, split["puzzle_identifiers"][p], range(pi[p], pi[p + 1])


def source_pairs(tasks, task, split):
    """The task's pairs that belong to a split, in the order of the task JSON's keys."""
    subset = "evaluation" if task in tasks["evaluation"] else "training"
    t = tasks[subset][task]
    return [p for kind in t for p in t[kind] if ("test" if subset == "evaluation" and kind == "test" else "train")
            == split]


def test_known_grid_tokens_and_eos_border(built):
    tasks, data, _, _ = built
    test = data["test"]
    names = [data["ids"][pid] for _, pid, _ in puzzles(test)]
    first = next(ex for (_, pid, ex) in puzzles(test) if data["ids"][pid] == "tB")
    got = test["inputs"][first.start].reshape(30, 30)
    want = np.zeros((30, 30), np.uint8)
    want[:2, :3] = [[3, 4, 5], [6, 7, 8]]  # colour c -> c + 2
    want[2, :3] = 1                        # EOS row below the grid
    want[:2, 3] = 1                        # EOS column right of it; corner (2, 3) stays PAD
    assert np.array_equal(got, want)
    assert np.array_equal(test["labels"][first.start], canvas([[6, 5, 4], [3, 2, 1]]))
    # a 30x1 grid has an EOS column but no EOS row; 30x30 has none at all
    assert np.array_equal(test["inputs"][first.start + 1], canvas(tasks["evaluation"]["tB"]["test"][1]["input"]))
    assert (test["inputs"][first.start + 1].reshape(30, 30)[:, 1] == 1).all()
    big = canvas(tasks["evaluation"]["tB"]["train"][0]["input"])
    assert (big >= 2).all()
    for split in ("train", "test"):
        m = data[split]["meta"]
        assert (m["vocab_size"], m["seq_len"], m["pad_id"], m["ignore_label_id"]) == (12, 900, 0, 0)
        assert data[split]["inputs"].dtype == np.uint8 and data[split]["inputs"].shape[1] == 900
        assert data[split]["inputs"].max() <= 11
    assert len(names) == len(set(names))


@pytest.mark.parametrize("split", ["train", "test"])
def test_every_example_inverts_to_the_original(built, split):
    tasks, data, _, _ = built
    s = data[split]
    for _, pid, ex in puzzles(s):
        task, t, colours = parse_name(data["ids"][pid])
        assert colours[0] == 0 and sorted(colours) == list(range(10))  # colour 0 fixed, 1..9 permuted
        inverse = np.argsort(colours)
        src = source_pairs(tasks, task, split)
        assert len(ex) == len(src)
        origin = 0
        for k, p in zip(ex, src):
            r0, c0, gi = locate(s["inputs"][k])
            r1, c1, go = locate(s["labels"][k])
            assert (r0, c0) == (r1, c1)  # one offset for input and output
            assert np.array_equal(s["inputs"][k], canvas(gi, r0, c0))
            assert np.array_equal(s["labels"][k], canvas(go, r0, c0))
            assert np.array_equal(inverse[UNDO[t](gi)], np.array(p["input"]))
            assert np.array_equal(inverse[UNDO[t](go)], np.array(p["output"]))
            origin += (r0, c0) == (0, 0)
        assert origin >= 1  # one example of every puzzle stays at the top-left
    if split == "train":  # and the others moved at least sometimes
        offsets = [locate(s["inputs"][k])[:2] for _, _, ex in puzzles(s) for k in ex]
        assert sum(o != (0, 0) for o in offsets) > len(offsets) // 3


def test_puzzle_ids_grouped_per_task(built, tmp_path):
    tasks, data, _, out = built
    ids = data["ids"]
    assert ids[0] == "<blank>" and len(ids) == len(set(ids))
    assert data["train"]["meta"]["num_puzzle_identifiers"] == data["test"]["meta"]["num_puzzle_identifiers"] \
        == len(ids)
    all_tasks = set(tasks["training"]) | set(tasks["evaluation"])
    train = data["train"]
    groups = {}
    for g, pid, _ in puzzles(train):
        groups.setdefault(g, []).append(ids[pid])
    assert len(groups) == len(all_tasks) == train["meta"]["total_groups"]
    for names in groups.values():
        task = names[0]
        assert task in all_tasks and "|||" not in task  # the original first, under its bare name
        assert all(n.split("|||")[0] == task for n in names)
    # every id of the table is used by exactly one train puzzle; the test split reuses the eval tasks' ids
    assert sorted(train["puzzle_identifiers"].tolist()) == list(range(1, len(ids)))
    test_names = {ids[pid] for _, pid, _ in puzzles(data["test"])}
    assert test_names == {n for names in groups.values() for n in names if n.split("|||")[0] in tasks["evaluation"]}
    # what convert.py --identifiers ... --tasks tB keeps: exactly the tB group
    args = argparse.Namespace(identifiers=str(out / "identifiers.json"), puzzle_ids=None, tasks="tB")
    rows, names = select_rows(args, len(ids))
    assert names == next(n for n in groups.values() if n[0] == "tB")


def test_identical_augmentations_are_dropped(built):
    _, data, _, _ = built
    # every variant's grids over both splits, un-translated: no two variants of a task may hold the same ones
    grids = {}
    for split in ("train", "test"):
        s = data[split]
        for _, pid, ex in puzzles(s):
            for k in ex:
                grids.setdefault(data["ids"][pid], []).append(
                    tuple(np.ascontiguousarray(locate(s[a][k])[2]).tobytes() + bytes(locate(s[a][k])[2].shape)
                          for a in ("inputs", "labels")))
    per_task = {}
    for name, pairs in grids.items():
        per_task.setdefault(name.split("|||")[0], []).append(tuple(sorted(pairs)))
    assert len(per_task["tone"]) == 9  # [[1]] -> [[1]]: colour 1 has 9 images, the dihedral maps change nothing
    assert all(len(per_task[t]) == NUM_AUG + 1 for t in ("tA", "tB", "tC"))
    for task, keys in per_task.items():
        assert len(set(keys)) == len(keys), task


def test_test_split_is_the_original_test_inputs_without_translation(built):
    tasks, data, _, _ = built
    assert data["test_puzzles"] == tasks["evaluation"]  # original tasks, solutions merged back in
    test = data["test"]
    assert test["meta"]["total_groups"] == len(tasks["evaluation"])
    for _, pid, ex in puzzles(test):
        name = data["ids"][pid]
        for k in ex:
            assert locate(test["inputs"][k])[:2] == (0, 0) and locate(test["labels"][k])[:2] == (0, 0)
        if "|||" not in name:  # the group's original: the test pairs as they are
            want = tasks["evaluation"][name]["test"]
            assert [test["inputs"][k].tolist() for k in ex] == [canvas(p["input"]).tolist() for p in want]
            assert [test["labels"][k].tolist() for k in ex] == [canvas(p["output"]).tolist() for p in want]
    # no test output of an evaluation task reaches the train split
    train_labels = {data["train"]["labels"][k].tobytes() for _, pid, ex in puzzles(data["train"]) for k in ex
                    if "|||" not in data["ids"][pid]}
    for t in tasks["evaluation"].values():
        for p in t["test"]:
            assert canvas(p["output"]).tobytes() not in train_labels


def test_same_seed_same_bytes_other_seed_differs(built, tmp_path):
    _, data, prefix, _ = built
    common = ["--input-prefix", prefix, "--subsets", "training", "evaluation", "--test-set-name", "evaluation",
              "--num-aug", NUM_AUG]
    assert run(common + ["--seed", 3, "--out", tmp_path / "a"]) == 0
    assert run(common + ["--seed", 4, "--out", tmp_path / "b"]) == 0
    a, b = load(tmp_path / "a"), load(tmp_path / "b")
    assert a["ids"] == data["ids"] and np.array_equal(a["train"]["inputs"], data["train"]["inputs"])
    assert a["ids"] != b["ids"]


def test_no_solutions_file_gives_dummy_outputs_with_warning(tmp_path, capsys):
    prefix = write_kaggle(tmp_path, {"training": make_tasks()["training"]}, solutions=False)
    assert run(["--input-prefix", prefix, "--subsets", "training", "--num-aug", 0, "--out", tmp_path / "o"]) == 0
    assert "no solutions" in capsys.readouterr().err
    d = load_train_only(tmp_path / "o")
    assert d["meta"]["total_puzzles"] == 2 and d["meta"]["num_puzzle_identifiers"] == 3
    # the two test pairs (tA's, tone's) train with the dummy output [[0]]
    assert sum(locate(lab)[2].tolist() == [[0]] for lab in d["labels"]) == 2


def load_train_only(out):
    assert not os.path.exists(os.path.join(out, "test"))
    d = {k: np.load(os.path.join(out, "train", f"all__{k}.npy")) for k in ("inputs", "labels")}
    d["meta"] = json.load(open(os.path.join(out, "train", "dataset.json")))
    return d


@pytest.mark.parametrize("mutate,message", [
    (lambda root: None, "no such directory"),
    (lambda root: (root / "arc-agi-1" / "training").mkdir(parents=True) or
     (root / "arc-agi-1" / "training" / "x.json").write_text('{"train": [}'), "invalid JSON"),
    (lambda root: (root / "arc-agi-1" / "training").mkdir(parents=True) or
     (root / "arc-agi-1" / "training" / "x.json").write_text(json.dumps(
         {"train": [pair([[1, 2], [3]], [[1]])], "test": [pair([[1]], [[1]])]})), "x train[0].input"),
    (lambda root: (root / "arc-agi-1" / "training").mkdir(parents=True) or
     (root / "arc-agi-1" / "training" / "x.json").write_text(json.dumps(
         {"train": [pair([[1, 12]], [[1]])], "test": [pair([[1]], [[1]])]})), "colours must be 0..9"),
    (lambda root: (root / "arc-agi-1" / "training").mkdir(parents=True) or
     (root / "arc-agi-1" / "training" / "x.json").write_text(json.dumps({"train": []})), "non-empty 'train'"),
])
def test_bad_input_is_a_clear_error(tmp_path, capsys, mutate, message):
    mutate(tmp_path)
    rc = run(["--source", "raw", "--data-root", tmp_path, "--subsets", "training", "--test-set-name", "none",
              "--num-aug", 2, "--out", tmp_path / "o"])
    err = capsys.readouterr().err
    assert rc == 2 and "build_arc.py: error:" in err and message in err
    assert not (tmp_path / "o").exists()  # nothing written before the input is known good


def test_missing_kaggle_file_is_a_clear_error(tmp_path, capsys):
    assert run(["--input-prefix", tmp_path / "nope", "--out", tmp_path / "o"]) == 2
    assert "nope_training_challenges.json: no such file" in capsys.readouterr().err


@pytest.mark.skipif(not os.path.isdir(SHARED), reason="../shared/data not present")
@pytest.mark.parametrize("source", ["kaggle", "raw"])
def test_shared_data_smoke(tmp_path, source):
    """The real collections load (2 tasks per subset, 3 augmentations) for both presets' inputs."""
    for preset in ("arc1", "arc2"):
        out = tmp_path / preset
        assert run(["--preset", preset, "--source", source, "--limit-tasks", 2, "--num-aug", 3, "--out", out]) == 0
        d = load(out)
        assert d["train"]["meta"]["total_groups"] == 6 and d["test"]["meta"]["total_groups"] == 2
        assert len(d["test_puzzles"]) == 2
