# shellcheck shell=bash
# Shared by scripts/bench.sh, bench_wasm.sh and bench_threads.sh (sourced): the header every figure needs, the
# bench models and their ONNX exports, and the busy-sibling load generator.

# CPU model, ISA, cores available to this process (affinity, cgroup quota), load average, date.
bench_header() {
  local model flags isa quota
  model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
  flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
  isa=""
  for f in avx512f avx512bw avx512vl avx512_vnni avx512_bf16 avx_vnni avx2 fma; do
    case $flags in *" $f "*) isa+="${isa:+ }$f" ;; esac
  done
  quota=$(cat /sys/fs/cgroup/cpu.max 2>/dev/null || echo "n/a")
  echo "# $(date -u +%FT%TZ); CPU: $model; ISA: ${isa:-none of avx2/fma/avx512}; $(nproc) CPUs available" \
       "(nproc; cgroup cpu.max: $quota); load average $(cut -d' ' -f1-3 /proc/loadavg); busy loops: ${BUSY:-0}"
}

# Writes bench-<config>.safetensors (ptrm bench --save-weights) and, when the ORT peers are wanted, the ONNX
# export of the same weights with its parity file (training/export_onnx.py) into DIR.
prepare_models() {
  local ptrm=$1 dir=$2 configs=$3 c
  mkdir -p "$dir"
  "$ptrm" bench --threads 1 --k 1 --steps 1 --config "$configs" --no-gemm --save-weights "$dir" --json > /dev/null
  for c in ${configs//,/ }; do
    if [ ! -f "$dir/bench-$c.onnx" ] || [ "$dir/bench-$c.safetensors" -nt "$dir/bench-$c.onnx" ]; then
      echo "# exporting $dir/bench-$c.onnx" >&2
      /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/../training/export_onnx.py" "$dir/bench-$c.safetensors" \
        "$dir/bench-$c.onnx" --parity "$dir/bench-$c.parity.bin" 2>/dev/null >&2
    fi
  done
}

# N busy-loop processes (plain shell loops, niced like nothing: a foreground app competing for the cores).
BUSY_PIDS=()
start_busy() {
  local n=$1 i
  for ((i = 0; i < n; i++)); do
    sh -c 'while :; do :; done' &
    BUSY_PIDS+=($!)
  done
  [ "$n" -gt 0 ] && trap stop_busy EXIT
  return 0
}
stop_busy() {
  local p
  for p in "${BUSY_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  BUSY_PIDS=()
}
