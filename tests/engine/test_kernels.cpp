// Kernels against naive double-precision references, and their independence from the thread count.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "kernels/kernels.h"
#include "ptrm/errors.h"
#include "ptrm/threadpool.h"

namespace {

using ptrm::ThreadPool;

std::vector<float> randn(size_t n, uint32_t seed, float scale = 1.0f) {
  std::mt19937 g(seed);
  std::normal_distribution<float> d(0.0f, scale);
  std::vector<float> v(n);
  for (float& x : v) x = d(g);
  return v;
}

double max_abs_diff(const std::vector<float>& a, const std::vector<double>& b) {
  double m = 0;
  for (size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(static_cast<double>(a[i]) - b[i]));
  return m;
}

TEST(Kernels, LinearMatchesNaiveGemmWithAndWithoutBias) {
  const int M = 37, in = 53, out = 29;
  const auto x = randn(static_cast<size_t>(M) * in, 1), w = randn(static_cast<size_t>(out) * in, 2), b = randn(out, 3);
  for (int threads : {1, 2})
    for (bool bias : {false, true}) {
      ThreadPool pool(threads, /*oversubscribe=*/true);
      ptrm::Linear lin(w.data(), bias ? b.data() : nullptr, in, out);
      lin.reshape(M, pool);
      std::vector<float> y(static_cast<size_t>(M) * out);
      lin.run(x.data(), y.data());
      std::vector<double> ref(y.size());
      for (int m = 0; m < M; ++m)
        for (int o = 0; o < out; ++o) {
          double acc = bias ? b[o] : 0.0;
          for (int k = 0; k < in; ++k) acc += static_cast<double>(x[m * in + k]) * w[o * in + k];
          ref[m * out + o] = acc;
        }
      EXPECT_LT(max_abs_diff(y, ref), 1e-5) << "threads " << threads << " bias " << bias;
    }
}

TEST(Kernels, LinearReshapesToNewRowCounts) {
  const int in = 16, out = 8;
  const auto w = randn(out * in, 4), x = randn(5 * in, 5);
  ThreadPool pool(1);
  ptrm::Linear lin(w.data(), nullptr, in, out);
  std::vector<float> y5(5 * out), y1(out);
  lin.reshape(5, pool);
  lin.run(x.data(), y5.data());
  lin.reshape(1, pool);
  lin.run(x.data() + 2 * in, y1.data());
  for (int o = 0; o < out; ++o) EXPECT_FLOAT_EQ(y1[o], y5[2 * out + o]);
}

TEST(Kernels, AddRmsnormMatchesNaive) {
  for (int width : {5, 32, 97, 512}) {
    const int rows = 7;
    auto h = randn(static_cast<size_t>(rows) * width, 6, 3.0f);
    const auto d = randn(h.size(), 7);
    std::vector<double> ref(h.size());
    for (int r = 0; r < rows; ++r) {
      double ss = 0;
      for (int i = 0; i < width; ++i) {
        const double v = static_cast<double>(h[r * width + i]) + d[r * width + i];
        ss += v * v;
      }
      const double s = 1.0 / std::sqrt(ss / width + 1e-5);
      for (int i = 0; i < width; ++i)
        ref[r * width + i] = (static_cast<double>(h[r * width + i]) + d[r * width + i]) * s;
    }
    ThreadPool pool(1);
    ptrm::add_rmsnorm(pool, h.data(), d.data(), rows, width, 1e-5f);
    EXPECT_LT(max_abs_diff(h, ref), 2e-6) << "width " << width;
  }
}

TEST(Kernels, SwigluMatchesNaiveOverWideRange) {
  const int rows = 3, inter = 300;
  auto gu = randn(static_cast<size_t>(rows) * 2 * inter, 8, 6.0f);
  gu[0] = -100.0f;  // saturated tails
  gu[1] = 100.0f;
  gu[2] = 0.0f;
  std::vector<float> out(static_cast<size_t>(rows) * inter);
  ThreadPool pool(1);
  ptrm::swiglu(pool, gu.data(), out.data(), rows, inter);
  for (int r = 0; r < rows; ++r)
    for (int i = 0; i < inter; ++i) {
      const double g = gu[r * 2 * inter + i], u = gu[r * 2 * inter + inter + i];
      const double ref = g / (1.0 + std::exp(-g)) * u;
      EXPECT_NEAR(out[r * inter + i], ref, 1e-6 * (1.0 + std::abs(ref))) << "g " << g;
    }
}

TEST(Kernels, InjectionAddsInReferenceOrder) {
  ThreadPool pool(1);
  std::vector<float> h = {1.0f, 1.0f}, a = {2.0f, 1e8f}, b = {3.0f, -1e8f};
  ptrm::add_injection(pool, h.data(), a.data(), b.data(), 2);
  EXPECT_EQ(h[0], 6.0f);
  EXPECT_EQ(h[1], 1.0f);  // h + (a + b); (h + a) + b would lose h to rounding and give 0
  ptrm::add_injection(pool, h.data(), a.data(), nullptr, 1);
  EXPECT_EQ(h[0], 8.0f);
}

TEST(Kernels, TransposeAndEmbedding) {
  const int B = 2, R = 19, C = 37;
  const auto x = randn(static_cast<size_t>(B) * R * C, 9);
  std::vector<float> y(x.size());
  ThreadPool pool(2, /*oversubscribe=*/true);
  ptrm::transpose(pool, x.data(), y.data(), B, R, C);
  for (int b = 0; b < B; ++b)
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < C; ++c) ASSERT_EQ(y[(b * C + c) * R + r], x[(b * R + r) * C + c]);
  const std::vector<int32_t> ids = {3, 0, 3};
  const auto table = randn(4 * 5, 10);
  std::vector<float> e(3 * 5);
  ptrm::embedding(table.data(), 5, ids.data(), 3, e.data());
  for (int t = 0; t < 3; ++t)
    for (int i = 0; i < 5; ++i) EXPECT_EQ(e[t * 5 + i], table[ids[t] * 5 + i]);
}

