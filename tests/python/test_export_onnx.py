"""training/export_onnx.py: the ONNX Runtime peers' model. The graph file is written and its parity file holds the
reference step's own inputs and outputs (what bench_ort.mjs / bench_chromium.mjs check ORT against before timing)."""
import json
import os
import subprocess
import sys

import numpy as np
import torch

from ptrm_ref import load_ptrm
from ptrm_ref.model import InnerCarry

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "..", "..", "training", "export_onnx.py")


def read_parity(path):
    with open(path, "rb") as f:
        head = json.loads(f.readline())
        out = {}
        for name in head["order"]:
            shape = head["shapes"][name]
            dt = "<i4" if head["dtypes"][name] == "int32" else "<f4"
            out[name] = np.frombuffer(f.read(4 * int(np.prod(shape))), dtype=dt).reshape(shape)
        assert f.read() == b""
    return out


def test_export_writes_graph_and_reference_step(tmp_path, fixtures_dir):
    model_path = os.path.join(fixtures_dir, "sudoku_mlp_tiny.safetensors")
    onnx, parity = tmp_path / "m.onnx", tmp_path / "m.parity.bin"
    subprocess.run([sys.executable, SCRIPT, model_path, str(onnx), "--parity", str(parity)], check=True,
                   capture_output=True)
    assert onnx.stat().st_size > 10_000
    ref = read_parity(parity)
    assert list(ref) == ["z_H", "z_L", "tokens", "puzzle_ids", "z_H_out", "z_L_out", "logits", "q_halt"]
    model = load_ptrm(model_path)
    cfg = model.config
    assert ref["z_H"].shape == (2, cfg.full_seq_len, cfg.hidden_size)
    assert ref["logits"].shape == (2, cfg.seq_len, cfg.vocab_size)
    with torch.no_grad():
        carry, logits, (q_halt, _) = model(InnerCarry(z_H=torch.from_numpy(ref["z_H"].copy()),
                                                      z_L=torch.from_numpy(ref["z_L"].copy())),
                                           {"inputs": torch.from_numpy(ref["tokens"].copy()),
                                            "puzzle_identifiers": torch.from_numpy(ref["puzzle_ids"].copy())})
    np.testing.assert_array_equal(carry.z_H.numpy(), ref["z_H_out"])
    np.testing.assert_array_equal(logits.numpy(), ref["logits"])
    np.testing.assert_array_equal(q_halt.numpy(), ref["q_halt"])
