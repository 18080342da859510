#!/bin/bash
# maze10_d64: 10x10 unique-path mazes (30-50 % walls, shortest path > 16 cells), attention + RoPE, D=64, seeded
# from the shipped maze8 weights: the middle rung of a size curriculum 8 -> 10 -> 15 (maze15_d64 straight from
# maze8 stayed at 0 % exact for 580 steps; a 10x10 step costs ~1/5 of a 15x15 one). Re-running this resumes.
set -euo pipefail
cd "$(dirname "$0")/../../.."
bash training/data.sh maze10
exec /usr/bin/python3 training/train.py --task maze --train training/data/maze10/train.csv \
  --test training/data/maze10/test.csv --run training/checkpoints/maze10_d64 --resume \
  --init-from assets/models/maze8.safetensors \
  --hidden 64 --heads 2 --H-cycles 2 --L-cycles 2 --puzzle-emb-len 1 --n-sup 8 --eval-n-sup 16 \
  --batch 64 --lr 1e-3 --warmup 50 --wd 0.1 --ema 0.999 --ema-warmup --curriculum 1000 --threads 1 \
  --eval-every-min 20 --eval-limit 200 --ckpt-every-min 10 --keep-ckpts 1 --compact-ckpt "$@"
