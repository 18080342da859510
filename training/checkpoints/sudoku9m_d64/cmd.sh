#!/bin/bash
# sudoku9m_d64: the shipped sudoku9 (D=64 TRM-MLP) continued on the mixed set (generated 22-40 givens + the tdoku
# collections, training/build_sudoku.py mix). Re-running this resumes from the checkpoint in this folder.
# lr 1e-3 until step 1,923 (held-out flat at ~78 % from step ~850), then 3e-4 (82.4 -> 91.2 % by step 7,791),
# then 1e-4 from the step-~8,700 checkpoint (session 4; the climb had slowed to ~0.6 points per 1,000 steps).
set -euo pipefail
cd "$(dirname "$0")/../../.."
bash training/data.sh sudoku9m
exec /usr/bin/python3 training/train.py --task sudoku --train training/data/sudoku9m/train.csv \
  --test training/data/sudoku9m/test.csv --run training/checkpoints/sudoku9m_d64 --resume \
  --init-from assets/models/sudoku9.safetensors \
  --hidden 64 --heads 1 --H-cycles 2 --L-cycles 2 --puzzle-emb-len 1 --n-sup 4 --eval-n-sup 16 \
  --batch 64 --lr 1e-4 --warmup 50 --wd 0.1 --ema 0.999 --ema-warmup --curriculum 300 --threads 1 \
  --eval-every-min 30 --eval-limit 300 --ckpt-every-min 10 --keep-ckpts 1 --compact-ckpt "$@"
