#!/usr/bin/python3
"""Train a TRM (the ptrm_ref model) with the official recipe, or a cheaper CPU recipe via overrides.

Official defaults (TinyRecursiveModels pretrain.py + config, see ../shared/docs/trm-spec.md §3.3-3.5, §5):
global batch 768, lr 1e-4 with 2000 warm-up steps then constant, AdamATan2 betas (0.9, 0.95), weight decay 1.0,
puzzle embedding by sign-SGD (lr 1e-4, wd 1.0), EMA 0.999, stablemax CE + 0.5 * q_halt BCE, carry-style deep
supervision (one optimizer step per supervision step; slots halt after --n-sup steps or when q_halt > 0, with
halt exploration 0.1). Sudoku defaults to the MLP-mixer variant (mlp_t, no positions, T=3, n=6); maze to attention
with RoPE (T=3, n=4).

Runs live in training/runs/<run>/: log.csv (learning curve), ckpt/step_*.pt (resumable; --resume picks the
latest), and with --export a ptrm safetensors file (EMA weights, fp16 by default) the C++ engine loads.
Multi-GPU: torchrun --nproc_per_node N training/train.py ... (gradients all-reduced by sum; rank 0 logs/saves).
"""
from __future__ import annotations

import argparse
import csv
import ctypes
import dataclasses
import glob
import json
import os
import re
import signal
import sys
import time

import numpy as np
import torch
import torch.distributed as dist

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from ptrm_ref import TRM, ModelConfig, build_model, write_ptrm  # noqa: E402
from ptrm_ref.model import ACTCarry, InnerCarry  # noqa: E402
from ptrm_ref.ptrm_file import read_ptrm  # noqa: E402
from ptrm_train.augment import augment  # noqa: E402
from ptrm_train.data import CurriculumSampler, load_csv  # noqa: E402
from ptrm_train.evaluate import evaluate  # noqa: E402
from ptrm_train.loss import act_loss  # noqa: E402
from ptrm_train.optim import EMA, AdamATan2, PuzzleEmbSignSGD  # noqa: E402

