"""Generate the parity fixtures in tests/fixtures/ (deterministic: fixed seeds, one thread).

For every tiny random-weight model: `<name>.safetensors` (the model, F32) and `<name>.expected.safetensors`
holding `inputs` I32 (B, seq_len), `puzzle_identifiers` I32 (B), and the fp32 reference outputs of
halt_max_steps deterministic supervision steps: `logits` F32 (steps, B, seq_len, V), `q_halt` F32 (steps, B),
`zH`, `zL` F32 (B, S, D) after the last step. Its metadata `ptrm.fixture` (JSON) records per step the max |Δ|
of the same rollout run in bf16 (the official dtype) and in fp64 (the size of fp32's own rounding noise).
Also writes `official_sudoku_mlp_tiny/` (torch.save state dict with official keys + all_config.yaml) for the
converter test.

Usage: /usr/bin/python3 training/make_fixtures.py [--out tests/fixtures]
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import sys

import numpy as np
import torch
import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ptrm_ref import safetensors_io  # noqa: E402
from ptrm_ref.config import ModelConfig, task_shape  # noqa: E402
from ptrm_ref.model import build_model, rollout  # noqa: E402
from ptrm_ref.ptrm_file import save_ptrm  # noqa: E402
from ptrm_train.data import encode  # noqa: E402  (the one text -> token map on the Python side)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUDOKU_CSV = os.path.join(os.path.dirname(REPO), "shared", "data", "sudoku-sources", "puzzles3_magictour_top1465.csv")
OFFICIAL_PREFIX = "_orig_mod.model.inner."

BASE = dict(hidden_size=32, num_heads=4, expansion=4.0, L_layers=2, halt_max_steps=16, puzzle_emb_ndim=32,
            puzzle_emb_len=16, rope_theta=10000.0, rms_norm_eps=1e-5)

# At the official init the recursion of a random net is either chaotic (mlp_t: fp32 and fp64 rollouts part ways
# ~5x per supervision step and are unrelated after ~7 steps, so no fp32 engine could match 16 steps) or collapses
# every position to the same answer (attention averaging). Shrinking the end of every residual branch (down_proj,
# o_proj) by BRANCH_SCALE makes it contract towards an input-dependent fixed point, as trained models do:
# fp32 then reproduces to ~1e-6 and the decoded answers differ across cells.
BRANCH_SCALE = 0.1

# name -> (config overrides, seed, puzzle ids of the B=3 rows)
FIXTURES = {
    # expansion 2 keeps the token-mixing MLP (2*256 x 97) small enough for git
    "sudoku_mlp_tiny": (dict(task="sudoku", board=9, mlp_t=True, pos_encodings="none", expansion=2.0,
                             H_cycles=3, L_cycles=2, num_puzzle_identifiers=1), 101, [0, 0, 0]),
    "sudoku_attn_tiny": (dict(task="sudoku", board=9, mlp_t=False, pos_encodings="rope",
                              H_cycles=2, L_cycles=3, num_puzzle_identifiers=1), 102, [0, 0, 0]),
    # puzzle vector wider than D (48 > 32) spread over a 4-slot prefix: exercises the zero padding
    "sudoku6_mlp_tiny": (dict(task="sudoku", board=6, mlp_t=True, pos_encodings="none", puzzle_emb_ndim=48,
                              puzzle_emb_len=4, H_cycles=2, L_cycles=3, num_puzzle_identifiers=2), 103, [1, 0, 1]),
    # 12x12 instead of 30x30 so the expected logits stay small; mazes are generated (no maze data on disk)
    "maze_attn_tiny": (dict(task="maze", board=12, mlp_t=False, pos_encodings="rope",
                            H_cycles=2, L_cycles=2, num_puzzle_identifiers=1), 104, [0, 0, 0]),
    "sudoku_learned_tiny": (dict(task="sudoku", board=9, mlp_t=False, pos_encodings="learned",
                                 H_cycles=2, L_cycles=2, num_puzzle_identifiers=3), 105, [2, 0, 1]),
}


def fixture_config(overrides: dict) -> ModelConfig:
    d = {**BASE, **overrides}
    d["seq_len"], d["vocab_size"] = task_shape(d["task"], d["board"])
    return ModelConfig(**d)


def sudoku9_inputs(count: int) -> np.ndarray:
    with open(SUDOKU_CSV, newline="") as f:
        rows = [r["question"] for r, _ in zip(csv.DictReader(f), range(count))]
    return np.stack([encode("sudoku", q, 9, is_answer=False) for q in rows]).astype(np.int32)


def sudoku6_inputs(count: int, rng: np.random.Generator) -> np.ndarray:
    """Valid 6x6 grids (2x3 boxes) from the shifted-row pattern under random digit/row/column relabelling,
    with about half the cells blanked. There is no 6x6 data set on disk."""
    out = []
    for _ in range(count):
        grid = np.array([[(3 * (r % 2) + r // 2 + c) % 6 for c in range(6)] for r in range(6)])
        grid = rng.permutation(6)[grid] + 1
        bands = rng.permutation(3)
        grid = grid[[2 * b + i for b in bands for i in rng.permutation(2)]]
        stacks = rng.permutation(2)
        grid = grid[:, [3 * s + i for s in stacks for i in rng.permutation(3)]]
        for axis_lines in (grid, grid.T):
            assert all(len(set(line)) == 6 for line in axis_lines)
        tokens = grid + 1
        tokens[rng.random((6, 6)) < 0.5] = 1
        out.append(tokens.reshape(-1))
    return np.array(out, dtype=np.int32)


def maze_inputs(count: int, side: int, rng: np.random.Generator) -> np.ndarray:
    """Perfect mazes carved by randomized DFS on the odd cells, start and goal on two distinct open cells."""
    out = []
    for _ in range(count):
        g = np.full((side, side), "#")
        cells = [(r, c) for r in range(1, side - 1, 2) for c in range(1, side - 1, 2)]
        start = cells[rng.integers(len(cells))]
        g[start] = " "
        stack, seen = [start], {start}
        while stack:
            r, c = stack[-1]
            nbrs = [(r + dr, c + dc) for dr, dc in ((-2, 0), (2, 0), (0, -2), (0, 2))
                    if (r + dr, c + dc) in cells and (r + dr, c + dc) not in seen]
            if not nbrs:
                stack.pop()
                continue
            n = nbrs[rng.integers(len(nbrs))]
            g[(r + n[0]) // 2, (c + n[1]) // 2] = " "
            g[n] = " "
            seen.add(n)
            stack.append(n)
        open_cells = np.argwhere(g == " ")
        s, goal = rng.choice(len(open_cells), size=2, replace=False)
        g[tuple(open_cells[s])] = "S"
        g[tuple(open_cells[goal])] = "G"
        out.append(encode("maze", "".join(g.reshape(-1)), side, is_answer=False))
    return np.array(out, dtype=np.int32)


def fixture_inputs(cfg: ModelConfig, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if cfg.task == "sudoku" and cfg.board == 9:
        return sudoku9_inputs(3)
    if cfg.task == "sudoku":
        return sudoku6_inputs(3, rng)
    return maze_inputs(3, cfg.board, rng)


def perturb(model, seed: int) -> None:
    """Make the untrained heads informative: the official init (q_head w=0, b=-5; puzzle table 0) would give a
    constant q_halt and an all-zero prefix, which a parity test could not tell apart from a broken engine.
    Then scale the residual branches (see BRANCH_SCALE)."""
    g = torch.Generator().manual_seed(seed)
    d = model.config.hidden_size
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith(("down_proj.weight", "o_proj.weight")):
                p.mul_(BRANCH_SCALE)
        model.q_head.weight.copy_(torch.randn(model.q_head.weight.shape, generator=g) / d ** 0.5)
        model.q_head.bias.copy_(torch.randn(2, generator=g) * 0.5)
        if model.config.puzzle_emb_ndim > 0:
            w = model.puzzle_emb.weights
            w.copy_(torch.randn(w.shape, generator=g) / d ** 0.5)


def max_abs_per_step(a: torch.Tensor, b: torch.Tensor) -> list[float]:
    return [float(v) for v in (a.double() - b.double()).abs().flatten(1).max(dim=1).values]


def make_one(name: str, out_dir: str) -> dict:
    overrides, seed, ids = FIXTURES[name]
    cfg = fixture_config(overrides)
    model = build_model(cfg, seed=seed).eval()
    perturb(model, seed + 1000)
    inputs = torch.from_numpy(fixture_inputs(cfg, seed))
    pids = torch.tensor(ids, dtype=torch.int32)
    steps = cfg.halt_max_steps

    results = {}
    for label, dtype in (("f32", torch.float32), ("bf16", torch.bfloat16), ("f64", torch.float64)):
        model.forward_dtype = dtype
        results[label] = rollout(model, inputs, pids, steps)
    model.forward_dtype = torch.float32
    logits, q_halt, carry = results["f32"]

    q_spread = float(q_halt.std())
    if q_spread < 0.05:
        raise RuntimeError(f"{name}: q_halt barely varies (std {q_spread}); the fixture would be weak")
    stats = {
        "steps": steps,
        "batch": int(inputs.shape[0]),
        "torch": torch.__version__,
        "branch_scale": BRANCH_SCALE,
        "q_halt_std": q_spread,
        "logit_abs_max": float(logits.abs().max()),
    }
    for label in ("bf16", "f64"):
        lg, q, _ = results[label]
        stats[f"{label}_max_abs_dlogit"] = max_abs_per_step(lg, logits)
        stats[f"{label}_max_abs_dq"] = max_abs_per_step(q.unsqueeze(-1), q_halt.unsqueeze(-1))
        stats[f"{label}_argmax_agree"] = float((lg.argmax(-1) == logits.argmax(-1)).float().mean())

    save_ptrm(model, os.path.join(out_dir, f"{name}.safetensors"), "f32", {"ptrm.name": name})
    expected = {"inputs": inputs, "puzzle_identifiers": pids, "logits": logits, "q_halt": q_halt,
                "zH": carry.z_H.float(), "zL": carry.z_L.float()}
    safetensors_io.save(os.path.join(out_dir, f"{name}.expected.safetensors"), expected,
                        {"ptrm.fixture": json.dumps(stats)})
    return {"model": model, "stats": stats}


def official_all_config(cfg: ModelConfig) -> dict:
    """The `PretrainConfig.model_dump()` layout that official pretrain.py writes as all_config.yaml."""
    return {
        "arch": {
            "name": "recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1",
            "loss": {"name": "losses@ACTLossHead", "loss_type": "stablemax_cross_entropy"},
            "halt_exploration_prob": 0.1, "halt_max_steps": cfg.halt_max_steps,
            "H_cycles": cfg.H_cycles, "L_cycles": cfg.L_cycles, "H_layers": 0, "L_layers": cfg.L_layers,
            "hidden_size": cfg.hidden_size, "num_heads": cfg.num_heads, "expansion": cfg.expansion,
            "puzzle_emb_ndim": cfg.puzzle_emb_ndim, "pos_encodings": cfg.pos_encodings,
            "forward_dtype": "bfloat16", "mlp_t": cfg.mlp_t, "puzzle_emb_len": cfg.puzzle_emb_len,
            "no_ACT_continue": True,
        },
        "data_paths": ["data/sudoku-extreme-1k-aug-1000"], "data_paths_test": [], "evaluators": [],
        "global_batch_size": 768, "epochs": 50000, "lr": 1e-4, "lr_min_ratio": 1.0, "lr_warmup_steps": 2000,
        "weight_decay": 1.0, "beta1": 0.9, "beta2": 0.95, "puzzle_emb_lr": 1e-4, "puzzle_emb_weight_decay": 1.0,
        "project_name": "Sudoku-extreme-1k-aug-1000-ACT-torch", "run_name": "pretrain_mlp_t_sudoku",
        "load_checkpoint": None, "checkpoint_path": "checkpoints/Sudoku-extreme-1k-aug-1000-ACT-torch/"
                                                      "pretrain_mlp_t_sudoku",
        "seed": 0, "checkpoint_every_eval": True, "eval_interval": 5000, "min_eval_interval": 0,
        "eval_save_outputs": [], "ema": True, "ema_rate": 0.999, "freeze_weights": False,
    }


def write_official(model, out_dir: str) -> None:
    d = os.path.join(out_dir, "official_sudoku_mlp_tiny")
    os.makedirs(d, exist_ok=True)
    state = {OFFICIAL_PREFIX + k: v.clone() for k, v in model.state_dict().items()}
    torch.save(state, os.path.join(d, "step_100"))
    with open(os.path.join(d, "all_config.yaml"), "w") as f:
        yaml.dump(official_all_config(model.config), f)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(REPO, "tests", "fixtures"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    os.makedirs(args.out, exist_ok=True)
    summary = {}
    for name in FIXTURES:
        r = make_one(name, args.out)
        summary[name] = r["stats"]
        if name == "sudoku_mlp_tiny":
            write_official(r["model"], args.out)
        s = r["stats"]
        print(f"{name}: |logit|max {s['logit_abs_max']:.2f} q std {s['q_halt_std']:.3f} | "
              f"bf16 max|dlogit| last {s['bf16_max_abs_dlogit'][-1]:.3g} max {max(s['bf16_max_abs_dlogit']):.3g} "
              f"max|dq| {max(s['bf16_max_abs_dq']):.3g} argmax {s['bf16_argmax_agree']:.4f} | "
              f"f64 max|dlogit| {max(s['f64_max_abs_dlogit']):.3g} max|dq| {max(s['f64_max_abs_dq']):.3g}")


if __name__ == "__main__":
    main()
