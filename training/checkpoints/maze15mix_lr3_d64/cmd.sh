#!/bin/bash
# maze15mix_lr3_d64: a fork of maze15mix_d64 at its step 3,049 (log.csv up to there is the parent's) with lr 3e-4
# instead of 1e-3, the change that lifted sudoku9m_d64 off its plateau (training-batch exact 0.42 -> 0.55 within
# 500 steps). The parent's held-out 15x15 exact was 1 % at step 2,848 (open-cell 89.7 %, still rising ~0.2 points
# per 100 steps at lr 1e-3). Same data, model and recipe otherwise; it resumes from the checkpoint in this folder.
set -euo pipefail
cd "$(dirname "$0")/../../.."
bash training/data.sh maze15mix
exec /usr/bin/python3 training/train.py --task maze --train training/data/maze15mix/train.csv \
  --test training/data/maze15mix/test.csv --run training/checkpoints/maze15mix_lr3_d64 --resume \
  --hidden 64 --heads 2 --H-cycles 2 --L-cycles 2 --puzzle-emb-len 1 --n-sup 8 --eval-n-sup 16 \
  --batch 64 --lr 3e-4 --warmup 50 --wd 0.1 --ema 0.999 --ema-warmup --curriculum 1000 --threads 1 \
  --eval-every-min 30 --eval-limit 100 --ckpt-every-min 10 --keep-ckpts 1 --compact-ckpt "$@"
