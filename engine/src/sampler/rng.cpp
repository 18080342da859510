// Philox4x32-10 + Box-Muller with self-contained log/sin/cos. Compiled with -ffp-contract=off (CMakeLists.txt):
// only correctly rounded IEEE operations (+ - * / sqrt, floor) are used, so native and wasm agree bit for bit.
#include "ptrm/rng.h"

#include <bit>
#include <cmath>

#include "ptrm/errors.h"

namespace ptrm {
namespace {

constexpr uint32_t kPhiloxM0 = 0xD2511F53u, kPhiloxM1 = 0xCD9E8D57u;
constexpr uint32_t kPhiloxW0 = 0x9E3779B9u, kPhiloxW1 = 0xBB67AE85u;
constexpr uint32_t kStreamTag = 0x70747231u;  // "ptr1": separates this use of Philox from any other

// Series coefficients, highest degree first, for horner(): (atanh(s)/s - 1)/s² as a polynomial in s², and
// (sin(r)/r - 1)/r² and (1 - cos r)/r² in r². Each truncation error is stated where the series is used.
constexpr double kAtanh[] = {1.0 / 23, 1.0 / 21, 1.0 / 19, 1.0 / 17, 1.0 / 15, 1.0 / 13,
                             1.0 / 11, 1.0 / 9,  1.0 / 7,  1.0 / 5,  1.0 / 3};
constexpr double kSin[] = {1.0 / 355687428096000.0, -1.0 / 1307674368000.0, 1.0 / 6227020800.0, -1.0 / 39916800.0,
                           1.0 / 362880.0,          -1.0 / 5040.0,          1.0 / 120.0,        -1.0 / 6.0};
constexpr double kCos[] = {1.0 / 6402373705728000.0,
                           -1.0 / 20922789888000.0,
                           1.0 / 87178291200.0,
                           -1.0 / 479001600.0,
                           1.0 / 3628800.0,
                           -1.0 / 40320.0,
                           1.0 / 720.0,
                           -1.0 / 24.0,
                           0.5};

// ((c[0]·x + c[1])·x + c[2])·x + ...: one multiply and one add per coefficient, in this order on every platform.
template <size_t N>
double horner(double x, const double (&c)[N]) {
  double p = c[0];
  for (size_t i = 1; i < N; ++i) p = p * x + c[i];
  return p;
}

}  // namespace

std::array<uint32_t, 4> philox4x32_10(std::array<uint32_t, 4> c, std::array<uint32_t, 2> k) {
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k[0] += kPhiloxW0;
      k[1] += kPhiloxW1;
    }
    uint64_t p0 = static_cast<uint64_t>(kPhiloxM0) * c[0];
    uint64_t p1 = static_cast<uint64_t>(kPhiloxM1) * c[2];
    c = {static_cast<uint32_t>(p1 >> 32) ^ c[1] ^ k[0], static_cast<uint32_t>(p1),
         static_cast<uint32_t>(p0 >> 32) ^ c[3] ^ k[1], static_cast<uint32_t>(p0)};
  }
  return c;
}

namespace portable {

double log(double x) {
  // x = m * 2^e with m in [sqrt(1/2), sqrt(2)); log(m) = 2 atanh(s), s = (m-1)/(m+1), |s| <= 0.1716.
  uint64_t bits = std::bit_cast<uint64_t>(x);
  int e = static_cast<int>((bits >> 52) & 0x7FF) - 1023;
  double m = std::bit_cast<double>((bits & 0x000FFFFFFFFFFFFFull) | 0x3FF0000000000000ull);
  if (m > 1.4142135623730951) {
    m *= 0.5;
    ++e;
  }
  double s = (m - 1.0) / (m + 1.0);
  double s2 = s * s;
  // atanh series to s^23: the first omitted term is below 2^-60 relative.
  double p = horner(s2, kAtanh);
  double log_m = 2.0 * s + 2.0 * s * s2 * p;
  // ln 2 split so that e * kLn2Hi is exact for |e| < 2^11.
  constexpr double kLn2Hi = 6.93147180369123816490e-01;
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  return e * kLn2Hi + (log_m + e * kLn2Lo);
}

void sincos_turns(double t, double* s, double* c) {
  // Quarter-turn reduction: f = t - k/4 is exact, |f| <= 1/8, so r = 2*pi*f lies in [-pi/4, pi/4].
  double k = std::floor(4.0 * t + 0.5);
  double f = t - 0.25 * k;
  constexpr double kTwoPiHi = 6.28318530717958623200e+00;  // nearest double to 2*pi
  constexpr double kTwoPiLo = 2.44929359829470635445e-16;  // 2*pi - kTwoPiHi
  double r = f * kTwoPiHi + f * kTwoPiLo;
  double r2 = r * r;
  // Taylor series; the first omitted terms (r^19/19!, r^20/20!) are below 1e-18 on [-pi/4, pi/4].
  double sin_r = r + r * r2 * horner(r2, kSin);
  double cos_r = 1.0 - r2 * horner(r2, kCos);
  // Rotate by k quarter turns.
  switch (static_cast<int64_t>(k) & 3) {
    case 0:
      *s = sin_r;
      *c = cos_r;
      break;
    case 1:
      *s = cos_r;
      *c = -sin_r;
      break;
    case 2:
      *s = -sin_r;
      *c = -cos_r;
      break;
    default:
      *s = -cos_r;
      *c = sin_r;
      break;
  }
}

}  // namespace portable

std::array<float, 4> normal4(uint64_t seed, uint32_t traj, uint32_t step, uint32_t block) {
  std::array<uint32_t, 4> x =
      philox4x32_10({block, traj, step, kStreamTag}, {static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)});
  // u in (0, 1) exactly representable: never 0, so log(u) is finite.
  double u[4];
  for (int i = 0; i < 4; ++i) u[i] = (static_cast<double>(x[i]) + 0.5) * 0x1p-32;
  std::array<float, 4> n;
  for (int pair = 0; pair < 2; ++pair) {
    double radius = std::sqrt(-2.0 * portable::log(u[2 * pair]));
    double s, c;
    portable::sincos_turns(u[2 * pair + 1], &s, &c);
    n[2 * pair] = static_cast<float>(radius * c);
    n[2 * pair + 1] = static_cast<float>(radius * s);
  }
  return n;
}

float normal(uint64_t seed, uint32_t traj, uint32_t step, uint32_t elem) {
  return normal4(seed, traj, step, elem / 4)[elem % 4];
}

void add_normal(float* x, size_t n, float sigma, uint64_t seed, uint32_t traj, uint32_t step) {
  // uint64_t: on wasm32 size_t is 32 bits and shifting it by 32 is undefined.
  if (uint64_t{n} > (uint64_t{1} << 32)) throw Error(ErrorKind::Internal, "add_normal: more than 2^32 elements");
  for (size_t base = 0; base < n; base += 4) {
    std::array<float, 4> z = normal4(seed, traj, step, static_cast<uint32_t>(base / 4));
    size_t m = n - base < 4 ? n - base : 4;
    for (size_t j = 0; j < m; ++j) x[base + j] += sigma * z[j];
  }
}

}  // namespace ptrm
