#!/bin/bash
# maze15b_d64: the top rung of the size curriculum 8 -> 10 -> 15. 15x15 unique-path mazes (30-50 % walls, shortest
# path > 24 cells), attention + RoPE D=64, seeded from maze10_d64's step-1,746 export (69 % exact on 200 held-out
# 10x10 mazes; kept beside this file so a fresh clone can start the run). maze15_d64, seeded from maze8 instead,
# stayed at 0 % for 633 steps. Re-running this resumes from the checkpoint in this folder.
set -euo pipefail
cd "$(dirname "$0")/../../.."
bash training/data.sh maze15
exec /usr/bin/python3 training/train.py --task maze --train training/data/maze15/train.csv \
  --test training/data/maze15/test.csv --run training/checkpoints/maze15b_d64 --resume \
  --init-from training/checkpoints/maze15b_d64/init-maze10-step1746.safetensors \
  --hidden 64 --heads 2 --H-cycles 2 --L-cycles 2 --puzzle-emb-len 1 --n-sup 8 --eval-n-sup 16 \
  --batch 64 --lr 1e-3 --warmup 50 --wd 0.1 --ema 0.999 --ema-warmup --curriculum 1000 --threads 1 \
  --eval-every-min 30 --eval-limit 100 --ckpt-every-min 10 --keep-ckpts 1 --compact-ckpt "$@"
