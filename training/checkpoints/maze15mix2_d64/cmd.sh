#!/bin/bash
# maze15mix2_d64: 15x15 unique-path mazes (30-50 % walls, shortest path > 24 cells) with a size curriculum on one
# board: half the train set are mazes of side 6..14 drawn on the 15x15 board, padded with walls, so the row stride
# (the model's 1-D RoPE distance to "the cell above") never changes. Evaluated on full 15x15 mazes only
# (training/data/maze15mix/test.csv = training/data/maze15/test.csv). The same recipe as maze15mix_d64 but seeded
# from the stronger maze10 that shipped as assets/models/maze10 (maze10_d64 step 5,013: 87.1 % exact on all 1,000
# held-out 10x10 mazes; a copy is kept beside this file so a fresh clone can start the run): does a better seed
# learn the 15-wide row stride sooner? Re-running this resumes.
set -euo pipefail
cd "$(dirname "$0")/../../.."
bash training/data.sh maze15mix
exec /usr/bin/python3 training/train.py --task maze --train training/data/maze15mix/train.csv \
  --test training/data/maze15mix/test.csv --run training/checkpoints/maze15mix2_d64 --resume \
  --init-from training/checkpoints/maze15mix2_d64/init-maze10-step5013.safetensors \
  --hidden 64 --heads 2 --H-cycles 2 --L-cycles 2 --puzzle-emb-len 1 --n-sup 8 --eval-n-sup 16 \
  --batch 64 --lr 1e-3 --warmup 50 --wd 0.1 --ema 0.999 --ema-warmup --curriculum 1000 --threads 1 \
  --eval-every-min 30 --eval-limit 100 --ckpt-every-min 10 --keep-ckpts 1 --compact-ckpt "$@"
