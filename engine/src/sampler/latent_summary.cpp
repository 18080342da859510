// The 32-float latent summary of a row's zH that step events carry for PCA plots: a fixed Johnson–Lindenstrauss
// projection with hash-based signs, identical on every platform.
#include <cmath>
#include <cstdint>

#include "ptrm/sampler.h"

namespace ptrm {
namespace {

// Murmur3's finaliser: a bijective, well-mixed 32-bit hash; bit j of hash(i) is the JL sign of (i, j).
uint32_t mix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85EBCA6Bu;
  h ^= h >> 13;
  h *= 0xC2B2AE35u;
  h ^= h >> 16;
  return h;
}

}  // namespace

void latent_summary(const float* zH, size_t n, float out[32]) {
  float acc[32] = {};
  for (size_t i = 0; i < n; ++i) {
    const uint32_t h = mix32(static_cast<uint32_t>(i) * 0x9E3779B9u + 0x7F4A7C15u);
    for (int j = 0; j < 32; ++j) acc[j] += ((h >> j) & 1u) ? -zH[i] : zH[i];
  }
  const float scale = 1.0f / std::sqrt(static_cast<float>(n));
  for (int j = 0; j < 32; ++j) out[j] = acc[j] * scale;
}

}  // namespace ptrm
