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

Model Model::load(const SafeTensors& st) {
  Model m;
  m.config = ModelConfig::from_safetensors(st);  // parsed and validated: every shape below is sane
  const ModelConfig& c = m.config;
  const int64_t D = c.hidden_size, V = c.vocab_size, S = c.seq_total(), I = c.inter(c.hidden_size);
  Reader r(st);
  m.embed_tokens = r.get("embed_tokens.embedding_weight", {V, D});
  m.lm_head = r.get("lm_head.weight", {V, D});
  m.q_head_w = r.get("q_head.weight", {2, D});
  m.q_head_b = r.get("q_head.bias", {2});
  if (c.puzzle_emb_ndim > 0) m.puzzle_emb = r.get("puzzle_emb.weights", {c.num_puzzle_identifiers, c.puzzle_emb_ndim});
  if (c.pos_encodings == "learned") m.embed_pos = r.get("embed_pos.embedding_weight", {S, D});
  m.H_init = r.get("H_init", {D});
  m.L_init = r.get("L_init", {D});
  for (int i = 0; i < c.L_layers; ++i) {
    const std::string p = "L_level.layers." + std::to_string(i) + ".";
    Block b;
    if (c.mlp_t) {
      const int64_t It = c.inter(c.seq_total());
      b.mlp_t_gate_up = r.get(p + "mlp_t.gate_up_proj.weight", {2 * It, S});
      b.mlp_t_down = r.get(p + "mlp_t.down_proj.weight", {S, It});
    } else {
      b.qkv_proj = r.get(p + "self_attn.qkv_proj.weight", {3 * D, D});
      b.o_proj = r.get(p + "self_attn.o_proj.weight", {D, D});
    }
    b.mlp_gate_up = r.get(p + "mlp.gate_up_proj.weight", {2 * I, D});
    b.mlp_down = r.get(p + "mlp.down_proj.weight", {D, I});
    m.blocks.push_back(std::move(b));
  }
  r.reject_unused();
  return m;
}

Model Model::load_file(const std::string& path) { return load(SafeTensors::open(path)); }

size_t Model::param_count() const {
  size_t n = embed_tokens.size() + lm_head.size() + q_head_w.size() + q_head_b.size() + puzzle_emb.size() +
             embed_pos.size() + H_init.size() + L_init.size();
  for (const Block& b : blocks)
    n += b.qkv_proj.size() + b.o_proj.size() + b.mlp_t_gate_up.size() + b.mlp_t_down.size() + b.mlp_gate_up.size() +
         b.mlp_down.size();
  return n;
}

}  // namespace ptrm
