#!/usr/bin/python3
"""Writes the committed seed corpora of tests/fuzz (small, hand-shaped inputs; libFuzzer grows its own corpus
from them in the build folder). Re-run after changing a target's input format: /usr/bin/python3 tests/fuzz/make_seeds.py
"""
import json
import os
import random
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def put(target, name, data):
    d = os.path.join(HERE, "corpus", target.replace("fuzz_", "", 1))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def safetensors(tensors, metadata=None):
    """tensors: list of (name, dtype, shape, raw bytes)."""
    header, off, blob = {}, 0, b""
    if metadata:
        header["__metadata__"] = metadata
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [off, off + len(raw)]}
        off += len(raw)
        blob += raw
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + blob


def f32(n, rng):
    return struct.pack("<%df" % n, *[rng.uniform(-0.5, 0.5) for _ in range(n)])


CONFIG = {"hidden_size": 2, "num_heads": 1, "expansion": 4, "L_layers": 1, "H_cycles": 1, "L_cycles": 1,
          "halt_max_steps": 2, "puzzle_emb_len": 0, "puzzle_emb_ndim": 0, "pos_encodings": "none",
          "rope_theta": 10000, "rms_norm_eps": 1e-5, "mlp_t": False, "vocab_size": 8, "seq_len": 36,
          "num_puzzle_identifiers": 1, "task": "sudoku", "board": 6}


def tiny_model(rng):
    D, V, I = 2, 8, 256  # inter(2) = ceil256(round(4 * 2 * 2/3)) = 256
    shapes = [("embed_tokens.embedding_weight", [V, D]), ("lm_head.weight", [V, D]), ("q_head.weight", [2, D]),
              ("q_head.bias", [2]), ("H_init", [D]), ("L_init", [D]),
              ("L_level.layers.0.self_attn.qkv_proj.weight", [3 * D, D]),
              ("L_level.layers.0.self_attn.o_proj.weight", [D, D]),
              ("L_level.layers.0.mlp.gate_up_proj.weight", [2 * I, D]),
              ("L_level.layers.0.mlp.down_proj.weight", [D, I])]
    tensors = []
    for name, shape in shapes:
        n = 1
        for s in shape:
            n *= s
        tensors.append((name, "F32", shape, f32(n, rng)))
    return safetensors(tensors, {"ptrm.config": json.dumps(CONFIG)})


def main():
    rng = random.Random(12)
    # safetensors
    put("fuzz_safetensors", "empty_header", safetensors([]))
    put("fuzz_safetensors", "one_f32", safetensors([("w", "F32", [2, 3], f32(6, rng))], {"k": "v"}))
    put("fuzz_safetensors", "dtypes", safetensors([("a", "F16", [4], b"\x00\x3c" * 4), ("b", "BF16", [2], b"\x80\x3f" * 2),
                                                   ("c", "I32", [3], struct.pack("<3i", 1, -2, 3)),
                                                   ("d", "U8", [0, 5], b""), ("e", "I64", [1], struct.pack("<q", 7))]))
    put("fuzz_safetensors", "tiny_model", tiny_model(rng))
    # JSON + config
    put("fuzz_json", "config", json.dumps(CONFIG))
    mlp = dict(CONFIG, hidden_size=512, num_heads=8, L_layers=2, H_cycles=3, L_cycles=6, halt_max_steps=16,
               puzzle_emb_len=16, puzzle_emb_ndim=512, mlp_t=True, vocab_size=11, seq_len=81, board=9)
    put("fuzz_json", "config_official", json.dumps(mlp, indent=1))
    put("fuzz_json", "values", '[null,true,false,-0.5e-3,1E+2,"a\\u00e9\\ud83d\\ude00\\n",{"x":[[]],"y":{}}]')
    put("fuzz_json", "arc_task", json.dumps({"train": [{"input": [[0, 1], [2, 3]], "output": [[3, 2], [1, 0]]}],
                                              "test": [{"input": [[4, 5, 6]]}]}))
    # tasks: byte 0 picks the codec (0 sudoku9, 1 sudoku6, 2 + 4m maze side 2 + m, 3 arc)
    put("fuzz_tasks", "sudoku9", b"\x00" + b"4...3.......6..8..........1....5..9..8....6...7.2........1.27..5.3....4.9........")
    put("fuzz_tasks", "sudoku9_solved", b"\x00" + b"534678912672195348198342567859761423426853791713924856961537284287419635345286179")
    put("fuzz_tasks", "sudoku6", b"\x01" + b"..1....5..1...4.6.51...2.231.6....34")
    put("fuzz_tasks", "sudoku6_solved", b"\x01" + b"341625652413234561516342423156165234")
    put("fuzz_tasks", "maze4", bytes([2 + 4 * 2]) + b"S  #\n## #\n#  #\n#G  \n")
    put("fuzz_tasks", "maze4_path", bytes([2 + 4 * 2]) + b"Soo#\n##o#\n#oo#\n#G  ")
    put("fuzz_tasks", "arc_grid", b"\x03" + b"[[0,1,2],[3,4,5]]")
    put("fuzz_tasks", "arc_task", b"\x03" + json.dumps({"train": [{"input": [[1]], "output": [[2]]}],
                                                        "test": [{"input": [[7, 8], [9, 0]]}]}).encode())
    put("fuzz_tasks", "arc_name", b"\x03" + b"abc|||t3|||0123456789")
    # CSV
    put("fuzz_csv", "sudoku", "source,question,answer,rating\ns,1.3,123,0\r\nt,..2,312,7\n")
    put("fuzz_csv", "maze_quoted", 'question,answer\n"S  #\n## #","S""o"\n\n"a,b",c')
    put("fuzz_csv", "blank_lines", "a\n\n\nb\n\"\"\n")
    # structure-aware solve: any bytes; a few shapes
    for i in range(6):
        put("fuzz_solve", "seed%d" % i, bytes([i * 37 % 256]) + bytes(rng.randrange(256) for _ in range(80)))


if __name__ == "__main__":
    main()
