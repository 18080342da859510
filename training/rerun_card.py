#!/usr/bin/python3
"""Re-measure a model card on a new file: rerun every `ptrm eval` command recorded in a card's eval JSON.

    rerun_card.py --card assets/models/sudoku9.eval.json --model build/sudoku9_new.safetensors \
        --out training/checkpoints/<run>/best/step_N.card.json --jobs 2

A card's raw JSON (assets/models/<name>.eval.json) keeps the exact command of every number in its tables. A re-ship
puts a new file behind the same tables, so the card is measured again by running those commands with `--model`
swapped for the new file. The results go to --out in the card's own shape (the same keys, each result with its
`command` as recorded, naming the shipped path the file is copied to when it ships), so the new JSON replaces the old
one and the card's tables are rewritten from it. --out is written after every command and read back on start: a
stopped re-measure resumes where it stopped (on another machine too: `ptrm eval` gives the same figures on any build).
--only picks the entries to run, in its order; --jobs runs that many commands at once (each with the thread count
it records).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def entries(node, path=()):
    """(path, command) for every result in the card's JSON that records a command."""
    if isinstance(node, dict):
        if isinstance(node.get("command"), str):
            yield path, node["command"]
            return
        for k, v in node.items():
            yield from entries(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from entries(v, path + (i,))


def swap_model(command: str, model: str) -> tuple[list[str], str]:
    """The command's argv with --model replaced, and the path it named."""
    argv = command.split(" ")
    if "--model" not in argv or argv[1] != "eval":
        raise SystemExit(f"not a `ptrm eval --model ...` command: {command}")
    i = argv.index("--model") + 1
    shipped, argv[i] = argv[i], model
    return argv, shipped


def put(tree, path: tuple, value) -> None:
    """Set tree[path] = value, creating dicts (string keys) and lists (int keys) on the way."""
    for key, nxt in zip(path, path[1:] + (None,)):
        if nxt is None:
            if isinstance(tree, list):
                tree.extend([None] * (key + 1 - len(tree)))
            tree[key] = value
            return
        empty = [] if isinstance(nxt, int) else {}
        if isinstance(tree, list):
            tree.extend([None] * (key + 1 - len(tree)))
            tree[key] = tree[key] if tree[key] is not None else empty
        else:
            tree.setdefault(key, empty)
        tree = tree[key]


def get(tree, path: tuple):
    for key in path:
        try:
            tree = tree[key]
        except (KeyError, IndexError, TypeError):
            return None
    return tree


def label(path: tuple) -> str:
    return "/".join(str(k) for k in path)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--card", required=True, help="the card's eval JSON whose commands are rerun")
    p.add_argument("--model", required=True, help="the new file (relative to the repository root, or absolute)")
    p.add_argument("--out", required=True, help="results in the card's shape; resumed if it exists")
    p.add_argument("--only", nargs="+", help="entries to run, as slash paths (grid/0, hard/test_17clue); default all")
    p.add_argument("--jobs", type=int, default=1, help="commands run at once")
    p.add_argument("--dry-run", action="store_true", help="print what would run")
    a = p.parse_args(argv)
    with open(a.card) as f:
        card = json.load(f)
    todo = list(entries(card))
    if a.only:
        known = {label(path): (path, cmd) for path, cmd in todo}
        missing = [o for o in a.only if o not in known]
        if missing:
            p.error(f"--only {' '.join(missing)}: not in {a.card} (it has: {', '.join(known)})")
        todo = [known[o] for o in a.only]
    out = {"note": f"re-measure of {a.card} on {a.model}: every command rerun with --model swapped"}
    if os.path.exists(a.out):
        with open(a.out) as f:
            out = json.load(f)
    todo = [(path, cmd) for path, cmd in todo if get(out, path) is None]
    if not os.path.isfile(os.path.join(REPO, a.model)):
        p.error(f"--model {a.model}: no such file")
    lock = threading.Lock()

    def run(item):
        path, command = item
        argv, _ = swap_model(command, a.model)
        print(f"running {label(path)}: {' '.join(argv)}", file=sys.stderr, flush=True)
        if a.dry_run:
            return
        t = time.time()
        r = subprocess.run(argv, capture_output=True, text=True, cwd=REPO)
        if r.returncode != 0:
            raise SystemExit(f"{label(path)} failed ({r.returncode}): {r.stderr.strip()}")
        result = json.loads(r.stdout)
        result["command"] = command  # as the card records it: the shipped path the new file is copied to
        with lock:
            put(out, path, result)
            tmp = a.out + ".tmp"
            with open(tmp, "w") as f:
                json.dump(out, f, indent=1)
                f.write("\n")
            os.replace(tmp, a.out)
        print(f"done {label(path)} in {time.time() - t:.0f} s", file=sys.stderr, flush=True)

    print(f"{len(todo)} command(s) to run, {a.jobs} at a time", file=sys.stderr, flush=True)
    with ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        for _ in pool.map(run, todo):
            pass


if __name__ == "__main__":
    main()
