#!/usr/bin/python3
"""Widen a trained TRM to twice its hidden size without changing what it computes (Net2Net-style), so a wider run
starts from a trained model instead of from scratch.

    training/widen.py IN.safetensors OUT.safetensors [--seed 0] [--jitter 0.001]
    train.py ... --hidden 2D --heads 2H --init-from OUT.safetensors

Every hidden vector h becomes [h; h]. That survives each operation of the network:
 * RMSNorm has no gain, and the mean of squares of [h; h] is that of h;
 * a linear map that reads h reads [h; h] with its columns halved, [W/2, W/2]; one that writes h writes its rows
   twice (qkv, o_proj, the channel SwiGLU's gate/up and down);
 * attention: the heads are duplicated (H -> 2H, head_dim and so RoPE unchanged), so the concatenated output is
   [o; o]; the channel SwiGLU's intermediate units are duplicated the same way (its width must double too);
 * the mlp_t token mixer maps positions and is applied per channel: duplicated channels get the same map;
 * the input embedding is scaled by sqrt(D) inside the model: token and puzzle embeddings are divided by sqrt(2).
Duplicates get the same gradient and would stay equal forever. The halved column pairs are therefore written as
W/2 + e and W/2 - e (e ~ N(0, (jitter * std(W))^2), seeded): on a duplicated input they still sum to W, so the
function is unchanged, but the two copies of each unit now read their inputs differently and learn apart.
The output holds fp32 weights (H_init/L_init stay bf16 values), whatever the input's storage dtype.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from ptrm_ref.config import ModelConfig  # noqa: E402
from ptrm_ref.ptrm_file import INIT_KEYS, read_ptrm, write_ptrm  # noqa: E402


class WidenError(ValueError):
    pass


def wide_config(config: ModelConfig) -> ModelConfig:
    d = config.hidden_size
    ndim = config.puzzle_emb_len * 2 * d if config.puzzle_emb_ndim > 0 else 0
    wide = dataclasses.replace(config, hidden_size=2 * d, num_heads=2 * config.num_heads, puzzle_emb_ndim=ndim)
    if wide.channel_inter != 2 * config.channel_inter:
        raise WidenError(f"the channel SwiGLU width goes {config.channel_inter} -> {wide.channel_inter} at hidden "
                         f"{2 * d} (expansion {config.expansion}), not twice: its units cannot be duplicated")
    return wide


def widen(tensors: dict[str, torch.Tensor], config: ModelConfig, jitter: float = 1e-3,
          seed: int = 0) -> tuple[dict[str, torch.Tensor], ModelConfig]:
    wide = wide_config(config)
    gen = torch.Generator().manual_seed(seed)
    d = config.hidden_size
    t = {k: v.to(torch.float64) for k, v in tensors.items()}

    def read(w: torch.Tensor) -> torch.Tensor:
        """Columns for an input [x; x]: [W/2 + e, W/2 - e]."""
        e = torch.randn(w.shape, generator=gen, dtype=torch.float64) * (jitter * float(w.std()))
        return torch.cat((w / 2 + e, w / 2 - e), dim=1)

    def dup_rows(w: torch.Tensor, groups: int = 1) -> torch.Tensor:
        """Rows written twice, group by group: [A; B] -> [A; A; B; B]."""
        return torch.cat([torch.cat((g, g), dim=0) for g in w.chunk(groups, dim=0)], dim=0)

    out: dict[str, torch.Tensor] = {}
    for k, w in t.items():
        if k in INIT_KEYS:
            out[k] = torch.cat((w, w))
        elif k == "embed_tokens.embedding_weight" or k == "embed_pos.embedding_weight":
            out[k] = torch.cat((w, w), dim=1) / 2 ** 0.5  # the model multiplies by sqrt(D)
        elif k == "puzzle_emb.weights":
            slots = torch.nn.functional.pad(w, (0, config.puzzle_emb_len * d - w.shape[1]))
            slots = slots.view(w.shape[0], config.puzzle_emb_len, d)
            out[k] = torch.cat((slots, slots), dim=2).reshape(w.shape[0], -1) / 2 ** 0.5
        elif k in ("lm_head.weight", "q_head.weight"):
            out[k] = read(w)
        elif k == "q_head.bias":
            out[k] = w
        elif k.endswith("self_attn.qkv_proj.weight"):
            # rows: q heads, k heads, v heads (head_dim each): duplicate the heads of each of the three
            out[k] = read(dup_rows(w, 3))
        elif k.endswith("self_attn.o_proj.weight") or k.endswith("mlp.down_proj.weight"):
            out[k] = read(dup_rows(w))
        elif k.endswith("mlp.gate_up_proj.weight"):
            out[k] = read(dup_rows(w, 2))
        elif ".mlp_t." in k:
            out[k] = w  # mixes positions, per channel
        else:
            raise WidenError(f"no widening rule for tensor {k}")
    # shapes are checked against `wide` by write_ptrm (check_tensors)
    return {k: v.to(torch.bfloat16 if k in INIT_KEYS else torch.float32) for k, v in out.items()}, wide


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("input", help="ptrm safetensors file")
    p.add_argument("output", help="the widened ptrm safetensors file (fp32)")
    p.add_argument("--jitter", type=float, default=1e-3,
                   help="std of the symmetry-breaking split of halved columns, relative to each weight's std")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    if not 0 <= args.jitter <= 1:
        p.error("--jitter must be in [0, 1]")
    try:
        tensors, config, meta = read_ptrm(args.input)
        wide, wide_cfg = widen(tensors, config, args.jitter, args.seed)
    except (OSError, ValueError) as e:  # ModelFileError, ConfigError and WidenError are ValueErrors
        print(f"widen.py: {args.input}: {e}", file=sys.stderr)
        return 2
    keep = {k: v for k, v in meta.items() if k in ("ptrm.puzzle_identifiers", "ptrm.task")}
    keep["ptrm.name"] = meta.get("ptrm.name", "model") + "-wide"
    keep["ptrm.description"] = (f"{os.path.basename(args.input)} widened by training/widen.py (hidden "
                                f"{config.hidden_size} -> {wide_cfg.hidden_size}, heads {config.num_heads} -> "
                                f"{wide_cfg.num_heads}, jitter {args.jitter}, seed {args.seed}): the same function")
    write_ptrm(wide, wide_cfg, args.output, "f32", keep)
    print(f"wrote {args.output}: hidden {wide_cfg.hidden_size}, heads {wide_cfg.num_heads}, "
          f"{sum(v.numel() for v in wide.values()):,} values")
    return 0


if __name__ == "__main__":
    sys.exit(main())
