// One post-norm TRM block (attention or token-mixing MLP, then the channel SwiGLU) over a batch of rows.
#pragma once
#include <vector>

#include "kernels/kernels.h"
#include "ptrm/model.h"

namespace ptrm::detail {

// Scratch shared by all blocks of a Session, sized once for its max_rows.
struct BlockScratch {
  BlockScratch(const ModelConfig& c, int max_rows);
  static size_t floats_per_row(const ModelConfig& c);
  std::vector<float> big, mid, a, b;
};

class BlockRunner {
 public:
  BlockRunner(const ModelConfig& c, const Model::Block& w, bool int8 = false);
  void reshape(int rows, ThreadPool& pool);  // rows of S positions
  // h [rows, S, D] ← block(h), in place.
  void forward(ThreadPool& pool, float* h, BlockScratch& sc, const RopeTables* rope);

 private:
  void attention(ThreadPool& pool, float* h, BlockScratch& sc, const RopeTables* rope);
  void token_mlp(ThreadPool& pool, float* h, BlockScratch& sc);
  void channel_mlp(ThreadPool& pool, float* h, BlockScratch& sc);
  void swiglu_residual(ThreadPool& pool, Linear& gate_up, Linear& down, float* x, int rows, int width, int inter,
                       BlockScratch& sc);

  const ModelConfig& c_;
  int S_, D_, I_, It_ = 0;
  float eps_;
  int rows_ = -1;
  Linear qkv_, o_, t_gate_up_, t_down_, gate_up_, down_;
};

}  // namespace ptrm::detail
