#!/bin/bash
# maze15mix_lr1_d64: a fork of maze15mix_lr3_d64 at its step 8,934 (log.csv up to there is the parent's) with lr 1e-4
# instead of 3e-4. Why: the parent's 15x15 curve slowed from +1.0 to +0.4 points per 100 steps (trainer eval, first
# 100 held-out 15x15 mazes), and the lr 1e-3 -> 3e-4 step is what lifted it (and sudoku9m) off a plateau before. At
# step 8,934 the parent is 58.3 % deterministic on all 1,000 held-out 15x15 mazes (training/probe.py, 16 steps).
# Same data, model and recipe otherwise; the A/B against the parent at equal steps decides which line continues.
set -euo pipefail
cd "$(dirname "$0")/../../.."
bash training/data.sh maze15mix
exec /usr/bin/python3 training/train.py --task maze --train training/data/maze15mix/train.csv \
  --test training/data/maze15mix/test.csv --run training/checkpoints/maze15mix_lr1_d64 --resume \
  --hidden 64 --heads 2 --H-cycles 2 --L-cycles 2 --puzzle-emb-len 1 --n-sup 8 --eval-n-sup 16 \
  --batch 64 --lr 1e-4 --warmup 50 --wd 0.1 --ema 0.999 --ema-warmup --curriculum 1000 --threads 1 \
  --eval-every-min 30 --eval-limit 100 --ckpt-every-min 10 --keep-ckpts 1 --compact-ckpt "$@"
