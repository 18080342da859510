"""Trainer smoke test (< 60 s on 2 cores): a tiny TRM overfits a few 6x6 Sudokus, the run resumes from its
checkpoint, and the export is a valid ptrm file that the reference model (and the C++ engine, when built) loads.
Plus the optimizer and loss pieces against their defining formulas."""
import csv
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys

import pytest
import torch

from conftest import REPO, TRAINING

sys.path.insert(0, TRAINING)
from build_sudoku import tool  # noqa: E402
from ptrm_ref import load_ptrm, read_ptrm  # noqa: E402
from ptrm_train.loss import IGNORE, act_loss, stablemax_cross_entropy  # noqa: E402
from ptrm_train.optim import AdamATan2, PuzzleEmbSignSGD  # noqa: E402

TINY = ["--task", "sudoku", "--hidden", "32", "--heads", "1", "--H-cycles", "1", "--L-cycles", "1",
        "--puzzle-emb-len", "1", "--n-sup", "2", "--eval-n-sup", "2", "--batch", "16", "--lr", "3e-3",
        "--warmup", "1", "--wd", "0.0", "--ema-warmup", "--no-aug", "--threads", "1", "--log-every", "5",
        "--eval-every-min", "100", "--eval-limit", "16", "--ckpt-every-min", "100"]


def engine_cli():
    for build in sorted(os.listdir(REPO)):
        path = os.path.join(REPO, build, "ptrm")
        if build.startswith("build") and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    d = tmp_path_factory.mktemp("s6")
    out = subprocess.run([tool("sudoku_gen"), "gen", "--side", "6", "--count", "16", "--seed", "11",
                          "--min-givens", "14", "--max-givens", "18"], capture_output=True, text=True, check=True)
    path = d / "train.csv"
    path.write_text("source,question,answer,rating\n" +
                    "".join(",".join(line.split(",")[:4]) + "\n" for line in out.stdout.splitlines()))
    return str(path)


