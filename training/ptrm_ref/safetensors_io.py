"""Reader and writer for the safetensors container (the subset ptrm uses), without the `safetensors` package.

Layout: u64 little-endian header length N, N bytes of UTF-8 JSON, then the raw tensor bytes. The header maps
tensor names to {dtype, shape, data_offsets:[begin,end]} (offsets relative to the data section) and may hold
`__metadata__`: an object of string values. The reader validates everything before touching tensor bytes, so a
corrupt or hostile file raises SafetensorsError instead of allocating absurd amounts or reading out of bounds.
"""
from __future__ import annotations

import json
import os
import sys

import torch


class SafetensorsError(ValueError):
    """A file that is not a well-formed safetensors container (or a tensor that cannot be written)."""


DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "I32": torch.int32}
_NAMES = {v: k for k, v in DTYPES.items()}
MAX_HEADER_BYTES = 100 << 20
_METADATA = "__metadata__"

if sys.byteorder != "little":  # the format is little-endian and tensors are written from native memory
    raise ImportError("safetensors_io needs a little-endian machine")


def _itemsize(dtype: torch.dtype) -> int:
    return torch.empty((), dtype=dtype).element_size()


def _reject_duplicates(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise SafetensorsError(f"duplicate key {k!r} in header")
        d[k] = v
    return d


def parse_header(data: bytes | bytearray | memoryview) -> tuple[dict, dict, int]:
    """Validate the header of a complete file image; return (tensor entries, metadata, data section start)."""
    total = len(data)
    if total < 8:
        raise SafetensorsError(f"file too short for a header length ({total} bytes)")
    n = int.from_bytes(bytes(data[:8]), "little")
    if n < 2 or n > MAX_HEADER_BYTES:
        raise SafetensorsError(f"header length {n} out of range")
    if 8 + n > total:
        raise SafetensorsError(f"header length {n} exceeds file size {total}")
    try:
        header = json.loads(bytes(data[8:8 + n]).decode("utf-8"), object_pairs_hook=_reject_duplicates)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SafetensorsError(f"header is not valid UTF-8 JSON: {e}") from None
    if not isinstance(header, dict):
        raise SafetensorsError("header is not a JSON object")

    metadata = header.pop(_METADATA, {})
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise SafetensorsError("__metadata__ must be an object of string values")

    start = 8 + n
    data_len = total - start
    spans = []
    for name, entry in header.items():
        if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
            raise SafetensorsError(f"tensor {name!r}: entry must have exactly dtype, shape, data_offsets")
        if entry["dtype"] not in DTYPES:
            raise SafetensorsError(f"tensor {name!r}: unsupported dtype {entry['dtype']!r}")
        shape, offs = entry["shape"], entry["data_offsets"]
        if not isinstance(shape, list) or len(shape) > 8 or \
                not all(isinstance(s, int) and not isinstance(s, bool) and 0 <= s < (1 << 40) for s in shape):
            raise SafetensorsError(f"tensor {name!r}: bad shape {shape!r}")
        if not isinstance(offs, list) or len(offs) != 2 or \
                not all(isinstance(o, int) and not isinstance(o, bool) for o in offs):
            raise SafetensorsError(f"tensor {name!r}: bad data_offsets {offs!r}")
        begin, end = offs
        if not 0 <= begin <= end <= data_len:
            raise SafetensorsError(f"tensor {name!r}: data_offsets {offs} outside the data section ({data_len} bytes)")
        count = 1
        for s in shape:
            count *= s
        if count * _itemsize(DTYPES[entry["dtype"]]) != end - begin:
            raise SafetensorsError(f"tensor {name!r}: {end - begin} bytes do not match shape {shape} "
                                   f"of {entry['dtype']}")
        spans.append((begin, end, name))

    # Tensors must tile the data section exactly: no overlaps (aliasing), no gaps, no trailing bytes.
    pos = 0
    for begin, end, name in sorted(spans):
        if begin != pos:
            raise SafetensorsError(f"tensor {name!r} starts at {begin}, expected {pos} (gap or overlap)")
        pos = end
    if pos != data_len:
        raise SafetensorsError(f"data section has {data_len - pos} unused trailing bytes")
    return header, metadata, start


def loads(data: bytes | bytearray) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    """Parse a whole file image into ({name: tensor}, metadata). Tensors own their memory."""
    header, metadata, start = parse_header(data)
    buf = bytearray(data) if not isinstance(data, bytearray) else data
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        dtype = DTYPES[entry["dtype"]]
        if end == begin:
            t = torch.empty(entry["shape"], dtype=dtype)
        else:
            t = torch.frombuffer(buf, dtype=dtype, count=(end - begin) // _itemsize(dtype),
                                 offset=start + begin).reshape(entry["shape"]).clone()
        tensors[name] = t
    return tensors, dict(metadata)


def load(path: str | os.PathLike) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    with open(path, "rb") as f:
        return loads(bytearray(f.read()))


def dumps(tensors: dict[str, torch.Tensor], metadata: dict[str, str] | None = None) -> bytes:
    """Serialise tensors (written in name order) and string metadata into a file image."""
    metadata = dict(metadata or {})
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        raise SafetensorsError("metadata keys and values must be strings")
    header: dict = {}
    if metadata:
        header[_METADATA] = metadata
    blobs = []
    pos = 0
    for name in sorted(tensors):
        t = tensors[name]
        if name == _METADATA or not isinstance(name, str) or not name:
            raise SafetensorsError(f"invalid tensor name {name!r}")
        if not isinstance(t, torch.Tensor) or t.dtype not in _NAMES:
            raise SafetensorsError(f"tensor {name!r}: unsupported type/dtype "
                                   f"{getattr(t, 'dtype', type(t).__name__)}")
        t = t.detach().to("cpu").contiguous()
        # reinterpret as bytes through an integer view so bf16 (which numpy lacks) serialises too
        raw = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""
        header[name] = {"dtype": _NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [pos, pos + len(raw)]}
        blobs.append(raw)
        pos += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # keep the data section 8-byte aligned, as the reference writer does
    return len(text).to_bytes(8, "little") + text + b"".join(blobs)


def save(path: str | os.PathLike, tensors: dict[str, torch.Tensor], metadata: dict[str, str] | None = None) -> None:
    """Write atomically (temp file + rename) so a crash never leaves a truncated model behind."""
    image = dumps(tensors, metadata)
    tmp = f"{os.fspath(path)}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(image)
    os.replace(tmp, path)