RUNS = os.path.join(HERE, "runs")
LOG_FIELDS = ["step", "train_s", "wall_s", "seq_steps", "puzzles", "lr", "lm_loss", "q_loss", "train_exact",
              "train_halt_steps", "eval_n", "eval_exact", "eval_exact_by_step", "eval_blank_acc", "eval_q_acc",
              "eval_s"]


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--task", choices=("sudoku", "maze"), required=True)
    p.add_argument("--train", required=True, help="train CSV (source,question,answer,rating)")
    p.add_argument("--test", required=True, help="held-out CSV for periodic evaluation")
    p.add_argument("--run", required=True, help="run name (folder under training/runs) or a path")
    p.add_argument("--resume", action="store_true", help="continue from the latest checkpoint of the run")
    # architecture (None = the official value for the task)
    p.add_argument("--hidden", type=int, default=512)
    p.add_argument("--heads", type=int, default=8)
    p.add_argument("--expansion", type=float, default=4.0)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--H-cycles", type=int, default=3)
    p.add_argument("--L-cycles", type=int, default=None, help="official: 6 sudoku, 4 maze")
    p.add_argument("--mlp-t", choices=("on", "off"), default=None, help="official: on for sudoku, off for maze")
    p.add_argument("--pos", choices=("rope", "learned", "none"), default=None)
    p.add_argument("--puzzle-emb-len", type=int, default=16)
    p.add_argument("--n-sup", type=int, default=16, help="supervision steps per puzzle in training")
    p.add_argument("--eval-n-sup", type=int, default=16, help="supervision steps at evaluation and in the export")
    # optimisation
    p.add_argument("--batch", type=int, default=768, help="global batch (slots)")
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--warmup", type=int, default=2000)
    p.add_argument("--wd", type=float, default=1.0)
    p.add_argument("--beta1", type=float, default=0.9)
    p.add_argument("--beta2", type=float, default=0.95)
    p.add_argument("--puzzle-emb-lr", type=float, default=None, help="default: --lr")
    p.add_argument("--puzzle-emb-wd", type=float, default=None, help="default: --wd")
    p.add_argument("--ema", type=float, default=0.999)
    p.add_argument("--ema-warmup", action="store_true", help="decay min(ema, (1+t)/(10+t)) for short runs")
    p.add_argument("--halt-explore", type=float, default=0.1)
    p.add_argument("--train-noise", type=float, default=0.0,
                   help="PTRM's noise during training: N(0, sigma^2) on the latent(s) of --train-noise-frac of the "
                        "puzzles before every supervision step but their first (0 = off)")
    p.add_argument("--train-noise-on", choices=("z", "y", "both"), default="z", help="z = zL, y = zH, as ptrm eval")
    p.add_argument("--train-noise-frac", type=float, default=0.5, help="share of the puzzles trained with noise")
    p.add_argument("--curriculum", type=int, default=0,
                   help="steps over which the training pool grows from the easiest to all puzzles (0 = off)")
    p.add_argument("--no-aug", action="store_true", help="disable the on-the-fly validity-preserving shuffles")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--init-from", help="ptrm safetensors file whose weights start a fresh run (model and EMA; the "
                                       "optimizer starts fresh); its config must match this run's")
    # budget, evaluation, checkpoints
    p.add_argument("--max-steps", type=int, default=65104)
    p.add_argument("--max-minutes", type=float, default=0, help="stop after this much training time (0 = none)")
    p.add_argument("--log-every", type=int, default=20)
    p.add_argument("--eval-every-min", type=float, default=10)
    p.add_argument("--eval-limit", type=int, default=512, help="held-out puzzles per periodic evaluation")
    p.add_argument("--eval-batch", type=int, default=256)
    p.add_argument("--ckpt-every-min", type=float, default=5)
    p.add_argument("--keep-ckpts", type=int, default=3)
    p.add_argument("--compact-ckpt", action="store_true",
                   help="checkpoints meant for git (training/checkpoints/<run>): Adam moments in bf16 and no live "
                        "carry (a resume restarts the in-flight slots on fresh puzzles); weights and EMA stay fp32")
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--allow-slow-blas", action="store_true")
    p.add_argument("--export", help="write the EMA model as a ptrm safetensors file at the end")
    p.add_argument("--export-dtype", choices=("f16", "bf16", "f32"), default="f16")
    p.add_argument("--export-only", action="store_true", help="with --resume: export without training")
    p.add_argument("--name", default=None, help="ptrm.name metadata of the export")
    args = p.parse_args(argv)
    if args.L_cycles is None:
        args.L_cycles = 6 if args.task == "sudoku" else 4
    if args.mlp_t is None:
        args.mlp_t = "on" if args.task == "sudoku" else "off"
    if args.pos is None:
        args.pos = "none" if args.mlp_t == "on" else "rope"
    args.puzzle_emb_lr = args.lr if args.puzzle_emb_lr is None else args.puzzle_emb_lr
    args.puzzle_emb_wd = args.wd if args.puzzle_emb_wd is None else args.puzzle_emb_wd
    for name in ("batch", "n_sup", "eval_n_sup", "hidden", "log_every", "eval_batch", "eval_limit", "threads"):
        if getattr(args, name) <= 0:
            p.error(f"--{name.replace('_', '-')} must be positive")
    if not (0 <= args.train_noise <= 10) or not (0 <= args.train_noise_frac <= 1):  # also rejects NaN
        p.error("--train-noise must be in 0..10 and --train-noise-frac in 0..1")
    if args.export_only and not (args.resume and args.export):
        p.error("--export-only needs --resume and --export")
    return args


def model_config(args, side: int, n_sup: int) -> ModelConfig:
    seq_len = side * side
    vocab = side + 2 if args.task == "sudoku" else 6
    return ModelConfig(hidden_size=args.hidden, num_heads=args.heads, expansion=args.expansion, L_layers=args.layers,
                       H_cycles=args.H_cycles, L_cycles=args.L_cycles, halt_max_steps=n_sup,
                       puzzle_emb_len=args.puzzle_emb_len, puzzle_emb_ndim=args.hidden if args.puzzle_emb_len else 0,
                       pos_encodings=args.pos, rope_theta=10000.0, rms_norm_eps=1e-5, mlp_t=args.mlp_t == "on",
                       vocab_size=vocab, seq_len=seq_len, num_puzzle_identifiers=1, task=args.task, board=side)


