"""Puzzle CSVs (`source,question,answer,rating`) as token arrays, with the token maps of docs/design.md."""
from __future__ import annotations

import csv
from dataclasses import dataclass

import numpy as np

MAZE_CHARSET = "# SGo"  # token = index + 1; PAD = 0


class DataError(ValueError):
    """A data file that does not hold valid puzzles for the requested task."""


def task_board(task: str, seq_len: int) -> int:
    side = int(round(seq_len ** 0.5))
    if side * side != seq_len:
        raise DataError(f"{task} grids must be square, got {seq_len} cells")
    if task == "sudoku" and side not in (6, 9):
        raise DataError(f"sudoku side must be 6 or 9, got {side}")
    return side


def encode(task: str, text: str, side: int, is_answer: bool) -> np.ndarray:
    """Token row for one question/answer string (exactly side*side chars)."""
    if len(text) != side * side:
        raise DataError(f"expected {side * side} cells, got {len(text)}")
    if task == "sudoku":
        lut = np.zeros(256, np.int16) - 1
        lut[ord(".")] = lut[ord("0")] = 1
        for d in range(1, side + 1):
            lut[ord(str(d))] = d + 1
        tokens = lut[np.frombuffer(text.encode("latin-1"), np.uint8)]
        if is_answer and (tokens == 1).any():
            raise DataError("sudoku answer has blank cells")
    elif task == "maze":
        lut = np.zeros(256, np.int16) - 1
        for i, ch in enumerate(MAZE_CHARSET):
            lut[ord(ch)] = i + 1
        tokens = lut[np.frombuffer(text.encode("latin-1"), np.uint8)]
    else:
        raise DataError(f"unsupported task {task!r}")
    if (tokens < 0).any():
        raise DataError(f"invalid character in {text!r}")
    return tokens.astype(np.uint8)


@dataclass
class PuzzleSet:
    task: str
    side: int
    inputs: np.ndarray   # (N, side*side) uint8 tokens
    labels: np.ndarray   # (N, side*side) uint8 tokens
    rating: np.ndarray   # (N,) int64 (builder's rating; -1 if unknown)
    givens: np.ndarray   # (N,) int64: sudoku given digits / maze path length from the rating

    def __len__(self) -> int:
        return len(self.inputs)

    def subset(self, idx) -> "PuzzleSet":
        return PuzzleSet(self.task, self.side, self.inputs[idx], self.labels[idx], self.rating[idx], self.givens[idx])


def load_csv(path: str, task: str, limit: int | None = None) -> PuzzleSet:
    inputs, labels, ratings = [], [], []
    side = None
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None or [h.strip() for h in header[:4]] != ["source", "question", "answer", "rating"]:
            raise DataError(f"{path}: header must be source,question,answer,rating")
        for lineno, row in enumerate(reader, start=2):
            if limit is not None and len(inputs) >= limit:
                break
            if len(row) < 4:
                raise DataError(f"{path}:{lineno}: expected 4 columns")
            if side is None:
                side = task_board(task, len(row[1]))
            try:
                inputs.append(encode(task, row[1], side, False))
                labels.append(encode(task, row[2], side, True))
                ratings.append(int(row[3]))
            except (DataError, ValueError) as e:
                raise DataError(f"{path}:{lineno}: {e}") from None
    if not inputs:
        raise DataError(f"{path}: no puzzles")
    inputs_a, labels_a = np.stack(inputs), np.stack(labels)
    rating = np.asarray(ratings, np.int64)
    givens = (inputs_a > 1).sum(1) if task == "sudoku" else rating
    return PuzzleSet(task, side, inputs_a, labels_a, rating, givens.astype(np.int64))


class CurriculumSampler:
    """Draws training rows uniformly among puzzles with at least `threshold` givens (sudoku) or at most
    `threshold` path cells (maze). The threshold moves linearly from the easiest to the hardest value in the
    set over `steps` optimizer steps (0 = no curriculum: everything from the start)."""

    def __init__(self, data: PuzzleSet, steps: int, rng: np.random.Generator):
        self.rng = rng
        self.steps = steps
        # difficulty: higher = harder
        hardness = -data.givens if data.task == "sudoku" else data.givens
        self.order = np.argsort(hardness, kind="stable")
        self.sorted_hardness = hardness[self.order]

    def available(self, step: int) -> int:
        if self.steps <= 0 or step >= self.steps:
            return len(self.order)
        lo, hi = self.sorted_hardness[0], self.sorted_hardness[-1]
        limit = lo + (hi - lo) * step / self.steps
        return max(1, int(np.searchsorted(self.sorted_hardness, limit, side="right")))

    def sample(self, n: int, step: int) -> np.ndarray:
        return self.order[self.rng.integers(0, self.available(step), size=n)]
