"""Shared pytest setup: Debian's torch, the training/ packages on sys.path, one deterministic CPU thread."""
import os
import sys

import pytest
import torch

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TRAINING = os.path.join(REPO, "training")
FIXTURES = os.path.join(REPO, "tests", "fixtures")
if TRAINING not in sys.path:
    sys.path.insert(0, TRAINING)

from ptrm_ref.config import ModelConfig  # noqa: E402

# Single-threaded BLAS is what make_fixtures.py used, so reference outputs reproduce bit for bit on the CPU they
# were recorded on.
torch.set_num_threads(1)

# Another CPU's BLAS kernels (AVX2 vs AVX-512 OpenBLAS) sum in another order: the fixtures' fp32 logits then move
# by up to 1.0e-5 after 16 steps (measured on an AVX-512 EPYC; fp64 moves them by 6e-6). 5e-5 stays 2x under the
# C++ parity tolerance (1e-4) and ~1000x under the bf16 error (0.03-0.4).
FP32_REPRO = 5e-5


def tiny(**kw) -> ModelConfig:
    """A small valid model config (6x6 Sudoku shapes, RoPE attention); keyword arguments override fields."""
    d = dict(hidden_size=16, num_heads=2, expansion=4, L_layers=2, H_cycles=2, L_cycles=2, halt_max_steps=4,
             puzzle_emb_len=2, puzzle_emb_ndim=16, pos_encodings="rope", rope_theta=10000.0, rms_norm_eps=1e-5,
             mlp_t=False, vocab_size=8, seq_len=36, num_puzzle_identifiers=3, task="sudoku", board=6)
    d.update(kw)
    return ModelConfig(**d)


@pytest.fixture
def fixtures_dir() -> str:
    return FIXTURES
