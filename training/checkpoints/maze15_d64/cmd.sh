#!/bin/bash
# maze15_d64: 15x15 unique-path mazes (30-50 % walls, shortest path > 24 cells), attention + RoPE, D=64, seeded
# from the shipped maze8 weights (no weight depends on the board size). Re-running this resumes.
set -euo pipefail
cd "$(dirname "$0")/../../.."
bash training/data.sh maze15
exec /usr/bin/python3 training/train.py --task maze --train training/data/maze15/train.csv \
  --test training/data/maze15/test.csv --run training/checkpoints/maze15_d64 --resume \
  --init-from assets/models/maze8.safetensors \
  --hidden 64 --heads 2 --H-cycles 2 --L-cycles 2 --puzzle-emb-len 1 --n-sup 8 --eval-n-sup 16 \
  --batch 64 --lr 1e-3 --warmup 50 --wd 0.1 --ema 0.999 --ema-warmup --curriculum 1000 --threads 1 \
  --eval-every-min 30 --eval-limit 100 --ckpt-every-min 10 --keep-ckpts 1 --compact-ckpt "$@"
