// Counter-based randomness for PTRM noise: Philox4x32-10 + Box-Muller, keyed by (seed, traj, step, elem) so any
// noise value can be recomputed independently of batching and threads, bit-identically on native and wasm
// (docs/design.md "RNG").
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace ptrm {

// Philox4x32 with 10 rounds (Salmon et al., Random123).
std::array<uint32_t, 4> philox4x32_10(std::array<uint32_t, 4> counter, std::array<uint32_t, 2> key);

// The 4 normals of one Philox block: counter = (block, traj, step, "ptr1"), key = seed halves.
std::array<float, 4> normal4(uint64_t seed, uint32_t traj, uint32_t step, uint32_t block);

// Standard normal for element `elem` = normal4(seed, traj, step, elem / 4)[elem % 4].
float normal(uint64_t seed, uint32_t traj, uint32_t step, uint32_t elem);

// x[i] += sigma * normal(seed, traj, step, i) for i < n, computing each Philox block once.
// n must be < 2^32 (elements are addressed with uint32).
void add_normal(float* x, size_t n, float sigma, uint64_t seed, uint32_t traj, uint32_t step);

// Portable elementary functions used by Box-Muller (exposed for accuracy tests). Plain double arithmetic only,
// no libm, so results are identical on every IEEE platform when compiled without FMA contraction.
namespace portable {
double log(double x);  // natural log for finite x > 0 (normal range)
// sin(2*pi*t) and cos(2*pi*t), |t| <= 2^20. Reducing in turns first is exact, so only the final
// quarter-turn angle is rounded.
void sincos_turns(double t, double* s, double* c);
}  // namespace portable

}  // namespace ptrm
