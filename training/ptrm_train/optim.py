"""The official optimizers: AdamATan2 for the parameters, sign-SGD for the puzzle-embedding rows, and EMA.

AdamATan2 (pip `adam-atan2`, used by the official pretrain.py) replaces Adam's m / (sqrt(v) + eps) with
atan2(m, sqrt(v)), which is bounded and needs no epsilon. Per step t with lr, betas (b1, b2), weight decay wd:
    p <- p * (1 - lr * wd)                          (decoupled decay)
    m <- b1 m + (1 - b1) g ;  v <- b2 v + (1 - b2) g^2
    p <- p - (lr / (1 - b1^t)) * atan2(m, sqrt(v) / sqrt(1 - b2^t))
This is the form given in ../shared/docs/trm-spec.md section 3.4 (from a public copy of the kernel's reference
test); the pip package itself was not readable here, so extra constant factors it may apply are not reproduced.
"""
from __future__ import annotations

import math

import torch


class AdamATan2(torch.optim.Optimizer):
    def __init__(self, params, lr: float = 1e-4, betas=(0.9, 0.95), weight_decay: float = 1.0):
        if not lr >= 0 or not all(0 <= b < 1 for b in betas) or not weight_decay >= 0:
            raise ValueError(f"invalid AdamATan2 settings lr={lr} betas={betas} weight_decay={weight_decay}")
        super().__init__(params, dict(lr=lr, betas=betas, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, (b1, b2), wd = group["lr"], group["betas"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros_like(p)
                    state["exp_avg_sq"] = torch.zeros_like(p)
                state["step"] += 1
                t = state["step"]
                m, v = state["exp_avg"], state["exp_avg_sq"]
                p.mul_(1 - lr * wd)
                m.lerp_(p.grad, 1 - b1)
                v.mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
                denom = v.sqrt() / math.sqrt(1 - b2 ** t)
                p.add_(torch.atan2(m, denom), alpha=-lr / (1 - b1 ** t))


class PuzzleEmbSignSGD:
    """The official CastedSparseEmbeddingSignSGD: for the puzzle ids seen in this step (gradients summed over
    duplicate ids), w <- w * (1 - lr * wd) - lr * sign(g)."""

    def __init__(self, embedding, lr: float, weight_decay: float):
        self.embedding = embedding
        self.lr = lr
        self.weight_decay = weight_decay

    def dense_grad(self) -> tuple[torch.Tensor, torch.Tensor] | None:
        """(gradient summed per puzzle id as a full (P, ndim) table, (P,) count of rows that used each id), so
        both can be all-reduced across ranks."""
        emb = self.embedding
        if emb.local_weights is None or emb.local_weights.grad is None:
            return None
        ids = emb.local_ids.long()
        g = torch.zeros_like(emb.weights)
        g.index_add_(0, ids, emb.local_weights.grad.to(g.dtype))
        used = torch.zeros(len(g), dtype=g.dtype, device=g.device)
        used.index_add_(0, ids, torch.ones_like(ids, dtype=g.dtype))
        return g, used

    @torch.no_grad()
    def step(self, grad: torch.Tensor, used: torch.Tensor) -> None:
        rows = used > 0
        w = self.embedding.weights
        w[rows] = w[rows] * (1 - self.lr * self.weight_decay) - self.lr * torch.sign(grad[rows])


class EMA:
    """Exponential moving average of the trainable parameters (buffers are not averaged, as in the official
    models/ema.py). With warmup the decay is min(decay, (1+t)/(10+t)), useful for short runs where a plain
    0.999 average would still be dominated by the random initialisation."""

    def __init__(self, model: torch.nn.Module, decay: float, warmup: bool):
        self.decay = decay
        self.warmup = warmup
        self.steps = 0
        self.shadow = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}

    @torch.no_grad()
    def update(self, model: torch.nn.Module) -> None:
        self.steps += 1
        d = min(self.decay, (1 + self.steps) / (10 + self.steps)) if self.warmup else self.decay
        for n, p in model.named_parameters():
            if n in self.shadow:
                self.shadow[n].lerp_(p.detach(), 1 - d)

    def state_dict_for(self, model: torch.nn.Module) -> dict[str, torch.Tensor]:
        """The model's state dict with the averaged parameters swapped in."""
        state = {k: v.clone() for k, v in model.state_dict().items()}
        state.update({k: v.clone() for k, v in self.shadow.items()})
        return state

    def state_dict(self) -> dict:
        return {"decay": self.decay, "warmup": self.warmup, "steps": self.steps, "shadow": self.shadow}

    def load_state_dict(self, state: dict) -> None:
        self.steps = state["steps"]
        for k, v in state["shadow"].items():
            self.shadow[k].copy_(v)
