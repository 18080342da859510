# Imported target ptrm::xnnpack from the cached XNNPACK build made by scripts/xnnpack.sh.
# The flavour follows the toolchain: native, or under Emscripten wasm-mt (PTRM_WASM_THREADS) / wasm-st.
# Cache root: -DPTRM_CACHE=... or the PTRM_CACHE environment variable, default /var/cache/ptrm.
if(NOT DEFINED PTRM_CACHE)
  if(DEFINED ENV{PTRM_CACHE})
    set(PTRM_CACHE "$ENV{PTRM_CACHE}")
  else()
    set(PTRM_CACHE "/var/cache/ptrm")
  endif()
endif()
set(PTRM_CACHE "${PTRM_CACHE}" CACHE PATH "root of the ptrm build cache (XNNPACK lives under it)")

if(EMSCRIPTEN)
  if(PTRM_WASM_THREADS)
    set(_xnn_flavour wasm-mt)
  else()
    set(_xnn_flavour wasm-st)
  endif()
else()
  set(_xnn_flavour native)
endif()
set(PTRM_XNNPACK_DIR "${PTRM_CACHE}/xnnpack-20241108/${_xnn_flavour}")

if(NOT EXISTS "${PTRM_XNNPACK_DIR}/.done")
  message(FATAL_ERROR "XNNPACK (${_xnn_flavour}) is not built: ${PTRM_XNNPACK_DIR}/.done is missing.\n"
    "Run:  bash scripts/xnnpack.sh ${_xnn_flavour}   (or scripts/setup.sh, which builds all flavours)\n"
    "with the same PTRM_CACHE (currently ${PTRM_CACHE}).")
endif()
message(STATUS "ptrm::xnnpack: ${_xnn_flavour} from ${PTRM_XNNPACK_DIR}")

# pthreadpool is rebuilt here from the cached source rather than taken from the XNNPACK build, for one change:
# its workers and its caller spin PTHREADPOOL_SPIN_WAIT_ITERATIONS (1,000,000) PAUSEs — ~25 ms on a Zen 5 core —
# before they sleep on a futex, at each of the ~340 fork-join points of a step. With another process busy on a
# sibling core that spin collapses 2 threads to 7-17x slower than 1 (../shared/docs/perf-notes.md). PTRM_POOL_SPIN
# bounds it (docs/benchmarks.md "Threads under load" measured the choice). The single-thread wasm flavour links
# pthreadpool's shim (no threads) and keeps the cached archive.
set(PTRM_POOL_SPIN 10000 CACHE STRING "pthreadpool spin-wait iterations before a worker/caller sleeps (upstream: 1000000)")
set(_xnn_pool_lib "")
if(NOT _xnn_flavour STREQUAL "wasm-st")
  file(GLOB _pool_src LIST_DIRECTORIES true "${PTRM_CACHE}/xnnpack-20241108/src/pthreadpool-*")
  file(GLOB _fxdiv_src LIST_DIRECTORIES true "${PTRM_CACHE}/xnnpack-20241108/src/fxdiv-*")
  if(NOT EXISTS "${_pool_src}/src/pthreads.c" OR NOT EXISTS "${_fxdiv_src}/include/fxdiv.h")
    message(FATAL_ERROR "pthreadpool/fxdiv sources missing under ${PTRM_CACHE}/xnnpack-20241108/src: run scripts/xnnpack.sh")
  endif()
  set(_pool_dir "${CMAKE_BINARY_DIR}/pthreadpool-src")
  file(GLOB _pool_files "${_pool_src}/src/*.c" "${_pool_src}/src/*.h")
  foreach(_f ${_pool_files})
    get_filename_component(_name "${_f}" NAME)
    if(NOT _name STREQUAL "threadpool-common.h")
      configure_file("${_f}" "${_pool_dir}/${_name}" COPYONLY)
    endif()
  endforeach()
  file(READ "${_pool_src}/src/threadpool-common.h" _common)
  set(_spin_line "#define PTHREADPOOL_SPIN_WAIT_ITERATIONS 1000000")
  string(FIND "${_common}" "${_spin_line}" _at)
  if(_at EQUAL -1)
    message(FATAL_ERROR "pthreadpool's threadpool-common.h no longer holds '${_spin_line}': update cmake/xnnpack.cmake")
  endif()
  string(REPLACE "${_spin_line}" "#define PTHREADPOOL_SPIN_WAIT_ITERATIONS ${PTRM_POOL_SPIN}" _common "${_common}")
  file(WRITE "${_pool_dir}/threadpool-common.h.new" "${_common}")
  configure_file("${_pool_dir}/threadpool-common.h.new" "${_pool_dir}/threadpool-common.h" COPYONLY)
  add_library(ptrm_pthreadpool STATIC "${_pool_dir}/portable-api.c" "${_pool_dir}/memory.c" "${_pool_dir}/pthreads.c"
                                      "${_pool_dir}/fastpath.c")
  target_include_directories(ptrm_pthreadpool PUBLIC "${PTRM_XNNPACK_DIR}/include"
                             PRIVATE "${_pool_dir}" "${_fxdiv_src}/include")
  target_compile_definitions(ptrm_pthreadpool PRIVATE PTHREADPOOL_USE_FASTPATH=1 _GNU_SOURCE=1
                             PUBLIC PTHREADPOOL_NO_DEPRECATED_API=1)
  set_target_properties(ptrm_pthreadpool PROPERTIES C_STANDARD 11 C_EXTENSIONS NO)
  target_compile_options(ptrm_pthreadpool PRIVATE -O2 $<$<BOOL:${EMSCRIPTEN}>:-pthread>)
  if(NOT EMSCRIPTEN)
    find_package(Threads REQUIRED)
    target_link_libraries(ptrm_pthreadpool PUBLIC Threads::Threads)
  endif()
  set(_xnn_pool_lib ptrm_pthreadpool)
