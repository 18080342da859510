"""Time one supervision step of the PyTorch reference TRM (training/ptrm_ref) on the weights `ptrm bench
--save-weights DIR` wrote, so the C++ engine and PyTorch are compared on the same model, shapes and threads.

Usage (Debian python, OpenBLAS installed):
  /usr/bin/python3 training/bench_torch.py --weights DIR [--threads T] [--k 1,16] [--steps N]
                                           [--config mlp_t,attention] [--json]
Prints per config and K the median wall and process-CPU milliseconds of `steps` timed supervision steps after
one warm-up step, run under torch.inference_mode() in fp32 (the engine's precision; no autograd bookkeeping).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ptrm_ref import load_ptrm  # noqa: E402

# The puzzle `ptrm bench` feeds (cli/bench.cpp); a step's cost does not depend on it, but keeping the same
# input makes the two runs the same computation.
PUZZLE = "..3.2.6..9..3.5..1..18.64....81.29..7.......8..67.82....26.95..8..2.3..9..5.1.3.."
CONFIGS = ("mlp_t", "attention")


def blas_library() -> str:
    """The BLAS shared object actually mapped into this process (Debian's torch uses the libblas.so.3
    alternative: reference BLAS unless libopenblas0-pthread is installed, which is ~10x slower)."""
    torch.mm(torch.ones(64, 64), torch.ones(64, 64))  # make sure BLAS is loaded
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.lower() and line.split()[-1].startswith("/")}
    except OSError:
        return "unknown"
    return ", ".join(sorted(os.path.realpath(p) for p in libs)) or "none found"


def parse_ks(text: str) -> list[int]:
    try:
        ks = [int(x) for x in text.split(",")]
    except ValueError:
        raise SystemExit(f"--k: expected comma-separated integers, got {text!r}")
    if not ks or any(k < 1 or k > 1024 for k in ks):
        raise SystemExit(f"--k: values must be in 1..1024, got {text!r}")
    return ks


def time_steps(model, k: int, steps: int) -> tuple[float, float]:
    """Median (wall, process CPU) seconds of one supervision step for k rows (one warm-up step first). CPU time
    counts every thread of this process and excludes time the shared machine gave to other processes."""
    cfg = model.config
    tokens = [1 if ch == "." else int(ch) + 1 for ch in PUZZLE]
    if len(tokens) != cfg.seq_len:
        raise SystemExit(f"bench weights have seq_len {cfg.seq_len}; expected the 9x9 Sudoku config")
    batch = {"inputs": torch.tensor([tokens] * k, dtype=torch.int32),
             "puzzle_identifiers": torch.zeros(k, dtype=torch.int32)}
    wall, cpu = [], []
    with torch.inference_mode():
        carry = model.initial_carry(k)
        carry, _, _ = model(carry, batch)
        for _ in range(steps):
            c0, t0 = time.process_time(), time.perf_counter()
            carry, _, _ = model(carry, batch)  # torch CPU ops are synchronous: the step is done on return
            wall.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", required=True, help="directory written by `ptrm bench --save-weights`")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--k", default="1,16")
    ap.add_argument("--steps", type=int, default=5, help="timed supervision steps (median reported)")
    ap.add_argument("--config", default="mlp_t,attention")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    ks = parse_ks(args.k)
    configs = args.config.split(",")
    if any(c not in CONFIGS for c in configs):
        raise SystemExit(f"--config: expected names from {CONFIGS}, got {args.config!r}")
    if not 1 <= args.threads <= 256 or not 1 <= args.steps <= 1000:
        raise SystemExit("--threads must be in 1..256 and --steps in 1..1000")

    torch.set_num_threads(args.threads)
    results = []
    for name in configs:
        path = os.path.join(args.weights, f"bench-{name}.safetensors")
        if not os.path.exists(path):
            raise SystemExit(f"{path} not found: run `ptrm bench --save-weights {args.weights}` first")
        model = load_ptrm(path)
        for k in ks:
            wall, cpu = time_steps(model, k, args.steps)
            results.append({"config": name, "k": k, "ms_per_step": wall * 1e3, "cpu_ms_per_step": cpu * 1e3})
            if not args.json:
                print(f"{name:10s} K={k:<5d} {wall * 1e3:10.1f} ms/step {cpu * 1e3:10.1f} cpu ms", flush=True)
    info = {"threads": torch.get_num_threads(), "timed_steps": args.steps, "torch": torch.__version__,
            "blas": blas_library(), "results": results}
    if args.json:
        print(json.dumps(info))
    else:
        print(f"torch {info['torch']}, {info['threads']} threads, BLAS: {info['blas']}")


if __name__ == "__main__":
    main()
