#!/bin/bash
# sudoku9h_d64: push the hard collections up (issue 8 item 3). Starts from sudoku9m_d64's last checkpoint
# (step 12,013: 93.0 % on the first 500 ordinary held-out puzzles; the shipped sudoku9 is its step 9,780), exported
# beside this file so a fresh clone can start it. Train set: every collection row of training/data/sudoku9m/train.csv
# (17-clue 44,242, magictour 1,319, forum-hardest 43,889) plus every 4th generated row (50,000) so ordinary
# puzzles are not forgotten: the collections go from 31 % of the rows to 64 %. n_sup 8 in training (4 before):
# hard puzzles need later supervision steps, and those states were never trained. lr 3e-4 (the new data is a new
# task for the model; sudoku9m_d64 made most of its progress at 3e-4). Periodic evaluation on the held-out
# 17-clue split (first 300); ordinary accuracy is checked with ptrm eval on exports before anything ships.
set -euo pipefail
cd "$(dirname "$0")/../../.."
bash training/data.sh sudoku9h
exec /usr/bin/python3 training/train.py --task sudoku --train training/data/sudoku9h/train.csv \
  --test training/data/sudoku9m/test_17clue.csv --run training/checkpoints/sudoku9h_d64 --resume \
  --init-from training/checkpoints/sudoku9h_d64/init-sudoku9m-step12013.safetensors \
  --hidden 64 --heads 1 --H-cycles 2 --L-cycles 2 --puzzle-emb-len 1 --n-sup 8 --eval-n-sup 16 \
  --batch 64 --lr 3e-4 --warmup 50 --wd 0.1 --ema 0.999 --ema-warmup --curriculum 300 --threads 1 \
  --eval-every-min 30 --eval-limit 300 --ckpt-every-min 10 --keep-ckpts 1 --compact-ckpt "$@"
