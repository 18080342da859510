"""The ptrm model file: a safetensors file whose tensors are the official TRM inner state dict (prefix stripped)
and whose metadata holds `ptrm.config` (docs/design.md "Model file")."""
from __future__ import annotations

import json
import os

import torch

from . import safetensors_io
from .config import ModelConfig
from .model import TRMInner

CONFIG_KEY = "ptrm.config"
FILE_DTYPES = {"f32": torch.float32, "f16": torch.float16, "bf16": torch.bfloat16}
INIT_KEYS = ("H_init", "L_init")


class ModelFileError(ValueError):
    """A model file (or checkpoint) whose tensors do not match its configuration."""


def state_shapes(config: ModelConfig) -> dict[str, tuple[int, ...]]:
    """Every tensor a model with this configuration has, with its shape (what loaders validate against)."""
    d, v, s = config.hidden_size, config.vocab_size, config.full_seq_len
    shapes = {
        "embed_tokens.embedding_weight": (v, d),
        "lm_head.weight": (v, d),
        "q_head.weight": (2, d),
        "q_head.bias": (2,),
        "H_init": (d,),
        "L_init": (d,),
    }
    if config.puzzle_emb_ndim > 0:
        shapes["puzzle_emb.weights"] = (config.num_puzzle_identifiers, config.puzzle_emb_ndim)
    if config.pos_encodings == "learned":
        shapes["embed_pos.embedding_weight"] = (s, d)
    for i in range(config.L_layers):
        p = f"L_level.layers.{i}."
        if config.mlp_t:
            shapes[p + "mlp_t.gate_up_proj.weight"] = (2 * config.token_inter, s)
            shapes[p + "mlp_t.down_proj.weight"] = (s, config.token_inter)
        else:
            shapes[p + "self_attn.qkv_proj.weight"] = (3 * d, d)
            shapes[p + "self_attn.o_proj.weight"] = (d, d)
        shapes[p + "mlp.gate_up_proj.weight"] = (2 * config.channel_inter, d)
        shapes[p + "mlp.down_proj.weight"] = (d, config.channel_inter)
    return shapes


def check_tensors(tensors: dict[str, torch.Tensor], config: ModelConfig) -> None:
    """Raise ModelFileError naming every missing, unexpected or wrongly shaped tensor, or a non-finite value."""
    want = state_shapes(config)
    problems = []
    missing = [k for k in want if k not in tensors]
    unexpected = sorted(k for k in tensors if k not in want)
    if missing:
        problems.append("missing tensors: " + ", ".join(missing))
    if unexpected:
        problems.append("unexpected tensors: " + ", ".join(unexpected))
    for k, shape in want.items():
        if k in tensors and tuple(tensors[k].shape) != shape:
            problems.append(f"{k} has shape {tuple(tensors[k].shape)}, expected {shape}")
    if problems:
        raise ModelFileError("; ".join(problems))
    for k, t in tensors.items():
        if not t.is_floating_point():
            raise ModelFileError(f"{k} has non-float dtype {t.dtype}")
        if not torch.isfinite(t).all():
            raise ModelFileError(f"{k} contains NaN or Inf")


def file_tensors(state: dict[str, torch.Tensor], dtype: str) -> dict[str, torch.Tensor]:
    """Cast a state dict for storage. H_init/L_init are bf16 values: kept exactly (F32, or BF16 when the file
    is 16-bit, since f16 cannot hold every bf16 value)."""
    if dtype not in FILE_DTYPES:
        raise ValueError(f"file dtype must be one of {sorted(FILE_DTYPES)}, got {dtype!r}")
    target = FILE_DTYPES[dtype]
    out = {}
    for k, t in state.items():
        t = t.detach().cpu()
        out[k] = t.to(torch.bfloat16 if (k in INIT_KEYS and target != torch.float32) else target)
    return out


def save_ptrm(model: TRMInner, path: str | os.PathLike, dtype: str = "f32",
              extra_metadata: dict[str, str] | None = None) -> None:
    write_ptrm(model.state_dict(), model.config, path, dtype, extra_metadata)


def write_ptrm(state: dict[str, torch.Tensor], config: ModelConfig, path: str | os.PathLike, dtype: str = "f32",
               extra_metadata: dict[str, str] | None = None) -> None:
    check_tensors(state, config)
    metadata = dict(extra_metadata or {})
    metadata[CONFIG_KEY] = config.to_json()
    safetensors_io.save(path, file_tensors(state, dtype), metadata)


def read_ptrm(path: str | os.PathLike) -> tuple[dict[str, torch.Tensor], ModelConfig, dict[str, str]]:
    """(tensors as stored, config, all metadata), validated against each other."""
    tensors, metadata = safetensors_io.load(path)
    if CONFIG_KEY not in metadata:
        raise ModelFileError(f"{os.fspath(path)}: no {CONFIG_KEY} metadata")
    config = ModelConfig.from_json(metadata[CONFIG_KEY])
    if "ptrm.puzzle_identifiers" in metadata:
        try:
            names = json.loads(metadata["ptrm.puzzle_identifiers"])
        except json.JSONDecodeError as e:
            raise ModelFileError(f"ptrm.puzzle_identifiers is not JSON: {e}") from None
        if not isinstance(names, list) or len(names) != config.num_puzzle_identifiers or \
                not all(isinstance(n, str) for n in names):
            raise ModelFileError("ptrm.puzzle_identifiers must be a list of num_puzzle_identifiers strings")
    check_tensors(tensors, config)
    return tensors, config, metadata


def load_ptrm(path: str | os.PathLike, forward_dtype: torch.dtype = torch.float32) -> TRMInner:
    """Build an evaluation-mode reference model from a ptrm file (weights widened to fp32 master copies)."""
    tensors, config, _ = read_ptrm(path)
    model = TRMInner(config, forward_dtype)
    state = {k: t.to(torch.bfloat16 if k in INIT_KEYS else torch.float32) for k, t in tensors.items()}
    for k in INIT_KEYS:
        if not torch.equal(state[k].to(tensors[k].dtype), tensors[k]):
            raise ModelFileError(f"{k} holds values that are not bfloat16 numbers (the model keeps it in bf16)")
    model.load_state_dict(state, strict=True)
    return model.eval()

