// Compute kernels: the only code that talks to XNNPACK / pthreadpool.
// GEMMs go through XNNPACK fully-connected operators; the elementwise kernels are plain C++ written so that -O3
// (native AVX2, wasm simd128) auto-vectorises them, and are spread over rows with pthreadpool when large.
// Private to the engine (and its tests and `ptrm bench`); front ends see only ptrm/threadpool.h.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ptrm/threadpool.h"

struct pthreadpool;
struct xnn_operator;
// Mirrors XNNPACK's struct xnn_quantization_params {int32_t zero_point; float scale;} (checked in linear.cpp), so
// this header needs no xnnpack.h.
struct xnn_quantization_params_t {
  int32_t zero_point;
  float scale;
};

namespace ptrm {

// y[M, out] = x[M, in] · Wᵀ (+ b), W stored like torch: [out, in] row-major. Create once per weight (XNNPACK
// packs the weights then), reshape when the row count changes, run as often as needed.
// int8 (opt-in, Precision::Int8): W is quantized once per output channel (symmetric, scale = max|W[o,:]| / 127) and
// each run quantizes x per row on the fly (XNNPACK's dynamically quantized qd8-f32-qc8w fully-connected: int8
// dot products, fp32 out). Roughly 4x less weight traffic and int8 VNNI / wasm SIMD dot products; the error is
// ~1e-2 relative per GEMM, which is why it is judged on answers (docs/benchmarks.md "int8"), not logits.
class Linear {
 public:
  Linear() = default;
  Linear(const float* weight, const float* bias, int in, int out, bool int8 = false);
  ~Linear();
  Linear(Linear&& o) noexcept;
  Linear& operator=(Linear&& o) noexcept;
  Linear(const Linear&) = delete;
  Linear& operator=(const Linear&) = delete;
  void reshape(int rows, ThreadPool& pool);
  void run(const float* in, float* out);
  int in() const { return in_; }
  int out() const { return out_; }
  bool int8() const { return quant_ != nullptr; }

 private:
  void release();
  xnn_operator* op_ = nullptr;
  xnn_operator* quant_ = nullptr;  // int8 only: fp32 → int8 per-row dynamic quantization of the input
  std::vector<int8_t> qx_;         // int8 only: the quantized input [rows, in] (+ XNNPACK's read-ahead slack)
  std::vector<xnn_quantization_params_t> qparams_;  // int8 only: one (zero point, scale) per row (+ slack)
  pthreadpool* pool_ = nullptr;  // what reshape() tiled for (null = serial, for small shapes); run() uses it too
  int in_ = 0, out_ = 0, rows_ = -1;
};

// Everything below works on contiguous row-major fp32 data; results do not depend on the pool's thread count.

// h[r, :] = rmsnorm(h[r, :] + d[r, :]) over rows of `width`: the post-norm residual of every TRM block.
// rmsnorm(v) = v / sqrt(mean(v²) + eps), no gain (the official rms_norm has none).
void add_rmsnorm(ThreadPool& pool, float* h, const float* d, int rows, int width, float eps);
// out[r, j] = silu(gu[r, j]) * gu[r, inter + j]: gu is the fused gate|up projection [rows, 2*inter].
void swiglu(ThreadPool& pool, const float* gu, float* out, int rows, int inter);
// h = h + (a + b), or h = h + a when b is null (n floats): the input injection of net(h, inj), with the
// reference's rounding order (inj = zH + x is formed first).
void add_injection(ThreadPool& pool, float* h, const float* a, const float* b, size_t n);
// Transposes each of `batch` [rows, cols] matrices into [cols, rows].
void transpose(ThreadPool& pool, const float* x, float* y, int batch, int rows, int cols);

// RoPE "rotate-half" tables for positions 0..seq-1: cos/sin [seq, head_dim] with freqs duplicated
// (cat(freqs, freqs)), inv_freq[i] = theta^(-2i/head_dim), with the fp32 roundings of the reference.
struct RopeTables {
  RopeTables() = default;
  RopeTables(int seq, int head_dim, float theta);
  int seq = 0, head_dim = 0;
  std::vector<float> cos, sin;
};

// Non-causal multi-head attention on a fused qkv buffer [rows*seq, 3*heads*hd] laid out [q | k | v] with head h
// at channels h*hd..(h+1)*hd of each third. Applies RoPE to q and k when rope != nullptr (in place on qkv),
// then softmax(q kᵀ / sqrt(hd)) v into out [rows*seq, heads*hd]. Parallel over (row, head).
void attention(ThreadPool& pool, float* qkv, float* out, int rows, int seq, int heads, int head_dim,
               const RopeTables* rope);

// out[t, :] = table[ids[t], :] for t < n (ids already validated by the caller).
void embedding(const float* table, int dim, const int32_t* ids, int n, float* out);

}  // namespace ptrm