def mapped_files() -> list[str]:
    """Paths of the files (shared libraries among them) mapped into this process; empty where /proc is missing."""
    try:
        with open("/proc/self/maps") as f:
            return sorted({line.split()[-1] for line in f if "/" in line})
    except OSError:
        return []


def set_threads(torch_threads: int, blas_threads: int | None = None) -> int | None:
    """Threads for torch's own kernels and for OpenBLAS (default: the same number). torch.set_num_threads does not
    reach Debian's pthread OpenBLAS, which keeps one worker per core: with two runs on two cores (or any busy
    sibling) every small GEMM then waits on a descheduled worker (steps ~20x slower: docs/training.md).
    Returns the OpenBLAS thread count now in force (None when no OpenBLAS is loaded)."""
    torch.set_num_threads(torch_threads)
    n = torch_threads if blas_threads is None else blas_threads
    for path in mapped_files():
        if "openblas" not in path or ".so" not in path:
            continue
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_set_num_threads(ctypes.c_int(n))
            return int(lib.openblas_get_num_threads())
        except (OSError, AttributeError):
            continue
    return None


def check_blas(allow_slow: bool) -> float:
    """Debian's torch calls whatever libblas.so.3 points to; the reference BLAS is ~10x slower than OpenBLAS."""
    a = torch.randn(512, 512)
    a @ a
    t0 = time.perf_counter()
    for _ in range(10):
        a @ a
    gflops = 10 * 2 * 512 ** 3 / (time.perf_counter() - t0) / 1e9
    fast = any(lib in path for path in mapped_files() for lib in ("openblas", "libmkl", "libblis"))
    msg = f"CPU matmul 512x512: {gflops:.1f} GFLOP/s with {torch.get_num_threads()} threads " \
          f"({'optimised BLAS' if fast else 'no optimised BLAS loaded'})"
    print(msg, flush=True)
    if not fast:
        hint = "install libopenblas0-pthread (Debian switches libblas.so.3 to OpenBLAS)"
        if not allow_slow:
            raise SystemExit(f"train.py: torch is using the reference BLAS; {hint}, or pass --allow-slow-blas")
        print(f"WARNING: reference BLAS; {hint}", flush=True)
    return gflops


def run_dir(name: str) -> str:
    return name if os.sep in name else os.path.join(RUNS, name)


def latest_checkpoint(directory: str) -> str | None:
    ckpts = glob.glob(os.path.join(directory, "ckpt", "step_*.pt"))
    return max(ckpts, key=lambda p: int(re.findall(r"step_(\d+)", p)[-1])) if ckpts else None


