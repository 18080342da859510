// A model with random weights for any valid config, built in memory: the shapes are Model::load's (one list,
// model_tensors), so tests and fuzzers can make official-size or odd models without a file on disk.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "ptrm/config.h"
#include "ptrm/model.h"
#include "ptrm/safetensors.h"

namespace ptrm::test_support {

// Every tensor Model::load expects for `c`, as (name, shape), in file order.
inline std::vector<std::pair<std::string, std::vector<int64_t>>> model_shapes(const ModelConfig& c) {
  const int64_t D = c.hidden_size, V = c.vocab_size, S = c.seq_total(), I = c.inter(c.hidden_size);
  std::vector<std::pair<std::string, std::vector<int64_t>>> out = {{"embed_tokens.embedding_weight", {V, D}},
                                                                   {"lm_head.weight", {V, D}},
                                                                   {"q_head.weight", {2, D}},
                                                                   {"q_head.bias", {2}}};
  if (c.puzzle_emb_ndim > 0) out.push_back({"puzzle_emb.weights", {c.num_puzzle_identifiers, c.puzzle_emb_ndim}});
  if (c.pos_encodings == "learned") out.push_back({"embed_pos.embedding_weight", {S, D}});
  out.push_back({"H_init", {D}});
  out.push_back({"L_init", {D}});
  for (int i = 0; i < c.L_layers; ++i) {
    const std::string p = "L_level.layers." + std::to_string(i) + ".";
    if (c.mlp_t) {
      const int64_t It = c.inter(S);
      out.push_back({p + "mlp_t.gate_up_proj.weight", {2 * It, S}});
      out.push_back({p + "mlp_t.down_proj.weight", {S, It}});
    } else {
      out.push_back({p + "self_attn.qkv_proj.weight", {3 * D, D}});
      out.push_back({p + "self_attn.o_proj.weight", {D, D}});
    }
    out.push_back({p + "mlp.gate_up_proj.weight", {2 * I, D}});
    out.push_back({p + "mlp.down_proj.weight", {D, I}});
  }
  return out;
}

// Deterministic values in about [-scale, scale] (a 64-bit LCG; no <random> so every platform agrees).
inline std::vector<float> random_values(size_t n, uint64_t& state, float scale) {
  std::vector<float> v(n);
  for (float& x : v) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    x = scale * (static_cast<float>(static_cast<int32_t>(state >> 32)) / 2147483648.0f);
  }
  return v;
}

inline size_t numel(const std::vector<int64_t>& shape) {
  size_t n = 1;
  for (int64_t d : shape) n *= static_cast<size_t>(d);
  return n;
}

// The tensors of a random model for `c` (weights scaled ~1/sqrt(fan-in) so activations stay finite), stored as
// `dtype` (F32, F16 or BF16), plus the metadata a ptrm file carries.
inline std::vector<TensorToWrite> model_tensors(const ModelConfig& c, uint64_t seed, DType dtype = DType::F32) {
  std::vector<TensorToWrite> out;
  for (const auto& [name, shape] : model_shapes(c)) {
    const float scale = shape.size() == 2 ? 1.0f / std::sqrt(static_cast<float>(shape[1])) : 0.5f;
    out.push_back(TensorToWrite::from_f32(name, shape, random_values(numel(shape), seed, scale), dtype));
  }
  return out;
}

inline std::map<std::string, std::string> model_metadata(const ModelConfig& c) {
  return {{"ptrm.config", c.to_json()}};
}

// The same model straight into memory (no file, no safetensors copy): what an official-size memory test needs.
inline Model random_model(const ModelConfig& c, uint64_t seed) {
  Model m;
  m.config = c;
  for (const auto& [name, shape] : model_shapes(c)) {
    const float scale = shape.size() == 2 ? 1.0f / std::sqrt(static_cast<float>(shape[1])) : 0.5f;
    std::vector<float> v = random_values(numel(shape), seed, scale);
    if (name == "embed_tokens.embedding_weight") m.embed_tokens = std::move(v);
    else if (name == "lm_head.weight") m.lm_head = std::move(v);
    else if (name == "q_head.weight") m.q_head_w = std::move(v);
    else if (name == "q_head.bias") m.q_head_b = std::move(v);
    else if (name == "puzzle_emb.weights") m.puzzle_emb = std::move(v);
    else if (name == "embed_pos.embedding_weight") m.embed_pos = std::move(v);
    else if (name == "H_init") m.H_init = std::move(v);
    else if (name == "L_init") m.L_init = std::move(v);
    else {
      const size_t layer = std::stoul(name.substr(std::string("L_level.layers.").size()));
      if (m.blocks.size() <= layer) m.blocks.resize(layer + 1);
      Model::Block& b = m.blocks[layer];
      if (name.find("qkv_proj") != std::string::npos) b.qkv_proj = std::move(v);
      else if (name.find("o_proj") != std::string::npos) b.o_proj = std::move(v);
      else if (name.find("mlp_t.gate_up") != std::string::npos) b.mlp_t_gate_up = std::move(v);
      else if (name.find("mlp_t.down") != std::string::npos) b.mlp_t_down = std::move(v);
      else if (name.find("mlp.gate_up") != std::string::npos) b.mlp_gate_up = std::move(v);
      else b.mlp_down = std::move(v);
    }
  }
  return m;
}

}  // namespace ptrm::test_support
