#!/bin/bash
# maze15mix_wide_w1k_d128: an A/B arm of maze15mix_wide_d128 (same widened init file, same data and lr 3e-4), with a
# gentle start. Why: the first arm, with a 50-step warmup and a fresh optimizer, fell from 60.3 % to 43.7 % on the
# held-out mazes within 422 steps. Here the lr ramps up over 1,000 steps (so the fresh Adam moments are calibrated
# before the steps are large), and the EMA has no warm-up: it starts at the widened parent and moves at 0.999 per
# step, so the exported/evaluated weights cannot fall far from the parent early on. Re-running this resumes.
set -euo pipefail
cd "$(dirname "$0")/../../.."
bash training/data.sh maze15mix
exec /usr/bin/python3 training/train.py --task maze --train training/data/maze15mix/train.csv \
  --test training/data/maze15mix/test.csv --run training/checkpoints/maze15mix_wide_w1k_d128 --resume \
  --init-from training/checkpoints/maze15mix_wide_d128/init-lr3-step10886-wide.safetensors \
  --hidden 128 --heads 4 --H-cycles 2 --L-cycles 2 --puzzle-emb-len 1 --n-sup 8 --eval-n-sup 16 \
  --batch 64 --lr 3e-4 --warmup 1000 --wd 0.1 --ema 0.999 --curriculum 0 --threads 1 \
  --eval-every-min 30 --eval-limit 100 --ckpt-every-min 10 --keep-ckpts 1 --compact-ckpt "$@"
