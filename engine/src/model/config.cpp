// ModelConfig <-> "ptrm.config" JSON. One table (kFields) describes every key: its member and its bounds. Parsing,
// dumping, the unknown-key check and validate() all walk it; validate() adds the rules that tie fields together
// and the checks on the sizes the engine derives from them. Model::load relies on validate() alone.
#include "ptrm/config.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ptrm/errors.h"
#include "ptrm/json.h"
#include "ptrm/safetensors.h"
#include "ptrm/tasks.h"

namespace ptrm {
namespace {

// An integer key, stored as int: valid values [lo, hi].
struct IntField {
  int ModelConfig::*member;
  int64_t lo, hi;
};
// A real key: finite, > lo, and <= hi (or < hi when hi_open).
struct RealField {
  double ModelConfig::*member;
  double lo, hi;
  bool hi_open;
};
struct BoolField {
  bool ModelConfig::*member;
};
// A string key: one of `choices`, or any string when choices is empty (then a rule in validate() checks it).
struct TextField {
  std::string ModelConfig::*member;
  std::vector<std::string_view> choices;
};
struct Field {
  std::string_view name;
  std::variant<IntField, RealField, BoolField, TextField> spec;
};

constexpr int64_t kIntMin = std::numeric_limits<int32_t>::min(), kIntMax = std::numeric_limits<int32_t>::max();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Bounds are generous multiples of the official models (D 512, 8 heads, S 916, ~1M ARC puzzle ids) while keeping
// every buffer the engine sizes from them far below int overflow. Order = the order of the official config.
const Field kFields[] = {
    {"hidden_size", IntField{&ModelConfig::hidden_size, 1, 4096}},
    {"num_heads", IntField{&ModelConfig::num_heads, 1, 128}},
    {"expansion", RealField{&ModelConfig::expansion, 0, 16, false}},
    {"L_layers", IntField{&ModelConfig::L_layers, 1, 32}},
    {"H_cycles", IntField{&ModelConfig::H_cycles, 1, 64}},
    {"L_cycles", IntField{&ModelConfig::L_cycles, 1, 64}},
    {"halt_max_steps", IntField{&ModelConfig::halt_max_steps, 1, 1024}},
    {"puzzle_emb_len", IntField{&ModelConfig::puzzle_emb_len, 0, 256}},
    {"puzzle_emb_ndim", IntField{&ModelConfig::puzzle_emb_ndim, 0, 1 << 20}},
    {"pos_encodings", TextField{&ModelConfig::pos_encodings, {"rope", "learned", "none"}}},
    {"rope_theta", RealField{&ModelConfig::rope_theta, 0, kInf, true}},
    {"rms_norm_eps", RealField{&ModelConfig::rms_norm_eps, 0, 1, true}},
    {"mlp_t", BoolField{&ModelConfig::mlp_t}},
    {"vocab_size", IntField{&ModelConfig::vocab_size, 2, 1024}},
    {"seq_len", IntField{&ModelConfig::seq_len, 1, 1 << 14}},
    {"num_puzzle_identifiers", IntField{&ModelConfig::num_puzzle_identifiers, 1, 1 << 22}},
    {"task", TextField{&ModelConfig::task, {}}},                 // the task codecs own the list (rule below)
    {"board", IntField{&ModelConfig::board, kIntMin, kIntMax}},  // per task, checked by the task codec
};

// std::visit over several lambdas, one per field kind.
template <class... F>
struct Visit : F... {
  using F::operator()...;
};
template <class... F>
Visit(F...) -> Visit<F...>;  // clang 14 (Emscripten 3.1.6) lacks aggregate deduction

[[noreturn]] void bad(const std::string& msg) { throw Error(ErrorKind::BadModel, "model config: " + msg); }

std::string real_str(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// Reads field `f` of object `j` into `c`. Type errors come from the JSON getters and are reported as they are.
void read_field(const Json& j, const Field& f, ModelConfig& c) {
  std::visit(Visit{
                 [&](const IntField& s) {
                   const int64_t v = get_int(j, f.name, ErrorKind::BadModel);
                   if (v < kIntMin || v > kIntMax)
                     throw Error(ErrorKind::BadModel,
                                 std::string(f.name) + " = " + std::to_string(v) + " does not fit in int32");
                   c.*s.member = static_cast<int>(v);
                 },
                 [&](const RealField& s) { c.*s.member = get_double(j, f.name, ErrorKind::BadModel); },
                 [&](const BoolField& s) { c.*s.member = get_bool(j, f.name, ErrorKind::BadModel); },
                 [&](const TextField& s) { c.*s.member = get_string(j, f.name, ErrorKind::BadModel); },
             },
             f.spec);
}

Json field_json(const Field& f, const ModelConfig& c) {
  return std::visit([&](const auto& s) { return Json(c.*s.member); }, f.spec);
}

void check_field(const Field& f, const ModelConfig& c) {
  const std::string name(f.name);
  std::visit(Visit{
                 [&](const IntField& s) {
                   const int v = c.*s.member;
                   if (v < s.lo || v > s.hi)
                     bad(name + " = " + std::to_string(v) + " is outside [" + std::to_string(s.lo) + ", " +
                         std::to_string(s.hi) + "]");
                 },
                 [&](const RealField& s) {
                   const double v = c.*s.member;
                   if (!(std::isfinite(v) && v > s.lo && (s.hi_open ? v < s.hi : v <= s.hi)))
                     bad(name + " = " + real_str(v) + " is outside (" + real_str(s.lo) + ", " + real_str(s.hi) +
                         (s.hi_open ? ")" : "]"));
                 },
                 [&](const BoolField&) {},
                 [&](const TextField& s) {
                   const std::string& v = c.*s.member;
                   if (s.choices.empty()) return;
                   std::string expected;
                   for (size_t i = 0; i < s.choices.size(); ++i)
                     expected += (i == 0 ? "" : i + 1 == s.choices.size() ? " or " : ", ") + std::string(s.choices[i]);
                   for (std::string_view choice : s.choices)
                     if (v == choice) return;
                   bad(name + " = '" + v + "', expected " + expected);
                 },
             },
             f.spec);
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
    j = Json::parse(text, ErrorKind::BadModel, JsonLimits{1u << 20, 8, 1024, 16});
  } catch (const Error& e) {
    bad(std::string("ptrm.config is not valid JSON: ") + e.what());
  }
  if (!j.is_object()) bad("ptrm.config must be a JSON object");
  for (const auto& [k, v] : j.as_object()) {
    bool known = false;
    for (const Field& f : kFields) known |= f.name == k;
    if (!known) bad("unknown key '" + k + "'");
  }
  ModelConfig c;
  for (const Field& f : kFields) {
    try {
      read_field(j, f, c);
    } catch (const Error& e) {
      bad(e.what());
    }
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
  for (const Field& f : kFields) o[std::string(f.name)] = field_json(f, *this);
  return Json(std::move(o)).dump();
}

void ModelConfig::validate() const {
  // 1. Each field on its own: the bounds in kFields.
  for (const Field& f : kFields) check_field(f, *this);

  // 2. Rules that tie fields together.
  if (hidden_size % num_heads != 0)
    bad("hidden_size " + std::to_string(hidden_size) + " is not divisible by num_heads " + std::to_string(num_heads));
  if (pos_encodings == "rope" && head_dim() % 2 != 0)
    bad("RoPE needs an even head_dim, got " + std::to_string(head_dim()));
  // The official model pads the puzzle vector to puzzle_emb_len·D positions and cannot shrink it; without a
  // puzzle embedding it would build a prefix-sized position table but no prefix.
  if (puzzle_emb_ndim > static_cast<long long>(puzzle_emb_len) * hidden_size)
    bad("puzzle_emb_ndim " + std::to_string(puzzle_emb_ndim) + " does not fit in puzzle_emb_len x hidden_size = " +
        std::to_string(static_cast<long long>(puzzle_emb_len) * hidden_size));
  if (puzzle_emb_ndim == 0 && puzzle_emb_len != 0)
    bad("puzzle_emb_len must be 0 without a puzzle embedding (puzzle_emb_ndim = 0)");
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

  // 3. Sizes the engine derives from the fields (buffers it allocates, GEMMs it builds).
  if (static_cast<long long>(num_puzzle_identifiers) * puzzle_emb_ndim > (1LL << 31) - 1)
    bad("puzzle embedding table num_puzzle_identifiers x puzzle_emb_ndim is too large");
  // A tiny expansion rounds a SwiGLU width to 0, which no GEMM can run.
  if (inter(hidden_size) < 1)
    bad("expansion " + real_str(expansion) + " gives a channel SwiGLU width of 0 for hidden_size " +
        std::to_string(hidden_size));
  if (mlp_t && inter(seq_total()) < 1)
    bad("expansion " + real_str(expansion) +
        " gives a token-mixing SwiGLU width of 0 for seq_len + "
        "puzzle_emb_len = " +
        std::to_string(seq_total()));
}

}  // namespace ptrm
