"""The official ACTLossHead loss: stablemax cross-entropy (fp64) averaged per sequence over valid tokens and summed
over the batch, plus 0.5 * BCE of q_halt against "the decoded answer is exactly right" (summed)."""
from __future__ import annotations

import torch
import torch.nn.functional as F

IGNORE = -100


def _stablemax_log(x: torch.Tensor) -> torch.Tensor:
    # s(x) = x + 1 for x >= 0, 1 / (1 - x) for x < 0: linear growth instead of exp keeps logits from blowing up.
    # The negative branch sees min(x, 0): torch.where differentiates both branches, and 1/(1-x) at a logit of
    # exactly 1.0 would give an infinite gradient times 0 = NaN (this killed a run at step ~1470).
    s = torch.where(x < 0, 1 / (1 - x.clamp(max=0)), x + 1)
    return torch.log(s / s.sum(-1, keepdim=True))


def stablemax_cross_entropy(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Per-token loss (0 where label == IGNORE)."""
    logp = _stablemax_log(logits.to(torch.float64))
    valid = labels != IGNORE
    picked = torch.gather(logp, -1, torch.where(valid, labels, 0).long().unsqueeze(-1)).squeeze(-1)
    return -torch.where(valid, picked, torch.zeros_like(picked))


def act_loss(logits: torch.Tensor, q_halt: torch.Tensor, labels: torch.Tensor):
    """(total loss summed over the batch, per-row exact-correct bool, lm loss sum, q loss sum)."""
    valid = labels != IGNORE
    counts = valid.sum(-1).clamp_min(1)
    lm = (stablemax_cross_entropy(logits, labels).sum(-1) / counts).sum()
    with torch.no_grad():
        correct = ((logits.argmax(-1) == labels) | ~valid).all(-1)
    q = F.binary_cross_entropy_with_logits(q_halt, correct.to(q_halt.dtype), reduction="sum")
    return lm + 0.5 * q, correct, lm.detach(), q.detach()
