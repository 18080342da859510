#!/bin/bash
# maze15mix_wide_d128: the maze15mix line at twice the width (hidden 128, 4 heads of 32; 526,466 parameters vs
# 131,970), started from maze15mix_lr3_d64 at step 10,886 (61.1 % deterministic on all 1,000 held-out 15x15 mazes)
# widened by training/widen.py: the same function (every hidden unit and head duplicated, the copies split by a
# seeded 1e-3 jitter so they can learn apart), kept beside this file so a fresh clone can start the run. Why: the
# D=64 line slowed to +0.5 points per ~1,000 steps (60.6 % at 9,924, 61.1 % at 10,886), so capacity, not steps, may
# now be the limit. Same data and recipe as the parent otherwise (lr 3e-4, fresh optimizer), except no curriculum:
# the parent left its easy-first sampling behind at step 1,000, and a fresh run would restart it. Re-running this
# resumes.
set -euo pipefail
cd "$(dirname "$0")/../../.."
bash training/data.sh maze15mix
exec /usr/bin/python3 training/train.py --task maze --train training/data/maze15mix/train.csv \
  --test training/data/maze15mix/test.csv --run training/checkpoints/maze15mix_wide_d128 --resume \
  --init-from training/checkpoints/maze15mix_wide_d128/init-lr3-step10886-wide.safetensors \
  --hidden 128 --heads 4 --H-cycles 2 --L-cycles 2 --puzzle-emb-len 1 --n-sup 8 --eval-n-sup 16 \
  --batch 64 --lr 3e-4 --warmup 50 --wd 0.1 --ema 0.999 --ema-warmup --curriculum 0 --threads 1 \
  --eval-every-min 30 --eval-limit 100 --ckpt-every-min 10 --keep-ckpts 1 --compact-ckpt "$@"