def inner_state(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {k[len("inner."):]: v for k, v in state.items() if k.startswith("inner.")}


def noise_carry(carry, noisy: torch.Tensor, sigma: float, on: str):
    """PTRM's test-time noise inside training (--train-noise): N(0, sigma^2) on zL ("z"), zH ("y") or both for the
    rows where `noisy` is set. The Q head otherwise only ever scores deterministic states, and at K = 16 it leaves
    correct rollouts unpicked (docs/training.md, session 12). Rows that halted restart from H_init/L_init inside
    the model, which overwrites their latents, so a puzzle's first supervision step always runs clean."""
    scale = (noisy & ~carry.halted).to(carry.inner.z_H.dtype).view(-1, 1, 1) * sigma
    z_H, z_L = carry.inner.z_H, carry.inner.z_L
    if on in ("y", "both"):
        z_H = z_H + scale * torch.randn_like(z_H)
    if on in ("z", "both"):
        z_L = z_L + scale * torch.randn_like(z_L)
    return dataclasses.replace(carry, inner=InnerCarry(z_H, z_L))


def eval_model_from(model: TRM, ema: EMA, config: ModelConfig, device) -> torch.nn.Module:
    m = build_model(config).to(device)
    m.load_state_dict(inner_state(ema.state_dict_for(model)))
    return m.eval()


class Trainer:
    def __init__(self, args):
        self.args = args
        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        cuda = torch.cuda.is_available()
        if self.world > 1:
            dist.init_process_group("nccl" if cuda else "gloo")
        if cuda:
            local = int(os.environ.get("LOCAL_RANK", "0"))
            torch.cuda.set_device(local)
            self.device = torch.device("cuda", local)
        else:
            self.device = torch.device("cpu")
            set_threads(args.threads)
            # Sharp attention softmaxes and their gradients fall into the denormal range, which x86 handles in
            # microcode: without this a 10x10 maze step slowed from ~2 s to ~10-19 s as training went on.
            torch.set_flush_denormal(True)
            if self.rank == 0:
                check_blas(args.allow_slow_blas)
        self.forward_dtype = torch.bfloat16 if cuda else torch.float32
        if args.batch % self.world:
            raise SystemExit(f"--batch {args.batch} is not divisible by the {self.world} ranks")
        self.local_batch = args.batch // self.world
        self.dir = run_dir(args.run)
        os.makedirs(os.path.join(self.dir, "ckpt"), exist_ok=True)

        test = load_csv(args.test, args.task)
        # An export reads no training row, so it works where the train set was never built (a fresh clone probing
        # a paused run): the test set stands in for the shapes.
        self.train_data = test if args.export_only else load_csv(args.train, args.task)
        if test.side != self.train_data.side:
            raise SystemExit(f"train side {self.train_data.side} != test side {test.side}")
        self.test_data = test.subset(np.arange(min(len(test), args.eval_limit)))
        self.config = model_config(args, self.train_data.side, args.n_sup)
        self.export_config = dataclasses.replace(self.config, halt_max_steps=args.eval_n_sup)

        torch.manual_seed(args.seed + self.rank)
        self.rng = np.random.default_rng([args.seed, self.rank])
        self.model = TRM(self.config, args.halt_explore, self.forward_dtype, seed=args.seed).to(self.device)
        self.model.train()
        self.opt = AdamATan2(self.model.parameters(), lr=args.lr, betas=(args.beta1, args.beta2),
                             weight_decay=args.wd)
        self.emb_opt = PuzzleEmbSignSGD(self.model.inner.puzzle_emb, args.puzzle_emb_lr, args.puzzle_emb_wd) \
            if self.config.puzzle_emb_ndim > 0 else None
        self.ema = EMA(self.model, args.ema, args.ema_warmup)
        self.sampler = CurriculumSampler(self.train_data, args.curriculum, self.rng)
        self.step = 0
        self.train_s = 0.0
        self.puzzles = 0
        self.carry = None
        self.noisy: torch.Tensor | None = None  # which slots' puzzles get --train-noise (redrawn per new puzzle)
        self.last_eval: dict | None = None
        self.recipe = vars(args)  # the training options the weights came from (the checkpoint's, once resumed)
        if args.resume:
            self.load_latest()
        if args.init_from and self.step == 0:
            self.init_from(args.init_from)

    # ---------------------------------------------------------------- checkpoints
    def save(self) -> None:
        if self.rank != 0:
            return
        c = None if self.args.compact_ckpt else self.carry
        opt = self.opt.state_dict()
        if self.args.compact_ckpt:  # torch's Optimizer.load_state_dict casts floating state back to the param dtype
            opt["state"] = {i: {k: v.to(torch.bfloat16) if torch.is_tensor(v) and v.is_floating_point() else v
                                for k, v in st.items()} for i, st in opt["state"].items()}
        state = {
            "step": self.step, "train_s": self.train_s, "puzzles": self.puzzles,
            "config": self.config.to_dict(), "args": vars(self.args),
            "model": self.model.state_dict(), "opt": opt, "ema": self.ema.state_dict(),
            "torch_rng": torch.get_rng_state(), "np_rng": self.rng.bit_generator.state,
            "carry": None if c is None else {"z_H": c.inner.z_H, "z_L": c.inner.z_L, "steps": c.steps,
                                             "halted": c.halted, "current_data": c.current_data},
        }
        path = os.path.join(self.dir, "ckpt", f"step_{self.step:07d}.pt")
        torch.save(state, path + ".tmp")
        os.replace(path + ".tmp", path)
        ckpts = sorted(glob.glob(os.path.join(self.dir, "ckpt", "step_*.pt")))
        for old in ckpts[:-self.args.keep_ckpts]:
            os.remove(old)

    def load_latest(self) -> None:
        path = latest_checkpoint(self.dir)
        if path is None:
            print(f"no checkpoint in {self.dir}; starting fresh", flush=True)
            return
        state = torch.load(path, map_location=self.device)
        saved = ModelConfig.from_dict(state["config"])
        if saved != self.config:
            raise SystemExit(f"{path} was trained with a different model config:\n{saved}\nvs\n{self.config}")
        self.model.load_state_dict(state["model"])
        self.opt.load_state_dict(state["opt"])
        self.ema.load_state_dict(state["ema"])
        self.step, self.train_s, self.puzzles = state["step"], state["train_s"], state["puzzles"]
        # --export-only is given only what the export needs; the recipe in the file must be the training run's.
        if self.args.export_only:
            self.recipe = {**vars(self.args), **state.get("args", {})}
        torch.set_rng_state(state["torch_rng"])
        self.rng.bit_generator.state = state["np_rng"]
        c = state["carry"]
        if c is not None and self.world == 1 and c["steps"].shape[0] == self.local_batch:
            self.carry = ACTCarry(InnerCarry(c["z_H"], c["z_L"]), c["steps"], c["halted"], c["current_data"])
        print(f"resumed {path} at step {self.step} ({self.train_s / 60:.1f} training min)", flush=True)
        if not self.args.export_only:
            self.trim_log()

    def trim_log(self) -> None:
        """Drop log rows past the resumed step: they came from weights no checkpoint kept (the run was stopped
        between two checkpoints), and the resumed run logs those steps again; keeping both would fork the curve."""
        path = os.path.join(self.dir, "log.csv")
        if self.rank != 0 or not os.path.exists(path):
            return
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
        kept = [r for r in rows if int(r["step"]) <= self.step]
        if len(kept) == len(rows):
            return
        with open(path + ".tmp", "w", newline="") as f:
            w = csv.DictWriter(f, LOG_FIELDS)
            w.writeheader()
            w.writerows(kept)
        os.replace(path + ".tmp", path)
        print(f"log.csv: dropped {len(rows) - len(kept)} rows past step {self.step} (not in the checkpoint)", flush=True)

    def init_from(self, path: str) -> None:
        """Warm start: continue a shipped model (e.g. one whose run folder is gone) with a fresh optimizer."""
        tensors, config, _ = read_ptrm(path)
        # The recursion counts (T = H_cycles, n = L_cycles) shape no weight: a model can seed a deeper recursion of
        # the same network (a trained TRM's answers barely move when T or n grows at inference, docs/training.md §4).
        want = dataclasses.replace(self.config, halt_max_steps=config.halt_max_steps, H_cycles=config.H_cycles,
                                   L_cycles=config.L_cycles)
        if not config.mlp_t and config.pos_encodings != "learned":
            # no weight depends on the board size (RoPE attention): a small-board model can seed a bigger board
            want = dataclasses.replace(want, seq_len=config.seq_len, board=config.board)
        if config != want:
            raise SystemExit(f"--init-from {path}: model config differs:\n{config}\nvs\n{self.config}")
        inner = self.model.inner
        state = {k: t.to(inner.state_dict()[k].dtype) for k, t in tensors.items()}
        inner.load_state_dict(state, strict=True)
        self.ema = EMA(self.model, self.args.ema, self.args.ema_warmup)
        print(f"initialised from {path}", flush=True)

    # ---------------------------------------------------------------- training
    def batch(self) -> dict[str, torch.Tensor]:
        idx = self.sampler.sample(self.local_batch, self.step)
        inputs, labels = self.train_data.inputs[idx], self.train_data.labels[idx]
        if not self.args.no_aug:
            inputs, labels = augment(self.args.task, self.rng, self.train_data.side, inputs, labels)
        to = lambda a: torch.from_numpy(np.ascontiguousarray(a).astype(np.int64)).to(self.device)  # noqa: E731
        return {"inputs": to(inputs), "labels": to(labels),
                "puzzle_identifiers": torch.zeros(self.local_batch, dtype=torch.int64, device=self.device)}

    def lr_at(self, step: int, base: float) -> float:
        return base * min(1.0, (step + 1) / max(1, self.args.warmup))

    def train_step(self) -> dict[str, float]:
        batch = self.batch()
        if self.carry is None:
            self.carry = self.model.initial_carry(batch)
        if self.args.train_noise > 0:
            draw = torch.rand(self.local_batch, device=self.device) < self.args.train_noise_frac
            self.noisy = draw if self.noisy is None else torch.where(self.carry.halted, draw, self.noisy)
            self.carry = noise_carry(self.carry, self.noisy, self.args.train_noise, self.args.train_noise_on)
        self.carry, out = self.model(self.carry, batch)
        loss, correct, lm, q = act_loss(out["logits"], out["q_halt_logits"], self.carry.current_data["labels"])
        (loss / self.args.batch).backward()
        if not torch.isfinite(loss):
            # Never let one bad batch poison the weights, the EMA and (via the rotating checkpoints) the run.
            raise SystemExit(f"train.py: non-finite loss at step {self.step}; weights left at the last checkpoint")
        emb = self.emb_opt.dense_grad() if self.emb_opt else None
        if self.world > 1:
            for p in self.model.parameters():
                if p.grad is not None:
                    dist.all_reduce(p.grad)
            if emb is not None:
                for t in emb:
                    dist.all_reduce(t)
        for g in self.opt.param_groups:
            g["lr"] = self.lr_at(self.step, self.args.lr)
        self.opt.step()
        self.opt.zero_grad(set_to_none=True)
        if emb is not None:
            self.emb_opt.lr = self.lr_at(self.step, self.args.puzzle_emb_lr)
            self.emb_opt.step(*emb)
        self.ema.update(self.model)
        self.step += 1
        halted = self.carry.halted
        n_halted = int(halted.sum())
        self.puzzles += n_halted * self.world
        return {"lm": float(lm) / self.local_batch, "q": float(q) / self.local_batch, "n_halted": n_halted,
                "exact_halted": int((correct & halted).sum()),
                "steps_halted": int(self.carry.steps[halted].sum())}

    def run_eval(self) -> dict:
        t0 = time.time()
        m = eval_model_from(self.model, self.ema, self.export_config, self.device)
        m.forward_dtype = self.forward_dtype
        r = evaluate(m, self.test_data, self.args.eval_n_sup, self.args.eval_batch)
        r["seconds"] = time.time() - t0
        self.last_eval = r
        return r

    def log(self, row: dict) -> None:
        path = os.path.join(self.dir, "log.csv")
        new = not os.path.exists(path)
        with open(path, "a", newline="") as f:
            w = csv.DictWriter(f, LOG_FIELDS)
            if new:
                w.writeheader()
            w.writerow(row)

    def train(self) -> None:
        a = self.args
        wall0 = time.time()
        last_ckpt = last_eval = time.time()
        acc = {"lm": 0.0, "q": 0.0, "n": 0, "n_halted": 0, "exact_halted": 0, "steps_halted": 0}
        if self.rank == 0:
            n_params = sum(p.numel() for p in self.model.parameters())
            print(f"run {self.dir}: {n_params} parameters, config {self.config.to_json()}", flush=True)
        # SIGTERM / SIGINT (kill, Ctrl-C, a machine going down) end the run after the current step with a checkpoint,
        # so stopping never loses the training since the last periodic one. (Multi-rank runs keep the default.)
        stop: list[int] = []
        if self.world == 1 and not a.export_only:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda signum, _frame: stop.append(signum))
        while not a.export_only and not stop and self.step < a.max_steps and \
                not (a.max_minutes and self.train_s >= a.max_minutes * 60):
            t0 = time.time()
            m = self.train_step()
            self.train_s += time.time() - t0
            acc["lm"] += m["lm"]
            acc["q"] += m["q"]
            acc["n"] += 1
            for k in ("n_halted", "exact_halted", "steps_halted"):
                acc[k] += m[k]
            if self.rank != 0:
                continue
            row = None
            if self.step % a.log_every == 0:
                row = self.base_row(acc, wall0)
                acc = {k: 0 for k in acc}
            now = time.time()
            if now - last_eval >= a.eval_every_min * 60:
                row = (row or self.base_row(acc, wall0)) | self.eval_row()
                last_eval = time.time()
            if row:
                self.log(row)
                print(" ".join(f"{k}={v}" for k, v in row.items() if v != ""), flush=True)
            if now - last_ckpt >= a.ckpt_every_min * 60:
                self.save()
                last_ckpt = time.time()
        if stop:
            self.save()
            if acc["n"]:
                self.log(self.base_row(acc, wall0))
            print(f"stopped by {signal.Signals(stop[0]).name} at step {self.step}: checkpoint saved", flush=True)
            return
        if self.rank == 0 and not a.export_only:
            self.save()
            self.log(self.base_row(acc, wall0) | self.eval_row())
        if self.rank == 0 and a.export:
            self.export(a.export)

    def base_row(self, acc: dict, wall0: float) -> dict:
        row = {"step": self.step, "train_s": round(self.train_s, 1), "wall_s": round(time.time() - wall0, 1),
               "seq_steps": self.step * self.args.batch, "puzzles": self.puzzles,
               "lr": f"{self.lr_at(self.step - 1, self.args.lr):.3g}"}
        if acc["n"]:  # training metrics averaged since the previous row
            row |= {"lm_loss": f"{acc['lm'] / acc['n']:.4f}", "q_loss": f"{acc['q'] / acc['n']:.4f}"}
        if acc["n_halted"]:
            row |= {"train_exact": f"{acc['exact_halted'] / acc['n_halted']:.4f}",
                    "train_halt_steps": f"{acc['steps_halted'] / acc['n_halted']:.2f}"}
        return row

    def eval_row(self) -> dict:
        r = self.run_eval()
        return {"eval_n": len(self.test_data), "eval_exact": f"{r['exact'][self.args.eval_n_sup]:.4f}",
                "eval_exact_by_step": " ".join(f"{s}:{v:.3f}" for s, v in r["exact"].items()),
                "eval_blank_acc": f"{r['blank_acc']:.4f}", "eval_q_acc": f"{r['q_acc']:.4f}",
                "eval_s": round(r["seconds"], 1)}

    def export(self, path: str) -> None:
        state = inner_state(self.ema.state_dict_for(self.model))
        r = self.last_eval or self.run_eval()
        meta = {"ptrm.name": self.args.name or os.path.basename(self.dir),
                "ptrm.description": f"TRM trained by training/train.py, run {os.path.basename(self.dir)}, "
                                    f"{self.step} steps x batch {self.recipe['batch']}, {self.train_s / 60:.0f} "
                                    f"training minutes (EMA weights); held-out exact accuracy "
                                    f"{100 * r['exact'][self.args.eval_n_sup]:.1f}% on {len(self.test_data)} "
                                    f"puzzles, deterministic, {self.args.eval_n_sup} steps",
                # read by the web app's model picker (scripts/model_index.mjs)
                "ptrm.exact_accuracy": f"{r['exact'][self.args.eval_n_sup]:.4f}",
                "ptrm.training": json.dumps({k: v for k, v in self.recipe.items()
                                             if k not in ("resume", "export_only", "export", "name")},
                                            sort_keys=True)}
        write_ptrm(state, self.export_config, path, self.args.export_dtype, meta)
        print(f"exported {path} ({os.path.getsize(path)} bytes)", flush=True)


def main(argv=None) -> None:
    args = parse_args(argv)
    trainer = Trainer(args)
    trainer.train()
    if trainer.world > 1:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
