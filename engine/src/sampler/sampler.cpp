// PTRM sampler: B puzzles × K trajectories run as rows of one Session batch (or several, when they do not fit),
// Gaussian noise keyed by trajectory, per-step events, early exits with real compaction, and selection.
#include <algorithm>
#include <cstring>
#include <limits>
#include <map>
#include <new>
#include <string>

#include "ptrm/errors.h"
#include "ptrm/rng.h"
#include "ptrm/sampler.h"
#include "ptrm/tasks.h"

namespace ptrm {
namespace {

constexpr size_t kAutoBatchBytes = size_t{512} << 20;  // default activation budget of one Session batch
constexpr uint32_t kBothYTraj = 0x40000000u;           // zH noise stream when both latents are perturbed
constexpr uint32_t kStepKeyStride = 1024;              // noise key = step·1024 (+ 1 + inner call)

[[noreturn]] void bad_options(const std::string& m) { throw Error(ErrorKind::BadOptions, m); }

// Runs a contiguous range of (puzzle, trajectory) units through one Session, batch after batch.
class Runner {
 public:
  Runner(const Model& model, ThreadPool& pool, const Task& task, const std::vector<std::vector<int32_t>>& questions,
         const std::vector<int32_t>& ids, const SolveOptions& opt, const StepCallback& on_step, int steps, int batch,
         std::vector<SolveResult>& results)
      : model_(model), pool_(pool), task_(task), questions_(questions), ids_(ids), opt_(opt), on_step_(on_step),
        steps_(steps), K_(opt.k), L_(model.config.seq_len), session_(model, pool, batch, opt.precision), results_(results),
        answers_(static_cast<size_t>(batch) * L_), tokens_(static_cast<size_t>(batch) * L_), row_ids_(batch),
        valid_(batch), reason_(batch) {}

  void run(int first_unit, int count) {
    units_.clear();
    for (int u = first_unit; u < first_unit + count; ++u) units_.push_back(u);
    for (int r = 0; r < count; ++r) {
      const int b = units_[r] / K_;
      std::memcpy(tokens_.data() + static_cast<size_t>(r) * L_, questions_[b].data(), sizeof(int32_t) * L_);
      row_ids_[r] = ids_[b];
    }
    session_.reset(count, tokens_.data(), row_ids_.data());
    for (int s = 0; s < steps_ && !units_.empty(); ++s) {
      if (opt_.cancel && opt_.cancel->load()) throw Error(ErrorKind::Cancelled, "solve cancelled");
      if (opt_.sigma > 0.0f) add_noise(s * kStepKeyStride);
      if (opt_.noise_every_inner && opt_.sigma > 0.0f)
        session_.step([&](int call) { add_noise(s * kStepKeyStride + 1 + static_cast<uint32_t>(call)); });
      else
        session_.step();
      observe(s);
    }
  }

 private:
  int traj(int row) const { return units_[row] % K_; }
  int puzzle(int row) const { return units_[row] / K_; }

  // sigma · N(0, 1) into the chosen latent(s) of every row, keyed by the row's trajectory, not its batch slot.
  void add_noise(uint32_t key) {
    const size_t n = static_cast<size_t>(session_.seq_total()) * model_.config.hidden_size;
    pool_.parallel_for(units_.size(), 1, [&](size_t r0, size_t r1) {
      for (size_t r = r0; r < r1; ++r) {
        const uint32_t t = static_cast<uint32_t>(traj(static_cast<int>(r)));
        if (opt_.noise_on != NoiseOn::Y)
          add_normal(session_.zL() + r * n, n, opt_.sigma, opt_.seed, t, key);
        if (opt_.noise_on != NoiseOn::Z)
          add_normal(session_.zH() + r * n, n, opt_.sigma, opt_.seed,
                     opt_.noise_on == NoiseOn::Both ? t + kBothYTraj : t, key);
      }
    });
  }

