// Force-included into every wasm translation unit (wasm/CMakeLists.txt): Emscripten 3.1.6's libc++ has <bit> but
// not std::bit_cast (C++20), which the engine uses. clang's builtin does the same thing; native builds never see
// this file.
#pragma once
#include <bit>
#include <version>

#if !defined(__cpp_lib_bit_cast)
namespace std {
template <class To, class From>
constexpr To bit_cast(const From& from) noexcept {
  static_assert(sizeof(To) == sizeof(From), "bit_cast needs equal sizes");
  return __builtin_bit_cast(To, from);
}
}  // namespace std
#endif
