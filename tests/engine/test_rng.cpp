#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <numbers>
#include <vector>

#include "ptrm/rng.h"

using namespace ptrm;

namespace {
uint32_t bits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}
}  // namespace

// Random123 kat_vectors, "philox4x32 10" lines: counter, key -> output.
TEST(Philox, Random123KnownAnswers) {
  using A4 = std::array<uint32_t, 4>;
  EXPECT_EQ(philox4x32_10({0, 0, 0, 0}, {0, 0}), (A4{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}));
  EXPECT_EQ(philox4x32_10({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff}),
            (A4{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}));
  EXPECT_EQ(philox4x32_10({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0}),
            (A4{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}));
}

// The same numbers are asserted by the wasm build's Jest test: any change here breaks native/wasm agreement.
// Cross-checked against an independent Python Philox + libm Box-Muller (identical to the last float bit).
TEST(Normal, GoldenValuesSeed1234Traj3Step5) {
  const uint32_t golden[8] = {0xbfa78a48, 0xbfc3be8c, 0xbf90d86a, 0xbf976b82,
                              0x3f615d75, 0x3fb0672d, 0xbf8d56bc, 0x3f4d1d06};
  for (uint32_t e = 0; e < 8; ++e) EXPECT_EQ(bits(normal(1234, 3, 5, e)), golden[e]) << "elem " << e;
  EXPECT_FLOAT_EQ(normal(1234, 3, 5, 0), -1.30890751f);
}

TEST(Normal, AgreesWithLibmBoxMuller) {
  // Same construction with the platform libm; the portable functions may differ from libm only far below
  // float resolution, so at most 1 float ulp after rounding.
  int differing = 0;
  for (uint32_t block = 0; block < 50000; ++block) {
    auto x = philox4x32_10({block, 7, 11, 0x70747231u}, {99, 0});
    std::array<float, 4> n = normal4(99, 7, 11, block);
    for (int p = 0; p < 2; ++p) {
      double u0 = (x[2 * p] + 0.5) * 0x1p-32, u1 = (x[2 * p + 1] + 0.5) * 0x1p-32;
      double r = std::sqrt(-2.0 * std::log(u0)), a = 2.0 * std::numbers::pi * u1;
      float ref[2] = {static_cast<float>(r * std::cos(a)), static_cast<float>(r * std::sin(a))};
      for (int k = 0; k < 2; ++k) {
        float got = n[2 * p + k];
        if (got != ref[k]) {
          ++differing;
          ASSERT_LE(std::abs(static_cast<int64_t>(bits(got)) - static_cast<int64_t>(bits(ref[k]))), 1)
              << got << " vs " << ref[k];
        }
      }
    }
  }
  EXPECT_LE(differing, 20);  // of 200000 values (0 measured with glibc)
}

TEST(Portable, LogAndSinCosAreAccurate) {
  double worst_log = 0, worst_trig = 0;
  for (int i = 1; i <= 200000; ++i) {
    double u = (i - 0.5) / 200000.0;
    double x = u * u * u * 1e3 + 1e-300 * i;  // spans tiny to large arguments
    worst_log = std::max(worst_log, std::abs(portable::log(x) - std::log(x)) / std::max(1.0, std::abs(std::log(x))));
    double s, c;
    portable::sincos_turns(u, &s, &c);
    double a = 2.0 * std::numbers::pi * u;
    worst_trig = std::max({worst_trig, std::abs(s - std::sin(a)), std::abs(c - std::cos(a))});
  }
  EXPECT_LT(worst_log, 4e-16);
  EXPECT_LT(worst_trig, 2e-15);  // dominated by the rounding of 2*pi*u in the libm reference itself
  EXPECT_EQ(portable::log(1.0), 0.0);
  double s, c;
  portable::sincos_turns(0.25, &s, &c);
  EXPECT_EQ(s, 1.0);
  EXPECT_EQ(c, 0.0);
}

TEST(Normal, DistributionMoments) {
  const int n = 1000000;
  std::vector<float> x(n, 0.0f);
  add_normal(x.data(), x.size(), 1.0f, 42, 0, 0);
  double m1 = 0, m2 = 0, m4 = 0;
  int within1 = 0;
  for (float v : x) {
    m1 += v;
    m2 += double(v) * v;
    m4 += double(v) * v * v * v;
    within1 += std::abs(v) < 1.0f;
  }
  m1 /= n, m2 /= n, m4 /= n;
  // Tolerances are ~5 standard errors for 1e6 samples.
  EXPECT_NEAR(m1, 0.0, 0.005);
  EXPECT_NEAR(m2, 1.0, 0.007);
  EXPECT_NEAR(m4, 3.0, 0.05);
  EXPECT_NEAR(within1 / double(n), 0.682689, 0.0025);
}

TEST(Normal, AddNormalMatchesPerElementAndScales) {
  for (size_t n : {size_t{0}, size_t{1}, size_t{3}, size_t{4}, size_t{5}, size_t{1027}}) {
    std::vector<float> x(n, 1.0f);
    add_normal(x.data(), n, 0.5f, 77, 2, 9);
    for (size_t i = 0; i < n; ++i)
      ASSERT_EQ(x[i], 1.0f + 0.5f * normal(77, 2, 9, static_cast<uint32_t>(i))) << "n=" << n << " i=" << i;
  }
  std::vector<float> y = {1.5f, -2.0f, 3.25f};
  add_normal(y.data(), y.size(), 0.0f, 1, 1, 1);
  EXPECT_EQ(y, (std::vector<float>{1.5f, -2.0f, 3.25f}));
}

TEST(Normal, StreamsAreKeyedBySeedTrajStepElem) {
  float base = normal(5, 1, 2, 3);
  EXPECT_NE(base, normal(6, 1, 2, 3));
  EXPECT_NE(base, normal(5 + (uint64_t{1} << 32), 1, 2, 3));  // the high seed word matters
  EXPECT_NE(base, normal(5, 0, 2, 3));
  EXPECT_NE(base, normal(5, 1, 3, 3));
  EXPECT_NE(base, normal(5, 1, 2, 7));
  EXPECT_EQ(base, normal(5, 1, 2, 3));
}
