#!/bin/bash
# One-time (idempotent) setup of everything ptrm needs on Debian 12: apt packages, the cached XNNPACK
# builds (scripts/xnnpack.sh) and the npm dev dependencies. Re-runs skip whatever is already in place.
# usage: bash scripts/setup.sh        (as root, or as a user with sudo for the apt step)
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
log() { echo "[setup] $*"; }
die() { echo "[setup] ERROR: $*" >&2; exit 1; }

# Why each package: toolchains (build-essential cmake ninja-build, emscripten for wasm), the browser for
# the e2e tests (chromium), C++ tests (libgtest-dev libgmock-dev), the Python reference/trainer/tests
# (python3-*; torch falls back to a 10x slower reference BLAS without libopenblas0-pthread),
# xz-utils + python3 for unpacking and configuring XNNPACK, clang-format and shellcheck for the lint stage, and
# clang + its runtime libraries (ASan, UBSan, libFuzzer: libclang-rt-14-dev) for the sanitize and fuzz stages.
PKGS=(build-essential cmake ninja-build emscripten chromium libgtest-dev libgmock-dev clang-format clang shellcheck
      libclang-rt-14-dev
      python3 python3-torch python3-numpy python3-pytest python3-yaml libopenblas0-pthread xz-utils)
# node/npm may come from elsewhere (this machine kind has a nodesource node 20): only ask Debian if absent.
command -v node >/dev/null || PKGS+=(nodejs)
command -v npm >/dev/null || PKGS+=(npm)

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root (or sudo) for: $*"; fi
}

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  # Lock timeout: another apt run on the same box should make us wait, not fail.
  as_root apt-get -o DPkg::Lock::Timeout=900 update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq "${missing[@]}" >/dev/null
else
  log "apt packages: all present"
fi

CACHE=${PTRM_CACHE:-/var/cache/ptrm}
if ! mkdir -p "$CACHE" 2>/dev/null || [ ! -w "$CACHE" ]; then
  as_root install -d -o "$(id -u)" -g "$(id -g)" "$CACHE"
fi
bash "$REPO/scripts/xnnpack.sh"

# npm ci wipes node_modules every time; remember which lock file it installed so re-runs are instant.
cd "$REPO"
if [ -f package-lock.json ]; then
  want=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ "$(cat node_modules/.ptrm-lock-sha256 2>/dev/null)" = "$want" ]; then
    log "npm: node_modules matches package-lock.json"
  else
    log "npm ci"
    # onnxruntime-node (a benchmark peer) bundles its CPU binaries; its install script would fetch CUDA ones from
    # outside the npm registry, which fails offline: skip that step.
    ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund
    echo "$want" > node_modules/.ptrm-lock-sha256
  fi
else
  log "npm install (no package-lock.json)"
  ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund
fi
log "done"
