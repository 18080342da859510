// Structure-aware: bytes -> a valid small model (every task, attention / token-MLP, RoPE / learned / none, puzzle
// embeddings, F32 / F16 / BF16 storage, odd expansions) written as a safetensors file, loaded, and solved with
// arbitrary options (K, sigma, steps, noise placement, every-inner noise, halt-on-q, stop-on-valid trajectory /
// solve, batch sizes, threads, several puzzles). Invariants: only ptrm::Error escapes, and never Internal (a
// user's model or options must get a typed error); results are well formed; and they are identical when the same
// solve runs one trajectory per batch (no batching, no refill) — the scheduler's determinism guarantee.
#include <algorithm>
#include <cstring>
#include <vector>

#include "../support/random_model.h"
#include "fuzz_common.h"
#include "ptrm/model.h"
#include "ptrm/safetensors.h"
#include "ptrm/sampler.h"
#include "ptrm/tasks.h"

using namespace ptrm;

namespace {

template <class Fn>
bool typed(const char* entry, Fn&& fn) {
  try {
    fn();
    return true;
  } catch (const ptrm::Error& e) {
    if (e.kind() == ErrorKind::Internal) fuzz::finding(std::string(entry) + ": Internal error: " + e.what());
    return false;
  } catch (const std::exception& e) {
    fuzz::finding(std::string(entry) + " threw a non-ptrm exception: " + e.what());
  }
}

ModelConfig make_config(fuzz::Bytes& b) {
  ModelConfig c;
  switch (b.u8() % 8) {
    case 0: c.task = "sudoku", c.board = 9, c.seq_len = 81, c.vocab_size = 11; break;
    case 1:
    case 2: c.task = "sudoku", c.board = 6, c.seq_len = 36, c.vocab_size = 8; break;
    case 3: c.task = "arc", c.board = 30, c.seq_len = 900, c.vocab_size = 12; break;
    default: c.task = "maze", c.board = b.range(2, 6), c.seq_len = c.board * c.board, c.vocab_size = 6;
  }
  static const int kDims[] = {2, 4, 8, 12, 16};
  c.hidden_size = b.pick(kDims);
  static const int kHeads[] = {1, 2, 4};
  c.num_heads = b.pick(kHeads);
  if (c.hidden_size % c.num_heads) c.num_heads = 1;
  static const double kExpansions[] = {4.0, 2.0, 1.0, 0.5, 0.05, 0.001, 2.6666666666666665, 16.0};
  c.expansion = b.flag() ? b.pick(kExpansions) : (1 + b.u8()) / 64.0;
  c.L_layers = b.range(1, 2);
  c.H_cycles = b.range(1, 2);
  c.L_cycles = b.range(1, 2);
  c.halt_max_steps = b.range(1, 4);
  static const char* kPos[] = {"rope", "learned", "none"};
  c.pos_encodings = b.pick(kPos);
  c.mlp_t = b.flag();
  if (c.pos_encodings == "rope" && c.head_dim() % 2) c.pos_encodings = "none";
  c.rope_theta = b.flag() ? 10000.0 : 1.0 + b.u8();
  c.rms_norm_eps = b.flag() ? 1e-5 : 1e-2;
  c.puzzle_emb_len = b.range(0, 2);
  c.puzzle_emb_ndim = c.puzzle_emb_len ? b.range(1, c.puzzle_emb_len * c.hidden_size) : 0;
  c.num_puzzle_identifiers = b.range(1, 3);
  if (c.task == "arc") {  // S = 900+: keep the token MLP (2 x 2560 x 902 per layer) and wide SwiGLUs out
    c.mlp_t = false;
    c.expansion = std::min(c.expansion, 4.0);
  }
  return c;
}

std::string make_puzzle(const ModelConfig& c, fuzz::Bytes& b) {
  if (b.u8() % 8 == 0) {  // free text: exercises the codecs' errors inside a full solve
    std::string s;
    for (int i = b.range(0, 90); i > 0; --i) s += static_cast<char>(b.u8());
    return s;
  }
  if (c.task == "sudoku") {
    std::string s(c.seq_len, '.');
    for (int i = b.range(0, 3); i > 0; --i) s[b.u8() % c.seq_len] = static_cast<char>('1' + b.u8() % c.board);
    return s;
  }
  if (c.task == "maze") {
    std::string s(c.seq_len, ' ');
    for (char& ch : s) ch = b.u8() % 4 == 0 ? '#' : ' ';
    s[0] = 'S';
    s[c.seq_len - 1] = 'G';
    return s;
  }
  std::string g = "[";
  const int rows = b.range(1, 4), cols = b.range(1, 4);
  for (int r = 0; r < rows; ++r) {
    g += r ? ",[" : "[";
    for (int k = 0; k < cols; ++k) g += (k ? "," : "") + std::to_string(b.u8() % 10);
    g += "]";
  }
  return g + "]";
}

void check_result(const SolveResult& r, const SolveOptions& o, const ModelConfig& c) {
  const int steps = o.steps ? o.steps : c.halt_max_steps;
  PTRM_FUZZ_CHECK(static_cast<int>(r.trajectories.size()) == o.k, "trajectory count");
  int64_t sum = 0;
  for (const TrajectoryResult& t : r.trajectories) {
    PTRM_FUZZ_CHECK(t.steps >= 1 && t.steps <= steps, "steps out of range");
    PTRM_FUZZ_CHECK(static_cast<int>(t.q_halt.size()) == t.steps, "one q per step");
    PTRM_FUZZ_CHECK(static_cast<int>(t.answer.size()) == c.seq_len, "answer length");
    for (int32_t a : t.answer) PTRM_FUZZ_CHECK(a >= 0 && a < c.vocab_size, "answer token");
    if (t.stop == StopReason::Steps) PTRM_FUZZ_CHECK(t.steps == steps, "Steps stop before the last step");
    if (t.stop == StopReason::Valid) PTRM_FUZZ_CHECK(t.valid && o.stop_on_valid != StopOnValid::None, "Valid stop");
    if (t.stop == StopReason::HaltQ) PTRM_FUZZ_CHECK(o.halt_on_q && t.q_halt.back() > 0.0f, "HaltQ stop");
    if (t.stop == StopReason::SolveDone) PTRM_FUZZ_CHECK(o.stop_on_valid == StopOnValid::Solve, "SolveDone stop");
    sum += t.steps;
  }
  if (o.stop_on_valid == StopOnValid::Solve) {  // all of a puzzle's trajectories stop by its first valid step
    int first = steps + 1;
    for (const TrajectoryResult& t : r.trajectories)
      if (t.stop == StopReason::Valid) first = std::min(first, t.steps);
    for (const TrajectoryResult& t : r.trajectories) PTRM_FUZZ_CHECK(t.steps <= first, "ran past the solve's stop");
  }
  PTRM_FUZZ_CHECK(r.traj_steps_run == sum && sum <= r.traj_steps_budget, "step accounting");
  const Selection sel = select(r);
  PTRM_FUZZ_CHECK(sel.best_q >= 0 && sel.best_q < o.k && sel.mode >= 0 && sel.mode < o.k, "selection");
  PTRM_FUZZ_CHECK(sel.vote >= 0 && sel.vote < o.k, "vote selection");
}

bool same_bits(const std::vector<SolveResult>& a, const std::vector<SolveResult>& b) {
  if (a.size() != b.size()) return false;
  for (size_t p = 0; p < a.size(); ++p)
    for (size_t t = 0; t < a[p].trajectories.size(); ++t) {
      const TrajectoryResult &x = a[p].trajectories[t], &y = b[p].trajectories[t];
      if (x.steps != y.steps || x.stop != y.stop || x.valid != y.valid || x.answer != y.answer ||
          x.q_halt.size() != y.q_halt.size() ||
          std::memcmp(x.q_halt.data(), y.q_halt.data(), sizeof(float) * x.q_halt.size()) != 0)
        return false;
    }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Bytes b(data, size);
  const ModelConfig c = make_config(b);
  static const DType kDTypes[] = {DType::F32, DType::F16, DType::BF16};
  const DType dtype = b.pick(kDTypes);
  const uint64_t weight_seed = b.u64();

  std::vector<uint8_t> file;
  if (!typed("write model", [&] {
        file = safetensors_bytes(test_support::model_tensors(c, weight_seed, dtype), test_support::model_metadata(c));
      }))
    return 0;
  Model model;
  if (!typed("Model::load", [&] { model = Model::load(SafeTensors::from_bytes(std::move(file))); })) return 0;
  std::unique_ptr<Task> task;
  if (!typed("make_task", [&] { task = make_task(model.config); })) return 0;

  SolveOptions o;
  o.k = b.range(1, 8);
  static const float kSigmas[] = {0.0f, 0.3f, 1.0f, 10.0f};
  o.sigma = b.pick(kSigmas);
  o.steps = b.range(0, 4);
  o.seed = b.u64();
  static const NoiseOn kNoise[] = {NoiseOn::Z, NoiseOn::Y, NoiseOn::Both};
  o.noise_on = b.pick(kNoise);
  o.noise_every_inner = b.flag();
  o.halt_on_q = b.flag();
  static const StopOnValid kStop[] = {StopOnValid::None, StopOnValid::Trajectory, StopOnValid::Solve};
  o.stop_on_valid = task->has_checker() ? b.pick(kStop) : StopOnValid::None;
  o.max_batch_rows = b.range(0, o.k + 2);
  const int threads = b.range(1, 2);
  const int puzzles = b.range(1, 2);

  std::vector<std::vector<int32_t>> questions;
  std::vector<int32_t> ids;
  for (int p = 0; p < puzzles; ++p) {
    std::vector<int32_t> q;
    const std::string text = make_puzzle(c, b);
    if (!typed("encode", [&] { q = task->encode(text); })) return 0;
    questions.push_back(std::move(q));
    ids.push_back(b.range(0, c.num_puzzle_identifiers - 1));
  }
  const int cancel_after = b.u8() % 16 == 0 ? b.range(0, 6) : -1;

  ThreadPool pool(threads);
  std::vector<SolveResult> results;
  int events = 0;
  const StepCallback on_step = [&](const StepEvent& e) {
    PTRM_FUZZ_CHECK(e.step >= 1 && e.traj >= 0 && e.traj < o.k && e.puzzle >= 0 && e.puzzle < puzzles, "event fields");
    return cancel_after < 0 || ++events <= cancel_after;
  };
  if (!typed("solve_many", [&] { results = solve_many(model, pool, *task, questions, ids, o, on_step); })) return 0;
  PTRM_FUZZ_CHECK(cancel_after < 0 || events <= cancel_after, "callback returned false but the solve went on");
  for (const SolveResult& r : results) check_result(r, o, c);

  // The same solve with one row per batch (nothing batched, nothing refilled, K split for stop_on_valid=solve).
  SolveOptions alone = o;
  alone.max_batch_rows = 1;
  ThreadPool one(1);
  std::vector<SolveResult> again;
  PTRM_FUZZ_CHECK(typed("solve_many alone", [&] { again = solve_many(model, one, *task, questions, ids, alone); }),
                  "a solve that ran failed with one row per batch");
  PTRM_FUZZ_CHECK(same_bits(results, again), "results depend on the batch size / refill / threads");
  return 0;
}