  // After step s: record q, decide who stops (and why), emit events, compact the batch.
  void observe(int s) {
    const int rows = static_cast<int>(units_.size());
    session_.argmax(answers_.data());
    const float* q = session_.q_halt();
    const bool checker = task_.has_checker();
    std::vector<char>& solved_puzzle = solved_scratch_;
    solved_puzzle.assign(questions_.size(), 0);
    for (int r = 0; r < rows; ++r) {
      const int32_t* ans = answers_.data() + static_cast<size_t>(r) * L_;
      valid_[r] = checker && task_.check(questions_[puzzle(r)], ans);
      reason_[r] = -1;
      if (opt_.stop_on_valid != StopOnValid::None && valid_[r]) {
        reason_[r] = static_cast<int>(StopReason::Valid);
        if (opt_.stop_on_valid == StopOnValid::Solve) solved_puzzle[puzzle(r)] = 1;
      } else if (opt_.halt_on_q && q[r] > 0.0f) {
        reason_[r] = static_cast<int>(StopReason::HaltQ);
      } else if (s + 1 == steps_) {
        reason_[r] = static_cast<int>(StopReason::Steps);
      }
    }
    for (int r = 0; r < rows; ++r)
      if (reason_[r] < 0 && solved_puzzle[puzzle(r)]) reason_[r] = static_cast<int>(StopReason::SolveDone);

    if (on_step_) {
      const size_t n = static_cast<size_t>(session_.seq_total()) * model_.config.hidden_size;
      float summary[32];
      for (int r = 0; r < rows; ++r) {
        latent_summary(session_.zH() + r * n, n, summary);
        const StepEvent ev{puzzle(r), s + 1, traj(r), answers_.data() + static_cast<size_t>(r) * L_, q[r],
                           summary, valid_[r] != 0, reason_[r] < 0};
        if (!on_step_(ev)) throw Error(ErrorKind::Cancelled, "solve cancelled by the step callback");
      }
    }

    std::vector<int>& keep = keep_scratch_;
    keep.clear();
    for (int r = 0; r < rows; ++r) {
      SolveResult& res = results_[puzzle(r)];
      TrajectoryResult& tr = res.trajectories[traj(r)];
      tr.q_halt.push_back(q[r]);
      ++res.traj_steps_run;
      if (reason_[r] < 0) {
        keep.push_back(r);
        continue;
      }
      tr.steps = s + 1;
      tr.stop = static_cast<StopReason>(reason_[r]);
      tr.valid = valid_[r] != 0;
      tr.answer.assign(answers_.data() + static_cast<size_t>(r) * L_, answers_.data() + static_cast<size_t>(r + 1) * L_);
    }
    if (static_cast<int>(keep.size()) < rows) {
      session_.keep_rows(keep);
      for (size_t i = 0; i < keep.size(); ++i) units_[i] = units_[keep[i]];
      units_.resize(keep.size());
    }
  }

