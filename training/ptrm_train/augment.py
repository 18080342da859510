"""Validity-preserving shuffles applied on the fly to training batches (the official Sudoku/Maze augmentations).

Sudoku: digit relabelling, band permutation + row permutation inside each band, stack permutation + column
permutation inside each stack, and transposition with p=0.5 when boxes are square (9x9). For 6x6 (2x3 boxes)
transposition would turn boxes into 3x2, so it is not used; the band/stack permutations cover the rest.
Maze: one of the 8 dihedral maps (only valid when the shortest path is unique or the labels are re-derived, see
builders/maze_gen.cpp --unique-path).
dihedral() is also the ARC builder's (build_arc.py) grid transform, on grids of any shape.
"""
from __future__ import annotations

import numpy as np

BOX = {9: (3, 3), 6: (2, 3)}  # side -> (box rows, box cols)


def _line_perm(rng: np.random.Generator, n: int, per_block: int, count: int) -> np.ndarray:
    """(count, n) line orders: permute blocks, then lines inside each block independently."""
    blocks = n // per_block
    block_order = np.argsort(rng.random((count, blocks)), axis=1)
    inner = np.argsort(rng.random((count, blocks, per_block)), axis=2)
    return (block_order[:, :, None] * per_block + inner).reshape(count, n)


def sudoku_maps(rng: np.random.Generator, side: int, count: int) -> tuple[np.ndarray, np.ndarray]:
    """(cell map (count, side*side): new cell i takes old cell map[i]; digit token map (count, side+2))."""
    br, bc = BOX[side]
    rows = _line_perm(rng, side, br, count)
    cols = _line_perm(rng, side, bc, count)
    cell = (rows[:, :, None] * side + cols[:, None, :]).reshape(count, side * side)
    if br == bc:
        t = rng.random(count) < 0.5
        grid = cell.reshape(count, side, side)
        cell = np.where(t[:, None], grid.transpose(0, 2, 1).reshape(count, -1), cell)
    digits = np.argsort(rng.random((count, side)), axis=1) + 2  # tokens 2..side+1 permuted
    token = np.concatenate([np.tile(np.array([0, 1]), (count, 1)), digits], axis=1)
    return cell, token


def augment_sudoku(rng: np.random.Generator, side: int, inputs: np.ndarray, labels: np.ndarray):
    cell, token = sudoku_maps(rng, side, len(inputs))
    rows = np.arange(len(inputs))[:, None]
    return token[rows, inputs[rows, cell]], token[rows, labels[rows, cell]]


DIHEDRAL_INVERSE = (0, 3, 2, 1, 4, 5, 6, 7)  # DIHEDRAL_INVERSE[t] undoes dihedral id t


def dihedral(grid: np.ndarray, tid: int) -> np.ndarray:
    """One of the 8 dihedral maps of a 2-D array (any shape) in the official order (TinyRecursiveModels
    dataset/common.py, numpy semantics): 0 id, 1 rot90 (counter-clockwise), 2 rot180, 3 rot270, 4 flip lr,
    5 flip ud, 6 transpose, 7 anti-transpose = fliplr(rot90). Returns a view when numpy can."""
    if tid == 0:
        return grid
    if 1 <= tid <= 3:
        return np.rot90(grid, tid)
    if tid == 4:
        return np.fliplr(grid)
    if tid == 5:
        return np.flipud(grid)
    if tid == 6:
        return grid.T
    if tid == 7:
        return np.fliplr(np.rot90(grid, 1))
    raise ValueError(f"dihedral id must be 0..7, got {tid}")


def dihedral_maps(side: int) -> np.ndarray:
    """(8, side*side) cell maps in the official dihedral order (see dihedral())."""
    g = np.arange(side * side).reshape(side, side)
    return np.stack([dihedral(g, t).reshape(-1) for t in range(8)])


def augment_maze(rng: np.random.Generator, side: int, inputs: np.ndarray, labels: np.ndarray):
    cell = dihedral_maps(side)[rng.integers(0, 8, size=len(inputs))]
    rows = np.arange(len(inputs))[:, None]
    return inputs[rows, cell], labels[rows, cell]


def augment(task: str, rng: np.random.Generator, side: int, inputs: np.ndarray, labels: np.ndarray):
    if task == "sudoku":
        return augment_sudoku(rng, side, inputs, labels)
    return augment_maze(rng, side, inputs, labels)
