#!/usr/bin/python3
"""Evaluate a shipped model with the C++ CLI (`ptrm eval --json`) and print the model-card tables.

    eval_card.py --cli build/ptrm --model assets/models/sudoku6.safetensors --data training/data/sudoku6/test.csv \
        --limit 200 --steps 16 --k 1,4,16,64 --sigmas 0.3 --sweep-k 16 --sweep-sigmas 0.1,0.3,0.6,1.0 \
        --json-out training/runs/sudoku6_d64/card_eval.json

Runs one `ptrm eval` per sigma of the K grid and one per sigma of the sweep (at --sweep-k), keeps the raw JSON of
every run (with the exact command) in --json-out, and prints markdown: deterministic TRM and PTRM best-Q@K /
mode@K / vote@K / pass@K overall and per difficulty bucket, then the sigma sweep. The tables read results written
before `ptrm eval` reported vote (no "vote" key): their vote cells are "–".
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys


def run_eval(args, k: str, sigma: float) -> dict:
    cmd = [args.cli, "eval", "--model", args.model, "--data", args.data, "--limit", str(args.limit),
           "--k", k, "--sigma", str(sigma), "--steps", str(args.steps), "--seed", str(args.seed),
           "--threads", str(args.threads), "--json"]
    if args.buckets:
        cmd[-1:-1] = ["--buckets", args.buckets] + (["--bucket-width", str(args.bucket_width)] if args.bucket_width else [])
    print("running: " + " ".join(cmd), file=sys.stderr, flush=True)
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"ptrm eval failed ({r.returncode}): {r.stderr.strip()}")
    result = json.loads(r.stdout)
    result["command"] = " ".join(cmd)
    return result


def pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}"


# The answer rules `ptrm eval` reports per K (its JSON keys), in table order; "vote" is absent from older results.
RULES = [("best_q", "best-Q"), ("mode", "mode"), ("vote", "vote"), ("pass", "pass")]


def rule_cells(r: dict) -> list[str]:
    return [pct(r.get(key)) for key, _ in RULES]


def k_table(result: dict, bucket_key: str) -> list[str]:
    ks = [r["k"] for r in result["results"]]
    head = "| subset | n | deterministic | " + " | ".join(
        " / ".join(f"{name}@{k}" for _, name in RULES) for k in ks) + " |"
    lines = [head, "|" + "---|" * (3 + len(ks))]
    groups = [("all", result)] + [(b.get(bucket_key, "?"), b) for b in result.get("buckets", [])]
    for name, g in groups:
        cells = [" / ".join(rule_cells(r)) for r in g["results"]]
        lines.append(f"| {name} | {g['n']} | {pct(g['deterministic'])} | " + " | ".join(cells) + " |")
    return lines


def sweep_table(runs: list[dict]) -> list[str]:
    lines = ["| sigma | deterministic | " + " | ".join(name for _, name in RULES) + " |",
             "|" + "---|" * (2 + len(RULES))]
    for r in runs:
        for x in r["results"]:
            lines.append(f"| {x['sigma']:.2f} | {pct(r['deterministic'])} | " + " | ".join(rule_cells(x)) + " |")
    return lines


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cli", required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--limit", type=int, default=200)
    p.add_argument("--steps", type=int, default=16)
    p.add_argument("--k", default="1,4,16,64")
    p.add_argument("--sigmas", default="0.3", help="sigmas of the full K grid")
    p.add_argument("--sweep-k", default="16")
    p.add_argument("--sweep-sigmas", default="", help="extra sigmas evaluated only at --sweep-k")
    p.add_argument("--buckets", default="givens", help="ptrm eval --buckets value: givens, rating, '' for none")
    p.add_argument("--bucket-width", type=int, default=0, help="ptrm eval --bucket-width (0: the CLI's default)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--json-out", required=True)
    args = p.parse_args(argv)
    sigmas = [float(s) for s in args.sigmas.split(",") if s]
    sweep = [float(s) for s in args.sweep_sigmas.split(",") if s]
    runs = {"grid": [run_eval(args, args.k, s) for s in sigmas],
            "sweep": [run_eval(args, args.sweep_k, s) for s in sweep]}
    with open(args.json_out, "w") as f:
        json.dump(runs, f, indent=1)
    bucket_key = args.buckets or "bucket"
    for r in runs["grid"]:
        print(f"\n**sigma = {r['results'][0]['sigma']:.2f}, {r['steps']} supervision steps, seed {r['seed']}** "
              f"(exact accuracy %, {r['seconds']:.0f} s)\n\n`{r['command']}`\n")
        print("\n".join(k_table(r, bucket_key)))
    if runs["sweep"]:
        print(f"\n**sigma sweep at K = {args.sweep_k}** (all puzzles; exact accuracy %)\n")
        print("\n".join(sweep_table(runs["sweep"])))


if __name__ == "__main__":
    main()
