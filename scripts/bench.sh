#!/bin/bash
# Engine vs PyTorch reference on the official-size Sudoku TRMs (MLP-t and attention, random weights), same weights,
# same input, same thread counts, in one run; prints a markdown table for docs/benchmarks.md.
#   scripts/bench.sh [--ptrm PATH] [--threads "1 2"] [--k 1,16] [--steps N] [--out DIR]
# PATH defaults to build/ptrm. Raw JSON of every run is kept in DIR (default: a temp dir, printed at the end).
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
PTRM=$HERE/build/ptrm
THREADS="1 2"
KS=1,16
STEPS=3
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --ptrm) PTRM=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --k) KS=$2; shift 2 ;;
    --steps) STEPS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    *) echo "bench.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[ -x "$PTRM" ] || { echo "bench.sh: no ptrm binary at $PTRM (build first, or pass --ptrm)" >&2; exit 2; }
PY=/usr/bin/python3   # Debian's python with python3-torch, not the pyenv one on PATH
[ -n "$OUT" ] || OUT=$(mktemp -d -t ptrm-bench.XXXXXX)
mkdir -p "$OUT"

echo "# $(date -u +%FT%TZ) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) CPUs," \
     "load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for t in $THREADS; do
  # Engine and torch alternate per thread count so background load drifts hit both alike.
  echo "# engine, $t thread(s)" >&2
  "$PTRM" bench --threads "$t" --k "$KS" --steps "$STEPS" --save-weights "$OUT/weights" --json > "$OUT/engine-$t.json"
  echo "# torch, $t thread(s)" >&2
  # torch.set_num_threads does not bound OpenBLAS's own pool in every build; the variable does.
  OPENBLAS_NUM_THREADS=$t "$PY" "$HERE/training/bench_torch.py" --weights "$OUT/weights" --threads "$t" --k "$KS" --steps "$STEPS" \
    --json > "$OUT/torch-$t.json"
done

"$PY" - "$OUT" $THREADS <<'EOF'
import json, sys
out, threads = sys.argv[1], sys.argv[2:]
print("| config | K | threads | engine ms/step (cpu ms) | engine GFLOP/s | GEMM-only ms (cpu ms) | GEMM-only GFLOP/s "
      "| engine/GEMM | torch ms/step (cpu ms) | torch GFLOP/s | engine speed-up (wall; cpu) |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
blas = set()
for t in threads:
    eng = json.load(open(f"{out}/engine-{t}.json"))
    tor = json.load(open(f"{out}/torch-{t}.json"))
    blas.add(f"torch {tor['torch']}, BLAS {tor['blas']}")
    tr = {(r["config"], r["k"]): r for r in tor["results"]}
    for r in eng["results"]:
        x = tr[(r["config"], r["k"])]
        ms, cpu, tms, tcpu = r["ms_per_step"], r["cpu_ms_per_step"], x["ms_per_step"], x["cpu_ms_per_step"]
        print(f"| {r['config']} | {r['k']} | {t} | {ms:.0f} ({cpu:.0f}) | {r['gflops']:.1f} "
              f"| {r['gemm_ms']:.0f} ({r['gemm_cpu_ms']:.0f}) "
              f"| {r['gemm_gflops']:.1f} | {ms / r['gemm_ms']:.2f} | {tms:.0f} ({tcpu:.0f}) "
              f"| {r['gflop_per_step'] / tms * 1e3:.1f} | {tms / ms:.2f}x; {tcpu / cpu:.2f}x |")
for b in sorted(blas):
    print(f"\n{b}")
EOF
echo "# raw JSON in $OUT" >&2
