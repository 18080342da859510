// Model::load: every tensor the config implies, with its exact shape, converted to fp32; nothing else allowed.
#include <cmath>
#include <set>
#include <string>

#include "ptrm/errors.h"
#include "ptrm/model.h"
#include "ptrm/safetensors.h"

namespace ptrm {
namespace {

class Reader {
 public:
  explicit Reader(const SafeTensors& st) : st_(st) {}

  std::vector<float> get(const std::string& name, std::vector<int64_t> shape) {
    if (!st_.has(name)) throw Error(ErrorKind::BadModel, "model file lacks tensor '" + name + "' " + shape_str(shape));
    std::vector<float> v = st_.read_f32(name, shape);
    for (float f : v)
      if (!std::isfinite(f)) throw Error(ErrorKind::BadModel, "tensor '" + name + "' contains NaN or Inf");
    used_.insert(name);
    return v;
  }

  // A stray tensor usually means the config does not describe these weights (e.g. mlp_t flipped).
  void reject_unused() const {
    for (const std::string& n : st_.names())
      if (!used_.count(n))
        throw Error(ErrorKind::BadModel, "unexpected tensor '" + n +
                                             "' for this config (mlp_t/pos_encodings/"
                                             "L_layers mismatch?)");
  }

 private:
  const SafeTensors& st_;
  std::set<std::string> used_;
};

}  // namespace

std::vector<Model::TensorSpec> Model::tensor_specs(const ModelConfig& c) {
  const int64_t D = c.hidden_size, V = c.vocab_size, S = c.seq_total(), I = c.inter(c.hidden_size);
  std::vector<TensorSpec> out = {{"embed_tokens.embedding_weight", {V, D}, &Model::embed_tokens},
                                 {"lm_head.weight", {V, D}, &Model::lm_head},
                                 {"q_head.weight", {2, D}, &Model::q_head_w},
                                 {"q_head.bias", {2}, &Model::q_head_b}};
  if (c.puzzle_emb_ndim > 0)
    out.push_back({"puzzle_emb.weights", {c.num_puzzle_identifiers, c.puzzle_emb_ndim}, &Model::puzzle_emb});
  if (c.pos_encodings == "learned") out.push_back({"embed_pos.embedding_weight", {S, D}, &Model::embed_pos});
  out.push_back({"H_init", {D}, &Model::H_init});
  out.push_back({"L_init", {D}, &Model::L_init});
  for (int i = 0; i < c.L_layers; ++i) {
    const std::string p = "L_level.layers." + std::to_string(i) + ".";
    auto block = [&](const std::string& name, std::vector<int64_t> shape, std::vector<float> Block::*f) {
      out.push_back({p + name, std::move(shape), nullptr, i, f});
    };
    if (c.mlp_t) {
      const int64_t It = c.inter(static_cast<int>(S));
      block("mlp_t.gate_up_proj.weight", {2 * It, S}, &Block::mlp_t_gate_up);
      block("mlp_t.down_proj.weight", {S, It}, &Block::mlp_t_down);
    } else {
      block("self_attn.qkv_proj.weight", {3 * D, D}, &Block::qkv_proj);
      block("self_attn.o_proj.weight", {D, D}, &Block::o_proj);
    }
    block("mlp.gate_up_proj.weight", {2 * I, D}, &Block::mlp_gate_up);
    block("mlp.down_proj.weight", {D, I}, &Block::mlp_down);
  }
  return out;
}

std::vector<float>& Model::tensor(const TensorSpec& t) {
  return t.layer < 0 ? this->*t.field : blocks.at(static_cast<size_t>(t.layer)).*t.block_field;
}

const std::vector<float>& Model::tensor(const TensorSpec& t) const {
  return t.layer < 0 ? this->*t.field : blocks.at(static_cast<size_t>(t.layer)).*t.block_field;
}

Model Model::load(const SafeTensors& st) {
  Model m;
  m.config = ModelConfig::from_safetensors(st);  // parsed and validated: every shape below is sane
  m.blocks.resize(static_cast<size_t>(m.config.L_layers));
  Reader r(st);
  for (const TensorSpec& t : tensor_specs(m.config)) m.tensor(t) = r.get(t.name, t.shape);
  r.reject_unused();
  return m;
}

Model Model::load_file(const std::string& path) { return load(SafeTensors::open(path)); }

size_t Model::param_count() const {
  size_t n = 0;
  for (const TensorSpec& t : tensor_specs(config)) n += tensor(t).size();
  return n;
}

}  // namespace ptrm
