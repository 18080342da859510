"""The reference Tiny Recursive Model (TRM) of ptrm: the one PyTorch definition the converter, the fixtures and
the trainer share.

It follows the official SamsungSAILMontreal/TinyRecursiveModels code (models/recursive_reasoning/trm.py,
models/layers.py, models/common.py, models/sparse_embedding.py @ e7b6871) operation by operation, so that
 * state-dict keys of `TRMInner` equal the official keys after the `_orig_mod.model.inner.` prefix;
 * the bf16 forward reproduces the official dtype policy (weights cast to the activation dtype at every matmul,
   embeddings cast at lookup, RMSNorm and RoPE in fp32, q logits returned in fp32);
 * the fp32 forward is the parity reference for the C++ engine, and fp64 measures fp32's own rounding noise.
Deviations, all without effect on the fp32 path: torch 1.13 has no scaled_dot_product_attention, so attention
is written out (softmax in at least fp32, like fused kernels); H_init/L_init are drawn in fp32 and rounded to
bf16 (the official code draws them in bf16).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from .config import ModelConfig

FORWARD_DTYPES = (torch.float32, torch.bfloat16, torch.float64)
_INV_SQRT2 = 0.707106781  # the official literal, not 1/sqrt(2) to full precision


def trunc_normal_(tensor: torch.Tensor, std: float, lower: float = -2.0, upper: float = 2.0) -> torch.Tensor:
    """JAX-style truncated normal (what the official `trunc_normal_init_` implements): samples of N(0,1)
    truncated to [lower, upper], rescaled so the *truncated* distribution has standard deviation `std`."""
    with torch.no_grad():
        if std == 0:
            return tensor.zero_()
        phi = lambda x: math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)  # noqa: E731
        cdf_lo, cdf_hi = math.erf(lower / math.sqrt(2)), math.erf(upper / math.sqrt(2))
        mass = (cdf_hi - cdf_lo) / 2
        var = 1 - (upper * phi(upper) - lower * phi(lower)) / mass - ((phi(lower) - phi(upper)) / mass) ** 2
        scale = std / math.sqrt(var)
        tensor.uniform_(cdf_lo, cdf_hi).erfinv_().mul_(math.sqrt(2) * scale)
        return tensor.clamp_(lower * scale, upper * scale)


def rms_norm(x: torch.Tensor, eps: float) -> torch.Tensor:
    """RMSNorm over the last axis without gain, computed in (at least) fp32."""
    h = x.to(torch.promote_types(x.dtype, torch.float32))
    h = h * torch.rsqrt(h.square().mean(-1, keepdim=True) + eps)
    return h.to(x.dtype)


class CastedLinear(nn.Module):
    """Linear layer with fp32 master weights cast to the activation dtype at every call."""

    def __init__(self, in_features: int, out_features: int, bias: bool):
        super().__init__()
        self.weight = nn.Parameter(trunc_normal_(torch.empty(out_features, in_features), std=in_features ** -0.5))
        self.bias = nn.Parameter(torch.zeros(out_features)) if bias else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        bias = self.bias.to(x.dtype) if self.bias is not None else None
        weight = self.weight.to(x.dtype)
        if x.dtype == torch.bfloat16:
            # torch 1.13's CPU bf16 GEMM is a slow reference loop. Exact fp32 products of the bf16 operands,
            # fp32 accumulation and one rounding to bf16 is what GPU bf16 GEMMs (the official setting) return.
            out = F.linear(x.float(), weight.float(), bias.float() if bias is not None else None)
            return out.to(torch.bfloat16)
        return F.linear(x, weight, bias)


class CastedEmbedding(nn.Module):
    def __init__(self, num: int, dim: int, init_std: float):
        super().__init__()
        self.embedding_weight = nn.Parameter(trunc_normal_(torch.empty(num, dim), std=init_std))

    def forward(self, ids: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
        return F.embedding(ids, self.embedding_weight.to(dtype))


class CastedSparseEmbedding(nn.Module):
    """Per-puzzle embedding table kept as a (persistent) buffer, zero-initialised, as in the official code.

    In training mode the looked-up rows are copied into `local_weights` (a leaf that requires grad) and their ids
    into `local_ids`; the sign-SGD puzzle optimizer reads both after backward and writes back into `weights`.
    """

    def __init__(self, num: int, dim: int):
        super().__init__()
        self.register_buffer("weights", torch.zeros(num, dim), persistent=True)
        self.local_weights: torch.Tensor | None = None
        self.local_ids: torch.Tensor | None = None

    def forward(self, ids: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
        if not self.training:
            return self.weights[ids].to(dtype)
        self.local_ids = ids
        self.local_weights = self.weights[ids].detach().clone().requires_grad_(True)
        return self.local_weights.to(dtype)


def rope_tables(head_dim: int, positions: int, theta: float, dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor]:
    """cos/sin (positions, head_dim) for rotate-half RoPE; computed in `dtype` (fp32 like the official)."""
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=dtype) / head_dim))
    freqs = torch.outer(torch.arange(positions, dtype=dtype), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()


def _rotate_half(x: torch.Tensor) -> torch.Tensor:
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


class Attention(nn.Module):
    """Non-causal multi-head self-attention with a fused [q | k | v] projection and optional RoPE."""

    def __init__(self, hidden_size: int, num_heads: int):
        super().__init__()
        self.num_heads = num_heads
        self.head_dim = hidden_size // num_heads
        self.qkv_proj = CastedLinear(hidden_size, 3 * hidden_size, bias=False)
        self.o_proj = CastedLinear(hidden_size, hidden_size, bias=False)

    def forward(self, x: torch.Tensor, cos_sin: tuple[torch.Tensor, torch.Tensor] | None) -> torch.Tensor:
        b, s, d = x.shape
        qkv = self.qkv_proj(x).view(b, s, 3 * self.num_heads, self.head_dim)
        q, k, v = qkv.split(self.num_heads, dim=2)  # each (B, S, H, hd)
        if cos_sin is not None:
            cos, sin = (t.unsqueeze(-2) for t in cos_sin)
            rq, rk = q.to(cos.dtype), k.to(cos.dtype)
            q = (rq * cos + _rotate_half(rq) * sin).to(x.dtype)
            k = (rk * cos + _rotate_half(rk) * sin).to(x.dtype)
        # softmax(q k^T / sqrt(hd)) v with the scores and softmax in at least fp32, as SDPA kernels do
        acc = torch.promote_types(x.dtype, torch.float32)
        q, k, v = (t.transpose(1, 2).to(acc) for t in (q, k, v))  # (B, H, S, hd)
        scores = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(self.head_dim))
        out = torch.matmul(scores.softmax(dim=-1), v).to(x.dtype)
        return self.o_proj(out.transpose(1, 2).reshape(b, s, d))


class SwiGLU(nn.Module):
    def __init__(self, width: int, inter: int):
        super().__init__()
        self.gate_up_proj = CastedLinear(width, 2 * inter, bias=False)
        self.down_proj = CastedLinear(inter, width, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gate, up = self.gate_up_proj(x).chunk(2, dim=-1)
        return self.down_proj(F.silu(gate) * up)


class Block(nn.Module):
    """Post-norm block: token mixing (attention, or `mlp_t` SwiGLU across positions) then a channel SwiGLU."""

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.eps = config.rms_norm_eps
        self.use_mlp_t = config.mlp_t
        if config.mlp_t:
            self.mlp_t = SwiGLU(config.full_seq_len, config.token_inter)
        else:
            self.self_attn = Attention(config.hidden_size, config.num_heads)
        self.mlp = SwiGLU(config.hidden_size, config.channel_inter)

    def forward(self, h: torch.Tensor, cos_sin) -> torch.Tensor:
        if self.use_mlp_t:
            # On the transposed (B, D, S) tensor, so this RMSNorm normalises each channel across positions.
            t = h.transpose(1, 2)
            h = rms_norm(t + self.mlp_t(t), self.eps).transpose(1, 2)
        else:
            h = rms_norm(h + self.self_attn(h, cos_sin), self.eps)
        return rms_norm(h + self.mlp(h), self.eps)


class ReasoningModule(nn.Module):
    """The single shared net: adds the injection, then runs the blocks."""

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.layers = nn.ModuleList(Block(config) for _ in range(config.L_layers))

    def forward(self, h: torch.Tensor, injection: torch.Tensor, cos_sin) -> torch.Tensor:
        h = h + injection
        for layer in self.layers:
            h = layer(h, cos_sin)
        return h


@dataclass
class InnerCarry:
    z_H: torch.Tensor  # y, the answer latent (B, S, D)
    z_L: torch.Tensor  # z, the reasoning latent (B, S, D)


class TRMInner(nn.Module):
    """One supervision step of TRM; its state dict is the official `model.inner` one."""

    def __init__(self, config: ModelConfig, forward_dtype: torch.dtype = torch.float32):
        super().__init__()
        self.config = config
        self.forward_dtype = forward_dtype
        d = config.hidden_size
        self.embed_scale = math.sqrt(d)
        # Construction order = official order, so a seeded build draws the same streams for the same shapes.
        self.embed_tokens = CastedEmbedding(config.vocab_size, d, init_std=1.0 / self.embed_scale)
        self.lm_head = CastedLinear(d, config.vocab_size, bias=False)
        self.q_head = CastedLinear(d, 2, bias=True)
        if config.puzzle_emb_ndim > 0:
            self.puzzle_emb = CastedSparseEmbedding(config.num_puzzle_identifiers, config.puzzle_emb_ndim)
        if config.pos_encodings == "learned":
            self.embed_pos = CastedEmbedding(config.full_seq_len, d, init_std=1.0 / self.embed_scale)
        self.L_level = ReasoningModule(config)
        self.register_buffer("H_init", trunc_normal_(torch.empty(d), std=1).to(torch.bfloat16), persistent=True)
        self.register_buffer("L_init", trunc_normal_(torch.empty(d), std=1).to(torch.bfloat16), persistent=True)
        with torch.no_grad():  # q starts at "don't halt" (sigmoid(-5)) and independent of the latent
            self.q_head.weight.zero_()
            self.q_head.bias.fill_(-5)
        self._rope_cache: dict[torch.dtype, tuple[torch.Tensor, torch.Tensor]] = {}

    @property
    def forward_dtype(self) -> torch.dtype:
        return self._forward_dtype

    @forward_dtype.setter
    def forward_dtype(self, dtype: torch.dtype) -> None:
        if dtype not in FORWARD_DTYPES:
            raise ValueError(f"forward dtype must be one of {FORWARD_DTYPES}, got {dtype}")
        self._forward_dtype = dtype

    def _cos_sin(self):
        if self.config.pos_encodings != "rope":
            return None
        table_dtype = torch.promote_types(self.forward_dtype, torch.float32)
        if table_dtype not in self._rope_cache:
            self._rope_cache[table_dtype] = rope_tables(self.config.head_dim, self.config.full_seq_len,
                                                        self.config.rope_theta, table_dtype)
        return self._rope_cache[table_dtype]

    def input_embeddings(self, inputs: torch.Tensor, puzzle_identifiers: torch.Tensor) -> torch.Tensor:
        """x: (B, S, D) = sqrt(D) * ([puzzle prefix | token embeddings] (+ learned positions) / sqrt(2))."""
        cfg, dt = self.config, self.forward_dtype
        emb = self.embed_tokens(inputs.long(), dt)
        if cfg.puzzle_emb_ndim > 0:
            pz = self.puzzle_emb(puzzle_identifiers.long(), dt)
            pz = F.pad(pz, (0, cfg.puzzle_emb_len * cfg.hidden_size - cfg.puzzle_emb_ndim))
            emb = torch.cat((pz.view(-1, cfg.puzzle_emb_len, cfg.hidden_size), emb), dim=-2)
        if cfg.pos_encodings == "learned":
            emb = _INV_SQRT2 * (emb + self.embed_pos.embedding_weight.to(dt))
        return self.embed_scale * emb

    def initial_carry(self, batch_size: int) -> InnerCarry:
        shape = (batch_size, self.config.full_seq_len, self.config.hidden_size)
        return InnerCarry(z_H=self.H_init.to(self.forward_dtype).expand(shape).clone(),
                          z_L=self.L_init.to(self.forward_dtype).expand(shape).clone())

    def reset_carry(self, reset: torch.Tensor, carry: InnerCarry) -> InnerCarry:
        """Rows with reset=True restart from H_init/L_init; the others keep their latents."""
        r = reset.view(-1, 1, 1)
        return InnerCarry(z_H=torch.where(r, self.H_init.to(carry.z_H.dtype), carry.z_H),
                          z_L=torch.where(r, self.L_init.to(carry.z_L.dtype), carry.z_L))

    def forward(self, carry: InnerCarry, batch: dict[str, torch.Tensor]):
        """One supervision step. Returns (detached new carry, logits (B, seq_len, V), (q_halt, q_continue)).

        The first H_cycles-1 cycles run without grad; only the last cycle (L_cycles z-updates + one y-update)
        is differentiated, as in the official training.
        """
        cfg = self.config
        cos_sin = self._cos_sin()
        x = self.input_embeddings(batch["inputs"], batch["puzzle_identifiers"])
        z_H, z_L = carry.z_H.to(self.forward_dtype), carry.z_L.to(self.forward_dtype)
        with torch.no_grad():
            for _ in range(cfg.H_cycles - 1):
                for _ in range(cfg.L_cycles):
                    z_L = self.L_level(z_L, z_H + x, cos_sin)
                z_H = self.L_level(z_H, z_L, cos_sin)
        for _ in range(cfg.L_cycles):
            z_L = self.L_level(z_L, z_H + x, cos_sin)
        z_H = self.L_level(z_H, z_L, cos_sin)

        logits = self.lm_head(z_H)[:, cfg.puzzle_emb_len:]
        q = self.q_head(z_H[:, 0]).to(torch.float32)
        return InnerCarry(z_H=z_H.detach(), z_L=z_L.detach()), logits, (q[..., 0], q[..., 1])


def build_model(config: ModelConfig, seed: int | None = None,
                forward_dtype: torch.dtype = torch.float32) -> TRMInner:
    """Official-style random init; with a seed it is reproducible and leaves the global RNG untouched."""
    if seed is None:
        return TRMInner(config, forward_dtype)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return TRMInner(config, forward_dtype)


@dataclass
class ACTCarry:
    inner: InnerCarry
    steps: torch.Tensor  # int32 (B,)
    halted: torch.Tensor  # bool (B,)
    current_data: dict[str, torch.Tensor]


class TRM(nn.Module):
    """The official ACT wrapper (`TinyRecursiveReasoningModel_ACTV1`, no_ACT_continue=True): slots that halted
    take the next batch row and restart from H_init/L_init; evaluation always runs halt_max_steps steps; training
    also halts on q_halt > 0, subject to a random minimum step count with probability `halt_exploration_prob`."""

    def __init__(self, config: ModelConfig, halt_exploration_prob: float = 0.1,
                 forward_dtype: torch.dtype = torch.float32, seed: int | None = None):
        super().__init__()
        self.config = config
        self.halt_exploration_prob = halt_exploration_prob
        self.inner = build_model(config, seed, forward_dtype)

    def initial_carry(self, batch: dict[str, torch.Tensor]) -> ACTCarry:
        b = batch["inputs"].shape[0]
        return ACTCarry(inner=self.inner.initial_carry(b), steps=torch.zeros(b, dtype=torch.int32),
                        halted=torch.ones(b, dtype=torch.bool),
                        current_data={k: torch.empty_like(v) for k, v in batch.items()})

    def forward(self, carry: ACTCarry, batch: dict[str, torch.Tensor]):
        inner = self.inner.reset_carry(carry.halted, carry.inner)
        steps = torch.where(carry.halted, 0, carry.steps)
        data = {k: torch.where(carry.halted.view((-1,) + (1,) * (batch[k].ndim - 1)), batch[k], v)
                for k, v in carry.current_data.items()}
        inner, logits, (q_halt, q_continue) = self.inner(inner, data)
        outputs = {"logits": logits, "q_halt_logits": q_halt, "q_continue_logits": q_continue}
        with torch.no_grad():
            steps = steps + 1
            halted = steps >= self.config.halt_max_steps
            if self.training and self.config.halt_max_steps > 1:
                halted = halted | (q_halt > 0)
                explore = torch.rand_like(q_halt) < self.halt_exploration_prob
                min_steps = explore * torch.randint_like(steps, low=2, high=self.config.halt_max_steps + 1)
                halted = halted & (steps >= min_steps)
        return ACTCarry(inner, steps, halted, data), outputs


@torch.no_grad()
def rollout(model: TRMInner, inputs: torch.Tensor, puzzle_identifiers: torch.Tensor, steps: int):
    """Evaluation-mode deterministic TRM: `steps` supervision steps from the initial carry.

    Returns (logits (steps, B, seq_len, V) fp32, q_halt (steps, B) fp32, final InnerCarry)."""
    batch = {"inputs": inputs, "puzzle_identifiers": puzzle_identifiers}
    carry = model.initial_carry(inputs.shape[0])
    all_logits, all_q = [], []
    for _ in range(steps):
        carry, logits, (q_halt, _) = model(carry, batch)
        all_logits.append(logits.float())
        all_q.append(q_halt.float())
    return torch.stack(all_logits), torch.stack(all_q), carry
