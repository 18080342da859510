// RoPE (rotate-half) and non-causal softmax attention on the fused qkv projection.
// Each (row, head) pair is one task: its q, k, v are gathered into padded contiguous tiles, scores for 4 queries
// at a time are computed with a 4x16 register tile, then softmax and P·V with another 4x16 tile. Work per head
// (S·hd floats of k and v) stays in L1/L2 even for Maze (S = 916).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "kernels/kernels.h"
#include "kernels/vexp.h"

namespace ptrm {
namespace {

constexpr int QB = 4;   // queries per tile
constexpr int NB = 16;  // keys (scores) or channels (output) per tile

int round_up(int x, int m) { return (x + m - 1) / m * m; }

// 8 fp32 lanes in GCC/clang vector syntax: one AVX register natively, two simd128 registers in wasm. Plain
// auto-vectorisation kept these tiles in memory (3 GFLOP/s); explicit vectors keep them in registers.
typedef float v8 __attribute__((vector_size(32)));
inline v8 load8(const float* p) {
  v8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store8(float* p, v8 v) { std::memcpy(p, &v, sizeof v); }

// Per-thread scratch, grown once; no allocation in steady state.
struct Scratch {
  std::vector<float> q, kt, v, p;
};

void head_attention(const float* qkv, float* out, int seq, int heads, int hd, int h, Scratch& sc) {
  const int D = heads * hd;
  const size_t ld = 3 * static_cast<size_t>(D);
  const int Sq = round_up(seq, QB), Sk = round_up(seq, NB), Dp = round_up(hd, NB);
  sc.q.assign(static_cast<size_t>(Sq) * Dp, 0.0f);
  sc.kt.assign(static_cast<size_t>(Dp) * Sk, 0.0f);
  sc.v.assign(static_cast<size_t>(Sk) * Dp, 0.0f);
  sc.p.resize(static_cast<size_t>(QB) * Sk);
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  for (int s = 0; s < seq; ++s) {
    const float* row = qkv + s * ld + static_cast<size_t>(h) * hd;
    for (int d = 0; d < hd; ++d) {
      sc.q[static_cast<size_t>(s) * Dp + d] = row[d] * scale;
      sc.kt[static_cast<size_t>(d) * Sk + s] = row[D + d];
      sc.v[static_cast<size_t>(s) * Dp + d] = row[2 * D + d];
    }
  }
  for (int i0 = 0; i0 < seq; i0 += QB) {
    const float* q = sc.q.data() + static_cast<size_t>(i0) * Dp;
    // scores[QB][Sk] = q · kᵀ, a QB x NB tile at a time
    for (int j0 = 0; j0 < Sk; j0 += NB) {
      v8 acc[QB][2] = {};
      const float* k = sc.kt.data() + j0;
      for (int d = 0; d < Dp; ++d, k += Sk) {
        const v8 k0 = load8(k), k1 = load8(k + 8);
        for (int i = 0; i < QB; ++i) {
          const float qi = q[i * Dp + d];
          acc[i][0] += qi * k0;
          acc[i][1] += qi * k1;
        }
      }
      for (int i = 0; i < QB; ++i) {
        store8(sc.p.data() + static_cast<size_t>(i) * Sk + j0, acc[i][0]);
        store8(sc.p.data() + static_cast<size_t>(i) * Sk + j0 + 8, acc[i][1]);
      }
    }
    // softmax over the real keys; padded key columns get probability 0
    float inv_sum[QB];
    for (int i = 0; i < QB; ++i) {
      float* p = sc.p.data() + static_cast<size_t>(i) * Sk;
      float m = p[0];
      for (int j = 1; j < seq; ++j) m = std::max(m, p[j]);
      float sum = 0.0f;
      for (int j = 0; j < seq; ++j) {
        p[j] = detail::vexp(p[j] - m);
        sum += p[j];
      }
      for (int j = seq; j < Sk; ++j) p[j] = 0.0f;
      inv_sum[i] = 1.0f / sum;
    }
    // out[QB][hd] = p · v / sum
    const int nq = std::min(QB, seq - i0);
    for (int d0 = 0; d0 < Dp; d0 += NB) {
      v8 acc[QB][2] = {};
      for (int j = 0; j < seq; ++j) {
        const float* v = sc.v.data() + static_cast<size_t>(j) * Dp + d0;
        const v8 v0 = load8(v), v1 = load8(v + 8);
        for (int i = 0; i < QB; ++i) {
          const float pij = sc.p[static_cast<size_t>(i) * Sk + j];
          acc[i][0] += pij * v0;
          acc[i][1] += pij * v1;
        }
      }
      for (int i = 0; i < nq; ++i) {
        float* o = out + static_cast<size_t>(i0 + i) * D + static_cast<size_t>(h) * hd;
        float tile[NB];
        store8(tile, acc[i][0]);
        store8(tile + 8, acc[i][1]);
        for (int d = d0; d < std::min(d0 + NB, hd); ++d) o[d] = tile[d - d0] * inv_sum[i];
      }
    }
  }
}

// q and k of every head at every position: x ← x·cos + rotate_half(x)·sin.
void apply_rope(ThreadPool& pool, float* qkv, int positions, int seq, int heads, int hd, const RopeTables& rope) {
  const int D = heads * hd, half = hd / 2;
  pool.parallel_for(positions, std::max(1, 8192 / D), [&](size_t p0, size_t p1) {
    for (size_t p = p0; p < p1; ++p) {
      const int s = static_cast<int>(p % seq);
      const float* c = rope.cos.data() + static_cast<size_t>(s) * hd;
      const float* sn = rope.sin.data() + static_cast<size_t>(s) * hd;
      for (int part = 0; part < 2; ++part)
        for (int h = 0; h < heads; ++h) {
          float* x = qkv + p * 3 * D + static_cast<size_t>(part) * D + static_cast<size_t>(h) * hd;
          for (int i = 0; i < half; ++i) {
            const float a = x[i], b = x[i + half];
            x[i] = a * c[i] - b * sn[i];
            x[i + half] = b * c[i + half] + a * sn[i + half];
          }
        }
    }
  });
}

}  // namespace

RopeTables::RopeTables(int seq_, int head_dim_, float theta) : seq(seq_), head_dim(head_dim_) {
  const int half = head_dim / 2;
  cos.resize(static_cast<size_t>(seq) * head_dim);
  sin.resize(static_cast<size_t>(seq) * head_dim);
  for (int i = 0; i < half; ++i) {
    // Same fp32 roundings as the reference: inv_freq = 1 / theta^(2i/hd), angle = pos · inv_freq.
    const float inv_freq = 1.0f / std::pow(theta, static_cast<float>(2 * i) / static_cast<float>(head_dim));
    for (int s = 0; s < seq; ++s) {
      const float angle = static_cast<float>(s) * inv_freq;
      const float c = static_cast<float>(std::cos(static_cast<double>(angle)));
      const float sn = static_cast<float>(std::sin(static_cast<double>(angle)));
      for (int k : {i, i + half}) {
        cos[static_cast<size_t>(s) * head_dim + k] = c;
        sin[static_cast<size_t>(s) * head_dim + k] = sn;
      }
    }
  }
}

void attention(ThreadPool& pool, float* qkv, float* out, int rows, int seq, int heads, int head_dim,
               const RopeTables* rope) {
  if (rope) apply_rope(pool, qkv, rows * seq, seq, heads, head_dim, *rope);
  const size_t row_stride = static_cast<size_t>(seq) * 3 * heads * head_dim;
  const size_t out_stride = static_cast<size_t>(seq) * heads * head_dim;
  pool.parallel_for(static_cast<size_t>(rows) * heads, 1, [&](size_t t0, size_t t1) {
    thread_local Scratch sc;
    for (size_t t = t0; t < t1; ++t) {
      const size_t r = t / heads;
      head_attention(qkv + r * row_stride, out + r * out_stride, seq, heads, head_dim, static_cast<int>(t % heads), sc);
    }
  });
}

}  // namespace ptrm