endif()

# One library per archive so the link line keeps the dependency order
# XNNPACK -> microkernels-prod -> pthreadpool -> cpuinfo (static archives resolve left to right).
set(_xnn_prev "")
foreach(_xnn_lib cpuinfo pthreadpool microkernels-prod XNNPACK)
  set(_xnn_tgt "ptrm_xnn_${_xnn_lib}")
  if(_xnn_lib STREQUAL "pthreadpool" AND _xnn_pool_lib)
    target_link_libraries(${_xnn_pool_lib} PUBLIC ${_xnn_prev})
    set(_xnn_prev ${_xnn_pool_lib})
    continue()
  endif()
  if(NOT TARGET ${_xnn_tgt})
    add_library(${_xnn_tgt} STATIC IMPORTED)
    set_target_properties(${_xnn_tgt} PROPERTIES IMPORTED_LOCATION "${PTRM_XNNPACK_DIR}/lib/lib${_xnn_lib}.a")
    if(_xnn_prev)
      set_property(TARGET ${_xnn_tgt} PROPERTY INTERFACE_LINK_LIBRARIES ${_xnn_prev})
    endif()
  endif()
  set(_xnn_prev ${_xnn_tgt})
endforeach()

if(NOT TARGET ptrm::xnnpack)
  add_library(ptrm::xnnpack INTERFACE IMPORTED)
  set_target_properties(ptrm::xnnpack PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${PTRM_XNNPACK_DIR}/include")
  target_link_libraries(ptrm::xnnpack INTERFACE ptrm_xnn_XNNPACK)
  if(_xnn_flavour STREQUAL "wasm-mt")
    # The wasm-mt archives are built with -pthread and wasm-ld refuses to mix them with objects built
    # without it, so every consumer must compile and link with -pthread too.
    target_compile_options(ptrm::xnnpack INTERFACE -pthread)
    target_link_options(ptrm::xnnpack INTERFACE -pthread)
  elseif(NOT EMSCRIPTEN)
    find_package(Threads REQUIRED)
    target_link_libraries(ptrm::xnnpack INTERFACE Threads::Threads)
  endif()
endif()
