#!/bin/bash
# Threads that never lose: ptrm at 1 and at 2 threads, natively (`ptrm bench`) and in WebAssembly under node
# (scripts/bench_wasm.mjs), with the second core free and with BUSY busy-loop processes competing for the cores
# (a visitor's machine always has other work). Interleaved rounds, medians; prints time(2 threads) / time(1 thread)
# per engine, config and K: ≤ 1 means the second thread never loses. A benchmark, not a test.
# usage: scripts/bench_threads.sh
#   env: PTRM_NATIVE (build/ptrm), KS (1,16), STEPS (2), ROUNDS (3), CONFIG (mlp_t), ENGINES (native,wasm),
#        BUSY (1), OUT (dir)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
NATIVE=${PTRM_NATIVE:-$ROOT/build/ptrm}
KS=${KS:-1,16}
STEPS=${STEPS:-2}
ROUNDS=${ROUNDS:-3}
CONFIG=${CONFIG:-mlp_t}
ENGINES=${ENGINES:-native,wasm}
BUSY=${BUSY:-1}
[ -x "$NATIVE" ] || { echo "bench_threads.sh: native CLI not found at $NATIVE (set PTRM_NATIVE)" >&2; exit 2; }
OUT=${OUT:-$(mktemp -d -t ptrm-bench-threads.XXXXXX)}
mkdir -p "$OUT"
# shellcheck source=scripts/bench_common.sh
. "$ROOT/scripts/bench_common.sh"
bench_header
"$NATIVE" bench --threads 1 --k 1 --steps 1 --config "$CONFIG" --no-gemm --save-weights "$OUT/weights" --json > /dev/null

run() {  # engine threads file
  case $1 in
    native) "$NATIVE" bench --threads "$2" --k "$KS" --steps "$STEPS" --config "$CONFIG" --no-gemm --json > "$3" ;;
    wasm) node --no-experimental-fetch --no-liftoff "$ROOT/scripts/bench_wasm.mjs" "$OUT/weights" "$2" "$KS" "$STEPS" \
            "$CONFIG" > "$3" ;;
  esac
}
for load in quiet busy; do
  [ $load = busy ] && start_busy "$BUSY"
  for r in $(seq 1 "$ROUNDS"); do
    for e in ${ENGINES//,/ }; do
      # Alternate which thread count goes first.
      for t in $([ $((r % 2)) = 1 ] && echo "1 2" || echo "2 1"); do
        echo "# $load, round $r, $e, $t thread(s)" >&2
        run "$e" "$t" "$OUT/$load-r$r-$e-$t.json"
      done
    done
  done
  [ $load = busy ] && stop_busy
done

node - "$OUT" "$ROUNDS" "$ENGINES" "$BUSY" <<'JS'
const fs = require('fs');
const [dir, rounds, engines, busy] = process.argv.slice(2);
const med = (v) => { const s = [...v].sort((a, b) => a - b); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
console.log('| engine | load | config | K | 1 thread ms (cpu ms) | 2 threads ms (cpu ms) | 2t / 1t |');
console.log('|---|---|---|---|---|---|---|');
for (const e of engines.split(',')) {
  for (const load of ['quiet', 'busy']) {
    const read = (r, t) => JSON.parse(fs.readFileSync(`${dir}/${load}-r${r}-${e}-${t}.json`, 'utf8')).results;
    for (const { config, k } of read(1, 1)) {
      const get = (t, key) => Array.from({ length: +rounds }, (_, i) => read(i + 1, t).find((x) => x.config === config && x.k === k)[key]);
      const [w1, w2, c1, c2] = [get(1, 'ms_per_step'), get(2, 'ms_per_step'), get(1, 'cpu_ms_per_step'), get(2, 'cpu_ms_per_step')];
      const ratio = med(w2.map((v, i) => v / w1[i]));
      console.log(`| ${e} | ${load === 'busy' ? `+${busy} busy loop(s)` : 'no added load'} | ${config} | ${k} | ` +
        `${med(w1).toFixed(0)} (${med(c1).toFixed(0)}) | ${med(w2).toFixed(0)} (${med(c2).toFixed(0)}) | ${ratio.toFixed(2)} |`);
    }
  }
}
console.log(`\nmedians over ${rounds} interleaved rounds; 2t / 1t = median of the per-round ratios (≤ 1: the second thread does not lose)`);
JS
echo "# raw JSON in $OUT" >&2
