#!/usr/bin/python3
"""Training throughput on this CPU: sequence-supervision-steps per second of training/train.py's own step
(forward + backward + AdamATan2 + EMA, carry-style deep supervision), for several recipes measured in the
same process, interleaved round by round, medians reported. Used to pick the CPU recipe (docs/training.md).

    /usr/bin/python3 training/bench_train.py --train training/data/sudoku9m/train.csv \\
        --test training/data/sudoku9m/test.csv --task sudoku [--rounds 5] [--steps 6] [--busy]

Variants (each a row): threads 1 / 2 (torch and OpenBLAS alike; also 1 torch + 2 OpenBLAS threads, what every
run got before session 6), batch 32 / 64 / 128, bf16 forward (CPU autocast-style: the reference model's
forward_dtype, which casts weights and activations), flush-denormal off. `--busy` starts one busy-loop
process (a sibling core taken by someone else, as on a shared box or a visitor's laptop) for the whole run.
The CPU model and ISA flags are printed first; numbers depend on them and on the load, so compare rows of the
same run only.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train as trainmod  # noqa: E402


def cpu_line() -> str:
    model, flags = platform.processor() or "?", set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                elif line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    isa = [f for f in ("avx2", "fma", "avx512f", "avx512_bf16", "avx512_vnni", "amx_bf16") if f in flags]
    return f"{model} | {os.cpu_count()} logical CPUs | {' '.join(isa) or 'no AVX2'} | torch {torch.__version__}"


def spin() -> None:
    while True:
        pass


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--task", choices=("sudoku", "maze"), default="sudoku")
    p.add_argument("--train", required=True)
    p.add_argument("--test", required=True)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--steps", type=int, default=6, help="timed optimizer steps per variant per round")
    p.add_argument("--busy", action="store_true", help="keep one busy-loop process running during the run")
    p.add_argument("--arch", default="--hidden 64 --heads 1 --H-cycles 2 --L-cycles 2 --puzzle-emb-len 1 --n-sup 4",
                   help="architecture flags passed to train.py")
    a = p.parse_args(argv)

    variants = [  # name, batch, threads (torch, OpenBLAS), forward dtype, flush denormals
        ("base: 1 thread, batch 64, fp32", 64, (1, 1), torch.float32, True),
        ("2 threads", 64, (2, 2), torch.float32, True),
        ("1 torch thread, 2 OpenBLAS threads (sessions 1-5)", 64, (1, 2), torch.float32, True),
        ("batch 32", 32, (1, 1), torch.float32, True),
        ("batch 128", 128, (1, 1), torch.float32, True),
        ("bf16 forward", 64, (1, 1), torch.bfloat16, True),
        ("denormals not flushed", 64, (1, 1), torch.float32, False),
    ]
    print(cpu_line(), flush=True)
    busy = None
    if a.busy:
        busy = multiprocessing.Process(target=spin, daemon=True)
        busy.start()
    print(f"load average at start: {os.getloadavg()[0]:.2f}{' (+ our busy loop)' if busy else ''}", flush=True)
    trainers = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, batch, threads, dtype, _) in enumerate(variants):
            args = trainmod.parse_args(["--task", a.task, "--train", a.train, "--test", a.test,
                                        "--run", os.path.join(tmp, f"v{i}"), *a.arch.split(), "--batch", str(batch),
                                        "--lr", "1e-3", "--warmup", "50", "--wd", "0.1", "--threads", str(threads[0]),
                                        "--eval-limit", "1"])
            t = trainmod.Trainer(args)
            t.model.inner.forward_dtype = dtype
            for _ in range(2):  # warm-up (allocations, first carry)
                t.train_step()
            trainers.append(t)
        rates: list[list[float]] = [[] for _ in variants]
        for _ in range(a.rounds):
            for i, ((name, batch, threads, dtype, flush), t) in enumerate(zip(variants, trainers)):
                trainmod.set_threads(*threads)
                torch.set_flush_denormal(flush)
                t0 = time.perf_counter()
                for _ in range(a.steps):
                    t.train_step()
                rates[i].append(a.steps * batch / (time.perf_counter() - t0))
    torch.set_flush_denormal(True)
    base = statistics.median(rates[0])
    print(f"\n| variant | seq-steps/s (median of {a.rounds}) | vs base |")
    print("|---|---|---|")
    for (name, *_), r in zip(variants, rates):
        m = statistics.median(r)
        print(f"| {name} | {m:.0f} | {m / base:.2f}x |")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    if busy:
        busy.terminate()


if __name__ == "__main__":
    main()
