#!/bin/bash
# Builds both WebAssembly flavours of ptrm and gathers them, with the JS API, in web/engine/ (git-ignored):
#   ptrm-st.{js,wasm}            SIMD128, single thread     (build-wasm-st/)
#   ptrm-mt.{js,wasm,worker.js}  SIMD128 + pthreads         (build-wasm-mt/)
#   ptrm.js engine.js worker.js errors.js ptrm.d.ts (copied from wasm/)
# Incremental: configures once per build dir, ninja rebuilds only what changed, files are copied only if newer.
# usage: scripts/build_wasm.sh [st|mt ...]     (default: both)
# Needs the wasm XNNPACK flavours (scripts/xnnpack.sh wasm-st wasm-mt) under ${PTRM_CACHE:-/var/cache/ptrm}.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JOBS=${PTRM_JOBS:-2}
# Debian's emcc needs node-acorn from /usr/share/nodejs; the machine's node does not look there by itself.
export NODE_PATH=/usr/share/nodejs
FLAVOURS=("$@"); [ ${#FLAVOURS[@]} -gt 0 ] || FLAVOURS=(st mt)
OUT=$ROOT/web/engine
mkdir -p "$OUT"

for f in "${FLAVOURS[@]}"; do
  case $f in
    st) threads=OFF ;;
    mt) threads=ON ;;
    *) echo "build_wasm.sh: unknown flavour '$f' (st|mt)" >&2; exit 2 ;;
  esac
  dir=$ROOT/build-wasm-$f
  if [ ! -f "$dir/build.ninja" ]; then
    # emcmake's default emulator flag (--experimental-wasm-threads) is rejected by node 20.
    emcmake cmake -S "$ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPTRM_WASM=ON \
      -DPTRM_WASM_THREADS=$threads "-DCMAKE_CROSSCOMPILING_EMULATOR=/usr/bin/node;--no-experimental-fetch" >/dev/null
  fi
  nice -n 10 ninja -C "$dir" -j"$JOBS" ptrm_wasm
  for p in "$dir"/wasm/ptrm-$f.js "$dir"/wasm/ptrm-$f.wasm "$dir"/wasm/ptrm-$f.worker.js; do
    [ -f "$p" ] && cp -u "$p" "$OUT/"
  done
done
cp -u "$ROOT"/wasm/{ptrm.js,engine.js,worker.js,errors.js,ptrm.d.ts} "$OUT/"
ls -l "$OUT"
