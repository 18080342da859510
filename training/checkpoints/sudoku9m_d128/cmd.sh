#!/bin/bash
# sudoku9m_d128: a wider TRM-MLP (D=128, T=n=2) from scratch on the mixed set (generated 22-40 givens + the tdoku
# collections, training/build_sudoku.py mix). Re-running this resumes from the checkpoint in this folder.
set -euo pipefail
cd "$(dirname "$0")/../../.."
bash training/data.sh sudoku9m
exec /usr/bin/python3 training/train.py --task sudoku --train training/data/sudoku9m/train.csv \
  --test training/data/sudoku9m/test.csv --run training/checkpoints/sudoku9m_d128 --resume \
  --hidden 128 --heads 2 --H-cycles 2 --L-cycles 2 --puzzle-emb-len 1 --n-sup 4 --eval-n-sup 16 \
  --batch 64 --lr 1e-3 --warmup 50 --wd 0.1 --ema 0.999 --ema-warmup --curriculum 1500 --threads 1 \
  --eval-every-min 30 --eval-limit 300 --ckpt-every-min 10 --keep-ckpts 1 --compact-ckpt "$@"
