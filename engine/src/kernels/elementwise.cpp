// Row-wise kernels of the TRM block: fused residual+rmsnorm (no gain), SwiGLU activation, injection,
// transpose, embedding gather. Reductions use 8 fixed partial sums so they vectorise without -ffast-math and
// give the same bits whatever the thread count or row split.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/kernels.h"
#include "kernels/vexp.h"

namespace ptrm {
namespace {

// Rows per parallel chunk: about 32K floats of work, so small batches stay on the calling thread.
size_t row_grain(int width) { return std::max<size_t>(1, 32768 / std::max(1, width)); }

float sum_squares(const float* x, int n) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) acc[j] += x[i + j] * x[i + j];
  for (int j = 0; i < n; ++i, ++j) acc[j] += x[i] * x[i];
  return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
}

inline float inv_rms(const float* x, int width, float eps) {
  return 1.0f / std::sqrt(sum_squares(x, width) / static_cast<float>(width) + eps);
}

}  // namespace

void add_rmsnorm(ThreadPool& pool, float* h, const float* d, int rows, int width, float eps) {
  pool.parallel_for(rows, row_grain(width), [&](size_t r0, size_t r1) {
    for (size_t r = r0; r < r1; ++r) {
      float* hr = h + r * width;
      const float* dr = d + r * width;
      for (int i = 0; i < width; ++i) hr[i] += dr[i];
      const float s = inv_rms(hr, width, eps);
      for (int i = 0; i < width; ++i) hr[i] *= s;
    }
  });
}

void swiglu(ThreadPool& pool, const float* gu, float* out, int rows, int inter) {
  pool.parallel_for(rows, row_grain(2 * inter), [&](size_t r0, size_t r1) {
    for (size_t r = r0; r < r1; ++r) {
      const float* g = gu + r * 2 * static_cast<size_t>(inter);
      const float* u = g + inter;
      float* o = out + r * static_cast<size_t>(inter);
      for (int i = 0; i < inter; ++i) o[i] = g[i] / (1.0f + detail::vexp(-g[i])) * u[i];
    }
  });
}

void add_injection(ThreadPool& pool, float* h, const float* a, const float* b, size_t n) {
  pool.parallel_for(n, 65536, [&](size_t i0, size_t i1) {
    if (b)
      for (size_t i = i0; i < i1; ++i) h[i] += a[i] + b[i];
    else
      for (size_t i = i0; i < i1; ++i) h[i] += a[i];
  });
}

void transpose(ThreadPool& pool, const float* x, float* y, int batch, int rows, int cols) {
  constexpr int T = 16;  // tile so both the reads and the writes stay within a few cache lines
  const size_t plane = static_cast<size_t>(rows) * cols;
  pool.parallel_for(batch, std::max<size_t>(1, 32768 / std::max<size_t>(1, plane)), [&](size_t b0, size_t b1) {
    for (size_t b = b0; b < b1; ++b) {
      const float* xb = x + b * plane;
      float* yb = y + b * plane;
      for (int r0 = 0; r0 < rows; r0 += T)
        for (int c0 = 0; c0 < cols; c0 += T) {
          const int r1 = std::min(rows, r0 + T), c1 = std::min(cols, c0 + T);
          for (int r = r0; r < r1; ++r)
            for (int c = c0; c < c1; ++c) yb[static_cast<size_t>(c) * rows + r] = xb[static_cast<size_t>(r) * cols + c];
        }
    }
  });
}

void embedding(const float* table, int dim, const int32_t* ids, int n, float* out) {
  for (int t = 0; t < n; ++t)
    std::memcpy(out + static_cast<size_t>(t) * dim, table + static_cast<size_t>(ids[t]) * dim, sizeof(float) * dim);
}

}  // namespace ptrm
