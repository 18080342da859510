// Embind surface of the engine for ptrm.js: one Engine per loaded model. No C++ exception ever crosses into JS:
// every entry point catches and returns {error: {kind, message}} (the JS side turns it into a PtrmError subclass),
// because a JS-side throw through wasm frames would skip C++ destructors.
#include <emscripten/bind.h>
#include <emscripten/emscripten.h>
#include <emscripten/val.h>

#include <charconv>
#include <cstdint>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "ptrm/config.h"
#include "ptrm/errors.h"
#include "ptrm/json.h"
#include "ptrm/model.h"
#include "ptrm/rng.h"
#include "ptrm/safetensors.h"
#include "ptrm/sampler.h"
#include "ptrm/tasks.h"
#include "ptrm/threadpool.h"

using emscripten::typed_memory_view;
using emscripten::val;

namespace {

val error_value(ptrm::ErrorKind kind, const std::string& message) {
  val err = val::object();
  err.set("kind", val(std::string(ptrm::error_kind_name(kind))));
  err.set("message", val(message));
  val out = val::object();
  out.set("error", err);
  return out;
}

val ok(val result) {
  val out = val::object();
  out.set("result", std::move(result));
  return out;
}

// Runs fn() and converts every failure into error_value(); fn returns the success value.
template <class F>
val guarded(F&& fn) {
  try {
    return fn();
  } catch (const ptrm::Error& e) {
    return error_value(e.kind(), e.what());
  } catch (const std::bad_alloc&) {
    return error_value(ptrm::ErrorKind::Internal, "out of memory (the wasm heap cannot grow further)");
  } catch (const std::exception& e) {
    return error_value(ptrm::ErrorKind::Internal, e.what());
  }
}

template <class T>
val copy_to_js(const char* array_type, const std::vector<T>& v) {
  return val::global(array_type).new_(typed_memory_view(v.size(), v.data()));
}

// Seeds cross from JS as decimal text (a JS number cannot hold every 64-bit seed): all of `text` must be one.
bool parse_u64(const std::string& text, uint64_t& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

// Options arrive as JSON text with every key present (ptrm.js fills in defaults and rejects unknown keys), so
// the C++ side only checks types and ranges, with messages naming the key.
ptrm::Json parse_object(const std::string& json_text) {
  ptrm::Json o = ptrm::Json::parse(json_text, ptrm::ErrorKind::BadOptions, ptrm::JsonLimits{1u << 16, 4, 1024, 256});
  if (!o.is_object()) throw ptrm::Error(ptrm::ErrorKind::BadOptions, "options must be an object");
  return o;
}

ptrm::SolveOptions parse_options(const ptrm::Json& o, const ptrm::ModelConfig& config) {
  using ptrm::ErrorKind;
  auto int_in = [&](const char* key, int64_t lo, int64_t hi) {
    const int64_t v = ptrm::get_int(o, key);
    if (v < lo || v > hi)
      throw ptrm::Error(ErrorKind::BadOptions, std::string(key) + " must be in [" + std::to_string(lo) + ", " +
                                                   std::to_string(hi) + "], got " + std::to_string(v));
    return static_cast<int>(v);
  };
  const std::string task = ptrm::get_string(o, "task");
  if (!task.empty() && task != config.task)
    throw ptrm::Error(ErrorKind::BadOptions,
                      "task '" + task + "' does not match the model's task '" + config.task + "'");

  ptrm::SolveOptions opt;
  // Wider than SolveOptions' own bounds so that validate() reports the real limit; narrower than int.
  opt.k = int_in("k", INT32_MIN, INT32_MAX);
  opt.steps = int_in("steps", INT32_MIN, INT32_MAX);
  opt.puzzle_id = int_in("puzzleId", 0, config.num_puzzle_identifiers - 1);
  opt.max_batch_rows = int_in("maxBatchRows", 0, INT32_MAX);
  const double sigma = ptrm::get_double(o, "sigma");
  opt.sigma = static_cast<float>(sigma);

  const std::string seed = ptrm::get_string(o, "seed");
  if (!parse_u64(seed, opt.seed))
    throw ptrm::Error(ErrorKind::BadOptions, "seed must be an integer in [0, 2^64), got '" + seed + "'");

  opt.noise_on = ptrm::parse_noise_on(ptrm::get_string(o, "noiseOn"), "noiseOn");

  opt.noise_every_inner = ptrm::get_bool(o, "noiseEveryInner");
  const std::string precision = ptrm::get_string(o, "precision");
  if (precision != "fp32" && precision != "int8")
    throw ptrm::Error(ErrorKind::BadOptions, "precision must be 'fp32' or 'int8', got '" + precision + "'");
  opt.precision = precision == "int8" ? ptrm::Precision::Int8 : ptrm::Precision::F32;
  opt.halt_on_q = ptrm::get_bool(o, "haltOnQ");
  opt.stop_on_valid = ptrm::parse_stop_on_valid(ptrm::get_string(o, "stopOnValid"), "stopOnValid");
  opt.select = ptrm::parse_select(ptrm::get_string(o, "select"), "select");
  opt.validate();
  return opt;
}

// Groups the sampler's per-(step, trajectory) events into one JS call per supervision step. A step's batch is
// sent as soon as every trajectory still running has reported (so the page sees step s before step s+1 is
// computed), or when a different step starts (row batches may interleave steps), or at the end.
class StepBatcher {
 public:
  // history: keep every step's decoded answer per trajectory for the result.
  StepBatcher(const ptrm::Task& task, int k, bool history, val on_step)
      : task_(task), on_step_(std::move(on_step)), history_(history), running_(k), answers_(k) {}

  // Returns false to cancel the solve.
  bool add(const ptrm::StepEvent& e) {
    bool keep_going = true;
    if (!traj_.empty() && e.step != step_) {
      running_ = -1;  // row batches interleave: completeness can no longer be counted
      keep_going = flush();
    }
    step_ = e.step;
    const int n = task_.seq_len();
    std::string text = task_.decode(e.answer);
    if (history_) answers_[e.traj].push_back(text);
    traj_.push_back(e.traj);
    tokens_.insert(tokens_.end(), e.answer, e.answer + n);
    texts_.push_back(std::move(text));
    q_.push_back(e.q_halt);
    latent_.insert(latent_.end(), e.latent_summary, e.latent_summary + 32);
    valid_.push_back(e.valid ? 1 : 0);
    active_.push_back(e.active ? 1 : 0);
    if (static_cast<int>(traj_.size()) == running_) keep_going = flush() && keep_going;
    return keep_going;
  }

  bool flush() {
    if (traj_.empty()) return true;
    int still_running = 0;
    for (uint8_t a : active_) still_running += a;
    if (running_ >= 0) running_ = still_running;
    bool keep_going = true;
    if (!on_step_.isNull() && !on_step_.isUndefined()) {
      val batch = val::object();
      batch.set("step", step_);
      batch.set("traj", copy_to_js("Int32Array", traj_));
      batch.set("tokens", copy_to_js("Int32Array", tokens_));
      val texts = val::array();
      for (const std::string& t : texts_) texts.call<void>("push", val(t));
      batch.set("answers", texts);
      batch.set("qHalt", copy_to_js("Float32Array", q_));
      batch.set("latent", copy_to_js("Float32Array", latent_));
      batch.set("valid", copy_to_js("Uint8Array", valid_));
      batch.set("active", copy_to_js("Uint8Array", active_));
      keep_going = on_step_(batch).as<bool>();
    }
    traj_.clear();
    tokens_.clear();
    texts_.clear();
    q_.clear();
    latent_.clear();
    valid_.clear();
    active_.clear();
    return keep_going;
  }

  // Decoded answer after every step, per trajectory (empty lists without history).
  const std::vector<std::vector<std::string>>& answers() const { return answers_; }

 private:
  const ptrm::Task& task_;
  val on_step_;
  bool history_;
  int running_;  // trajectories expected to report this step; -1 once unknown
  int step_ = 0;
  std::vector<int32_t> traj_, tokens_;
  std::vector<std::string> texts_;
  std::vector<float> q_, latent_;
  std::vector<uint8_t> valid_, active_;
  std::vector<std::vector<std::string>> answers_;
};

// Bounds the result's per-step answer strings (and the JS objects made from them) to ~64 MB.
constexpr int64_t kMaxHistoryTokens = int64_t{64} << 20;

class Engine {
 public:
  // bytes: a Uint8Array holding a .safetensors model. threads: pthreadpool size (1 in the single-thread build).
  val load(const val& bytes, int threads) {
    return guarded([&] {
      if (threads < 1 || threads > 64)
        throw ptrm::Error(ptrm::ErrorKind::BadOptions, "threads must be in [1, 64], got " + std::to_string(threads));
      auto st = ptrm::SafeTensors::from_bytes(emscripten::convertJSArrayToNumberVector<uint8_t>(bytes));
      auto model = std::make_unique<ptrm::Model>(ptrm::Model::load(st));
      auto task = ptrm::make_task(model->config);
      const auto& meta = st.metadata();
      auto get_meta = [&](const char* key) {
        auto it = meta.find(key);
        return it == meta.end() ? std::string() : it->second;
      };
      name_ = get_meta("ptrm.name");
      description_ = get_meta("ptrm.description");
      puzzle_identifiers_ = get_meta("ptrm.puzzle_identifiers");
      calib_.clear();
      pool_ = std::make_unique<ptrm::ThreadPool>(threads);
      solve_pool_ = pool_.get();
      task_ = std::move(task);
      model_ = std::move(model);
      return ok(info_object());
    });
  }

  // Thread-count calibration (ptrm.js decides; docs/wasm-bench.md): the milliseconds of one supervision step of
  // `rows` rows on `threads` threads — 1 (the caller alone) or the pool's size. Tokens are PAD: a step's cost does
  // not depend on them. Each (threads, rows) keeps its Session, so repeated calls time steps, not weight packing;
  // the first step of a new Session is an untimed warm-up.
  val timeStep(int threads, int rows) {
    return guarded([&] {
      if (!model_) throw ptrm::Error(ptrm::ErrorKind::Internal, "no model loaded");
      if (threads != 1 && threads != pool_->threads())
        throw ptrm::Error(ptrm::ErrorKind::BadOptions, "timeStep: threads must be 1 or the pool size");
      if (rows < 1 || rows > 256) throw ptrm::Error(ptrm::ErrorKind::BadOptions, "timeStep: rows must be in [1, 256]");
      ptrm::ThreadPool& pool = threads == 1 ? serial_ : *pool_;
      auto& session = calib_[{threads, rows}];
      if (!session) {
        session = std::make_unique<ptrm::Session>(*model_, pool, rows);
        std::vector<int32_t> tokens(static_cast<size_t>(rows) * model_->config.seq_len, 0), ids(rows, 0);
        session->reset(rows, tokens.data(), ids.data());
        session->step();
      }
      const double t0 = emscripten_get_now();
      session->step();
      return ok(val(emscripten_get_now() - t0));
    });
  }

  // Later solves run on 1 thread or on the whole pool (what calibration chose); frees the calibration sessions.
  val setThreads(int threads) {
    return guarded([&] {
      if (!model_) throw ptrm::Error(ptrm::ErrorKind::Internal, "no model loaded");
      if (threads != 1 && threads != pool_->threads())
        throw ptrm::Error(ptrm::ErrorKind::BadOptions, "setThreads: threads must be 1 or the pool size");
      calib_.clear();
      solve_pool_ = threads == 1 ? &serial_ : pool_.get();
      return ok(info_object());
    });
  }

  val info() const {
    if (!model_) return error_value(ptrm::ErrorKind::Internal, "no model loaded");
    return ok(info_object());
  }

  // on_step(batch) → bool (false cancels) or null. cancel check happens in on_step, so it is always called when
  // the caller can cancel. Returns {result} or {error}.
  val solve(const std::string& puzzle, const std::string& options_json, const val& on_step) {
    return guarded([&] {
      if (!model_) throw ptrm::Error(ptrm::ErrorKind::Internal, "no model loaded");
      const ptrm::Json o = parse_object(options_json);
      const ptrm::SolveOptions opt = parse_options(o, model_->config);
      const bool history = ptrm::get_bool(o, "history");
      const int64_t steps = opt.steps > 0 ? opt.steps : model_->config.halt_max_steps;
      if (history && int64_t{opt.k} * steps * model_->config.seq_len > kMaxHistoryTokens)
        throw ptrm::Error(ptrm::ErrorKind::BadOptions,
                          "k x steps x seq_len exceeds the per-step answer history limit (" +
                              std::to_string(kMaxHistoryTokens) + " cells); pass history: false");
      const std::vector<int32_t> question = task_->encode(puzzle);
      StepBatcher batcher(*task_, opt.k, history, on_step);
      const ptrm::SolveResult r = ptrm::solve(*model_, *solve_pool_, *task_, question, opt,
                                              [&](const ptrm::StepEvent& e) { return batcher.add(e); });
      if (!batcher.flush()) throw ptrm::Error(ptrm::ErrorKind::Cancelled, "solve cancelled");
      return ok(result_object(r, batcher.answers()));
    });
  }

 private:
  // {task, board, variant, seqLen, vocabSize, hasChecker, params, threads, name, description, configJson,
  //  puzzleIdentifiersJson}
  val info_object() const {
    const ptrm::ModelConfig& c = model_->config;
    val out = val::object();
    out.set("task", c.task);
    out.set("board", c.board);
    out.set("variant", std::string(c.mlp_t ? "mlp_t" : "attention"));
    out.set("seqLen", c.seq_len);
    out.set("vocabSize", c.vocab_size);
    out.set("hasChecker", task_->has_checker());
    out.set("params", static_cast<double>(model_->param_count()));
    out.set("threads", solve_pool_->threads());
    out.set("poolThreads", pool_->threads());
    out.set("name", name_);
    out.set("description", description_);
    out.set("configJson", c.to_json());
    out.set("puzzleIdentifiersJson", puzzle_identifiers_);
    out.set("limits", limits_object());
    return out;
  }

  // SolveOptions' bounds (SolveLimits), so the page's inputs and messages use the engine's numbers.
  static val limits_object() {
    auto range = [](double lo, double hi) {
      val r = val::object();
      r.set("min", lo);
      r.set("max", hi);
      return r;
    };
    val out = val::object();
    out.set("k", range(1, ptrm::SolveLimits::k_max));
    out.set("sigma", range(0, ptrm::SolveLimits::sigma_max));
    out.set("steps", range(1, ptrm::SolveLimits::steps_max));
    return out;
  }

  // The engine's selection (SolveOptions::select) travels as is: JS prints `chosen`, never re-decides it.
  val result_object(const ptrm::SolveResult& r, const std::vector<std::vector<std::string>>& answers) const {
    const ptrm::Selection& sel = r.selection;
    val trajs = val::array();
    for (size_t t = 0; t < r.trajectories.size(); ++t) {
      const ptrm::TrajectoryResult& tr = r.trajectories[t];
      val o = val::object();
      val step_answers = val::array();
      for (const std::string& a : answers[t]) step_answers.call<void>("push", val(a));
      o.set("answers", step_answers);
      o.set("qHalt", copy_to_js("Float32Array", tr.q_halt));
      o.set("answer", task_->decode(tr.answer.data()));
      o.set("tokens", copy_to_js("Int32Array", tr.answer));
      o.set("steps", tr.steps);
      o.set("stop", std::string(ptrm::stop_reason_name(tr.stop)));
      o.set("valid", tr.valid);
      trajs.call<void>("push", o);
    }
    val selection = val::object();
    selection.set("policy", std::string(ptrm::select_name(sel.policy)));
    selection.set("chosen", sel.chosen);
    selection.set("bestQ", sel.best_q);
    selection.set("mode", sel.mode);
    selection.set("modeCount", sel.mode_count);
    selection.set("vote", sel.vote);
    val out = val::object();
    out.set("trajectories", trajs);
    out.set("selection", selection);
    out.set("trajStepsRun", static_cast<double>(r.traj_steps_run));
    out.set("trajStepsBudget", static_cast<double>(r.traj_steps_budget));
    return out;
  }

  std::unique_ptr<ptrm::Model> model_;
  std::unique_ptr<ptrm::Task> task_;
  std::unique_ptr<ptrm::ThreadPool> pool_;
  ptrm::ThreadPool serial_{1};
  ptrm::ThreadPool* solve_pool_ = nullptr;  // pool_ or serial_: what solves run on
  std::map<std::pair<int, int>, std::unique_ptr<ptrm::Session>> calib_;
  std::string name_, description_, puzzle_identifiers_;
};

// RNG golden values for the cross-platform test: normal(seed, traj, step, elem) for seed given as decimal text.
val rng_normals(const std::string& seed_text, int traj, int step, int first_elem, int count) {
  return guarded([&] {
    uint64_t seed = 0;
    if (!parse_u64(seed_text, seed) || count < 0 || count > (1 << 20) || traj < 0 || step < 0 || first_elem < 0)
      throw ptrm::Error(ptrm::ErrorKind::BadOptions, "rngNormals: bad arguments");
    std::vector<float> out(count);
    for (int i = 0; i < count; ++i)
      out[i] = ptrm::normal(seed, static_cast<uint32_t>(traj), static_cast<uint32_t>(step),
                            static_cast<uint32_t>(first_elem + i));
    return ok(copy_to_js("Float32Array", out));
  });
}

}  // namespace

EMSCRIPTEN_BINDINGS(ptrm) {
  emscripten::class_<Engine>("Engine")
      .constructor<>()
      .function("load", &Engine::load)
      .function("timeStep", &Engine::timeStep)
      .function("setThreads", &Engine::setThreads)
      .function("info", &Engine::info)
      .function("solve", &Engine::solve);
  emscripten::function("rngNormals", &rng_normals);
}
