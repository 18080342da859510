#!/usr/bin/python3
"""Build the ARC-AGI training/test dataset the way TinyRecursiveModels `dataset/build_arc_dataset.py` does
(../shared/docs/trm-spec.md §4.4), from the ARC JSON collections in ../shared/data.

    # ARC-AGI-1 run (TRM's exact inputs: the Kaggle-format files of trm-kaggle-combined/)
    /usr/bin/python3 training/build_arc.py --preset arc1 --out training/data/arc1
    # ARC-AGI-2 run
    /usr/bin/python3 training/build_arc.py --preset arc2 --out training/data/arc2
    # the per-task JSON folders (arc-agi-1/, arc-agi-2/, conceptarc/corpus) instead of the Kaggle files
    /usr/bin/python3 training/build_arc.py --preset arc1 --source raw --out training/data/arc1-raw
    # quick look: 3 tasks per subset, 20 augmentations each
    /usr/bin/python3 training/build_arc.py --limit-tasks 3 --num-aug 20 --out build/arc-small

Procedure (the official one):
- Subsets: arc1 = training evaluation concept, test set `evaluation`; arc2 = training2 evaluation2 concept, test
  set `evaluation2` (--subsets / --test-set-name override). Every task's demonstration (`train`) pairs go to the
  train split; its `test` pairs go to the test split when the task belongs to the test set, else to the train
  split too. So the evaluation tasks' demonstrations are trained on (per-task puzzle embeddings).
- Per task (one group), the original plus up to --num-aug (1000) distinct augmented variants (puzzles): dihedral id
  uniform in 0..7 and a random permutation of colours 1..9 (0 fixed); colour map first, then the dihedral map.
  A variant whose multiset of (input, output) grids over ALL the task's pairs equals one already kept (the original
  included) is dropped; at most 5 x num_aug tries. Variant name `<task>|||t<id>|||<colour map as 10 digits>`, the
  original keeps the bare task name; every name gets its own puzzle identifier (0 = `<blank>`).
- Grids go on a 30x30 canvas (seq_len 900, vocab 12): PAD 0, EOS 1, colour c -> c + 2; EOS fills the row just
  below the grid (over its columns) and the column just right of it (over its rows) where they fit; the corner
  stays PAD. Train split only: every example of a puzzle except one randomly chosen one is translated by a random
  (r0, c0) that keeps both of its grids on the canvas (same offset for input and output); test split: top-left.
- Output = the official layout (trm-spec §4.1): identifiers.json (id -> name), test_puzzles.json (the original
  test-set tasks, solutions included), {train,test}/dataset.json and {train,test}/all__{inputs,labels,
  puzzle_identifiers,puzzle_indices,group_indices}.npy; labels use PAD as ignore_label_id.

Where trm-spec §4.4 is silent or differs, the official code was followed:
- The test split is augmented too: it holds the original AND every kept variant of each test-set task's test
  inputs (one puzzle per variant, no translation), because evaluators/arc.py votes over the inverse-mapped
  predictions of all of them. Only the original (the first puzzle of each group) is un-augmented.
- The random stream is numpy's legacy RandomState(seed), consumed in exactly the official order (per-subset
  shuffle of the task list, per-trial dihedral id then colour permutation, per-puzzle "which example stays at
  the origin" draw in both splits, per-example row then column offset), so with the Kaggle files and the defaults
  identifiers.json and every array equal the official builder's output (checked byte for byte on subsets; the
  official script needs pydantic/argdantic, so it was run with stand-ins). The task list is shuffled per subset
  before the augmentations, so the puzzle ids are not in file order.
- Pairs are taken in the order of the task JSON's keys (the ARC-1 Kaggle challenges list `test` before `train`).
- A subset with no solutions file gets [[0]] as every test output (official behaviour, with a warning).
- Official quirk not reproduced: when the FIRST subset is the test set, the official split order (and so the
  puzzle-id order) depends on Python's hash seed; here the train split always comes first.
- --source raw reads the per-task folders; their task order (sorted file names) differs from the Kaggle files for
  ConceptARC, and arc-agi-2/evaluation is the post-2025-05-15 edit (167 test inputs, not TRM's 172), so ids differ
  from the official ones there. Keys other than train/test (some ConceptARC files have "name") are ignored.
- --limit-tasks N keeps the first N tasks of each subset (file order) before anything random happens.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import sys
import time
from dataclasses import dataclass, field

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from ptrm_train.augment import dihedral  # noqa: E402

DATA_ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "data"))
CANVAS = 30
PAD, EOS, COLOUR_BASE, VOCAB = 0, 1, 2, 12
SEP = "|||"
RETRIES_FACTOR = 5
PRESETS = {"arc1": (["training", "evaluation", "concept"], "evaluation"),
           "arc2": (["training2", "evaluation2", "concept"], "evaluation2")}
RAW_DIRS = {"training": "arc-agi-1/training", "evaluation": "arc-agi-1/evaluation",
            "training2": "arc-agi-2/training", "evaluation2": "arc-agi-2/evaluation", "concept": "conceptarc/corpus"}
IDENTITY = np.arange(10, dtype=np.uint8)


class ArcDataError(ValueError):
    """Input that is not a usable ARC collection (missing file, bad JSON, bad grid)."""


@dataclass
class ArcTask:
    name: str
    subset: str
    raw: dict                                   # the task JSON (solutions merged in), for test_puzzles.json
    pairs: list = field(default_factory=list)   # (kind "train"|"test", input, output) uint8 grids, JSON order


def read_json(path: str):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        raise ArcDataError(f"{path}: no such file") from None
    except json.JSONDecodeError as e:
        raise ArcDataError(f"{path}: invalid JSON: {e}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ArcDataError(f"{path}: cannot read: {e}") from None


def to_grid(value, where: str) -> np.ndarray:
    ok = isinstance(value, list) and value and all(isinstance(r, list) for r in value)
    if ok:
        try:
            arr = np.array(value)
        except ValueError:
            ok = False
        else:
            ok = arr.ndim == 2 and arr.dtype.kind in "iu"
    if not ok:
        raise ArcDataError(f"{where}: a grid must be a non-empty list of equally long rows of integers")
    if not (1 <= arr.shape[0] <= CANVAS and 1 <= arr.shape[1] <= CANVAS):
        raise ArcDataError(f"{where}: grid is {arr.shape[0]}x{arr.shape[1]}, must be 1..30 x 1..30")
    if arr.min() < 0 or arr.max() > 9:
        raise ArcDataError(f"{where}: colours must be 0..9, found {int(arr.min())}..{int(arr.max())}")
    return arr.astype(np.uint8)


def parse_task(name: str, subset: str, task, where: str) -> ArcTask:
    if not isinstance(task, dict):
        raise ArcDataError(f"{where}: task {name} is not a JSON object")
    for key in ("train", "test"):
        if not isinstance(task.get(key), list) or not task[key]:
            raise ArcDataError(f"{where}: task {name} needs a non-empty '{key}' list")
    out = ArcTask(name, subset, task)
    for kind in task:
        if kind not in ("train", "test"):
            continue
        for i, pair in enumerate(task[kind]):
            at = f"{where}: task {name} {kind}[{i}]"
            if not isinstance(pair, dict) or "input" not in pair or "output" not in pair:
                raise ArcDataError(f"{at}: expected {{\"input\": grid, \"output\": grid}}")
            out.pairs.append((kind, to_grid(pair["input"], at + ".input"), to_grid(pair["output"], at + ".output")))
    return out


def dummy_outputs(tasks: dict, what: str) -> None:
    print(f"warning: {what}: no solutions, every test output is [[0]] (as the official builder)", file=sys.stderr)
    for task in tasks.values():
        for pair in task.get("test", []) if isinstance(task, dict) else []:
            if isinstance(pair, dict):
                pair.setdefault("output", [[0]])


def load_kaggle(prefix: str, subset: str, limit: int | None) -> list[ArcTask]:
    path = f"{prefix}_{subset}_challenges.json"
    tasks = read_json(path)
    if not isinstance(tasks, dict):
        raise ArcDataError(f"{path}: expected an object task id -> task")
    if limit:
        tasks = dict(list(tasks.items())[:limit])
    sols_path = f"{prefix}_{subset}_solutions.json"
    if os.path.isfile(sols_path):
        sols = read_json(sols_path)
        for name, task in tasks.items():
            tests = task.get("test") if isinstance(task, dict) else None
            sol = sols.get(name) if isinstance(sols, dict) else None
            if not isinstance(sol, list) or not isinstance(tests, list) or len(sol) != len(tests):
                raise ArcDataError(f"{sols_path}: task {name}: expected a list of one output grid per test input")
            for pair, grid in zip(tests, sol):
                if isinstance(pair, dict):
                    pair["output"] = grid
    else:
        dummy_outputs(tasks, sols_path)
    return [parse_task(name, subset, task, path) for name, task in tasks.items()]


def load_raw(root: str, subset: str, limit: int | None) -> list[ArcTask]:
    if subset not in RAW_DIRS:
        raise ArcDataError(f"--source raw knows the subsets {', '.join(RAW_DIRS)}, not {subset!r}")
    folder = os.path.join(root, RAW_DIRS[subset])
    if not os.path.isdir(folder):
        raise ArcDataError(f"{folder}: no such directory (subset {subset})")
    files = sorted(glob.glob(os.path.join(folder, "**", "*.json"), recursive=True))
    if not files:
        raise ArcDataError(f"{folder}: no *.json task files")
    if limit:
        files = files[:limit]
    tasks = {}
    for path in files:
        name = os.path.splitext(os.path.basename(path))[0]
        if name in tasks:
            raise ArcDataError(f"{path}: task name {name} appears twice in {folder}")
        tasks[name] = read_json(path)
    if any(isinstance(t, dict) and any(isinstance(p, dict) and "output" not in p for p in t.get("test", []))
           for t in tasks.values()):
        dummy_outputs(tasks, folder)
    return [parse_task(name, subset, task, os.path.join(folder, name + ".json")) for name, task in tasks.items()]


class Variants:
    """One task's dihedral transforms, precomputed, and the exact de-duplication key of a (dihedral, colour map)
    variant: the sorted (multiset) list of its pairs as shape + cell bytes, like the official puzzle_hash."""

    def __init__(self, task: ArcTask):
        grids = [g for _, inp, out in task.pairs for g in (inp, out)]
        sizes = np.array([g.size for g in grids]).reshape(-1, 2).sum(axis=1)
        self.bounds = np.concatenate([[0], np.cumsum(sizes)]).tolist()
        self.flat, self.heads = [], []
        for t in range(8):
            moved = [dihedral(g, t) for g in grids]
            self.flat.append(np.concatenate([m.ravel() for m in moved]))
            self.heads.append([bytes(moved[2 * e].shape + moved[2 * e + 1].shape) for e in range(len(sizes))])

    def key(self, t: int, colours: np.ndarray) -> tuple:
        b = colours[self.flat[t]].tobytes()
        heads, bounds = self.heads[t], self.bounds
        return tuple(sorted(heads[e] + b[bounds[e]:bounds[e + 1]] for e in range(len(heads))))


def augment(task: ArcTask, num_aug: int, rs: np.random.RandomState) -> tuple[np.ndarray, np.ndarray]:
    """(dihedral ids (n,), colour maps (n, 10)) of the kept variants, the original (0, identity) first."""
    tids, maps = [0], [IDENTITY]
    if num_aug > 0:
        variants = Variants(task)
        seen = {variants.key(0, IDENTITY)}
        for _ in range(RETRIES_FACTOR * num_aug):
            t = rs.randint(0, 8)
            colours = np.concatenate([IDENTITY[:1], rs.permutation(np.arange(1, 10, dtype=np.uint8))])
            k = variants.key(t, colours)
            if k not in seen:
                seen.add(k)
                tids.append(t)
                maps.append(colours)
            if len(tids) >= num_aug + 1:
                break
    return np.array(tids, np.uint8), np.stack(maps)


def variant_name(task: str, t: int, colours: np.ndarray, index: int) -> str:
    return task if index == 0 else f"{task}{SEP}t{t}{SEP}{''.join(map(str, colours.tolist()))}"


def canvas(grid: np.ndarray) -> np.ndarray:
    """Tokens of a grid at the top-left of the 30x30 canvas (900 cells) plus a trailing PAD at index 900."""
    c = np.full((CANVAS, CANVAS), PAD, np.uint8)
    h, w = grid.shape
    c[:h, :w] = grid + COLOUR_BASE
    c[h:h + 1, :w] = EOS
    c[:h, w:w + 1] = EOS
    return np.append(c.ravel(), np.uint8(PAD))


def shift_table() -> np.ndarray:
    """(30, 30, 900) gather index: cell p of a canvas translated by (r0, c0) takes cell table[r0, c0, p] of the
    top-left canvas (900 = the PAD sentinel). EOS cells pushed past the edge vanish, as upstream."""
    r = np.arange(CANVAS)
    rr = r[None, :, None] - r[:, None, None]            # (r0, row, 1): source row
    cc = r[None, None, :] - r[:, None, None]            # (c0, 1, col): source col
    src = rr[:, None, :, :] * CANVAS + cc[None, :, :, :]  # (r0, c0, row, col)
    valid = (rr[:, None, :, :] >= 0) & (cc[None, :, :, :] >= 0)
    return np.where(valid, src, CANVAS * CANVAS).reshape(CANVAS, CANVAS, CANVAS * CANVAS).astype(np.int16)


@dataclass
class Group:
    task: ArcTask
    pairs: list          # (input, output) of this split
    tids: np.ndarray
    maps: np.ndarray


def encode_group(g: Group, translate: bool, rs: np.random.RandomState, shift: np.ndarray):
    """(inputs, labels) token arrays (n_variants * n_pairs, 900) of one group, variant-major. Draws the random
    offsets in the official order; everything else is vectorised over the group."""
    n_ex, n_var = len(g.pairs), len(g.tids)
    cells = CANVAS * CANVAS
    # templates[t, e, 0|1] = canvas of pair e under dihedral t (colours unmapped); room = offsets' upper bounds
    templates = np.stack([np.stack([[canvas(dihedral(i, t)), canvas(dihedral(o, t))] for i, o in g.pairs])
                          for t in range(8)])
    room = np.array([[[CANVAS + 1 - max(dihedral(i, t).shape[a], dihedral(o, t).shape[a]) for a in (0, 1)]
                      for i, o in g.pairs] for t in range(8)])  # (8, n_ex, 2)
    offsets = np.zeros((n_var, n_ex, 2), np.int64)
    for v in range(n_var):
        keep = rs.randint(0, n_ex)  # this example stays at the origin (drawn in the test split too)
        if translate and n_ex > 1:
            moved = [e for e in range(n_ex) if e != keep]
            offsets[v, moved] = rs.randint(0, room[g.tids[v], moved]).reshape(-1, 2)
    # luts[v] maps template tokens to variant tokens: PAD, EOS fixed, colour c + 2 -> maps[v][c] + 2
    luts = np.concatenate([np.tile([PAD, EOS], (n_var, 1)), g.maps + COLOUR_BASE], axis=1).astype(np.uint8)
    v_k = np.repeat(np.arange(n_var), n_ex)
    e_k = np.tile(np.arange(n_ex), n_var)
    # flat index into templates of every output cell (K, 900), input side; + (cells + 1) = output side
    gather = shift[offsets[v_k, e_k, 0], offsets[v_k, e_k, 1]].astype(np.intp)
    gather += ((g.tids[v_k].astype(np.intp) * n_ex + e_k) * 2 * (cells + 1))[:, None]
    lut_base = (v_k * VOCAB)[:, None]
    flat_templates, flat_luts = templates.ravel(), luts.ravel()
    return tuple(flat_luts[flat_templates[gather + side * (cells + 1)] + lut_base] for side in (0, 1))


def write_split(out_dir: str, split: str, groups: list[Group], ids: dict, num_ids: int,
                rs: np.random.RandomState) -> dict:
    os.makedirs(os.path.join(out_dir, split), exist_ok=True)
    total = sum(len(g.tids) * len(g.pairs) for g in groups)
    path = lambda k: os.path.join(out_dir, split, f"all__{k}.npy")  # noqa: E731
    shift = shift_table()
    puzzle_ids, puzzle_idx, group_idx = [], [0], [0]
    # Streamed to disk (np.save's exact bytes) so that memory stays small for the ~7 GB of an ARC-1 build.
    with open(path("inputs"), "wb") as f_in, open(path("labels"), "wb") as f_lab:
        for f in (f_in, f_lab):
            np.lib.format.write_array_header_1_0(f, {"descr": "|u1", "fortran_order": False,
                                                     "shape": (total, CANVAS * CANVAS)})
        for g in groups:
            inputs, labels = encode_group(g, split == "train", rs, shift)
            f_in.write(inputs.tobytes())
            f_lab.write(labels.tobytes())
            for v in range(len(g.tids)):
                puzzle_ids.append(ids[variant_name(g.task.name, g.tids[v], g.maps[v], v)])
                puzzle_idx.append(puzzle_idx[-1] + len(g.pairs))
            group_idx.append(group_idx[-1] + len(g.tids))
    for key, values in (("puzzle_identifiers", puzzle_ids), ("puzzle_indices", puzzle_idx),
                        ("group_indices", group_idx)):
        np.save(path(key), np.array(values, dtype=np.int32))
    meta = {"pad_id": PAD, "ignore_label_id": PAD, "blank_identifier_id": 0, "vocab_size": VOCAB,
            "seq_len": CANVAS * CANVAS, "num_puzzle_identifiers": num_ids, "total_groups": len(groups),
            "mean_puzzle_examples": total / max(1, len(puzzle_ids)), "total_puzzles": len(puzzle_ids),
            "sets": ["all"]}
    with open(os.path.join(out_dir, split, "dataset.json"), "w") as f:
        json.dump(meta, f)
    return meta


def build(args) -> dict:
    subsets, test_set = PRESETS[args.preset]
    subsets = args.subsets or subsets
    test_set = args.test_set_name or test_set
    if test_set not in subsets:
        print(f"warning: test set {test_set!r} is not among the subsets {subsets}: no test split", file=sys.stderr)
    if args.num_aug < 0:
        raise ArcDataError("--num-aug must be >= 0")
    rs = np.random.RandomState(args.seed)
    prefix = args.input_prefix or os.path.join(args.data_root, "trm-kaggle-combined", "arc-agi")
    # Load every subset first so that a bad file fails before any work is written.
    loaded = [(s, load_kaggle(prefix, s, args.limit_tasks) if args.source == "kaggle"
               else load_raw(args.data_root, s, args.limit_tasks)) for s in subsets]
    splits: dict[str, list[Group]] = {"train": [], "test": []}
    test_puzzles, short, names = {}, 0, set()
    for subset, tasks in loaded:
        rs.shuffle(tasks)
        for task in tasks:
            if task.name in names:
                print(f"warning: task {task.name} appears in two subsets; its names share puzzle ids",
                      file=sys.stderr)
            names.add(task.name)
            tids, maps = augment(task, args.num_aug, rs)
            short += len(tids) < args.num_aug + 1
            is_test = subset == test_set
            if is_test:
                test_puzzles[task.name] = task.raw
            for split in ("train", "test"):
                pairs = [(i, o) for kind, i, o in task.pairs if ("test" if is_test and kind == "test" else "train")
                         == split]
                if pairs:
                    splits[split].append(Group(task, pairs, tids, maps))
        print(f"{subset}: {len(tasks)} tasks", file=sys.stderr)
    if short:
        print(f"{short} tasks have fewer than {args.num_aug} distinct augmentations (all tries used)",
              file=sys.stderr)
    ids, names_by_id = {}, ["<blank>"] * args.puzzle_identifiers_start
    for groups in splits.values():
        for g in groups:
            for v in range(len(g.tids)):
                name = variant_name(g.task.name, g.tids[v], g.maps[v], v)
                if name not in ids:
                    ids[name] = len(names_by_id)
                    names_by_id.append(name)
    os.makedirs(args.out, exist_ok=True)
    metas = {split: write_split(args.out, split, groups, ids, len(names_by_id), rs)
             for split, groups in splits.items() if groups}
    with open(os.path.join(args.out, "identifiers.json"), "w") as f:
        json.dump(names_by_id, f)
    with open(os.path.join(args.out, "test_puzzles.json"), "w") as f:
        json.dump(test_puzzles, f)
    return metas


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, help="output folder (e.g. training/data/arc1)")
    p.add_argument("--preset", choices=sorted(PRESETS), default="arc1", help="subsets + test set (default arc1)")
    p.add_argument("--subsets", nargs="+", help="override the preset's subsets, in this order")
    p.add_argument("--test-set-name", help="override the preset's test subset")
    p.add_argument("--source", choices=["kaggle", "raw"], default="kaggle",
                   help="kaggle: <prefix>_<subset>_{challenges,solutions}.json (default); raw: per-task folders")
    p.add_argument("--data-root", default=DATA_ROOT, help=f"shared data folder (default {DATA_ROOT})")
    p.add_argument("--input-prefix", help="Kaggle file prefix (default <data-root>/trm-kaggle-combined/arc-agi)")
    p.add_argument("--num-aug", type=int, default=1000, help="augmented variants per task (default 1000)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--limit-tasks", type=int, help="first N tasks of each subset only (tests, quick looks)")
    p.add_argument("--puzzle-identifiers-start", type=int, default=1, help="first puzzle id (0 = <blank>)")
    args = p.parse_args(argv)
    if args.limit_tasks is not None and args.limit_tasks < 1:
        p.error("--limit-tasks must be >= 1")
    if args.puzzle_identifiers_start < 1:
        p.error("--puzzle-identifiers-start must be >= 1")
    start = time.time()
    try:
        metas = build(args)
    except ArcDataError as e:
        print(f"build_arc.py: error: {e}", file=sys.stderr)
        return 2
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(args.out) for f in fs)
    for split, m in metas.items():
        print(f"{split}: {m['total_groups']} groups, {m['total_puzzles']} puzzles, "
              f"{m['mean_puzzle_examples']:.2f} examples/puzzle", file=sys.stderr)
    print(f"{next(iter(metas.values()))['num_puzzle_identifiers']} puzzle ids (incl. <blank>); "
          f"{size / 2**20:.1f} MiB in {args.out}; {time.time() - start:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
