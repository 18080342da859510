import json
import struct

import pytest
import torch

from ptrm_ref import safetensors_io as st
from ptrm_ref.safetensors_io import SafetensorsError


def _image(header: dict, data: bytes = b"", raw_header: bytes | None = None) -> bytearray:
    text = raw_header if raw_header is not None else json.dumps(header).encode()
    return bytearray(struct.pack("<Q", len(text)) + text + data)


def test_round_trip_all_dtypes(tmp_path):
    tensors = {
        "f32": torch.randn(3, 4),
        "f16": torch.randn(5).half(),
        "bf16": torch.randn(2, 3, 2).bfloat16(),
        "i32": torch.tensor([[-7, 0, 2 ** 31 - 1]], dtype=torch.int32),
        "scalar": torch.tensor(1.5),
        "empty": torch.zeros(0, 4),
    }
    meta = {"ptrm.config": '{"a": 1}', "note": "ünïcode"}
    path = tmp_path / "x.safetensors"
    st.save(path, tensors, meta)
    back, back_meta = st.load(path)
    assert back_meta == meta
    assert back.keys() == tensors.keys()
    for k, t in tensors.items():
        assert back[k].dtype == t.dtype and back[k].shape == t.shape
        assert torch.equal(back[k], t)


def test_layout_matches_the_format():
    """Independent of the reader: 8-byte LE length, JSON header padded to 8 bytes, raw little-endian data."""
    image = st.dumps({"b": torch.tensor([1.0, 2.0]), "a": torch.tensor([3], dtype=torch.int32)}, {"k": "v"})
    n = struct.unpack("<Q", image[:8])[0]
    assert n % 8 == 0
    header = json.loads(image[8:8 + n])
    assert header["__metadata__"] == {"k": "v"}
    assert header["a"] == {"dtype": "I32", "shape": [1], "data_offsets": [0, 4]}
    assert header["b"] == {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}
    assert image[8 + n:] == struct.pack("<i", 3) + struct.pack("<2f", 1.0, 2.0)


def test_bf16_bytes_are_the_high_half_of_f32():
    image = st.dumps({"x": torch.tensor([1.0, -2.5], dtype=torch.bfloat16)})
    n = struct.unpack("<Q", image[:8])[0]
    assert image[8 + n:] == struct.pack("<f", 1.0)[2:] + struct.pack("<f", -2.5)[2:]


GOOD = {"t": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}


@pytest.mark.parametrize("image, message", [
    (bytearray(b"\x01\x00"), "too short"),
    (bytearray(struct.pack("<Q", 1 << 40)) + b"{}", "out of range"),
    (bytearray(struct.pack("<Q", 100)) + b"{}", "exceeds file size"),
    (_image({}, raw_header=b"{not json"), "not valid UTF-8 JSON"),
    (_image({}, raw_header=b"\xff\xfe{}"), "not valid UTF-8 JSON"),
    (_image({}, raw_header=b"[1, 2]"), "not a JSON object"),
    (_image({}, raw_header=b'{"t": 1, "t": 2}'), "duplicate key"),
    (_image({"__metadata__": {"a": 1}}), "string values"),
    (_image({"t": {"dtype": "F64", "shape": [1], "data_offsets": [0, 8]}}, b"\0" * 8), "unsupported dtype"),
    (_image({"t": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}, b"\0" * 8), "do not match shape"),
    (_image({"t": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}}, b"\0" * 8), "bad shape"),
    (_image({"t": {"dtype": "F32", "shape": [True, 2], "data_offsets": [0, 8]}}, b"\0" * 8), "bad shape"),
    (_image({"t": {"dtype": "F32", "shape": [2], "data_offsets": [0, 16]}}, b"\0" * 8), "outside the data"),
    (_image({"t": {"dtype": "F32", "shape": [2], "data_offsets": [8, 0]}}, b"\0" * 8), "outside the data"),
    (_image({"t": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8], "x": 1}}, b"\0" * 8), "exactly"),
    (_image({"t": {"dtype": "F32", "shape": [2], "data_offsets": [0]}}, b"\0" * 8), "bad data_offsets"),
    (_image(GOOD, b"\0" * 12), "trailing bytes"),
    (_image({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
             "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}, b"\0" * 12), "gap or overlap"),
    (_image({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}, b"\0" * 8), "gap or overlap"),
])
def test_bad_files_raise_clear_errors(image, message):
    with pytest.raises(SafetensorsError, match=message):
        st.loads(image)


def test_truncated_file_is_rejected(tmp_path):
    image = st.dumps({"x": torch.randn(10)})
    for cut in (4, 20, len(image) - 1):
        with pytest.raises(SafetensorsError):
            st.loads(bytearray(image[:cut]))


def test_writer_rejects_unsupported_input():
    with pytest.raises(SafetensorsError, match="unsupported"):
        st.dumps({"x": torch.zeros(2, dtype=torch.float64)})
    with pytest.raises(SafetensorsError, match="strings"):
        st.dumps({"x": torch.zeros(2)}, {"k": 3})
    with pytest.raises(SafetensorsError, match="invalid tensor name"):
        st.dumps({"__metadata__": torch.zeros(2)})


def test_save_is_atomic_on_failure(tmp_path):
    path = tmp_path / "m.safetensors"
    st.save(path, {"x": torch.ones(2)})
    with pytest.raises(SafetensorsError):
        st.save(path, {"x": torch.ones(2, dtype=torch.float64)})
    assert torch.equal(st.load(path)[0]["x"], torch.ones(2))
    assert [p.name for p in tmp_path.iterdir()] == ["m.safetensors"]
