"""Convert an official TinyRecursiveModels checkpoint (torch.save state dict from pretrain.py) into a ptrm model
file (safetensors + `ptrm.config` metadata, docs/design.md).

  /usr/bin/python3 training/convert.py CHECKPOINT [--config all_config.yaml] [--task sudoku|maze|arc]
      [--board N] [--seq-len N] [--vocab N] [--puzzle-ids 0,5,17 | --identifiers identifiers.json --tasks a,b]
      [--dtype f32|f16|bf16] -o OUT.safetensors

Sizes (V, D, layers, variant, S, puzzle table) come from the tensor shapes. Heads, cycles, position encoding,
halt_max_steps and expansion are not in the tensors: they come from flags, else from all_config.yaml (looked
up next to the checkpoint when --config is not given), else from the official defaults (8 heads, H_cycles 3,
L_cycles 6 for sudoku / 4 for maze and arc, halt_max_steps 16, expansion 4, puzzle_emb_len 16, rope unless
mlp_t (none) or a learned position table is present). Every tensor name and shape is then validated against
the resulting configuration.

Exit codes: 0 ok, 2 bad options, 3 bad checkpoint, 5 I/O error.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys

import torch
import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ptrm_ref.config import (DEFAULT_RMS_NORM_EPS, DEFAULT_ROPE_THETA, POS_ENCODINGS, TASKS,  # noqa: E402
                             ConfigError, ModelConfig, resolve_puzzle_emb_len, task_shape)
from ptrm_ref.ptrm_file import FILE_DTYPES, INIT_KEYS, ModelFileError, check_tensors, write_ptrm  # noqa: E402
from ptrm_ref.safetensors_io import SafetensorsError  # noqa: E402

PREFIXES = ("_orig_mod.", "model.inner.")
# Non-persistent in the official modules, but tolerated if a checkpoint was written with them.
IGNORED = re.compile(r"^(rotary_emb\.(cos|sin)_cached|puzzle_emb\.local_(weights|ids))$")


class ConvertError(ValueError):
    """The checkpoint cannot be converted as asked (bad options or inconsistent tensors)."""

    def __init__(self, message: str, exit_code: int = 3):
        super().__init__(message)
        self.exit_code = exit_code


def strip_key(key: str) -> str:
    for p in PREFIXES:
        if key.startswith(p):
            key = key[len(p):]
    return key


def load_checkpoint(path: str) -> dict[str, torch.Tensor]:
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except TypeError:  # torch < 1.13 has no weights_only
        obj = torch.load(path, map_location="cpu")
    except OSError:
        raise
    except Exception as e:  # torch raises bare RuntimeError/UnpicklingError/EOFError/... for corrupt files
        raise ConvertError(f"{path}: not a readable torch checkpoint ({type(e).__name__}: {e})") from None
    if not isinstance(obj, dict) or not all(isinstance(k, str) for k in obj):
        raise ConvertError(f"{path}: expected a state dict (a dict of tensors), got {type(obj).__name__}")
    state = {}
    for key, value in obj.items():
        name = strip_key(key)
        if IGNORED.match(name):
            continue
        if not isinstance(value, torch.Tensor):
            raise ConvertError(f"{path}: entry {key!r} is a {type(value).__name__}, not a tensor")
        if name in state:
            raise ConvertError(f"{path}: key {name!r} appears twice after stripping prefixes")
        state[name] = value
    return state


def read_all_config(path: str | None, checkpoint: str) -> dict:
    """The `arch` section (plus data_paths) of an official all_config.yaml, or {} when there is none."""
    if path is None:
        candidate = os.path.join(os.path.dirname(os.path.abspath(checkpoint)), "all_config.yaml")
        if not os.path.exists(candidate):
            return {}
        path = candidate
    with open(path) as f:
        try:
            cfg = yaml.safe_load(f)
        except yaml.YAMLError as e:
            raise ConvertError(f"{path}: invalid YAML: {e}", 2) from None
    if not isinstance(cfg, dict) or not isinstance(cfg.get("arch"), dict):
        raise ConvertError(f"{path}: no 'arch' section (not an official all_config.yaml)", 2)
    arch = dict(cfg["arch"])
    arch["_data_paths"] = [str(p) for p in cfg.get("data_paths") or []]
    return arch


def infer_shapes(state: dict[str, torch.Tensor]) -> dict:
    """What the tensors themselves say about the model."""
    if "embed_tokens.embedding_weight" not in state:
        raise ConvertError("missing tensor embed_tokens.embedding_weight (is this a TRM checkpoint?)")
    emb = state["embed_tokens.embedding_weight"]
    if emb.dim() != 2:
        raise ConvertError(f"embed_tokens.embedding_weight has shape {tuple(emb.shape)}, expected (V, D)")
    layer_ids = {int(m.group(1)) for k in state for m in [re.match(r"^L_level\.layers\.(\d+)\.", k)] if m}
    if not layer_ids:
        raise ConvertError("no L_level.layers.* tensors found")
    if layer_ids != set(range(len(layer_ids))):
        raise ConvertError(f"L_level layer indices are not contiguous: {sorted(layer_ids)}")
    mlp_t = any(".mlp_t." in k for k in state)
    if mlp_t and any(".self_attn." in k for k in state):
        raise ConvertError("checkpoint has both self_attn and mlp_t blocks")
    info = {"vocab_size": emb.shape[0], "hidden_size": emb.shape[1], "L_layers": len(layer_ids), "mlp_t": mlp_t,
            "learned_pos": "embed_pos.embedding_weight" in state, "full_seq_len": None}
    if mlp_t and "L_level.layers.0.mlp_t.down_proj.weight" in state:
        info["full_seq_len"] = state["L_level.layers.0.mlp_t.down_proj.weight"].shape[0]
    elif info["learned_pos"]:
        info["full_seq_len"] = state["embed_pos.embedding_weight"].shape[0]
    pz = state.get("puzzle_emb.weights")
    if pz is not None and pz.dim() != 2:
        raise ConvertError(f"puzzle_emb.weights has shape {tuple(pz.shape)}, expected (P, ndim)")
    info["num_puzzle_identifiers"], info["puzzle_emb_ndim"] = (pz.shape[0], pz.shape[1]) if pz is not None else (0, 0)
    return info


def guess_task(args, arch: dict, info: dict) -> str:
    if args.task:
        return args.task
    for p in arch.get("_data_paths", []):
        low = p.lower()
        for task in ("sudoku", "maze", "arc"):
            if task in low:
                return task
    by_vocab = {11: "sudoku", 8: "sudoku", 6: "maze", 12: "arc"}
    if info["vocab_size"] in by_vocab:
        return by_vocab[info["vocab_size"]]
    raise ConvertError(f"cannot tell the task from vocab {info['vocab_size']}; pass --task", 2)


def pick(flag, arch: dict, key: str, default):
    if flag is not None:
        return flag
    return arch.get(key, default)


def build_config(args, arch: dict, info: dict) -> ModelConfig:
    d = info["hidden_size"]
    for key in ("hidden_size", "L_layers", "mlp_t", "puzzle_emb_ndim"):
        if key in arch and arch[key] != info[key]:
            raise ConvertError(f"all_config.yaml says {key}={arch[key]} but the tensors say {info[key]}")
    task = guess_task(args, arch, info)
    if args.vocab is not None and args.vocab != info["vocab_size"]:
        raise ConvertError(f"--vocab {args.vocab} but embed_tokens has {info['vocab_size']} rows", 2)

    emb_len = resolve_puzzle_emb_len(int(pick(args.puzzle_emb_len, arch, "puzzle_emb_len", 16)),
                                     info["puzzle_emb_ndim"], d)
    if info["puzzle_emb_ndim"] == 0:
        emb_len = 0
    seq_len = args.seq_len
    if info["full_seq_len"] is not None:
        from_tensors = info["full_seq_len"] - emb_len
        if seq_len is not None and seq_len != from_tensors:
            raise ConvertError(f"--seq-len {seq_len} but the tensors imply {from_tensors} "
                               f"(S={info['full_seq_len']} minus {emb_len} prefix slots)", 2)
        seq_len = from_tensors
    board = args.board
    if board is None:
        if task == "arc":
            board = 30
        elif seq_len is not None:
            board = math.isqrt(seq_len)
        elif task == "sudoku":
            board = {11: 9, 8: 6}.get(info["vocab_size"], 9)
        else:
            board = 30
    if seq_len is None:
        seq_len = task_shape(task, board)[0]

    pos = pick(args.pos_encodings, arch, "pos_encodings",
               "none" if info["mlp_t"] else ("learned" if info["learned_pos"] else "rope"))
    if pos not in POS_ENCODINGS:
        pos = "none"  # the official code treats any other value as "no position encoding"
    if info["learned_pos"] != (pos == "learned"):
        raise ConvertError(f"pos_encodings={pos} but the checkpoint {'has' if info['learned_pos'] else 'lacks'} "
                           "embed_pos.embedding_weight")
    return ModelConfig(
        hidden_size=d,
        num_heads=int(pick(args.heads, arch, "num_heads", 8)),
        expansion=float(pick(args.expansion, arch, "expansion", 4)),
        L_layers=info["L_layers"],
        H_cycles=int(pick(args.h_cycles, arch, "H_cycles", 3)),
        L_cycles=int(pick(args.l_cycles, arch, "L_cycles", 6 if task == "sudoku" else 4)),
        halt_max_steps=int(pick(args.halt_max_steps, arch, "halt_max_steps", 16)),
        puzzle_emb_len=emb_len,
        puzzle_emb_ndim=info["puzzle_emb_ndim"],
        pos_encodings=pos,
        rope_theta=float(arch.get("rope_theta", DEFAULT_ROPE_THETA)),
        rms_norm_eps=float(arch.get("rms_norm_eps", DEFAULT_RMS_NORM_EPS)),
        mlp_t=info["mlp_t"],
        vocab_size=info["vocab_size"],
        seq_len=seq_len,
        num_puzzle_identifiers=info["num_puzzle_identifiers"],
        task=task,
        board=board,
    )


def read_identifiers(path: str) -> list[str]:
    with open(path) as f:
        try:
            names = json.load(f)
        except json.JSONDecodeError as e:
            raise ConvertError(f"{path}: invalid JSON: {e}", 2) from None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ConvertError(f"{path}: expected a JSON list of identifier names", 2)
    return names


def select_rows(args, num_ids: int) -> tuple[list[int] | None, list[str] | None]:
    """(rows of the puzzle table to keep, in order, or None for all; their names, or None when unknown)."""
    names = read_identifiers(args.identifiers) if args.identifiers else None
    if names is not None and len(names) != num_ids:
        raise ConvertError(f"{args.identifiers} lists {len(names)} identifiers but the puzzle table has "
                           f"{num_ids} rows", 2)
    if args.puzzle_ids:
        try:
            rows = [int(v) for v in args.puzzle_ids.split(",")]
        except ValueError:
            raise ConvertError(f"--puzzle-ids must be comma-separated integers, got {args.puzzle_ids!r}", 2) from None
    elif args.tasks:
        if names is None:
            raise ConvertError("--tasks needs --identifiers", 2)
        wanted = [t for t in args.tasks.split(",") if t]
        rows = [i for i, n in enumerate(names) if n.split("|||")[0] in wanted]
        found = {names[i].split("|||")[0] for i in rows}
        if set(wanted) - found:
            raise ConvertError(f"tasks not in {args.identifiers}: {', '.join(sorted(set(wanted) - found))}", 2)
    else:
        return None, names
    if not rows:
        raise ConvertError("the puzzle-id selection is empty", 2)
    bad = [r for r in rows if not 0 <= r < num_ids]
    if bad:
        raise ConvertError(f"puzzle ids out of range 0..{num_ids - 1}: {bad[:10]}", 2)
    if len(set(rows)) != len(rows):
        raise ConvertError("--puzzle-ids contains duplicates", 2)
    return rows, ([names[r] for r in rows] if names is not None else [f"#{r}" for r in rows])


def convert(args) -> ModelConfig:
    state = load_checkpoint(args.checkpoint)
    arch = read_all_config(args.config, args.checkpoint)
    info = infer_shapes(state)
    if args.puzzle_ids or args.tasks:
        if "puzzle_emb.weights" not in state:
            raise ConvertError("a puzzle-id selection was given but the checkpoint has no puzzle table", 2)
    rows, names = select_rows(args, info["num_puzzle_identifiers"]) if "puzzle_emb.weights" in state \
        else (None, None)
    if rows is not None:
        state["puzzle_emb.weights"] = state["puzzle_emb.weights"][rows].clone()
        info["num_puzzle_identifiers"] = len(rows)
    config = build_config(args, arch, info)
    try:
        check_tensors(state, config)
    except ModelFileError as e:
        raise ConvertError(f"{e} (heads, cycles, expansion and pos_encodings are not in the tensors: check "
                           "all_config.yaml or the flags)") from None
    for k in INIT_KEYS:
        if not torch.equal(state[k].to(torch.bfloat16).to(state[k].dtype), state[k]):
            raise ConvertError(f"{k} is not made of bfloat16 values (the official model keeps it in bf16)")
    metadata = {"ptrm.source": os.path.basename(args.checkpoint)}
    if names is not None:
        metadata["ptrm.puzzle_identifiers"] = json.dumps(names)
    if args.name:
        metadata["ptrm.name"] = args.name
    write_ptrm(state, config, args.output, args.dtype, metadata)
    return config


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--config", help="official all_config.yaml (default: next to the checkpoint, if present)")
    ap.add_argument("--task", choices=TASKS)
    ap.add_argument("--board", type=int)
    ap.add_argument("--seq-len", type=int)
    ap.add_argument("--vocab", type=int)
    sel = ap.add_mutually_exclusive_group()
    sel.add_argument("--puzzle-ids", help="comma-separated puzzle-table rows to keep (renumbered 0..k-1)")
    sel.add_argument("--tasks", help="keep every puzzle id whose identifier name starts with one of these tasks")
    ap.add_argument("--identifiers", help="identifiers.json of the training data (id -> name)")
    ap.add_argument("--dtype", choices=sorted(FILE_DTYPES), default="f32")
    ap.add_argument("--name", help="ptrm.name metadata")
    ap.add_argument("--heads", type=int)
    ap.add_argument("--h-cycles", type=int)
    ap.add_argument("--l-cycles", type=int)
    ap.add_argument("--halt-max-steps", type=int)
    ap.add_argument("--expansion", type=float)
    ap.add_argument("--puzzle-emb-len", type=int)
    ap.add_argument("--pos-encodings", choices=POS_ENCODINGS)
    return ap.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        config = convert(args)
    except ConvertError as e:
        print(f"convert: error: {e}", file=sys.stderr)
        return e.exit_code
    except (ConfigError, ModelFileError, SafetensorsError) as e:
        print(f"convert: error: {e}", file=sys.stderr)
        return 3
    except OSError as e:
        print(f"convert: I/O error: {e}", file=sys.stderr)
        return 5
    print(f"wrote {args.output}: {config.to_json()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
