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

# One imported library per archive so the link line keeps the dependency order
# XNNPACK -> microkernels-prod -> pthreadpool -> cpuinfo (static archives resolve left to right).
set(_xnn_prev "")
foreach(_xnn_lib cpuinfo pthreadpool microkernels-prod XNNPACK)
  set(_xnn_tgt "ptrm_xnn_${_xnn_lib}")
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
