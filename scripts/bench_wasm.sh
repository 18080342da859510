#!/bin/bash
# Native vs WebAssembly on the `ptrm bench` shapes (official-size Sudoku TRM, MLP-t and attention, random weights):
# time per supervision step for K in $KS at 1 and 2 threads, native (`ptrm bench`) and wasm under node (st flavour
# for 1 thread, mt for 2), in one run so both see the same machine load. Prints the ratio table (docs/wasm-bench.md).
# usage: scripts/bench_wasm.sh   env: PTRM_NATIVE (default build/ptrm), KS (1,16), STEPS (timed steps, 5), THREADS ('1 2')
# Needs scripts/build_wasm.sh to have run (web/engine/).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
NATIVE=${PTRM_NATIVE:-$ROOT/build/ptrm}
KS=${KS:-1,16}
STEPS=${STEPS:-5}
THREADS=${THREADS:-1 2}
[ -x "$NATIVE" ] || { echo "bench_wasm.sh: native CLI not found at $NATIVE (set PTRM_NATIVE)" >&2; exit 2; }
[ -f "$ROOT/web/engine/ptrm-st.wasm" ] || { echo "bench_wasm.sh: run scripts/build_wasm.sh first" >&2; exit 2; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# --no-liftoff: V8's baseline compiler would otherwise run long wasm calls unoptimised (docs/references.md "Toolchain").
wasm() { node --no-experimental-fetch --no-liftoff "$ROOT/scripts/bench_wasm.mjs" "$TMP" "$1" "$KS" "$STEPS"; }
for t in $THREADS; do
  "$NATIVE" bench --threads "$t" --k "$KS" --steps "$STEPS" --json --save-weights "$TMP" > "$TMP/native-$t.json"
  wasm "$t" > "$TMP/wasm-$t.json"
done

node - "$TMP" $THREADS <<'JS'
const fs = require('fs');
const dir = process.argv[2];
const read = (f) => JSON.parse(fs.readFileSync(`${dir}/${f}.json`, 'utf8'));
const rows = [];
for (const t of process.argv.slice(3).map(Number)) {
  const n = read(`native-${t}`), w = read(`wasm-${t}`);
  for (const r of n.results) {
    const x = w.results.find((y) => y.config === r.config && y.k === r.k);
    rows.push([r.config, r.k, t, w.flavour, r.ms_per_step.toFixed(0), x.ms_per_step.toFixed(0),
      (x.ms_per_step / r.ms_per_step).toFixed(2), r.cpu_ms_per_step.toFixed(0), x.cpu_ms_per_step.toFixed(0),
      (x.cpu_ms_per_step / r.cpu_ms_per_step).toFixed(2), (r.gflop_per_step / (x.ms_per_step / 1e3)).toFixed(1)]);
  }
}
const head = ['config', 'K', 'threads', 'wasm', 'native ms', 'wasm ms', 'wasm/native', 'native CPU ms',
  'wasm CPU ms', 'CPU wasm/native', 'wasm GFLOP/s'];
console.log('per supervision step; ms = wall clock, CPU ms = process CPU time (all threads)');
console.log(`| ${head.join(' | ')} |\n|${head.map(() => ' --- ').join('|')}|`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
JS
echo
echo "shipped engine files (web/engine):"
( cd "$ROOT/web/engine" && for f in ptrm-st.js ptrm-st.wasm ptrm-mt.js ptrm-mt.wasm ptrm-mt.worker.js ptrm.js engine.js worker.js errors.js; do
    printf '%-20s %9d bytes  %8d gzip\n' "$f" "$(stat -c %s "$f")" "$(gzip -9c "$f" | wc -c)"; done )
