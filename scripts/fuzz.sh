#!/bin/bash
# libFuzzer (clang, ASan + UBSan) on one target of tests/fuzz, or on all of them.
#   bash scripts/fuzz.sh TARGET SECONDS [libFuzzer options...]     TARGET: safetensors json tasks csv solve | all
# Builds $PTRM_FUZZ_BUILD (default build-fuzz: the engine, CLI, tests and targets with -DPTRM_FUZZ=ON) if needed,
# fuzzes from the committed seeds (tests/fuzz/corpus/<target>) into a working corpus in the build folder (the
# seeds stay untouched), with the target's dictionary. Prints executions and exits non-zero on any finding; the
# input that triggered it is saved as $PTRM_FUZZ_BUILD/findings/<target>-crash-... (replay: <binary> <file>);
# each run's libFuzzer log is $PTRM_FUZZ_BUILD/logs/fuzz_<target>-<time>-<pid>.log.
# Env: PTRM_FUZZ_BUILD, PTRM_JOBS (build, default 2), PTRM_FUZZ_NO_BUILD=1 (use the build as it is).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
usage() { echo "usage: bash scripts/fuzz.sh TARGET|all SECONDS [libFuzzer options...]" >&2; exit 2; }
[ $# -ge 2 ] || usage
TARGET=$1; SECONDS_EACH=$2; shift 2
[[ "$SECONDS_EACH" =~ ^[0-9]+$ ]] || usage
BUILD=${PTRM_FUZZ_BUILD:-build-fuzz}
TARGETS=(safetensors json tasks csv solve)
if [ "$TARGET" = all ]; then LIST=("${TARGETS[@]}"); else LIST=("${TARGET#fuzz_}"); fi
for t in "${LIST[@]}"; do
  [ -f "tests/fuzz/fuzz_$t.cpp" ] || { echo "[fuzz] no target '$t' (have: ${TARGETS[*]})" >&2; exit 2; }
done

if [ "${PTRM_FUZZ_NO_BUILD:-0}" != 1 ]; then
  CC=clang CXX=clang++ nice -n 10 cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPTRM_FUZZ=ON >/dev/null
  nice -n 10 ninja -C "$BUILD" -j"${PTRM_JOBS:-2}" "${LIST[@]/#/fuzz_}"
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
for t in "${LIST[@]}"; do
  corpus="$BUILD/corpus/$t"; findings="$BUILD/findings"
  mkdir -p "$corpus" "$findings"
  dict=(); [ -f "tests/fuzz/fuzz_$t.dict" ] && dict=(-dict="tests/fuzz/fuzz_$t.dict")
  log="$BUILD/logs/fuzz_$t-$(date +%Y%m%d-%H%M%S)-$$.log"; mkdir -p "$BUILD/logs"
  echo "[fuzz] $t: ${SECONDS_EACH} s (log: $log)"
  # -rss_limit_mb: a target needing more than 2 GB for one input is itself a finding (bounded memory).
  set +e
  "$BUILD/fuzz_$t" "$corpus" "tests/fuzz/corpus/$t" "${dict[@]}" -max_total_time="$SECONDS_EACH" \
    -timeout=60 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 -artifact_prefix="$findings/$t-" "$@" \
    >"$log" 2>&1
  rc=$?
  set -e
  execs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
  cov=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -oE 'cov: [0-9]+' || true)
  if [ $rc -ne 0 ]; then
    echo "[fuzz] $t: FINDING (exit $rc) after ${execs:-?} executions; last lines of $log:" >&2
    tail -40 "$log" >&2
    status=1
  else
    echo "[fuzz] $t: ${execs:-?} executions in ${SECONDS_EACH} s, ${cov:-cov ?}, no finding"
  fi
done
exit $status
