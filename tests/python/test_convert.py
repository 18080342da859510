import json
import os
import shutil

import pytest
import torch
import yaml

import convert
from conftest import FP32_REPRO
from ptrm_ref import safetensors_io
from ptrm_ref.config import ModelConfig
from ptrm_ref.model import build_model, rollout
from ptrm_ref.ptrm_file import load_ptrm, read_ptrm

OFFICIAL = "official_sudoku_mlp_tiny"


def run(*argv):
    return convert.main([str(a) for a in argv])


def test_official_checkpoint_converts_to_the_fixture_model(fixtures_dir, tmp_path):
    out = tmp_path / "m.safetensors"
    assert run(os.path.join(fixtures_dir, OFFICIAL, "step_100"), "-o", out) == 0
    got, cfg, meta = read_ptrm(out)
    want, want_cfg, _ = read_ptrm(os.path.join(fixtures_dir, "sudoku_mlp_tiny.safetensors"))
    assert cfg == want_cfg
    assert got.keys() == want.keys()
    assert all(torch.equal(got[k], want[k]) for k in want)
    assert meta["ptrm.source"] == "step_100"

    exp, _ = safetensors_io.load(os.path.join(fixtures_dir, "sudoku_mlp_tiny.expected.safetensors"))
    logits, q, _ = rollout(load_ptrm(out), exp["inputs"], exp["puzzle_identifiers"], cfg.halt_max_steps)
    assert torch.allclose(logits, exp["logits"], atol=FP32_REPRO, rtol=0)
    assert torch.allclose(q, exp["q_halt"], atol=FP32_REPRO, rtol=0)


def test_all_prefix_forms_are_accepted(fixtures_dir, tmp_path):
    state = torch.load(os.path.join(fixtures_dir, OFFICIAL, "step_100"))
    shutil.copy(os.path.join(fixtures_dir, OFFICIAL, "all_config.yaml"), tmp_path)
    ref = None
    for prefix in ("model.inner.", ""):
        ckpt = tmp_path / f"ckpt{len(prefix)}"
        torch.save({prefix + k[len("_orig_mod.model.inner."):]: v for k, v in state.items()}, ckpt)
        out = tmp_path / f"out{len(prefix)}.safetensors"
        assert run(ckpt, "-o", out) == 0
        tensors, cfg, _ = read_ptrm(out)
        ref = ref or (tensors, cfg)
        assert cfg == ref[1] and all(torch.equal(tensors[k], ref[0][k]) for k in tensors)


def test_16bit_output_keeps_init_vectors_exact(fixtures_dir, tmp_path):
    for dtype, want in (("f16", torch.float16), ("bf16", torch.bfloat16)):
        out = tmp_path / f"{dtype}.safetensors"
        assert run(os.path.join(fixtures_dir, OFFICIAL, "step_100"), "--dtype", dtype, "-o", out) == 0
        tensors, _, _ = read_ptrm(out)
        assert tensors["lm_head.weight"].dtype == want
        assert tensors["H_init"].dtype == torch.bfloat16
        src = torch.load(os.path.join(fixtures_dir, OFFICIAL, "step_100"))
        assert torch.equal(tensors["H_init"], src["_orig_mod.model.inner.H_init"])


def test_without_all_config_defaults_then_flags_apply(fixtures_dir, tmp_path, capsys):
    ckpt = tmp_path / "step_1"
    shutil.copy(os.path.join(fixtures_dir, OFFICIAL, "step_100"), ckpt)
    out = tmp_path / "d.safetensors"
    # expansion is not in the tensors: the default 4 implies a token-MLP size this checkpoint does not have
    assert run(ckpt, "-o", out) == 3
    assert "expected (1024, 97)" in capsys.readouterr().err
    assert run(ckpt, "--expansion", 2, "-o", out) == 0
    _, cfg, _ = read_ptrm(out)
    assert (cfg.num_heads, cfg.H_cycles, cfg.L_cycles, cfg.halt_max_steps, cfg.pos_encodings) == (8, 3, 6, 16, "none")
    assert (cfg.seq_len, cfg.puzzle_emb_len, cfg.task, cfg.board) == (81, 16, "sudoku", 9)
    assert run(ckpt, "--heads", 4, "--l-cycles", 2, "--expansion", 2, "-o", out) == 0
    _, want, _ = read_ptrm(os.path.join(fixtures_dir, "sudoku_mlp_tiny.safetensors"))
    assert read_ptrm(out)[1] == want


def _checkpoint(tmp_path, edit=None, arch_edit=None):
    state = torch.load(os.path.join(os.path.dirname(__file__), "..", "fixtures", OFFICIAL, "step_100"))
    if edit:
        edit(state)
    ckpt = tmp_path / "step_5"
    torch.save(state, ckpt)
    with open(os.path.join(os.path.dirname(__file__), "..", "fixtures", OFFICIAL, "all_config.yaml")) as f:
        cfg = yaml.safe_load(f)
    if arch_edit:
        arch_edit(cfg["arch"])
    with open(tmp_path / "all_config.yaml", "w") as f:
        yaml.dump(cfg, f)
    return ckpt


