// A model with random weights for any valid config, built in memory from the engine's one tensor list
// (Model::tensor_specs), so tests and fuzzers can make official-size or odd models without a file on disk.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "ptrm/config.h"
#include "ptrm/model.h"
#include "ptrm/safetensors.h"

namespace ptrm::test_support {

// Deterministic values in about [-scale, scale] (a 64-bit LCG; no <random> so every platform agrees).
inline std::vector<float> random_values(size_t n, uint64_t& state, float scale) {
  std::vector<float> v(n);
  for (float& x : v) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    x = scale * (static_cast<float>(static_cast<int32_t>(state >> 32)) / 2147483648.0f);
  }
  return v;
}

// ~1/sqrt(fan-in) for matrices so activations stay finite; 0.5 for vectors.
inline float scale_of(const Model::TensorSpec& t) {
  return t.shape.size() == 2 ? 1.0f / std::sqrt(static_cast<float>(t.shape[1])) : 0.5f;
}

// The tensors of a random model for `c`, stored as `dtype` (F32, F16 or BF16), plus the metadata a ptrm file carries.
inline std::vector<TensorToWrite> model_tensors(const ModelConfig& c, uint64_t seed, DType dtype = DType::F32) {
  std::vector<TensorToWrite> out;
  for (const Model::TensorSpec& t : Model::tensor_specs(c))
    out.push_back(TensorToWrite::from_f32(t.name, t.shape, random_values(t.numel(), seed, scale_of(t)), dtype));
  return out;
}

inline std::map<std::string, std::string> model_metadata(const ModelConfig& c) {
  return {{"ptrm.config", c.to_json()}};
}

// The same model straight into memory (no file, no safetensors copy): what an official-size memory test needs.
inline Model random_model(const ModelConfig& c, uint64_t seed) {
  Model m;
  m.config = c;
  m.blocks.resize(static_cast<size_t>(c.L_layers));
  for (const Model::TensorSpec& t : Model::tensor_specs(c)) m.tensor(t) = random_values(t.numel(), seed, scale_of(t));
  return m;
}

}  // namespace ptrm::test_support
