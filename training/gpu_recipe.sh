#!/bin/bash
# The prepared official-size recipe for a lent GPU (one call of the device tool, ~9 minutes of a 10-minute limit):
#   1. Sudoku: official TRM-MLP (hidden 512, T=3, n=6, mlp_t, N_sup 16, batch 768, AdamATan2) for SUDOKU_MIN
#      minutes on training/data/sudoku9m (carry it, or its generated part, sudoku9g, is built there: the tdoku
#      collections live in ../shared, which does not travel);
#   2. Maze: official attention + RoPE layout (hidden 512, T=3, n=4) on Maze-Hard 30x30 for MAZE_MIN minutes
#      (training/data/mazehard, 2 MB: carry it; build it here with `bash training/data.sh mazehard`);
#   3. each exported as an fp16 ptrm file (~14 MB) + log.csv under $OUT (what comes back; the device returns files
#      of at most 16 MB, so the ~80 MB checkpoints stay there: a GPU run is not resumable across calls).
# Then, on CPU here: `ptrm eval` the exports on the held-out sets and ship what beats the CPU models.
# Usage on the device: bash training/gpu_recipe.sh   (env: OUT, SUDOKU_MIN=4, MAZE_MIN=4)
# Not yet run on a GPU (no machine was lent when it was written): the first call should also print
# nvidia-smi and the step rate, and stop early if something is off.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:?set OUT to the folder that comes back}
PY=${PY:-python3}
export PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true
# sudoku9m when it was carried; else its generated half, sudoku9g, built here (never under sudoku9m's name: a
# different set in that folder would later be taken for the real one by every run that trains on it)
SUDOKU=sudoku9m
[ -f training/data/sudoku9m/train.csv ] || { SUDOKU=sudoku9g; PY=$PY bash training/data.sh sudoku9g; }
[ -f training/data/mazehard/train.csv ] || { echo "training/data/mazehard missing: carry it" >&2; exit 2; }

common=(--H-cycles 3 --hidden 512 --heads 8 --layers 2 --n-sup 16 --eval-n-sup 16 --batch 768 --lr 3e-4
        --warmup 300 --wd 1.0 --ema 0.999 --ema-warmup --eval-every-min 2 --eval-limit 1000 --eval-batch 1000
        --ckpt-every-min 2 --keep-ckpts 1 --compact-ckpt --log-every 20)
$PY training/train.py --task sudoku --train "training/data/$SUDOKU/train.csv" --test "training/data/$SUDOKU/test.csv" \
  --run "$OUT/sudoku512" --L-cycles 6 --mlp-t on --puzzle-emb-len 16 --curriculum 500 \
  --max-minutes "${SUDOKU_MIN:-4}" --export "$OUT/sudoku512.safetensors" --name sudoku512 "${common[@]}"
$PY training/train.py --task maze --train training/data/mazehard/train.csv --test training/data/mazehard/test.csv \
  --run "$OUT/mazehard512" --L-cycles 4 --mlp-t off --pos rope --puzzle-emb-len 16 \
  --max-minutes "${MAZE_MIN:-4}" --export "$OUT/mazehard512.safetensors" --name mazehard512 "${common[@]}"
ls -la "$OUT" "$OUT"/*
