# The instruction set the engine's own kernels (attention, elementwise: plain C++ the compiler vectorises) are
# built for. XNNPACK picks its GEMM kernels at run time by itself, so only these loops depend on it.
#
#   -DPTRM_NATIVE_ARCH=auto      (default) detect the build machine's CPU family:
#                                  x86-64 with AVX2+FMA -> x86-64-v3; other x86-64 -> x86-64-v2 if SSE4.2, else x86-64;
#                                  other CPUs (ARM, RISC-V, ...) -> native when the compiler accepts it;
#                                  cross-compiling -> the compiler's default
#   -DPTRM_NATIVE_ARCH=<march>   e.g. x86-64 (any x86-64 CPU), x86-64-v3, native, armv8.2-a
#   -DPTRM_NATIVE_ARCH=none      the compiler's default
# The binary runs on the build machine and any CPU with the same features; pick a lower level for binaries that
# travel (x86-64 or x86-64-v2), at some cost in the attention/elementwise kernels (docs/benchmarks.md).
# Sets PTRM_ARCH_FLAGS.
include(CheckCXXCompilerFlag)
include(CheckCXXSourceRuns)

set(PTRM_NATIVE_ARCH "auto" CACHE STRING "-march of the engine's own kernels: auto | none | <march> (e.g. x86-64, x86-64-v3, native)")

set(_ptrm_arch "${PTRM_NATIVE_ARCH}")
if(_ptrm_arch STREQUAL "auto")
  string(TOLOWER "${CMAKE_SYSTEM_PROCESSOR}" _proc)
  if(CMAKE_CROSSCOMPILING)
    set(_ptrm_arch none)
  elseif(_proc MATCHES "^(x86_64|amd64|x64)$")
    # Ask the CPU (this runs at configure time on the build machine).
    check_cxx_source_runs("int main() { __builtin_cpu_init(); return __builtin_cpu_supports(\"avx2\") && __builtin_cpu_supports(\"fma\") ? 0 : 1; }"
                          PTRM_CPU_HAS_AVX2_FMA)
    if(PTRM_CPU_HAS_AVX2_FMA)
      set(_ptrm_arch x86-64-v3)
    else()
      check_cxx_source_runs("int main() { __builtin_cpu_init(); return __builtin_cpu_supports(\"sse4.2\") && __builtin_cpu_supports(\"popcnt\") ? 0 : 1; }"
                            PTRM_CPU_HAS_SSE42)
      set(_ptrm_arch x86-64)
      if(PTRM_CPU_HAS_SSE42)
        set(_ptrm_arch x86-64-v2)
      endif()
    endif()
  else()
    check_cxx_compiler_flag(-march=native PTRM_CXX_HAS_MARCH_NATIVE)
    if(PTRM_CXX_HAS_MARCH_NATIVE)
      set(_ptrm_arch native)
    else()
      set(_ptrm_arch none)
    endif()
  endif()
endif()

if(_ptrm_arch STREQUAL "none")
  set(PTRM_ARCH_FLAGS "")
else()
  set(PTRM_ARCH_FLAGS "-march=${_ptrm_arch}")
  string(MAKE_C_IDENTIFIER "PTRM_CXX_HAS_MARCH_${_ptrm_arch}" _ptrm_flag_var)
  check_cxx_compiler_flag("-march=${_ptrm_arch}" ${_ptrm_flag_var})
  if(NOT ${_ptrm_flag_var})
    message(FATAL_ERROR "PTRM_NATIVE_ARCH=${PTRM_NATIVE_ARCH}: the compiler rejects -march=${_ptrm_arch}")
  endif()
endif()
message(STATUS "ptrm: engine kernels built with ${PTRM_ARCH_FLAGS} (PTRM_NATIVE_ARCH=${PTRM_NATIVE_ARCH})")
