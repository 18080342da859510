// ModelConfig <-> "ptrm.config" JSON, with validation that bounds every size the engine derives from it.
#include "ptrm/config.h"

#include <cmath>
#include <string_view>

#include "ptrm/errors.h"
#include "ptrm/json.h"
#include "ptrm/safetensors.h"
#include "ptrm/tasks.h"

namespace ptrm {
namespace {

constexpr std::string_view kKeys[] = {"hidden_size",   "num_heads",   "expansion",        "L_layers",
                                      "H_cycles",      "L_cycles",    "halt_max_steps",   "puzzle_emb_len",
                                      "puzzle_emb_ndim", "pos_encodings", "rope_theta",    "rms_norm_eps",
                                      "mlp_t",         "vocab_size",  "seq_len",          "num_puzzle_identifiers",
                                      "task",          "board"};

[[noreturn]] void bad(const std::string& msg) { throw Error(ErrorKind::BadModel, "model config: " + msg); }

void check_range(const char* name, long long v, long long lo, long long hi) {
  if (v < lo || v > hi)
    bad(std::string(name) + " = " + std::to_string(v) + " is outside [" + std::to_string(lo) + ", " +
        std::to_string(hi) + "]");
}

int get_int32(const Json& j, std::string_view key) {
  int64_t v = get_int(j, key, ErrorKind::BadModel);
  if (v < -(int64_t{1} << 31) || v >= (int64_t{1} << 31)) bad(std::string(key) + " = " + std::to_string(v) + " does not fit in int32");
  return static_cast<int>(v);
}

// Python's round(): nearest integer, ties to even, computed exactly (no dependence on the FPU rounding mode).
double round_half_even(double v) {
  double f = std::floor(v);
  double diff = v - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return std::fmod(f, 2.0) == 0 ? f : f + 1;
}

}  // namespace

int ModelConfig::inter(int in) const {
  // Same operation order as the official SwiGLU: expansion * in * 2 / 3, then _find_multiple(., 256).
  double r = round_half_even(expansion * in * 2 / 3);
  long long a = static_cast<long long>(r);
  return static_cast<int>((a + 255) / 256 * 256);
}

ModelConfig ModelConfig::from_json(const std::string& text) {
  Json j;
  try {
    j = Json::parse(text, ErrorKind::BadModel, JsonLimits{1u << 20, 8});
  } catch (const Error& e) {
    bad(std::string("ptrm.config is not valid JSON: ") + e.what());
  }
  if (!j.is_object()) bad("ptrm.config must be a JSON object");
  for (const auto& [k, v] : j.as_object()) {
    bool known = false;
    for (std::string_view key : kKeys) known |= key == k;
    if (!known) bad("unknown key '" + k + "'");
  }
  ModelConfig c;
  try {
    c.hidden_size = get_int32(j, "hidden_size");
    c.num_heads = get_int32(j, "num_heads");
    c.expansion = get_double(j, "expansion", ErrorKind::BadModel);
    c.L_layers = get_int32(j, "L_layers");
    c.H_cycles = get_int32(j, "H_cycles");
    c.L_cycles = get_int32(j, "L_cycles");
    c.halt_max_steps = get_int32(j, "halt_max_steps");
    c.puzzle_emb_len = get_int32(j, "puzzle_emb_len");
    c.puzzle_emb_ndim = get_int32(j, "puzzle_emb_ndim");
    c.pos_encodings = get_string(j, "pos_encodings", ErrorKind::BadModel);
    c.rope_theta = get_double(j, "rope_theta", ErrorKind::BadModel);
    c.rms_norm_eps = get_double(j, "rms_norm_eps", ErrorKind::BadModel);
    c.mlp_t = get_bool(j, "mlp_t", ErrorKind::BadModel);
    c.vocab_size = get_int32(j, "vocab_size");
    c.seq_len = get_int32(j, "seq_len");
    c.num_puzzle_identifiers = get_int32(j, "num_puzzle_identifiers");
    c.task = get_string(j, "task", ErrorKind::BadModel);
    c.board = get_int32(j, "board");
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::BadModel) throw;
    std::string msg = e.what();
    if (msg.rfind("model config: ", 0) == 0) throw;
    bad(msg);
  }
  c.validate();
  return c;
}

