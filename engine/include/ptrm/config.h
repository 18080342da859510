// ModelConfig: the architecture + task description stored as JSON in a model file's "ptrm.config" metadata
// (docs/design.md). Field names and meanings follow the official TRM config.
#pragma once

#include <string>

namespace ptrm {

class SafeTensors;

struct ModelConfig {
  int hidden_size = 512;
  int num_heads = 8;
  double expansion = 4.0;
  int L_layers = 2;
  int H_cycles = 3;
  int L_cycles = 6;
  int halt_max_steps = 16;
  int puzzle_emb_len = 16;
  int puzzle_emb_ndim = 512;
  std::string pos_encodings = "rope";  // "rope" | "learned" | "none"
  double rope_theta = 10000.0;
  double rms_norm_eps = 1e-5;
  bool mlp_t = false;
  int vocab_size = 11;
  int seq_len = 81;
  int num_puzzle_identifiers = 1;
  std::string task = "sudoku";  // "sudoku" | "maze" | "arc"
  int board = 9;                // sudoku: 9 or 6; maze: side N; arc: 30

  // Parses and validates. Every key is required and unknown keys are rejected (typos must not silently
  // fall back to defaults). Throws Error(BadModel).
  static ModelConfig from_json(const std::string& text);
  // Reads metadata "ptrm.config"; BadModel if absent.
  static ModelConfig from_safetensors(const SafeTensors& st);
  std::string to_json() const;

  // Throws Error(BadModel) for inconsistent or absurd values (bounds keep every derived buffer size small
  // enough to allocate and index with int).
  void validate() const;

  int seq_total() const { return seq_len + puzzle_emb_len; }  // S
  int head_dim() const { return hidden_size / num_heads; }
  // SwiGLU intermediate width for input width `in`, as the official layers.py SwiGLU:
  // round-half-even(expansion * in * 2 / 3) rounded up to a multiple of 256.
  int inter(int in) const;
};

}  // namespace ptrm
