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

# Single-threaded BLAS is what make_fixtures.py used, so reference outputs reproduce bit for bit.
torch.set_num_threads(1)


@pytest.fixture
def fixtures_dir() -> str:
    return FIXTURES