P = "_orig_mod.model.inner."


@pytest.mark.parametrize("edit, arch_edit, flags, code, message", [
    (lambda s: s.pop(P + "lm_head.weight"), None, [], 3, "missing tensors: lm_head.weight"),
    (lambda s: s.update({P + "foo.weight": torch.zeros(2)}), None, [], 3, "unexpected tensors: foo.weight"),
    (lambda s: s.update({P + "q_head.bias": torch.zeros(3)}), None, [], 3, r"q_head.bias has shape \(3,\)"),
    (lambda s: s.pop(P + "L_level.layers.0.mlp.down_proj.weight"), None, [], 3, "missing tensors"),
    (lambda s: s.update({P + "H_init": torch.full((32,), 0.1)}), None, [], 3, "not made of bfloat16"),
    (lambda s: s[P + "lm_head.weight"].__setitem__((0, 0), float("inf")), None, [], 3, "NaN or Inf"),
    (None, lambda a: a.update(hidden_size=64), [], 3, "hidden_size=64 but the tensors say 32"),
    (None, lambda a: a.update(num_heads=5), [], 3, "not divisible"),
    (None, None, ["--vocab", "12"], 2, "--vocab 12"),
    (None, None, ["--seq-len", "80"], 2, "--seq-len 80"),
    (None, None, ["--puzzle-ids", "0,1"], 2, "out of range"),
    (None, None, ["--puzzle-ids", "x"], 2, "comma-separated integers"),
    (None, None, ["--tasks", "a"], 2, "needs --identifiers"),
])
def test_bad_checkpoints_and_options_fail_clearly(tmp_path, capsys, edit, arch_edit, flags, code, message):
    ckpt = _checkpoint(tmp_path, edit, arch_edit)
    assert run(ckpt, *flags, "-o", tmp_path / "o.safetensors") == code
    assert message.replace("\\", "") in capsys.readouterr().err.replace("\\", "")
    assert not (tmp_path / "o.safetensors").exists()


def test_unreadable_inputs(tmp_path, capsys):
    junk = tmp_path / "junk"
    junk.write_bytes(b"definitely not a checkpoint")
    assert run(junk, "-o", tmp_path / "o.safetensors") == 3
    assert "not a readable torch checkpoint" in capsys.readouterr().err
    assert run(tmp_path / "missing", "-o", tmp_path / "o.safetensors") == 5
    torch.save([1, 2], junk)
    assert run(junk, "-o", tmp_path / "o.safetensors") == 3


def test_arc_puzzle_rows_are_selected_and_renumbered(tmp_path):
    cfg = ModelConfig(hidden_size=32, num_heads=4, expansion=4.0, L_layers=1, H_cycles=1, L_cycles=1,
                      halt_max_steps=2, puzzle_emb_len=16, puzzle_emb_ndim=32, pos_encodings="rope",
                      rope_theta=10000.0, rms_norm_eps=1e-5, mlp_t=False, vocab_size=12, seq_len=900,
                      num_puzzle_identifiers=5, task="arc", board=30)
    model = build_model(cfg, seed=9)
    with torch.no_grad():
        model.puzzle_emb.weights.copy_(torch.arange(5.0).unsqueeze(1).expand(5, 32))
    ckpt = tmp_path / "step_9"
    torch.save({P + k: v for k, v in model.state_dict().items()}, ckpt)
    names = ["<blank>", "taskA", "taskA|||t1|||0213456789", "taskB", "taskB|||t3|||0123456798"]
    ids_file = tmp_path / "identifiers.json"
    ids_file.write_text(json.dumps(names))
    base = [ckpt, "--task", "arc", "--heads", 4, "--h-cycles", 1, "--l-cycles", 1, "--halt-max-steps", 2]

    out = tmp_path / "a.safetensors"
    assert run(*base, "--identifiers", ids_file, "--tasks", "taskB", "-o", out) == 0
    tensors, got, meta = read_ptrm(out)
    assert got.num_puzzle_identifiers == 2 and got.task == "arc" and got.seq_len == 900
    assert tensors["puzzle_emb.weights"][:, 0].tolist() == [3.0, 4.0]
    assert json.loads(meta["ptrm.puzzle_identifiers"]) == ["taskB", "taskB|||t3|||0123456798"]

    assert run(*base, "--identifiers", ids_file, "--puzzle-ids", "2,0", "-o", out) == 0
    tensors, got, meta = read_ptrm(out)
    assert tensors["puzzle_emb.weights"][:, 0].tolist() == [2.0, 0.0]
    assert json.loads(meta["ptrm.puzzle_identifiers"]) == ["taskA|||t1|||0213456789", "<blank>"]

    assert run(*base, "-o", out) == 0
    assert read_ptrm(out)[1].num_puzzle_identifiers == 5
    assert run(*base, "--identifiers", ids_file, "--tasks", "taskC", "-o", out) == 2
