"""training/widen.py: a model widened to twice its hidden size computes the same function (fp64 rollouts of the
reference model agree to rounding), its duplicated units are split apart so they can learn apart, and inputs it
cannot widen get a clear error."""
import pytest
import torch

import widen
from conftest import tiny
from ptrm_ref.config import ModelConfig
from ptrm_ref.model import build_model, rollout
from ptrm_ref.ptrm_file import load_ptrm, save_ptrm

# hidden 64 -> 128 doubles the channel SwiGLU (256 -> 512 after the official rounding to 256); 4x4 maze shapes
BASE = dict(hidden_size=64, puzzle_emb_ndim=96, vocab_size=6, seq_len=16, task="maze", board=4)


def config(**kw) -> ModelConfig:
    return tiny(**{**BASE, **kw})


def trained_like(cfg: ModelConfig):
    """A random model with every tensor non-trivial (the official init zeroes q_head and the puzzle table)."""
    model = build_model(cfg, seed=5)
    gen = torch.Generator().manual_seed(6)
    with torch.no_grad():
        model.q_head.weight.normal_(0, 0.3, generator=gen)
        if cfg.puzzle_emb_ndim:
            model.puzzle_emb.weights.normal_(0, 0.5, generator=gen)
    return model


def outputs(model, seed=1):
    gen = torch.Generator().manual_seed(seed)
    cfg = model.config
    inputs = torch.randint(1, cfg.vocab_size, (3, cfg.seq_len), generator=gen)
    ids = torch.tensor([0, 1, 2][:3]) % max(cfg.num_puzzle_identifiers, 1)
    # One supervision step (H_cycles x (L_cycles + 1) block passes): the step function is what must be the same.
    # Over more steps a random mlp_t model is chaotic and grows any rounding difference ~6x per step.
    logits, q, _ = rollout(model, inputs, ids, 1)
    return logits, q


@pytest.mark.parametrize("kw", [{}, {"mlp_t": True, "pos_encodings": "none", "task": "sudoku", "board": 6, "seq_len": 36,
                                     "vocab_size": 8, "puzzle_emb_len": 1, "puzzle_emb_ndim": 64},
                                {"pos_encodings": "learned"}, {"puzzle_emb_len": 0, "puzzle_emb_ndim": 0}])
@pytest.mark.parametrize("jitter", [0.0, 1e-3])
def test_widened_model_computes_the_same_function(tmp_path, kw, jitter):
    cfg = config(**kw)
    src = tmp_path / "narrow.safetensors"
    save_ptrm(trained_like(cfg), src, "f32")
    dst = tmp_path / "wide.safetensors"
    assert widen.main([str(src), str(dst), "--jitter", str(jitter)]) == 0
    narrow, wide = load_ptrm(src, torch.float64), load_ptrm(dst, torch.float64)
    assert wide.config.hidden_size == 2 * cfg.hidden_size and wide.config.num_heads == 2 * cfg.num_heads
    assert wide.config.head_dim == cfg.head_dim
    (la, qa), (lb, qb) = outputs(narrow), outputs(wide)
    # The widened file is fp32: the embeddings' 1/sqrt(2) and the jittered halves W/2 +- e are each rounded once
    # (~6e-8 relative), which one step carries to <= ~2e-7 of the largest logit (measured); a wrong widening
    # rule is off by O(1).
    tol = 1e-6
    assert torch.allclose(la, lb, rtol=0, atol=tol * la.abs().max())
    assert torch.allclose(qa, qb, rtol=0, atol=tol * max(1.0, qa.abs().max()))


def test_jitter_splits_the_duplicated_units():
    cfg = config()
    tensors = {k: v.detach() for k, v in trained_like(cfg).state_dict().items()}
    wide, _ = widen.widen(tensors, cfg, jitter=1e-3, seed=0)
    w = wide["L_level.layers.0.mlp.down_proj.weight"]
    d, inter = cfg.hidden_size, cfg.channel_inter
    assert w.shape == (2 * d, 2 * inter)
    left, right = w[:, :inter], w[:, inter:]
    assert not torch.equal(left, right), "the two copies of each unit must read their inputs differently"
    assert torch.allclose(left + right, torch.cat([tensors["L_level.layers.0.mlp.down_proj.weight"]] * 2), atol=1e-6)
    same, _ = widen.widen(tensors, cfg, jitter=1e-3, seed=0)
    assert all(torch.equal(wide[k], same[k]) for k in wide), "seeded: the same output every time"


def test_what_cannot_be_widened_gets_a_clear_error(tmp_path, capsys):
    cfg = config(hidden_size=16, puzzle_emb_ndim=16)  # SwiGLU width 256 at both 16 and 32: not doubled
    src = tmp_path / "small.safetensors"
    save_ptrm(trained_like(cfg), src, "f32")
    assert widen.main([str(src), str(tmp_path / "out.safetensors")]) == 2
    assert "channel SwiGLU width goes 256 -> 256" in capsys.readouterr().err
    (tmp_path / "junk.safetensors").write_bytes(b"not a model")
    assert widen.main([str(tmp_path / "junk.safetensors"), str(tmp_path / "out.safetensors")]) == 2
    assert "widen.py:" in capsys.readouterr().err
    assert not (tmp_path / "out.safetensors").exists()