ModelConfig ModelConfig::from_safetensors(const SafeTensors& st) {
  auto it = st.metadata().find("ptrm.config");
  if (it == st.metadata().end()) throw Error(ErrorKind::BadModel, "model file has no 'ptrm.config' metadata");
  return from_json(it->second);
}

std::string ModelConfig::to_json() const {
  Json::Object o;
  o["hidden_size"] = hidden_size;
  o["num_heads"] = num_heads;
  o["expansion"] = expansion;
  o["L_layers"] = L_layers;
  o["H_cycles"] = H_cycles;
  o["L_cycles"] = L_cycles;
  o["halt_max_steps"] = halt_max_steps;
  o["puzzle_emb_len"] = puzzle_emb_len;
  o["puzzle_emb_ndim"] = puzzle_emb_ndim;
  o["pos_encodings"] = pos_encodings;
  o["rope_theta"] = rope_theta;
  o["rms_norm_eps"] = rms_norm_eps;
  o["mlp_t"] = mlp_t;
  o["vocab_size"] = vocab_size;
  o["seq_len"] = seq_len;
  o["num_puzzle_identifiers"] = num_puzzle_identifiers;
  o["task"] = task;
  o["board"] = board;
  return Json(std::move(o)).dump();
}

void ModelConfig::validate() const {
  // Bounds are generous multiples of the official models (D 512, 8 heads, S 916, ~1M ARC puzzle ids) while
  // keeping every buffer the engine sizes from them far below int overflow.
  check_range("hidden_size", hidden_size, 1, 4096);
  check_range("num_heads", num_heads, 1, 128);
  if (hidden_size % num_heads != 0)
    bad("hidden_size " + std::to_string(hidden_size) + " is not divisible by num_heads " + std::to_string(num_heads));
  if (!(std::isfinite(expansion) && expansion > 0 && expansion <= 16))
    bad("expansion = " + std::to_string(expansion) + " is outside (0, 16]");
  check_range("L_layers", L_layers, 1, 32);
  check_range("H_cycles", H_cycles, 1, 64);
  check_range("L_cycles", L_cycles, 1, 64);
  check_range("halt_max_steps", halt_max_steps, 1, 1024);
  check_range("puzzle_emb_len", puzzle_emb_len, 0, 256);
  check_range("puzzle_emb_ndim", puzzle_emb_ndim, 0, 1 << 20);
  if (puzzle_emb_ndim > static_cast<long long>(puzzle_emb_len) * hidden_size)
    bad("puzzle_emb_ndim " + std::to_string(puzzle_emb_ndim) + " does not fit in puzzle_emb_len x hidden_size = " +
        std::to_string(static_cast<long long>(puzzle_emb_len) * hidden_size));
  if (pos_encodings != "rope" && pos_encodings != "learned" && pos_encodings != "none")
    bad("pos_encodings = '" + pos_encodings + "', expected rope, learned or none");
  if (pos_encodings == "rope" && head_dim() % 2 != 0)
    bad("RoPE needs an even head_dim, got " + std::to_string(head_dim()));
  if (!(std::isfinite(rope_theta) && rope_theta > 0)) bad("rope_theta must be a positive finite number");
  if (!(std::isfinite(rms_norm_eps) && rms_norm_eps > 0 && rms_norm_eps < 1)) bad("rms_norm_eps must be in (0, 1)");
  check_range("num_puzzle_identifiers", num_puzzle_identifiers, 1, 1 << 22);
  if (static_cast<long long>(num_puzzle_identifiers) * puzzle_emb_ndim > (1LL << 31) - 1)
    bad("puzzle embedding table num_puzzle_identifiers x puzzle_emb_ndim is too large");
  check_range("vocab_size", vocab_size, 2, 1024);
  check_range("seq_len", seq_len, 1, 1 << 14);
  check_range("seq_len + puzzle_emb_len", seq_total(), 1, (1 << 14) + 256);

  std::unique_ptr<Task> t;
  try {
    t = make_task(task, board);
  } catch (const Error& e) {
    bad(e.what());
  }
  if (seq_len != t->seq_len())
    bad("seq_len " + std::to_string(seq_len) + " does not match task " + task + " with board " + std::to_string(board) +
        " (expects " + std::to_string(t->seq_len()) + ")");
  if (vocab_size != t->vocab_size())
    bad("vocab_size " + std::to_string(vocab_size) + " does not match task " + task + " (expects " +
        std::to_string(t->vocab_size()) + ")");
}

}  // namespace ptrm
