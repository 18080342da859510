"""Held-out evaluation of deterministic TRM (eval mode: every puzzle runs exactly `steps` supervision steps)."""
from __future__ import annotations

import numpy as np
import torch

from ptrm_ref import rollout

from .data import PuzzleSet


@torch.no_grad()
def evaluate(model, data: PuzzleSet, steps: int, batch: int, report_steps=(1, 2, 4, 8, 16)) -> dict:
    """Exact accuracy after each of `report_steps` (those <= steps, plus `steps`), accuracy on the cells to decide
    (sudoku blanks, maze open cells) and
    q_halt accuracy ((q_halt > 0) == exact) at the final step, and final exact accuracy per difficulty value."""
    was_training = model.training
    model.eval()
    report = sorted({s for s in report_steps if s <= steps} | {steps})
    exact = {s: [] for s in report}
    blank_hits = blank_total = 0
    q_right = []
    device = next(model.parameters()).device
    for start in range(0, len(data), batch):
        inputs = torch.from_numpy(data.inputs[start:start + batch].astype(np.int64)).to(device)
        labels = torch.from_numpy(data.labels[start:start + batch].astype(np.int64)).to(device)
        ids = torch.zeros(len(inputs), dtype=torch.int64, device=device)
        logits, q_halt, _ = rollout(model, inputs, ids, steps)
        preds = logits.argmax(-1)  # (steps, B, L)
        for s in report:
            exact[s].append((preds[s - 1] == labels).all(-1).cpu())
        final = preds[-1]
        blanks = inputs == (1 if data.task == "sudoku" else 2)  # cells the model must decide
        blank_hits += int(((final == labels) & blanks).sum())
        blank_total += int(blanks.sum())
        q_right.append(((q_halt[-1] > 0) == (final == labels).all(-1)).cpu())
    model.train(was_training)
    final_exact = torch.cat(exact[steps]).numpy()
    by_difficulty = {}
    for value in np.unique(data.givens):
        sel = data.givens == value
        by_difficulty[int(value)] = (int(final_exact[sel].sum()), int(sel.sum()))
    return {
        "exact": {s: float(torch.cat(v).float().mean()) for s, v in exact.items()},
        "blank_acc": blank_hits / max(1, blank_total),
        "q_acc": float(torch.cat(q_right).float().mean()),
        "by_difficulty": by_difficulty,
    }
