// Shared by the libFuzzer targets: the rule every entry point must keep — only ptrm::Error may leave it — and a
// tiny byte reader for the structure-aware targets (no dependency on clang's FuzzedDataProvider header layout).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>

#include "ptrm/errors.h"

namespace ptrm::fuzz {

// A finding: print it and abort so libFuzzer saves the input as a crash.
[[noreturn]] inline void finding(const std::string& what) {
  std::fprintf(stderr, "FUZZ FINDING: %s\n", what.c_str());
  std::abort();
}

#define PTRM_FUZZ_CHECK(cond, what)                                         \
  do {                                                                      \
    if (!(cond)) ::ptrm::fuzz::finding(std::string(what) + " (" #cond ")"); \
  } while (0)

// Runs fn; a ptrm::Error is an accepted outcome (returns false), anything else escaping is a finding.
template <class Fn>
bool only_ptrm_errors(const char* entry, Fn&& fn) {
  try {
    fn();
    return true;
  } catch (const ptrm::Error&) {
    return false;
  } catch (const std::exception& e) {
    finding(std::string(entry) + " threw a non-ptrm exception: " + e.what());
  } catch (...) {
    finding(std::string(entry) + " threw a non-exception");
  }
}

// Consumes bytes front to back; past the end every read returns 0 / empty.
class Bytes {
 public:
  Bytes(const uint8_t* data, size_t size) : p_(data), n_(size) {}
  uint8_t u8() { return n_ ? (--n_, *p_++) : 0; }
  uint32_t u32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = v << 8 | u8();
    return v;
  }
  uint64_t u64() { return static_cast<uint64_t>(u32()) << 32 | u32(); }
  int range(int lo, int hi) { return lo + static_cast<int>(u32() % static_cast<uint32_t>(hi - lo + 1)); }
  bool flag() { return u8() & 1; }
  template <class T, size_t N>
  const T& pick(const T (&choices)[N]) {
    return choices[u8() % N];
  }
  std::string_view rest() {
    std::string_view r(reinterpret_cast<const char*>(p_), n_);
    p_ += n_;
    n_ = 0;
    return r;
  }
  size_t left() const { return n_; }

 private:
  const uint8_t* p_;
  size_t n_;
};

}  // namespace ptrm::fuzz
