#!/bin/bash
# The one command that runs every ptrm test on a fresh Debian 12 machine (CI runs exactly this):
#   setup -> lint -> native build + ctest -> sanitize (clang ASan+UBSan build + ctest) -> fuzz (libFuzzer, short
#   budget) -> pytest -> wasm build -> Jest -> Playwright
# Stops at the first failing stage. Env: PTRM_BUILD_DIR (default build), PTRM_JOBS (default 2),
# PTRM_SKIP_SETUP=1 to skip the setup stage on a machine known to be set up, PTRM_SAN_BUILD_DIR (default build-asan),
# PTRM_FUZZ_SECONDS (per target, default 40).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
BUILD=${PTRM_BUILD_DIR:-build}
JOBS=${PTRM_JOBS:-2}
export NODE_PATH=/usr/share/nodejs      # emcc's JS optimizer needs Debian's node-acorn from there
PY=/usr/bin/python3                     # Debian's python3-torch; not the pyenv python3 earlier on PATH

T_ALL=$SECONDS
SUMMARY=()
STAGE=""
T_STAGE=0
begin() {
  STAGE=$1; T_STAGE=$SECONDS
  printf '\n==================== [%s] %s ====================\n' "$STAGE" "$2"
}
end() {
  local s=$((SECONDS - T_STAGE))
  SUMMARY+=("$(printf '%-8s %-7s %5d s' "$STAGE" "${1:-ok}" "$s")")
  printf '==================== [%s] %s in %d s ====================\n' "$STAGE" "${1:-ok}" "$s"
  STAGE=""
}
on_exit() {
  local rc=$?
  if [ -n "$STAGE" ]; then
    printf '\n==================== [%s] FAILED (exit %d) after %d s ====================\n' \
      "$STAGE" "$rc" $((SECONDS - T_STAGE))
  fi
  if [ ${#SUMMARY[@]} -gt 0 ]; then printf '%s\n' "--- stages:" "${SUMMARY[@]}"; fi
  printf -- '--- total %d s: %s\n' $((SECONDS - T_ALL)) "$([ "$rc" = 0 ] && echo PASSED || echo FAILED)"
}
trap on_exit EXIT
# A stage with no test files yet is reported as skipped (visible in the summary), never as passed.
has_files() { [ -n "$(find "$1" -type f -name "$2" -print -quit 2>/dev/null)" ]; }

begin setup "scripts/setup.sh (apt, XNNPACK cache, npm)"
if [ "${PTRM_SKIP_SETUP:-0}" = 1 ]; then end skipped; else bash scripts/setup.sh; end; fi

begin lint "scripts/lint.sh (eslint, tsc --checkJs, shellcheck, clang-format, engine for plain x86-64)"
bash scripts/lint.sh
end

begin native "cmake + ninja ($BUILD, Release) + ctest"
nice -n 10 cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release
nice -n 10 ninja -C "$BUILD" -j"$JOBS"
ctest --test-dir "$BUILD" --output-on-failure
end

# Hostile input: the engine, CLI and GoogleTest suite built with clang ASan + UBSan (every report fatal) and ctest
# on it, so the CLI bad-input tests run against the instrumented binary. The same build carries libFuzzer
# coverage and the tests/fuzz targets for the next stage. XNNPACK is the cached uninstrumented library.
SAN_BUILD=${PTRM_SAN_BUILD_DIR:-build-asan}
begin sanitize "clang ASan+UBSan build ($SAN_BUILD) + ctest"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
CC=clang CXX=clang++ nice -n 10 cmake -S . -B "$SAN_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPTRM_FUZZ=ON
nice -n 10 ninja -C "$SAN_BUILD" -j"$JOBS"
ctest --test-dir "$SAN_BUILD" --output-on-failure -j"$JOBS"
end

# Each libFuzzer target for a short fixed budget from the committed seeds; any finding fails the run. Long runs:
# bash scripts/fuzz.sh TARGET SECONDS.
begin fuzz "libFuzzer targets (tests/fuzz), ${PTRM_FUZZ_SECONDS:-40} s each"
PTRM_FUZZ_BUILD="$SAN_BUILD" PTRM_FUZZ_NO_BUILD=1 bash scripts/fuzz.sh all "${PTRM_FUZZ_SECONDS:-40}"
end

begin python "pytest tests/python ($PY)"
if has_files tests/python 'test_*.py'; then "$PY" -m pytest -q tests/python; end; else end skipped; fi

begin wasm "scripts/build_wasm.sh"
if [ -f scripts/build_wasm.sh ]; then bash scripts/build_wasm.sh; end; else end skipped; fi

begin jest "Jest (tests/js)"
# tests/js are ES modules (they test wasm/ptrm.js): Jest needs --experimental-vm-modules; they compare against
# the native CLI built above (PTRM_NATIVE).
if has_files tests/js '*.test.*'; then
  NODE_OPTIONS="--no-experimental-fetch --experimental-vm-modules" PTRM_NATIVE="$(realpath "$BUILD")/ptrm" npx jest
  end
else end skipped; fi

begin e2e "Playwright (tests/e2e, /usr/bin/chromium)"
if has_files tests/e2e '*.spec.*'; then npx playwright test -c playwright.config.cjs; end; else end skipped; fi
