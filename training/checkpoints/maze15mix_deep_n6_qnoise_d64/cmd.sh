#!/bin/bash
# maze15mix_deep_n6_qnoise_d64: a fork of maze15mix_deep_n6_d64 at its step 1,754 (log.csv up to there is the
# parent's; 66.1 % on all 1,000 held-out mazes at 1,515) that trains half of its puzzles as PTRM rollouts:
# N(0, 0.5^2) on y (zH) before every supervision step but a puzzle's first (--train-noise). Why: with that noise at
# test time the parent's rollouts find the answer (pass@16 89.0 % on the first 200) but its Q head picks it in only
# 75.5 % (best-Q@16), because it was only ever trained on deterministic states (docs/training.md, session 12).
# Same data, model, lr (1e-4) and optimizer state otherwise. Re-running this resumes.
set -euo pipefail
cd "$(dirname "$0")/../../.."
bash training/data.sh maze15mix
exec /usr/bin/python3 training/train.py --task maze --train training/data/maze15mix/train.csv \
  --test training/data/maze15mix/test.csv --run training/checkpoints/maze15mix_deep_n6_qnoise_d64 --resume \
  --hidden 64 --heads 2 --H-cycles 3 --L-cycles 6 --puzzle-emb-len 1 --n-sup 8 --eval-n-sup 16 \
  --batch 64 --lr 1e-4 --warmup 1000 --wd 0.1 --ema 0.999 --curriculum 0 --threads 1 \
  --train-noise 0.5 --train-noise-on y --train-noise-frac 0.5 \
  --eval-every-min 30 --eval-limit 100 --ckpt-every-min 10 --keep-ckpts 1 --compact-ckpt "$@"