def train(args):
    r = subprocess.run([sys.executable, os.path.join(TRAINING, "train.py"), *args], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def train_refused(args):
    """train.py run expected to refuse its arguments: returns its stderr."""
    r = subprocess.run([sys.executable, os.path.join(TRAINING, "train.py"), *args], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode != 0, r.stdout
    return r.stderr


def test_tiny_run_lowers_loss_resumes_and_exports(data, tmp_path):
    run = str(tmp_path / "run")
    model = str(tmp_path / "tiny.safetensors")
    train(TINY + ["--train", data, "--test", data, "--run", run, "--max-steps", "40"])
    with open(os.path.join(run, "log.csv")) as f:
        rows = list(csv.DictReader(f))
    losses = [float(r["lm_loss"]) for r in rows if r["lm_loss"]]
    assert losses[-1] < 0.8 * losses[0], losses
    assert rows[-1]["eval_exact"] != ""

    # A run stopped between checkpoints logged steps its checkpoint never saw: the resume drops them.
    with open(os.path.join(run, "log.csv"), "a") as f:
        f.write("60" + "," * (len(rows[0]) - 1) + "\n")
    out = train(TINY + ["--train", data, "--test", data, "--run", run, "--resume", "--max-steps", "45",
                        "--export", model])
    assert "resumed" in out and "at step 40" in out and "dropped 1 rows past step 40" in out
    with open(os.path.join(run, "log.csv")) as f:
        steps = [int(r["step"]) for r in csv.DictReader(f)]
    assert steps == sorted(steps) and steps[-1] == 45 and 60 not in steps, steps
    tensors, config, meta = read_ptrm(model)
    assert config.hidden_size == 32 and config.board == 6 and config.halt_max_steps == 2
    assert all(t.dtype in (torch.float16, torch.bfloat16) for t in tensors.values())
    assert "45 steps" in meta["ptrm.description"]
    assert json.loads(meta["ptrm.training"])["lr"] == 3e-3

    # --export-only records the checkpoint's training recipe, not the defaults of its own short command line, and
    # reads no training row (a fresh clone exports or probes a run whose train set it never built).
    exported = str(tmp_path / "again.safetensors")
    short = [a for i, a in enumerate(TINY) if "--lr" not in TINY[i - 1:i + 1] and "--batch" not in TINY[i - 1:i + 1]]
    train(short + ["--train", str(tmp_path / "never-built.csv"), "--test", data, "--run", run, "--resume",
                   "--export-only", "--export", exported])
    _, _, meta2 = read_ptrm(exported)
    recipe = json.loads(meta2["ptrm.training"])
    assert recipe["lr"] == 3e-3 and recipe["batch"] == 16 and "batch 16" in meta2["ptrm.description"]
    m = load_ptrm(model)
    _, logits, _ = m(m.initial_carry(1), {"inputs": torch.ones(1, 36, dtype=torch.long),
                                          "puzzle_identifiers": torch.zeros(1, dtype=torch.long)})
    assert torch.isfinite(logits).all()

    cli = engine_cli()
    if cli is None:
        pytest.skip("no built ptrm CLI (build/ptrm); engine load not checked")
    puzzle = open(data).read().splitlines()[1].split(",")[1]
    r = subprocess.run([cli, "solve", "--model", model, "--puzzle", puzzle, "--json"], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr

    # training/probe.py exports the run's latest checkpoint itself, from the recipe stored in it, and leaves the
    # run folder as it was: its accuracy must be the engine's on the file train.py exported from the same step.
    before = {f: os.path.getmtime(os.path.join(dp, f)) for dp, _, fs in os.walk(run) for f in fs}
    r = subprocess.run([cli, "eval", "--model", model, "--data", data, "--k", "1", "--sigma", "0", "--steps", "2",
                        "--threads", "1", "--json"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    want = json.loads(r.stdout)["deterministic"]
    out_json = str(tmp_path / "probe.json")
    r = subprocess.run([sys.executable, os.path.join(TRAINING, "probe.py"), "--run", run, "--cli", cli, "--data",
                        data, "--steps", "2", "--json-out", out_json], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"| run | 45 | {100 * want:.1f} |", r.stdout
    probe = json.load(open(out_json))
    assert probe["step"] == 45 and probe["results"][0]["exact"] == want and probe["results"][0]["n"] == 16
    assert {f: os.path.getmtime(os.path.join(dp, f)) for dp, _, fs in os.walk(run) for f in fs} == before

    # --ckpt with a copy named by hand (not step_<N>.pt, which is all the trainer resumes from): the same row.
    renamed = str(tmp_path / "kept-by-hand.pt")
    shutil.copy(os.path.join(run, "ckpt", "step_0000045.pt"), renamed)
    r = subprocess.run([sys.executable, os.path.join(TRAINING, "probe.py"), "--run", run, "--cli", cli, "--ckpt",
                        renamed, "--data", data, "--steps", "2"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"| run | 45 | {100 * want:.1f} |", r.stdout


def test_probe_rejects_a_folder_without_checkpoints(tmp_path, data):
    r = subprocess.run([sys.executable, os.path.join(TRAINING, "probe.py"), "--run", str(tmp_path), "--cli",
                        "build/ptrm", "--data", data], capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "no checkpoint" in r.stderr, r.stderr


def test_sigterm_saves_a_checkpoint_and_resumes_there(data, tmp_path):
    run = str(tmp_path / "run")
    proc = subprocess.Popen([sys.executable, os.path.join(TRAINING, "train.py"), *TINY, "--train", data, "--test",
                             data, "--run", run, "--max-steps", "100000", "--log-every", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for line in proc.stdout:  # wait until it has logged a few steps
            if line.startswith("step=3 "):
                break
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, out
    m = re.search(r"stopped by SIGTERM at step (\d+): checkpoint saved", out)
    assert m, out
    step = int(m.group(1))
    assert 3 <= step < 100000 and os.path.exists(os.path.join(run, "ckpt", f"step_{step:07d}.pt"))
    with open(os.path.join(run, "log.csv")) as f:
        assert int(list(csv.DictReader(f))[-1]["step"]) == step
    out = train(TINY + ["--train", data, "--test", data, "--run", run, "--resume", "--max-steps", str(step + 1)])
    assert f"at step {step} " in out


def test_resume_rejects_other_config(data, tmp_path):
    run = str(tmp_path / "run")
    train(TINY + ["--train", data, "--test", data, "--run", run, "--max-steps", "2"])
    assert "different model config" in train_refused(TINY + ["--hidden", "64", "--train", data, "--test", data,
                                                             "--run", run, "--resume", "--max-steps", "3"])


def test_bad_sizes_are_argument_errors(data, tmp_path):
    # --eval-limit 0 used to reach torch.cat on an empty held-out set (a traceback, even with --export-only)
    for flag in ("--eval-limit", "--batch", "--hidden"):
        err = train_refused(TINY + [flag, "0", "--train", data, "--test", data, "--run", str(tmp_path / "r")])
        assert f"{flag} must be positive" in err, err


def test_train_noise_perturbs_only_noisy_rows_that_carry_on():
    import train as trainmod
    from ptrm_ref.model import ACTCarry, InnerCarry
    b, s_len, d = 4, 3, 8
    z_H, z_L = torch.randn(b, s_len, d), torch.randn(b, s_len, d)
    carry = ACTCarry(InnerCarry(z_H.clone(), z_L.clone()), torch.ones(b, dtype=torch.int32),
                     torch.tensor([False, False, True, False]), {})
    noisy = torch.tensor([True, False, True, True])  # row 2 halted: the model resets it, so it is left alone
    for on, moved_H, moved_L in (("y", True, False), ("z", False, True), ("both", True, True)):
        out = trainmod.noise_carry(carry, noisy, 0.5, on)
        for got, before, moved in ((out.inner.z_H, z_H, moved_H), (out.inner.z_L, z_L, moved_L)):
            changed = (got != before).flatten(1).any(1).tolist()
            assert changed == ([True, False, False, True] if moved else [False] * b), (on, changed)
        delta = out.inner.z_H[[0, 3]] - z_H[[0, 3]] if moved_H else out.inner.z_L[[0, 3]] - z_L[[0, 3]]
        assert 0.25 < float(delta.std()) < 1.0  # sigma 0.5
    assert carry.inner.z_H.equal(z_H) and carry.inner.z_L.equal(z_L)  # the input carry is not modified


def test_train_noise_run_trains_and_records_its_recipe(data, tmp_path):
    run, model = str(tmp_path / "run"), str(tmp_path / "noisy.safetensors")
    train(TINY + ["--train", data, "--test", data, "--run", run, "--max-steps", "20", "--train-noise", "0.5",
                  "--train-noise-on", "y", "--train-noise-frac", "1", "--export", model])
    recipe = json.loads(read_ptrm(model)[2]["ptrm.training"])
    assert recipe["train_noise"] == 0.5 and recipe["train_noise_on"] == "y" and recipe["train_noise_frac"] == 1
    for bad in (["--train-noise", "-1"], ["--train-noise", "nan"], ["--train-noise-frac", "1.5"]):
        assert "--train-noise must be" in train_refused(TINY + ["--train", data, "--test", data, "--run", run, *bad])


def test_adam_atan2_first_step_and_decay():
    p = torch.nn.Parameter(torch.tensor([1.0, -2.0, 0.5]))
    opt = AdamATan2([p], lr=0.01, betas=(0.9, 0.95), weight_decay=0.5)
    p.grad = torch.tensor([3.0, -0.001, 0.0])
    opt.step()
    # step 1: m = 0.1 g, v = 0.05 g^2, bias-corrected sqrt(v) = |g|  ->  p -= lr/0.1 * atan2(0.1 g, |g|)
    decayed = torch.tensor([1.0, -2.0, 0.5]) * (1 - 0.01 * 0.5)
    step = 0.1 * math.atan2(0.1, 1.0)
    assert torch.allclose(p.detach(), decayed - torch.tensor([step, -step, 0.0]), atol=1e-7)


def test_sign_sgd_updates_only_used_rows():
    class Emb:
        weights = torch.ones(3, 2)
        local_ids = torch.tensor([2, 2])
        local_weights = torch.zeros(2, 2, requires_grad=True)
    emb = Emb()
    (emb.local_weights * torch.tensor([[1.0, -1.0], [1.0, 0.5]])).sum().backward()
    opt = PuzzleEmbSignSGD(emb, lr=0.1, weight_decay=1.0)
    opt.step(*opt.dense_grad())
    assert torch.allclose(emb.weights, torch.tensor([[1.0, 1.0], [1.0, 1.0], [0.8, 1.0]]))


def test_stablemax_loss():
    logits = torch.tensor([[[2.0, -1.0, 0.0]]])
    s = torch.tensor([3.0, 0.5, 1.0])
    want = -math.log(3.0 / s.sum().item())
    assert stablemax_cross_entropy(logits, torch.tensor([[0]])).item() == pytest.approx(want)
    assert stablemax_cross_entropy(logits, torch.tensor([[IGNORE]])).item() == 0.0
    labels = torch.tensor([[0, IGNORE]])
    two = torch.tensor([[[2.0, -1.0, 0.0], [0.0, 5.0, 0.0]]])
    total, correct, lm, q = act_loss(two, torch.tensor([0.0]), labels)
    assert correct.tolist() == [True]
    assert lm.item() == pytest.approx(want)  # the ignored token counts neither in the sum nor the mean
    assert q.item() == pytest.approx(math.log(2))
    assert total.item() == pytest.approx(want + 0.5 * math.log(2))


def test_stablemax_gradient_is_finite_at_logit_one():
    logits = torch.tensor([[[1.0, -0.5, 3.0]]], requires_grad=True)
    stablemax_cross_entropy(logits, torch.tensor([[2]])).sum().backward()
    assert torch.isfinite(logits.grad).all()


def test_init_from_seeds_a_deeper_recursion_and_refuses_another_width(data, tmp_path):
    # T and n shape no weight, so an export seeds a run with more cycles, weights unchanged; a width change is refused.
    seed = str(tmp_path / "seed.safetensors")
    train(TINY + ["--train", data, "--test", data, "--run", str(tmp_path / "a"), "--max-steps", "5", "--export", seed])
    out = train(TINY + ["--H-cycles", "2", "--L-cycles", "2", "--train", data, "--test", data, "--run",
                        str(tmp_path / "b"), "--init-from", seed, "--max-steps", "0", "--export",
                        str(tmp_path / "deep.safetensors")])
    assert "initialised from" in out
    tensors, config, _ = read_ptrm(str(tmp_path / "deep.safetensors"))
    seed_tensors, seed_config, _ = read_ptrm(seed)
    assert (config.H_cycles, config.L_cycles) == (2, 2) and (seed_config.H_cycles, seed_config.L_cycles) == (1, 1)
    assert all(torch.equal(tensors[k], seed_tensors[k]) for k in seed_tensors)
    wide = TINY + ["--hidden", "64", "--train", data, "--test", data, "--run", str(tmp_path / "c"), "--init-from", seed,
                   "--max-steps", "0"]
    assert "model config differs" in train_refused(wide)
