// TRM weights (Model) and the batched recurrent state that runs supervision steps on them (Session).
// Numerics: everything is fp32. The official forward runs bf16 (weights cast per matmul, bf16 latents), the
// Python reference here runs fp32, and the engine matches that reference to ≤ 1e-5 on every logit over 16
// steps (tests/engine/test_model_parity.cpp). Against a bf16 forward of the same weights expect differences
// of the bf16 kind instead: on the tiny fixtures max |Δlogit| 0.06–0.41 and |Δq_halt| 0.02–0.15 after 16
// steps, with 96.7–100 % of argmax tokens equal (tests/fixtures/README.md) — so compare answers/accuracy with
// bf16-trained checkpoints, not raw logits.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ptrm/config.h"
#include "ptrm/threadpool.h"

namespace ptrm {

class SafeTensors;

// Weights converted to fp32 and checked against the config (every tensor present, every shape exact).
// Names follow docs/design.md "Model file"; a missing, misshapen, non-finite or unexpected tensor is BadModel.
struct Model {
  struct Block {
    // Attention variant (mlp_t == false).
    std::vector<float> qkv_proj;  // [3D, D]
    std::vector<float> o_proj;    // [D, D]
    // Token-mixing variant (mlp_t == true).
    std::vector<float> mlp_t_gate_up;  // [2*inter(S), S]
    std::vector<float> mlp_t_down;     // [S, inter(S)]
    // Channel SwiGLU, always present.
    std::vector<float> mlp_gate_up;  // [2*inter(D), D]
    std::vector<float> mlp_down;     // [D, inter(D)]
  };

  ModelConfig config;
  std::vector<float> embed_tokens;    // [V, D]
  std::vector<float> lm_head;         // [V, D]
  std::vector<float> q_head_w;        // [2, D]
  std::vector<float> q_head_b;        // [2]
  std::vector<float> puzzle_emb;      // [P, ndim] (empty when puzzle_emb_ndim == 0)
  std::vector<float> embed_pos;       // [S, D] (pos_encodings == "learned" only)
  std::vector<float> H_init, L_init;  // [D]
  std::vector<Block> blocks;          // L_layers

  // One tensor of a model file: its name and exact shape, and the Model field that holds it. The one list of
  // what a config implies (tensor_specs) serves the loader, param_count and every builder of random models.
  struct TensorSpec {
    std::string name;
    std::vector<int64_t> shape;
    std::vector<float> Model::*field = nullptr;  // a model-level tensor, or
    int layer = -1;                              // blocks[layer].*block_field
    std::vector<float> Block::*block_field = nullptr;
    size_t numel() const {
      size_t n = 1;
      for (int64_t d : shape) n *= static_cast<size_t>(d);
      return n;
    }
  };
  // Every tensor `c` implies, in file order (docs/design.md "Model file").
  static std::vector<TensorSpec> tensor_specs(const ModelConfig& c);
  // Where `t` lives in this model (blocks must already hold layer t.layer).
  std::vector<float>& tensor(const TensorSpec& t);
  const std::vector<float>& tensor(const TensorSpec& t) const;

  static Model load(const SafeTensors& st);         // throws Error{BadModel}
  static Model load_file(const std::string& path);  // throws Error{Io | BadModel}
  size_t param_count() const;                       // every weight element the model holds
};

// Arithmetic of the block GEMMs. Int8 (opt-in): per-channel int8 weights with per-row dynamically quantized
// activations (XNNPACK qd8-f32-qc8w); lm_head, q_head, norms, attention softmax and the state stay fp32. Faster,
// not bit-faithful: judged by answer agreement with fp32 on held-out puzzles (docs/benchmarks.md "int8").
enum class Precision { F32, Int8 };

// The state of `rows` independent rows (puzzles or PTRM trajectories) and every buffer one supervision step
// needs, allocated once for max_rows (the block scratch for one tile of rows: see step()).
class Session {
 public:
  // tile_rows: rows per cache tile of step(); 0 = sized to the cache (the default; tests set it to force tiling).
  Session(const Model& model, ThreadPool& pool, int max_rows, Precision precision = Precision::F32, int tile_rows = 0);
  ~Session();
  // Memory one row costs (state + scratch), to size batches.
  static size_t bytes_per_row(const ModelConfig& config);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Starts `rows` rows: tokens [rows, seq_len] (already encoded, values < vocab), puzzle_ids [rows]
  // (< num_puzzle_identifiers); zH/zL ← H_init/L_init broadcast over all S positions. Bad ids → BadPuzzle.
  void reset(int rows, const int32_t* tokens, const int32_t* puzzle_ids);
  // Starts `rows` more rows after the current ones (rows() + rows <= max_rows()), initialised exactly as reset()
  // would; the rows already running keep their state. Lets a scheduler refill rows freed by early exits.
  void append_rows(int rows, const int32_t* tokens, const int32_t* puzzle_ids);

  // One supervision step for all rows (docs/design.md "Engine semantics"). The rows run in cache-sized tiles,
  // each through the whole recursion before the next; rows are independent, so the result is the same for any
  // tiling. `before_inner(call, row_begin, row_end)` — if set — runs before each of the H_cycles*L_cycles inner
  // z updates of the tile [row_begin, row_end) (call = 0, 1, ...), e.g. to perturb those rows of zL(); it must
  // not change rows() or touch rows outside the tile.
  void step(const std::function<void(int call, int row_begin, int row_end)>& before_inner = {});

  // Keeps only the listed rows (strictly increasing indices < rows()), in that order; later steps cost only
  // the rows kept. Outputs (logits, q_halt) are compacted too.
  void keep_rows(const std::vector<int>& rows);

  const Model& model() const;
  int rows() const;
  int max_rows() const;
  int seq_total() const;  // S = seq_len + puzzle_emb_len
  float* zH();            // [rows, S, D]
  float* zL();            // [rows, S, D]
  const float* zH() const;
  const float* zL() const;
  const float* logits() const;  // [rows, seq_len, V], from the last step()
  const float* q_halt() const;  // [rows], from the last step()
  // Per-position argmax of logits (ties → lowest class) into answer [rows, seq_len].
  void argmax(int32_t* answer) const;

 private:
  struct Impl;  // buffers, XNNPACK operators, RoPE tables (trm.cpp)
  std::unique_ptr<Impl> impl_;
};

}  // namespace ptrm
