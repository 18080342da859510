"""Export one supervision step of the PyTorch reference TRM (training/ptrm_ref) to ONNX, for the ONNX Runtime
peers of the benchmarks (scripts/bench.sh, scripts/bench_wasm.sh, scripts/bench_chromium.mjs).

Usage (Debian python with python3-torch; torch.onnx needs no `onnx` package):
  /usr/bin/python3 training/export_onnx.py MODEL.safetensors OUT.onnx [--parity OUT.parity.bin]

The graph is the reference's fp32 forward, unrolled (H_cycles x (L_cycles + 1) net calls + heads):
  inputs  z_H, z_L (B, S, D) float32, tokens (B, seq_len) int32, puzzle_ids (B,) int32
  outputs z_H_out, z_L_out (B, S, D), logits (B, seq_len, V), q_halt (B,)
with a dynamic batch axis B (the K trajectories batched together, as in the engine). opset 17.

--parity writes what a peer needs to check that it computes the same step before it is timed: the K=2 inputs
(initial carry from H_init/L_init and a fixed puzzle) and the reference's outputs, as one little-endian binary
file: a JSON header line {"shapes": {...}, "order": [...]} then the arrays in that order (float32 / int32).
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ptrm_ref import load_ptrm  # noqa: E402

# The puzzle `ptrm bench` and training/bench_torch.py feed (9x9 Sudoku bench models); other models get blanks.
PUZZLE = "..3.2.6..9..3.5..1..18.64....81.29..7.......8..67.82....26.95..8..2.3..9..5.1.3.."


class Step(nn.Module):
    """One supervision step as a pure function of the carry (what ORT sessions run, one call per step)."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, z_H, z_L, tokens, puzzle_ids):
        from ptrm_ref.model import InnerCarry
        carry, logits, (q_halt, _) = self.inner(InnerCarry(z_H=z_H, z_L=z_L),
                                                {"inputs": tokens, "puzzle_identifiers": puzzle_ids})
        return carry.z_H, carry.z_L, logits, q_halt


def parity_inputs(model, batch: int):
    cfg = model.config
    if cfg.seq_len == len(PUZZLE) and cfg.vocab_size == 11:
        row = [1 if ch == "." else int(ch) + 1 for ch in PUZZLE]
    else:
        row = [1] * cfg.seq_len
    carry = model.initial_carry(batch)
    tokens = torch.tensor([row] * batch, dtype=torch.int32)
    ids = torch.zeros(batch, dtype=torch.int32)
    return carry.z_H, carry.z_L, tokens, ids


def write_parity(path: str, names, arrays) -> None:
    header = {"order": list(names), "shapes": {n: list(a.shape) for n, a in zip(names, arrays)},
              "dtypes": {n: ("int32" if a.dtype == torch.int32 else "float32") for n, a in zip(names, arrays)}}
    with open(path, "wb") as f:
        f.write(json.dumps(header).encode() + b"\n")
        for a in arrays:
            f.write(a.contiguous().numpy().astype("<i4" if a.dtype == torch.int32 else "<f4").tobytes())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", help="a ptrm .safetensors file (e.g. from `ptrm bench --save-weights DIR`)")
    ap.add_argument("out", help="output .onnx path")
    ap.add_argument("--parity", help="also write reference inputs/outputs (K=2) to this file")
    args = ap.parse_args()

    model = load_ptrm(args.model)  # fp32 forward, eval mode
    step = Step(model).eval()
    example = parity_inputs(model, 2)
    with torch.no_grad():
        # Deep supervision's no-grad cycles make no difference under no_grad; the trace sees plain fp32 ops.
        torch.onnx.export(step, example, args.out, opset_version=17, do_constant_folding=True,
                          input_names=["z_H", "z_L", "tokens", "puzzle_ids"],
                          output_names=["z_H_out", "z_L_out", "logits", "q_halt"],
                          dynamic_axes={n: {0: "batch"} for n in
                                        ("z_H", "z_L", "tokens", "puzzle_ids", "z_H_out", "z_L_out", "logits",
                                         "q_halt")})
        if args.parity:
            outs = step(*example)
            write_parity(args.parity, ["z_H", "z_L", "tokens", "puzzle_ids", "z_H_out", "z_L_out", "logits", "q_halt"],
                         list(example) + list(outs))
    print(f"wrote {args.out} ({os.path.getsize(args.out) / 1e6:.1f} MB)" + (f" and {args.parity}" if args.parity else ""))


if __name__ == "__main__":
    main()
