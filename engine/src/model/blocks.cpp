// The TRM block, post-norm (official trm.py ACTV1Block):
//   attention variant:  h = rmsnorm(h + Attn(h));                    h = rmsnorm(h + SwiGLU_D(h))
//   mlp_t variant:      hᵀ = rmsnorm(hᵀ + SwiGLU_S(hᵀ)) (per channel, over positions); then the same SwiGLU_D.
#include "model/blocks.h"

#include <algorithm>

namespace ptrm::detail {

namespace {
struct ScratchSizes {
  size_t big, mid, state;  // floats per row
};
ScratchSizes scratch_sizes(const ModelConfig& c) {
  const size_t S = c.seq_total(), D = c.hidden_size, I = c.inter(c.hidden_size);
  const size_t It = c.mlp_t ? c.inter(c.seq_total()) : 0;
  return {std::max({S * 3 * D, S * 2 * I, D * 2 * It}), std::max({S * D, S * I, D * It}), S * D};
}
}  // namespace

BlockScratch::BlockScratch(const ModelConfig& c, int max_rows) {
  const ScratchSizes z = scratch_sizes(c);
  const size_t R = max_rows;
  big.resize(R * z.big);
  mid.resize(R * z.mid);
  a.resize(R * z.state);
  b.resize(R * z.state);
}

size_t BlockScratch::floats_per_row(const ModelConfig& c) {
  const ScratchSizes z = scratch_sizes(c);
  return z.big + z.mid + 2 * z.state;
}

BlockRunner::BlockRunner(const ModelConfig& c, const Model::Block& w, bool int8)
    : c_(c), S_(c.seq_total()), D_(c.hidden_size), I_(c.inter(c.hidden_size)),
      eps_(static_cast<float>(c.rms_norm_eps)) {
  if (c.mlp_t) {
    It_ = c.inter(S_);
    t_gate_up_ = Linear(w.mlp_t_gate_up.data(), nullptr, S_, 2 * It_, int8);
    t_down_ = Linear(w.mlp_t_down.data(), nullptr, It_, S_, int8);
  } else {
    qkv_ = Linear(w.qkv_proj.data(), nullptr, D_, 3 * D_, int8);
    o_ = Linear(w.o_proj.data(), nullptr, D_, D_, int8);
  }
  gate_up_ = Linear(w.mlp_gate_up.data(), nullptr, D_, 2 * I_, int8);
  down_ = Linear(w.mlp_down.data(), nullptr, I_, D_, int8);
}

void BlockRunner::reshape(int rows, ThreadPool& pool) {
  if (rows == rows_) return;
  if (c_.mlp_t) {
    t_gate_up_.reshape(rows * D_, pool);  // the token MLP sees one row per (batch row, channel)
    t_down_.reshape(rows * D_, pool);
  } else {
    qkv_.reshape(rows * S_, pool);
    o_.reshape(rows * S_, pool);
  }
  gate_up_.reshape(rows * S_, pool);
  down_.reshape(rows * S_, pool);
  rows_ = rows;
}

void BlockRunner::forward(ThreadPool& pool, float* h, BlockScratch& sc, const RopeTables* rope) {
  if (c_.mlp_t) token_mlp(pool, h, sc);
  else attention(pool, h, sc, rope);
  channel_mlp(pool, h, sc);
}

void BlockRunner::attention(ThreadPool& pool, float* h, BlockScratch& sc, const RopeTables* rope) {
  float* qkv = sc.big.data();
  float* attn = sc.a.data();
  float* out = sc.b.data();
  qkv_.run(h, qkv);
  ptrm::attention(pool, qkv, attn, rows_, S_, c_.num_heads, c_.head_dim(), rope);
  o_.run(attn, out);
  add_rmsnorm(pool, h, out, rows_ * S_, D_, eps_);
}

void BlockRunner::token_mlp(ThreadPool& pool, float* h, BlockScratch& sc) {
  float* ht = sc.a.data();  // [rows, D, S]
  transpose(pool, h, ht, rows_, S_, D_);
  // The official rms_norm normalises the last axis, which after the transpose is the sequence axis.
  swiglu_residual(pool, t_gate_up_, t_down_, ht, rows_ * D_, S_, It_, sc);
  transpose(pool, ht, h, rows_, D_, S_);
}

void BlockRunner::channel_mlp(ThreadPool& pool, float* h, BlockScratch& sc) {
  swiglu_residual(pool, gate_up_, down_, h, rows_ * S_, D_, I_, sc);
}

// x [rows, width] ← rmsnorm(x + down(silu(gate) · up)), [gate | up] = gate_up(x) of width 2·inter: the SwiGLU MLP
// with its post-norm residual, over channels (channel_mlp) or over positions (token_mlp, on the transposed state).
void BlockRunner::swiglu_residual(ThreadPool& pool, Linear& gate_up, Linear& down, float* x, int rows, int width,
                                  int inter, BlockScratch& sc) {
  float* gu = sc.big.data();
  float* act = sc.mid.data();
  float* out = sc.b.data();
  gate_up.run(x, gu);
  swiglu(pool, gu, act, rows, inter);
  down.run(act, out);
  add_rmsnorm(pool, x, out, rows, width, eps_);
}

}  // namespace ptrm::detail
