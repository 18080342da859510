#!/bin/bash
# ptrm in WebAssembly (under node) against onnxruntime-web (wasm backend, SIMD128, same process model: node) and
# against native ptrm, on the `ptrm bench` shapes (official-size Sudoku TRM, MLP-t and attention, random weights;
# ORT runs an ONNX export of the same weights, parity-checked against PyTorch before timing). Interleaved rounds:
# each round runs every engine once per thread count in its own process, order rotating per round; prints medians
# and the median per-round ratios (wasm time / peer time: < 1 means ptrm-wasm is faster), CPU model and ISA first.
# A benchmark, not a test. Chromium: scripts/bench_chromium.mjs.
# usage: scripts/bench_wasm.sh
#   env: PTRM_NATIVE (build/ptrm), KS (1,16), STEPS (timed steps per run, 2), ROUNDS (3), THREADS ('1 2'),
#        CONFIG (mlp_t,attention), PEERS (ort-web,native), BUSY (busy-loop processes during the runs, 0), OUT (dir)
# Needs scripts/build_wasm.sh to have run (web/engine/) and npm ci (onnxruntime-web).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
NATIVE=${PTRM_NATIVE:-$ROOT/build/ptrm}
KS=${KS:-1,16}
STEPS=${STEPS:-2}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-1 2}
CONFIG=${CONFIG:-mlp_t,attention}
PEERS=${PEERS:-ort-web,native}
BUSY=${BUSY:-0}
[ -x "$NATIVE" ] || { echo "bench_wasm.sh: native CLI not found at $NATIVE (set PTRM_NATIVE)" >&2; exit 2; }
[ -f "$ROOT/web/engine/ptrm-st.wasm" ] || { echo "bench_wasm.sh: run scripts/build_wasm.sh first" >&2; exit 2; }
OUT=${OUT:-$(mktemp -d -t ptrm-bench-wasm.XXXXXX)}
mkdir -p "$OUT"
# shellcheck source=scripts/bench_common.sh
. "$ROOT/scripts/bench_common.sh"

bench_header
prepare_models "$NATIVE" "$OUT/weights" "$CONFIG"
start_busy "$BUSY"

IFS=, read -ra peers <<< "$PEERS"
engines=(wasm "${peers[@]}")
# --no-liftoff: V8's baseline compiler would otherwise run long wasm calls unoptimised (docs/references.md "Toolchain").
for r in $(seq 1 "$ROUNDS"); do
  for t in $THREADS; do
    n=${#engines[@]}
    for i in $(seq 0 $((n - 1))); do
      e=${engines[$(((i + r) % n))]}
      f=$OUT/r$r-$e-$t.json
      echo "# round $r, $e, $t thread(s)" >&2
      case $e in
        wasm) node --no-experimental-fetch --no-liftoff "$ROOT/scripts/bench_wasm.mjs" "$OUT/weights" "$t" "$KS" \
                "$STEPS" "$CONFIG" > "$f" ;;
        ort-web) node --no-experimental-fetch "$ROOT/scripts/bench_ort.mjs" web "$OUT/weights" "$t" "$KS" "$STEPS" \
                   "$CONFIG" > "$f" ;;
        native) "$NATIVE" bench --threads "$t" --k "$KS" --steps "$STEPS" --config "$CONFIG" --no-gemm --json > "$f" ;;
        *) echo "bench_wasm.sh: unknown peer '$e' (ort-web, native)" >&2; exit 2 ;;
      esac
    done
  done
done
stop_busy

# THREADS is a list of thread counts, one argument each:
# shellcheck disable=SC2086
node "$ROOT/scripts/bench_table.mjs" "$OUT" wasm "$PEERS" "$ROUNDS" $THREADS
echo
echo "shipped engine files (web/engine):"
( cd "$ROOT/web/engine" && for f in ptrm-st.js ptrm-st.wasm ptrm-mt.js ptrm-mt.wasm ptrm-mt.worker.js ptrm.js engine.js worker.js errors.js; do
    [ -f "$f" ] && printf '%-20s %9d bytes  %8d gzip\n' "$f" "$(stat -c %s "$f")" "$(gzip -9c "$f" | wc -c)"; done )
echo "# raw JSON in $OUT" >&2
