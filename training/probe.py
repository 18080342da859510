#!/usr/bin/python3
"""Held-out accuracy of a training run's checkpoint, measured by the C++ engine, without touching the run.

The checkpoint (the run's latest, or --ckpt) is copied to a temporary folder, its EMA weights are exported there with
the run's own recipe (read from the checkpoint, so no architecture flags are retyped), and `ptrm eval --json` runs
deterministic TRM (K = 1, sigma 0) on each --data file. A run that is training can be probed: its folder is only
read. Prints one markdown row (and, with --header, the header above it); --json-out also keeps the raw results.

    training/probe.py --run training/checkpoints/maze15mix_lr3_d64 --cli build/ptrm --limit 100 --header \\
        --data training/data/maze15mix/test_smaller/maze{6,7,8,9,10,11,12,13,14}.csv training/data/maze15mix/test.csv

This is how docs/training.md's by-side tables and sudoku probes are measured (one thread, 16 steps by default).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import tempfile

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import eval_card  # noqa: E402
import train as trainmod  # noqa: E402


def copy_checkpoint(run: str, ckpt: str | None, dest: str) -> str:
    """Copy the checkpoint into dest/ckpt/. A training run replaces its latest checkpoint every few minutes
    (--keep-ckpts 1 deletes the old one), so a copy that loses that race retries with the new latest."""
    os.makedirs(os.path.join(dest, "ckpt"))
    for _ in range(5):
        src = ckpt or trainmod.latest_checkpoint(run)
        if src is None:
            raise SystemExit(f"{run}: no checkpoint (ckpt/step_*.pt)")
        try:
            # The trainer resumes only from ckpt/step_<N>.pt, and dest holds just this one checkpoint, so it goes
            # in under a fixed such name whatever it was called (a copy named by hand); the step reported is the
            # one stored in the checkpoint.
            shutil.copy(src, os.path.join(dest, "ckpt", "step_0.pt"))
            return src
        except FileNotFoundError:
            if ckpt:
                raise SystemExit(f"{ckpt}: no such checkpoint")
    raise SystemExit(f"{run}: its latest checkpoint kept changing while it was copied")


def export(tmp: str, path: str, threads: int) -> int:
    """Export the EMA weights of the checkpoint in tmp/ckpt with the recipe stored in it; returns its step."""
    state = torch.load(trainmod.latest_checkpoint(tmp), map_location="cpu")
    recipe = state.get("args")
    if not recipe:
        raise SystemExit("the checkpoint has no training recipe ('args'); export it with train.py --export-only")
    base = trainmod.parse_args(["--task", recipe["task"], "--train", recipe["train"], "--test", recipe["test"],
                                "--run", tmp])
    args = argparse.Namespace(**{**vars(base), **recipe, "run": tmp, "resume": True, "export_only": True,
                                 "export": path, "eval_limit": 1, "threads": threads,
                                 "name": "probe", "init_from": None})
    with contextlib.redirect_stdout(sys.stderr):  # the trainer's progress lines; stdout is the table
        trainer = trainmod.Trainer(args)
        trainer.train()
    return trainer.step


def deterministic(model: str, data: str, a) -> dict:
    """Deterministic TRM (K = 1, sigma 0) on one file, through eval_card's runner of `ptrm eval --json`."""
    out = eval_card.run_eval(argparse.Namespace(cli=a.cli, model=model, data=data, limit=a.limit, steps=a.steps,
                                                seed=0, threads=a.threads, buckets=""), "1", 0.0)
    shown = [label(c) for c in out["command"].split(" ")]
    shown[shown.index(model)] = "<export>"  # a temporary file; the checkpoint it came from is in the JSON
    return {"data": label(data), "n": out["n"], "exact": out["deterministic"], "command": " ".join(shown)}


def label(path: str) -> str:
    return os.path.relpath(path, REPO) if path.startswith(REPO + os.sep) else path


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", required=True, help="run folder (training/checkpoints/<run> or training/runs/<run>)")
    p.add_argument("--ckpt", help="a checkpoint file of the run (default: its latest)")
    p.add_argument("--cli", required=True, help="the ptrm CLI (build/ptrm)")
    p.add_argument("--data", nargs="+", required=True, help="held-out CSVs, one column each")
    p.add_argument("--limit", type=int, default=100, help="first N rows of each file")
    p.add_argument("--steps", type=int, default=16, help="supervision steps")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--keep-export", help="also keep the exported ptrm file here")
    p.add_argument("--json-out", help="write the step, the source checkpoint and every eval command and result")
    p.add_argument("--header", action="store_true", help="print the table header first")
    a = p.parse_args(argv)
    # The recipe in a checkpoint names its data relative to the repository root (every cmd.sh runs from there).
    for name in ("run", "ckpt", "cli", "keep_export", "json_out"):
        if getattr(a, name):
            setattr(a, name, os.path.abspath(getattr(a, name)))
    a.data = [os.path.abspath(d) for d in a.data]
    os.chdir(REPO)
    if not os.path.isdir(a.run):
        p.error(f"--run {a.run}: no such folder")
    for d in a.data:
        if not os.path.isfile(d):
            p.error(f"--data {d}: no such file")
    with tempfile.TemporaryDirectory(prefix="ptrm-probe-") as tmp:
        src = copy_checkpoint(a.run, a.ckpt, os.path.join(tmp, "run"))
        model = os.path.join(tmp, "probe.safetensors")
        step = export(os.path.join(tmp, "run"), model, a.threads)
        if a.keep_export:
            shutil.copy(model, a.keep_export)
        results = [deterministic(model, d, a) for d in a.data]
    if a.header:
        print("| run | step | " + " | ".join(os.path.splitext(os.path.basename(d))[0] for d in a.data) + " |")
        print("|---|---|" + "---|" * len(a.data))
    print(f"| {os.path.basename(os.path.normpath(a.run))} | {step:,} | "
          + " | ".join(f"{100 * r['exact']:.1f}" for r in results) + " |", flush=True)
    if a.json_out:
        with open(a.json_out, "w") as f:
            json.dump({"run": label(a.run), "checkpoint": label(src), "step": step, "limit": a.limit, "steps": a.steps,
                       "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
