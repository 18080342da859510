#!/bin/bash
# maze15mix_deep_n6_d64: the second depth arm, beside maze15mix_deep_w1k_d64 (T = 3, n = 4). Same parent
# (maze15mix_lr3_d64 step 10,886, shipped as maze15; the init file is the one kept in the T3 n4 arm's folder), same
# width (hidden 64), same gentle start, but n = 6 latent steps per cycle (T = 3, n = 6: 21 net calls per supervision
# step, the official Sudoku recursion) instead of 4 (15). Why: the T3 n4 arm read 63.2 % on all 1,000 held-out mazes
# after 36 training minutes, above the parent's 58-61 % plateau, while widening to hidden 128 did not move it
# (60.0-61.6 %); this arm asks whether more latent steps buy more. lr 3e-4 to step 1,178 (65.2 % at 830, 63.8 % at
# 1,178 on all 1,000 held-out mazes: the gain stopped once the lr reached 3e-4, as in the T3 n4 arm), then 1e-4 from
# there on, the drop that lifted sudoku9m_d64 before. Re-running this resumes.
set -euo pipefail
cd "$(dirname "$0")/../../.."
bash training/data.sh maze15mix
exec /usr/bin/python3 training/train.py --task maze --train training/data/maze15mix/train.csv \
  --test training/data/maze15mix/test.csv --run training/checkpoints/maze15mix_deep_n6_d64 --resume \
  --init-from training/checkpoints/maze15mix_deep_w1k_d64/init-lr3-step10886.safetensors \
  --hidden 64 --heads 2 --H-cycles 3 --L-cycles 6 --puzzle-emb-len 1 --n-sup 8 --eval-n-sup 16 \
  --batch 64 --lr 1e-4 --warmup 1000 --wd 0.1 --ema 0.999 --curriculum 0 --threads 1 \
  --eval-every-min 30 --eval-limit 100 --ckpt-every-min 10 --keep-ckpts 1 --compact-ckpt "$@"
