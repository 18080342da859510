#!/bin/bash
# sudoku9h_deep_n6_d64: depth for the hard collections (issue 8 item 3), the lever that lifted the 15x15 maze model
# (T3 n6 arm: 65.2 % against the T2 n2 parent's 61.1 % on all 1,000 held-out mazes). Starts from the same init as
# sudoku9h_d64 (sudoku9m_d64 step 12,013, T2 n2, 6 net calls per supervision step: 17-clue 38.7 %, magictour 24.0 %
# on the first 300 held-out, deterministic, 16 steps), run at T = 3, n = 6 (21 net calls, the official Sudoku
# recursion). Deepening at inference alone does not help (same file, same 300: T3 n2 40.3 / 24.7 %, T3 n4 33.0 /
# 19.9 %), so the depth has to be trained. Same data as sudoku9h_d64 (every collection row + every 4th generated
# row, n_sup 8), but the gentle start the maze depth arms needed: lr ramps over 500 steps to 1e-4 only (every
# deep and wide maze arm stopped gaining once its lr reached 3e-4, and sudoku9h_d64 at 3e-4 fell below its start),
# EMA 0.999 from the first step, no curriculum (the init has seen every kind of puzzle). Re-running this resumes.
set -euo pipefail
cd "$(dirname "$0")/../../.."
bash training/data.sh sudoku9h
exec /usr/bin/python3 training/train.py --task sudoku --train training/data/sudoku9h/train.csv \
  --test training/data/sudoku9m/test_17clue.csv --run training/checkpoints/sudoku9h_deep_n6_d64 --resume \
  --init-from training/checkpoints/sudoku9h_d64/init-sudoku9m-step12013.safetensors \
  --hidden 64 --heads 1 --H-cycles 3 --L-cycles 6 --puzzle-emb-len 1 --n-sup 8 --eval-n-sup 16 \
  --batch 64 --lr 1e-4 --warmup 500 --wd 0.1 --ema 0.999 --curriculum 0 --threads 1 \
  --eval-every-min 30 --eval-limit 300 --ckpt-every-min 10 --keep-ckpts 1 --compact-ckpt "$@"
