#!/bin/bash
# Builds the pinned XNNPACK (Debian trixie orig tarball 0.0~git20241108.4ea82e5 + deps) into a cache keyed by
# version, outside the clone, so every checkout and CI run shares one build:
#   ${PTRM_CACHE:-/var/cache/ptrm}/xnnpack-20241108/{src,native,wasm-st,wasm-mt}
# Each flavour directory holds include/ + lib/ and a .done stamp; finished flavours are skipped.
# usage: scripts/xnnpack.sh [native|wasm-st|wasm-mt ...]      (default: all three, native first)
# Only Debian's archive is contacted (no GitHub): the orig tarballs are fetched with apt and sha256-checked.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
ROOT=${PTRM_CACHE:-/var/cache/ptrm}/xnnpack-20241108
SRC=$ROOT/src
JOBS=${PTRM_JOBS:-2}
export NODE_PATH=/usr/share/nodejs      # emcc's JS optimizer needs Debian's node-acorn from there
FLAVOURS=("$@"); [ ${#FLAVOURS[@]} -gt 0 ] || FLAVOURS=(native wasm-st wasm-mt)

log() { echo "[xnnpack] $*"; }
die() { echo "[xnnpack] ERROR: $*" >&2; exit 1; }
for fl in "${FLAVOURS[@]}"; do
  case $fl in native|wasm-st|wasm-mt) ;; *) die "unknown flavour '$fl' (native, wasm-st, wasm-mt)" ;; esac
done

mkdir -p "$ROOT" || die "cannot create $ROOT (set PTRM_CACHE to a writable directory)"
# Two concurrent runs (e.g. setup.sh from two clones) would corrupt each other's build trees.
exec 9>"$ROOT/.lock"
flock 9

fetch_sources() {
  [ -f "$SRC/.done" ] && return 0
  log "fetching Debian orig tarballs into $SRC/dl"
  rm -rf "$SRC"; mkdir -p "$SRC/dl"
  # A private apt configuration with trixie/sid deb-src lines: the system's apt sources stay untouched
  # and root is not needed. Only the *.orig.tar.xz files exist on the mirror (.dsc/.debian.tar.xz are 404),
  # so `apt-get source` reports failure after downloading them; the sha256 check below is the real gate.
  local apt=$SRC/apt
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/sources.list.d"
  cat > "$apt/sources.list.d/src.sources" <<'EOS'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie sid
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOS
  : > "$apt/sources.list"
  local opts=(-o "Dir::Etc::sourcelist=$apt/sources.list" -o "Dir::Etc::sourceparts=$apt/sources.list.d"
              -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o "Debug::NoLocking=1"
              -o "APT::Sandbox::User=root")
  apt-get "${opts[@]}" update -qq || die "apt-get update (trixie/sid deb-src) failed"
  local specs="xnnpack=0.0~git20241108.4ea82e5-2 pthreadpool=0.0~git20240616.560c60d-1
               cpuinfo=0.0~git20250905.877328f-1 fxdiv=0.0~git20200417.b408327-4
               fp16=0.0~git20200514.4dfe081-5.1 psimd=0.0~git20200517.072586a-3"
  for s in $specs; do
    (cd "$SRC/dl" && apt-get "${opts[@]}" source --download-only -qq "$s" >/dev/null 2>&1) || true
  done
  (cd "$SRC/dl" && sha256sum -c --quiet -) <<'EOS' || die "orig tarball missing or checksum mismatch in $SRC/dl"
90bde2caef0f880f627bab0dc805a86c4b8070cd98e3243db3046ab3f3be1a99  xnnpack_0.0~git20241108.4ea82e5.orig.tar.xz
4cc3cbd933b28131d2a34edc54f76af9fb41bc490af5eae1a5bd3cd07ea90708  pthreadpool_0.0~git20240616.560c60d.orig.tar.xz
557ca404a3836b9f335a3a06b65ff9fe9dbaaefab7fb5c0185f53d9f33615a10  cpuinfo_0.0~git20250905.877328f.orig.tar.xz
7953482badaf4cb34026c3487c257b8e4ab2df061c019bd6fabbbc12ad52c44b  fxdiv_0.0~git20200417.b408327.orig.tar.xz
7d7782b37b74136e0e12593a2a93ccbe7db831f4374cc408e44623d9b708b54e  fp16_0.0~git20200514.4dfe081.orig.tar.xz
32bbce81289866e3419e36cab6541bbddb6d45d3db10a7dcd2598dc9d0c8c6f4  psimd_0.0~git20200517.072586a.orig.tar.xz
EOS
  mkdir -p "$SRC/xnnpack" && tar xf "$SRC"/dl/xnnpack_*.orig.tar.xz -C "$SRC/xnnpack"   # no top-level dir
  local t
  for t in pthreadpool cpuinfo fxdiv fp16 psimd; do tar xf "$SRC"/dl/${t}_*.orig.tar.xz -C "$SRC"; done
  rm -rf "$apt"
  touch "$SRC/.done"
}

