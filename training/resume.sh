#!/bin/bash
# Restart every open training run of the campaign in the background: each training/checkpoints/<run>/cmd.sh
# resumes from the checkpoint committed in its folder (or starts it), niced, output in training/runs/<run>.out.
# A run is closed by adding a file named DONE to its folder; a file named PAUSED (its text says why) keeps a run out
# of the default set (2 cores: two runs at most) until it is named explicitly or the file is removed.
# usage: [NICE=10] bash training/resume.sh [RUN ...]
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p training/runs
runs=("$@")
[ ${#runs[@]} -gt 0 ] || for d in training/checkpoints/*/; do
  if [ -f "$d/DONE" ]; then echo "$(basename "$d"): skipped (DONE)"
  elif [ -f "$d/PAUSED" ]; then echo "$(basename "$d"): skipped (PAUSED)"
  else runs+=("$(basename "$d")"); fi
done
for run in "${runs[@]}"; do
  if pgrep -f "train.py .*--run training/checkpoints/$run( |$)" >/dev/null; then echo "$run: already running"; continue; fi
  nohup nice -n "${NICE:-10}" bash "training/checkpoints/$run/cmd.sh" >> "training/runs/$run.out" 2>&1 &
  echo "$run: started (pid $!, log training/runs/$run.out)"
done
