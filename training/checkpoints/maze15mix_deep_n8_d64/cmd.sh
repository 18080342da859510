#!/bin/bash
# maze15mix_deep_n8_d64: the third depth arm. Same parent (maze15mix_lr3_d64 step 10,886, shipped as maze15; the init
# file is the one kept in the T3 n4 arm's folder), same width (hidden 64), same gentle start, n = 8 latent steps per
# cycle (T = 3, n = 8: 27 net calls per supervision step). Why: on all 1,000 held-out 15x15 mazes, deterministic,
# the parent's T2 n2 line is flat at 58-61 %, T3 n4 at 63.2-63.9 % (steps 563-2,008), T3 n6 at 65.2 % (step 830):
# each step of n has bought points so far. Re-running this resumes.
set -euo pipefail
cd "$(dirname "$0")/../../.."
bash training/data.sh maze15mix
exec /usr/bin/python3 training/train.py --task maze --train training/data/maze15mix/train.csv \
  --test training/data/maze15mix/test.csv --run training/checkpoints/maze15mix_deep_n8_d64 --resume \
  --init-from training/checkpoints/maze15mix_deep_w1k_d64/init-lr3-step10886.safetensors \
  --hidden 64 --heads 2 --H-cycles 3 --L-cycles 8 --puzzle-emb-len 1 --n-sup 8 --eval-n-sup 16 \
  --batch 64 --lr 3e-4 --warmup 1000 --wd 0.1 --ema 0.999 --curriculum 0 --threads 1 \
  --eval-every-min 30 --eval-limit 100 --ckpt-every-min 10 --keep-ckpts 1 --compact-ckpt "$@"