dep_dir() { local d; d=$(echo "$SRC/$1"-*); [ -d "$d" ] || die "missing $SRC/$1-*"; echo "$d"; }

# Copies the four static libraries and the two public headers into the flavour directory, so the
# consumer (cmake/xnnpack.cmake) sees one fixed layout whatever the build tree looked like.
install_flavour() {
  local build=$1 out=$2 lib f
  rm -rf "$out"; mkdir -p "$out/lib" "$out/include"
  for lib in libXNNPACK.a libmicrokernels-prod.a libpthreadpool.a libcpuinfo.a; do
    f=$(find "$build" -name "$lib" -print -quit)
    [ -n "$f" ] || die "$lib not produced in $build"
    cp "$f" "$out/lib/"
  done
  cp "$SRC/xnnpack/include/xnnpack.h" "$(dep_dir pthreadpool)/include/pthreadpool.h" "$out/include/"
}

build_flavour() {
  local fl=$1 out=$ROOT/$1 build=$ROOT/build/$1
  if [ -f "$out/.done" ]; then log "$fl: already built ($out)"; return 0; fi
  local t0=$SECONDS
  log "$fl: configuring in $build"
  mkdir -p "$build"
  case $fl in
    native)
      nice -n 10 cmake -S "$SRC/xnnpack" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DXNNPACK_BUILD_TESTS=OFF -DXNNPACK_BUILD_BENCHMARKS=OFF -DXNNPACK_BUILD_ALL_MICROKERNELS=OFF \
        -DXNNPACK_LIBRARY_TYPE=static -DCPUINFO_SOURCE_DIR="$(dep_dir cpuinfo)" \
        -DPTHREADPOOL_SOURCE_DIR="$(dep_dir pthreadpool)" -DFXDIV_SOURCE_DIR="$(dep_dir fxdiv)" \
        > "$build/configure.log" 2>&1 || die "$fl configure failed, see $build/configure.log" ;;
    wasm-st|wasm-mt)
      command -v emcmake >/dev/null || die "emcmake not found (apt-get install emscripten)"
      local thr=OFF; [ "$fl" = wasm-mt ] && thr=ON
      nice -n 10 emcmake cmake -S "$HERE/cmake/xnnwasm" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DDEPS="$SRC" -DEMSCRIPTEN_SYSTEM_PROCESSOR=wasm -DXNN_WASM_THREADS=$thr \
        > "$build/configure.log" 2>&1 || die "$fl configure failed, see $build/configure.log" ;;
  esac
  log "$fl: building with -j$JOBS (log: $build/build.log)"
  nice -n 10 ninja -C "$build" -j"$JOBS" XNNPACK > "$build/build.log" 2>&1 \
    || { tail -20 "$build/build.log" >&2; die "$fl build failed, see $build/build.log"; }
  install_flavour "$build" "$out"
  rm -rf "$build"          # ~1 GB of objects; the stamp makes re-runs skip this flavour anyway
  touch "$out/.done"
  log "$fl: done in $((SECONDS - t0)) s -> $out"
}

fetch_sources
for fl in "${FLAVOURS[@]}"; do build_flavour "$fl"; done
