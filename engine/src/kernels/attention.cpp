// RoPE (rotate-half) and non-causal softmax attention on the fused qkv projection.
// Each (row, head) pair is one task: its q, k, v are gathered into padded contiguous tiles, scores for 4 queries
// at a time are computed with a 4x16 register tile, then softmax and P·V with another 4x16 tile. Work per head
// (S·hd floats of k and v) stays in L1/L2 even for Maze (S = 916).
#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/vexp.h"
#include "ptrm/kernels.h"

namespace ptrm {
namespace {

constexpr int QB = 4;   // queries per tile
constexpr int NB = 16;  // keys (scores) or channels (output) per tile

int round_up(int x, int m) { return (x + m - 1) / m * m; }

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
    // scores[QB][Sk] = q · kᵀ
    for (int j0 = 0; j0 < Sk; j0 += NB) {
      float acc[QB][NB] = {};
      for (int d = 0; d < Dp; ++d) {
        const float* k = sc.kt.data() + static_cast<size_t>(d) * Sk + j0;
        for (int i = 0; i < QB; ++i)
          for (int j = 0; j < NB; ++j) acc[i][j] += q[i * Dp + d] * k[j];
      }
      for (int i = 0; i < QB; ++i)
        for (int j = 0; j < NB; ++j) sc.p[static_cast<size_t>(i) * Sk + j0 + j] = acc[i][j];
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
      float acc[QB][NB] = {};
      for (int j = 0; j < seq; ++j) {
        const float* v = sc.v.data() + static_cast<size_t>(j) * Dp + d0;
        for (int i = 0; i < QB; ++i)
          for (int d = 0; d < NB; ++d) acc[i][d] += sc.p[static_cast<size_t>(i) * Sk + j] * v[d];
      }
      for (int i = 0; i < nq; ++i) {
        float* o = out + static_cast<size_t>(i0 + i) * D + static_cast<size_t>(h) * hd;
        for (int d = d0; d < std::min(d0 + NB, hd); ++d) o[d] = acc[i][d - d0] * inv_sum[i];
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
