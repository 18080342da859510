"""The `ptrm.config` model configuration of docs/design.md and the sizes derived from it.

The JSON form is the contract with the C++ engine, so parsing is strict: every key must be present with the
right type, unknown keys are rejected, and the task/board/seq_len/vocab combination must be one the engine's
task codecs understand.
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, fields


class ConfigError(ValueError):
    """A model configuration that the reference model (and the engine) cannot run."""


POS_ENCODINGS = ("rope", "learned", "none")
TASKS = ("sudoku", "maze", "arc")
DEFAULT_ROPE_THETA = 10000.0
DEFAULT_RMS_NORM_EPS = 1e-5


def swiglu_inter(expansion: float, width: int) -> int:
    """Hidden size of a SwiGLU over `width` features, as the official layers.SwiGLU rounds it.

    Python's round() (half to even) is part of the contract: the engine must reproduce it exactly.
    """
    raw = round(expansion * width * 2 / 3)
    return -(raw // -256) * 256


def resolve_puzzle_emb_len(puzzle_emb_len: int, puzzle_emb_ndim: int, hidden_size: int) -> int:
    """The official convention: 0 means "as many prefix slots as the puzzle vector needs"."""
    if puzzle_emb_len == 0:
        return -(puzzle_emb_ndim // -hidden_size)
    return puzzle_emb_len


def task_shape(task: str, board: int) -> tuple[int, int]:
    """(seq_len, vocab_size) of a task's token grid (docs/design.md "Token maps")."""
    if task == "sudoku":
        if board not in (6, 9):
            raise ConfigError(f"sudoku board must be 9 or 6, got {board}")
        return board * board, board + 2
    if task == "maze":
        if not 2 <= board <= 64:
            raise ConfigError(f"maze board side must be in 2..64, got {board}")
        return board * board, 6
    if task == "arc":
        if board != 30:
            raise ConfigError(f"arc board must be 30, got {board}")
        return 900, 12
    raise ConfigError(f"task must be one of {TASKS}, got {task!r}")


_INT_FIELDS = ("hidden_size", "num_heads", "L_layers", "H_cycles", "L_cycles", "halt_max_steps",
               "puzzle_emb_len", "puzzle_emb_ndim", "vocab_size", "seq_len", "num_puzzle_identifiers", "board")
_FLOAT_FIELDS = ("expansion", "rope_theta", "rms_norm_eps")


@dataclass(frozen=True)
class ModelConfig:
    hidden_size: int
    num_heads: int
    expansion: float
    L_layers: int
    H_cycles: int
    L_cycles: int
    halt_max_steps: int
    puzzle_emb_len: int  # always the resolved slot count here (never the official "0 = auto")
    puzzle_emb_ndim: int
    pos_encodings: str
    rope_theta: float
    rms_norm_eps: float
    mlp_t: bool
    vocab_size: int
    seq_len: int
    num_puzzle_identifiers: int
    task: str
    board: int

    def __post_init__(self) -> None:
        for name in _INT_FIELDS:
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int):
                raise ConfigError(f"{name} must be an integer, got {v!r}")
        for name in _FLOAT_FIELDS:
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
                raise ConfigError(f"{name} must be a finite positive number, got {v!r}")
            object.__setattr__(self, name, float(v))
        if not isinstance(self.mlp_t, bool):
            raise ConfigError(f"mlp_t must be a boolean, got {self.mlp_t!r}")
        if self.pos_encodings not in POS_ENCODINGS:
            raise ConfigError(f"pos_encodings must be one of {POS_ENCODINGS}, got {self.pos_encodings!r}")

        for name, lo, hi in (("hidden_size", 1, 8192), ("num_heads", 1, 1024), ("L_layers", 1, 64),
                             ("H_cycles", 1, 64), ("L_cycles", 1, 64), ("halt_max_steps", 1, 4096),
                             ("puzzle_emb_len", 0, 1024), ("puzzle_emb_ndim", 0, 1 << 20),
                             ("num_puzzle_identifiers", 0, 1 << 24)):
            v = getattr(self, name)
            if not lo <= v <= hi:
                raise ConfigError(f"{name} must be in {lo}..{hi}, got {v}")
        if self.hidden_size % self.num_heads:
            raise ConfigError(f"hidden_size {self.hidden_size} is not divisible by num_heads {self.num_heads}")
        if self.pos_encodings == "rope" and self.head_dim % 2:
            raise ConfigError(f"rope needs an even head_dim, got {self.head_dim}")

        if self.puzzle_emb_ndim > 0:
            if self.num_puzzle_identifiers < 1:
                raise ConfigError("num_puzzle_identifiers must be >= 1 when puzzle_emb_ndim > 0")
            if self.puzzle_emb_len * self.hidden_size < self.puzzle_emb_ndim:
                raise ConfigError(f"puzzle_emb_len {self.puzzle_emb_len} slots of {self.hidden_size} cannot hold "
                                  f"puzzle_emb_ndim {self.puzzle_emb_ndim}")
        elif self.puzzle_emb_len != 0:
            # The official code would build a prefix-sized position table but no prefix: it cannot run.
            raise ConfigError("puzzle_emb_len must be 0 when puzzle_emb_ndim is 0")

        seq_len, vocab = task_shape(self.task, self.board)
        if (self.seq_len, self.vocab_size) != (seq_len, vocab):
            raise ConfigError(f"task {self.task} board {self.board} needs seq_len {seq_len} and vocab_size {vocab}, "
                              f"got seq_len {self.seq_len} and vocab_size {self.vocab_size}")

    @property
    def full_seq_len(self) -> int:
        """S: positions inside the net (puzzle-embedding prefix + tokens)."""
        return self.seq_len + self.puzzle_emb_len

    @property
    def head_dim(self) -> int:
        return self.hidden_size // self.num_heads

    @property
    def channel_inter(self) -> int:
        return swiglu_inter(self.expansion, self.hidden_size)

    @property
    def token_inter(self) -> int:
        return swiglu_inter(self.expansion, self.full_seq_len)

    def to_dict(self) -> dict:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, d: dict) -> "ModelConfig":
        if not isinstance(d, dict):
            raise ConfigError(f"ptrm.config must be a JSON object, got {type(d).__name__}")
        names = [f.name for f in fields(cls)]
        missing = [n for n in names if n not in d]
        unknown = sorted(set(d) - set(names))
        if missing:
            raise ConfigError(f"ptrm.config is missing keys: {', '.join(missing)}")
        if unknown:
            raise ConfigError(f"ptrm.config has unknown keys: {', '.join(unknown)}")
        return cls(**{n: d[n] for n in names})

    @classmethod
    def from_json(cls, text: str) -> "ModelConfig":
        try:
            d = json.loads(text)
        except (json.JSONDecodeError, TypeError) as e:
            raise ConfigError(f"ptrm.config is not valid JSON: {e}") from None
        return cls.from_dict(d)