  const Model& model_;
  ThreadPool& pool_;
  const Task& task_;
  const std::vector<std::vector<int32_t>>& questions_;
  const std::vector<int32_t>& ids_;
  const SolveOptions& opt_;
  const StepCallback& on_step_;
  const int steps_, K_, L_;
  Session session_;
  std::vector<SolveResult>& results_;
  std::vector<int32_t> answers_, tokens_, row_ids_;
  std::vector<char> valid_;
  std::vector<int> reason_;
  std::vector<int> units_, keep_scratch_;
  std::vector<char> solved_scratch_;
};

}  // namespace

std::vector<SolveResult> solve_many(const Model& model, ThreadPool& pool, const Task& task,
                                    const std::vector<std::vector<int32_t>>& questions,
                                    const std::vector<int32_t>& puzzle_ids, const SolveOptions& opt,
                                    const StepCallback& on_step) {
  opt.validate();
  const ModelConfig& c = model.config;
  if (task.seq_len() != c.seq_len || task.vocab_size() != c.vocab_size)
    bad_options("task '" + task.name() + "' (seq_len " + std::to_string(task.seq_len()) + ", vocab " +
                std::to_string(task.vocab_size()) + ") does not match the model (seq_len " + std::to_string(c.seq_len) +
                ", vocab " + std::to_string(c.vocab_size) + ")");
  if (opt.stop_on_valid != StopOnValid::None && !task.has_checker())
    bad_options("stop_on_valid needs an answer checker, and task '" + task.name() + "' has none");
  if (opt.select == SelectPolicy::Valid && !task.has_checker())
    bad_options("select=valid needs an answer checker, and task '" + task.name() + "' has none");
  if (!puzzle_ids.empty() && puzzle_ids.size() != questions.size())
    bad_options("puzzle_ids must be empty or have one id per question");
  std::vector<int32_t> ids = puzzle_ids.empty() ? std::vector<int32_t>(questions.size(), opt.puzzle_id) : puzzle_ids;
  for (int32_t id : ids)
    if (id < 0 || id >= c.num_puzzle_identifiers)
      bad_options("puzzle id " + std::to_string(id) + " is outside 0.." + std::to_string(c.num_puzzle_identifiers - 1));
  for (size_t b = 0; b < questions.size(); ++b)
    if (static_cast<int>(questions[b].size()) != c.seq_len)
      throw Error(ErrorKind::BadPuzzle, "question " + std::to_string(b) + " has " + std::to_string(questions[b].size()) +
                                            " tokens; the model expects " + std::to_string(c.seq_len));
  if (opt.noise_every_inner && static_cast<int64_t>(c.H_cycles) * c.L_cycles >= kStepKeyStride)
    bad_options("noise_every_inner needs H_cycles * L_cycles < 1024");

  const int steps = opt.steps ? opt.steps : c.halt_max_steps;
  const int B = static_cast<int>(questions.size()), K = opt.k;
  std::vector<SolveResult> results(B);
  for (SolveResult& r : results) {
    r.trajectories.resize(K);
    for (TrajectoryResult& t : r.trajectories) t.q_halt.reserve(steps);
    r.traj_steps_budget = static_cast<int64_t>(K) * steps;
  }
  if (B == 0) return results;

  const int64_t total = static_cast<int64_t>(B) * K;
  int64_t batch = opt.max_batch_rows;
  if (batch == 0) batch = std::max<int64_t>(1, static_cast<int64_t>(kAutoBatchBytes / Session::bytes_per_row(c)));
  if (opt.stop_on_valid == StopOnValid::Solve) {
    // A puzzle's trajectories stop together, so they must share a batch.
    if (opt.max_batch_rows != 0 && batch < K)
      bad_options("stop_on_valid=solve runs a puzzle's k trajectories in one batch: k (" + std::to_string(K) +
                  ") exceeds max_batch_rows (" + std::to_string(batch) + ")");
    batch = std::max<int64_t>(K, batch / K * K);
  }
  batch = std::min(batch, total);

  try {
    Runner runner(model, pool, task, questions, ids, opt, on_step, steps, static_cast<int>(batch), results);
    for (int64_t u = 0; u < total; u += batch)
      runner.run(static_cast<int>(u), static_cast<int>(std::min(batch, total - u)));
  } catch (const std::bad_alloc&) {
    bad_options("not enough memory for a batch of " + std::to_string(batch) + " rows; lower k or max_batch_rows");
  }
  for (SolveResult& r : results) r.selection = select(r, 0, nullptr, opt.select);
  return results;
}

SolveResult solve(const Model& model, ThreadPool& pool, const Task& task, const std::vector<int32_t>& question,
                  const SolveOptions& options, const StepCallback& on_step) {
  return std::move(solve_many(model, pool, task, {question}, {options.puzzle_id}, options, on_step)[0]);
}

Selection select(const SolveResult& result, int k_prefix, const int32_t* label, SelectPolicy policy) {
  const int K = static_cast<int>(result.trajectories.size());
  if (k_prefix < 0 || k_prefix > K)
    bad_options("selection prefix " + std::to_string(k_prefix) + " is outside 0.." + std::to_string(K));
  Selection sel;
  sel.k = k_prefix ? k_prefix : K;
  sel.policy = policy;
  if (sel.k == 0) return sel;
  auto final_q = [&](int t) {
    const auto& q = result.trajectories[t].q_halt;
    return q.empty() ? -std::numeric_limits<float>::infinity() : q.back();
  };
  // best-Q: strict '>' keeps the lowest index among ties (and never prefers a NaN).
  sel.best_q = 0;
  for (int t = 1; t < sel.k; ++t)
    if (final_q(t) > final_q(sel.best_q)) sel.best_q = t;
  // mode: group exact answers; each group is represented by its best-Q member.
  struct Group {
    int count = 0, rep = -1;
  };
  std::map<std::vector<int32_t>, Group> groups;
  for (int t = 0; t < sel.k; ++t) {
    Group& g = groups[result.trajectories[t].answer];
    ++g.count;
    if (g.rep < 0 || final_q(t) > final_q(g.rep)) g.rep = t;
  }
  const Group* best = nullptr;
  for (const auto& [answer, g] : groups)
    if (!best || g.count > best->count ||
        (g.count == best->count && (final_q(g.rep) > final_q(best->rep) ||
                                    (final_q(g.rep) == final_q(best->rep) && g.rep < best->rep))))
      best = &g;
  sel.mode = best->rep;
  sel.mode_count = best->count;
  // The policy's choice. Valid: the highest-q checker-valid trajectory (strict '>': lowest index among ties),
  // best-Q when none is valid.
  sel.chosen = policy == SelectPolicy::Mode ? sel.mode : sel.best_q;
  if (policy == SelectPolicy::Valid) {
    int best_valid = -1;
    for (int t = 0; t < sel.k; ++t)
      if (result.trajectories[t].valid && (best_valid < 0 || final_q(t) > final_q(best_valid))) best_valid = t;
    if (best_valid >= 0) sel.chosen = best_valid;
  }
  if (label) {
    const size_t L = result.trajectories[0].answer.size();
    auto correct = [&](int t) {
      const auto& a = result.trajectories[t].answer;
      return a.size() == L && std::equal(a.begin(), a.end(), label);
    };
    sel.pass = 0;
    for (int t = 0; t < sel.k; ++t)
      if (correct(t)) sel.pass = 1;
    sel.best_q_correct = correct(sel.best_q);
    sel.mode_correct = correct(sel.mode);
  }
  return sel;
}

}  // namespace ptrm
