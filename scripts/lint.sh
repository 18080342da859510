#!/bin/bash
# The lint stage of scripts/test.sh (also fine on its own: bash scripts/lint.sh):
#   eslint (eslint.config.mjs) over the JS; tsc --checkJs (tsconfig.json) of wasm/ and web/ against ptrm.d.ts; the
#   shell scripts through shellcheck; clang-format (.clang-format) over the C++; the engine compiled for plain
#   x86-64 (no AVX2) on x86 machines.
# Env: PTRM_FORMAT_STRICT=0 only reports C++ files that differ from .clang-format (default 1: an error);
# PTRM_JOBS (default 2). Reformat with: clang-format -i $(git ls-files '*.cpp' '*.h' | grep -E '^(engine|cli|wasm|tests)/')
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
JOBS=${PTRM_JOBS:-2}
FORMAT_STRICT=${PTRM_FORMAT_STRICT:-1}

echo "[lint] eslint"
npx eslint --max-warnings 0 .

echo "[lint] tsc --checkJs (tsconfig.json)"
npx tsc -p tsconfig.json

echo "[lint] shellcheck ($(shellcheck --version | grep -o 'version: [0-9.]*'))"
mapfile -t SH < <(git ls-files '*.sh')
shellcheck "${SH[@]}"

echo "[lint] clang-format ($(clang-format --version | grep -o 'version [0-9.]*'))"
mapfile -t CXX < <(git ls-files '*.cpp' '*.h' | grep -E '^(engine|cli|wasm|tests)/')
if [ "$FORMAT_STRICT" = 1 ]; then
  clang-format --dry-run --Werror "${CXX[@]}"
else
  unformatted=()
  for f in "${CXX[@]}"; do clang-format --dry-run --Werror "$f" 2>/dev/null || unformatted+=("$f"); done
  echo "[lint] clang-format: ${#unformatted[@]} of ${#CXX[@]} C++ files differ from .clang-format" \
       "(report only; PTRM_FORMAT_STRICT=1 makes it an error): ${unformatted[*]:-none}"
fi

# The engine must build for any x86-64 CPU, not only the AVX2 machines it is developed on (cmake/arch.cmake).
if [[ "$(uname -m)" =~ ^(x86_64|amd64)$ ]]; then
  echo "[lint] engine for plain x86-64 (-DPTRM_NATIVE_ARCH=x86-64, build-x86-64/)"
  nice -n 10 cmake -S . -B build-x86-64 -G Ninja -DCMAKE_BUILD_TYPE=Release -DPTRM_NATIVE_ARCH=x86-64 >/dev/null
  nice -n 10 ninja -C build-x86-64 -j"$JOBS" ptrm_engine
  if objdump -d build-x86-64/libptrm_engine.a | grep -qE '\b(vfmadd|vbroadcast)[a-z0-9]*\b|%ymm'; then
    echo "[lint] build-x86-64/libptrm_engine.a contains AVX instructions" >&2
    exit 1
  fi
fi
echo "[lint] ok"