TEST(Kernels, RopeTablesFollowReferenceFormula) {
  const ptrm::RopeTables t(97, 64, 10000.0f);
  for (int s : {0, 1, 50, 96})
    for (int i = 0; i < 32; ++i) {
      const double angle = s * std::pow(10000.0, -2.0 * i / 64);
      EXPECT_NEAR(t.cos[s * 64 + i], std::cos(angle), 2e-5);
      EXPECT_EQ(t.cos[s * 64 + i], t.cos[s * 64 + i + 32]);
      EXPECT_NEAR(t.sin[s * 64 + i + 32], std::sin(angle), 2e-5);
    }
}

// Naive attention in double: RoPE rotate-half, softmax(q kᵀ / sqrt(hd)) v per row and head.
std::vector<double> naive_attention(const std::vector<float>& qkv_in, int rows, int seq, int heads, int hd,
                                    const ptrm::RopeTables* rope) {
  const int D = heads * hd;
  std::vector<double> qkv(qkv_in.begin(), qkv_in.end()), out(static_cast<size_t>(rows) * seq * D);
  if (rope)
    for (int r = 0; r < rows; ++r)
      for (int s = 0; s < seq; ++s)
        for (int part = 0; part < 2; ++part)
          for (int h = 0; h < heads; ++h) {
            double* x = qkv.data() + (static_cast<size_t>(r) * seq + s) * 3 * D + part * D + h * hd;
            std::vector<double> y(hd);
            for (int i = 0; i < hd; ++i) {
              const double rot = i < hd / 2 ? -x[i + hd / 2] : x[i - hd / 2];
              y[i] = x[i] * rope->cos[s * hd + i] + rot * rope->sin[s * hd + i];
            }
            std::copy(y.begin(), y.end(), x);
          }
  for (int r = 0; r < rows; ++r)
    for (int h = 0; h < heads; ++h)
      for (int i = 0; i < seq; ++i) {
        const double* q = qkv.data() + (static_cast<size_t>(r) * seq + i) * 3 * D + h * hd;
        std::vector<double> p(seq);
        double m = -1e300, sum = 0;
        for (int j = 0; j < seq; ++j) {
          const double* k = qkv.data() + (static_cast<size_t>(r) * seq + j) * 3 * D + D + h * hd;
          double dot = 0;
          for (int d = 0; d < hd; ++d) dot += q[d] * k[d];
          p[j] = dot / std::sqrt(static_cast<double>(hd));
          m = std::max(m, p[j]);
        }
        for (int j = 0; j < seq; ++j) sum += (p[j] = std::exp(p[j] - m));
        for (int d = 0; d < hd; ++d) {
          double acc = 0;
          for (int j = 0; j < seq; ++j)
            acc += p[j] * qkv[(static_cast<size_t>(r) * seq + j) * 3 * D + 2 * D + h * hd + d];
          out[(static_cast<size_t>(r) * seq + i) * D + h * hd + d] = acc / sum;
        }
      }
  return out;
}

