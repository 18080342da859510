#!/bin/bash
# maze15mix_deep_w1k_d64: the depth arm beside the width arm maze15mix_wide_w1k_d128. Same parent (maze15mix_lr3_d64
# step 10,886, shipped as maze15; its export is kept beside this file so a fresh clone can start the run), same
# width (hidden 64, 131,970 parameters), but the official Maze-Hard recursion T = 3, n = 4 (15 net calls per
# supervision step) instead of the parent's T = 2, n = 2 (6). Why: the parent underfits and is flat at 58-61 %,
# and its answers do not move when the recursion deepens at inference (first 200 held-out mazes, deterministic:
# 59.0 % at T2 n2, 60.0 % at T3 n4), so a deeper run starts where the parent is, with no dip. Gentle start as in
# the width arm (1,000-step warmup, EMA without warm-up). Re-running this resumes.
set -euo pipefail
cd "$(dirname "$0")/../../.."
bash training/data.sh maze15mix
exec /usr/bin/python3 training/train.py --task maze --train training/data/maze15mix/train.csv \
  --test training/data/maze15mix/test.csv --run training/checkpoints/maze15mix_deep_w1k_d64 --resume \
  --init-from training/checkpoints/maze15mix_deep_w1k_d64/init-lr3-step10886.safetensors \
  --hidden 64 --heads 2 --H-cycles 3 --L-cycles 4 --puzzle-emb-len 1 --n-sup 8 --eval-n-sup 16 \
  --batch 64 --lr 3e-4 --warmup 1000 --wd 0.1 --ema 0.999 --curriculum 0 --threads 1 \
  --eval-every-min 30 --eval-limit 100 --ckpt-every-min 10 --keep-ckpts 1 --compact-ckpt "$@"
