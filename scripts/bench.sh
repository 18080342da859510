#!/bin/bash
# ptrm (native) against its peers on the official-size Sudoku TRMs (MLP-t and attention, random weights from
# `ptrm bench --save-weights`): the PyTorch reference (training/bench_torch.py, fp32) and onnxruntime-node (CPU EP,
# on an ONNX export of the same weights, training/export_onnx.py, parity-checked against PyTorch before timing).
# Same weights, same input, same thread counts, in one run: every round runs each engine once per thread count in
# its own process (the order rotates per round), so background load drifts hit all of them alike. Prints a
# markdown table of medians over rounds and the median of the per-round ratios (ptrm time / peer time: < 1 means
# ptrm is faster), with the CPU model and ISA in the header. A benchmark, not a test: nothing here asserts a speed.
#   scripts/bench.sh [--ptrm PATH] [--threads "1 2"] [--k 1,16] [--steps N] [--rounds R] [--config mlp_t,attention]
#                    [--peers torch,ort] [--busy N] [--out DIR]
# --busy N keeps N busy-loop processes running during the measurements (a visitor's machine always has other
# work: "threads that never lose" must hold there too). Raw JSON of every run is kept in DIR (default: a temp dir).
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
PTRM=$HERE/build/ptrm
THREADS="1 2"
KS=1,16
STEPS=2
ROUNDS=3
CONFIG=mlp_t,attention
PEERS=torch,ort
BUSY=0
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --ptrm) PTRM=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --k) KS=$2; shift 2 ;;
    --steps) STEPS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --config) CONFIG=$2; shift 2 ;;
    --peers) PEERS=$2; shift 2 ;;
    --busy) BUSY=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    *) echo "bench.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[ -x "$PTRM" ] || { echo "bench.sh: no ptrm binary at $PTRM (build first, or pass --ptrm)" >&2; exit 2; }
PY=/usr/bin/python3   # Debian's python with python3-torch, not the pyenv one on PATH
[ -n "$OUT" ] || OUT=$(mktemp -d -t ptrm-bench.XXXXXX)
mkdir -p "$OUT"
# shellcheck source=scripts/bench_common.sh
. "$HERE/scripts/bench_common.sh"

bench_header
prepare_models "$PTRM" "$OUT/weights" "$CONFIG"
start_busy "$BUSY"

engines=(ptrm)
case ",$PEERS," in *,torch,*) engines+=(torch) ;; esac
case ",$PEERS," in *,ort,*) engines+=(ort) ;; esac
for r in $(seq 1 "$ROUNDS"); do
  for t in $THREADS; do
    n=${#engines[@]}
    for i in $(seq 0 $((n - 1))); do
      e=${engines[$(((i + r) % n))]}   # rotate the order per round
      f=$OUT/r$r-$e-$t.json
      echo "# round $r, $e, $t thread(s)" >&2
      case $e in
        ptrm) "$PTRM" bench --threads "$t" --k "$KS" --steps "$STEPS" --config "$CONFIG" --no-gemm --json > "$f" ;;
        # torch.set_num_threads does not bound OpenBLAS's own pool in every build; the variable does.
        torch) OPENBLAS_NUM_THREADS=$t "$PY" "$HERE/training/bench_torch.py" --weights "$OUT/weights" --threads "$t" \
                 --k "$KS" --steps "$STEPS" --config "$CONFIG" --json > "$f" ;;
        ort) node "$HERE/scripts/bench_ort.mjs" node "$OUT/weights" "$t" "$KS" "$STEPS" "$CONFIG" > "$f" ;;
      esac
    done
  done
done
stop_busy

# THREADS is a list of thread counts, one argument each:
# shellcheck disable=SC2086
node "$HERE/scripts/bench_table.mjs" "$OUT" "ptrm" "$(IFS=,; echo "${engines[*]:1}")" "$ROUNDS" $THREADS
echo "# raw JSON in $OUT" >&2