struct AttnCase {
  int rows, seq, heads, hd;
  bool rope;
};

TEST(Kernels, AttentionMatchesNaive) {
  for (const AttnCase& c : {AttnCase{2, 13, 2, 8, false}, AttnCase{1, 97, 4, 8, true}, AttnCase{2, 97, 2, 64, true},
                            AttnCase{1, 30, 3, 6, true}}) {
    const int D = c.heads * c.hd;
    const auto qkv0 = randn(static_cast<size_t>(c.rows) * c.seq * 3 * D, 11, 2.0f);
    const ptrm::RopeTables rope(c.seq, c.hd, 10000.0f);
    const auto ref = naive_attention(qkv0, c.rows, c.seq, c.heads, c.hd, c.rope ? &rope : nullptr);
    std::vector<float> first;
    for (int threads : {1, 2}) {
      ThreadPool pool(threads, /*oversubscribe=*/true);
      auto qkv = qkv0;
      std::vector<float> out(static_cast<size_t>(c.rows) * c.seq * D);
      ptrm::attention(pool, qkv.data(), out.data(), c.rows, c.seq, c.heads, c.hd, c.rope ? &rope : nullptr);
      EXPECT_LT(max_abs_diff(out, ref), 2e-5) << "seq " << c.seq << " hd " << c.hd << " threads " << threads;
      if (first.empty()) first = out;
      else EXPECT_EQ(first, out) << "thread count changed the bits";
    }
  }
}

TEST(Kernels, ThreadPoolCoversEveryIndexOnce) {
  ThreadPool pool(2, /*oversubscribe=*/true);
  std::vector<int> hits(1000, 0);
  pool.parallel_for(hits.size(), 7, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) ++hits[i];
  });
  for (int h : hits) ASSERT_EQ(h, 1);
  EXPECT_EQ(pool.threads(), 2);
  EXPECT_EQ(ThreadPool(1).threads(), 1);
}

// Thread counts above the CPUs this process can use are clamped (issue 12 fault 5: `--threads 256` made one step
// take 100x longer); 0 means all of them; oversubscribe keeps the exact count. No timing: counts only.
TEST(Kernels, ThreadPoolClampsToAvailableCpus) {
  const int cpus = ptrm::available_cpus();
  ASSERT_GE(cpus, 1);
  ThreadPool many(256);
  EXPECT_EQ(many.threads(), std::min(cpus, 256));
  EXPECT_EQ(many.requested(), 256);
  EXPECT_EQ(ThreadPool(0).threads(), cpus);
  EXPECT_EQ(ThreadPool(cpus + 1, /*oversubscribe=*/true).threads(), cpus + 1);
  EXPECT_THROW(ThreadPool(257), ptrm::Error);
}

TEST(Kernels, CgroupCpuMaxQuota) {
  EXPECT_EQ(ptrm::cpu_max_quota("max 100000\n"), 0);
  EXPECT_EQ(ptrm::cpu_max_quota("200000 100000\n"), 2);
  EXPECT_EQ(ptrm::cpu_max_quota("150000 100000"), 2);  // 1.5 CPUs: a second thread still gets half a core
  EXPECT_EQ(ptrm::cpu_max_quota("50000 100000"), 1);
  EXPECT_EQ(ptrm::cpu_max_quota("-1 100000"), 0);  // cgroup v1 "no limit"
  EXPECT_EQ(ptrm::cpu_max_quota(""), 0);
  EXPECT_EQ(ptrm::cpu_max_quota("12x 100000"), 0);
  EXPECT_EQ(ptrm::cpu_max_quota("100000 0"), 0);
}

}  // namespace
