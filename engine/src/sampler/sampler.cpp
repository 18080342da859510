// PTRM sampler: B puzzles × K trajectories run as rows of one Session batch (or several, when they do not fit),
// Gaussian noise keyed by trajectory, per-step events, early exits with real compaction, and selection.
#include "ptrm/sampler.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <new>
#include <string>

#include "ptrm/errors.h"
#include "ptrm/rng.h"
#include "ptrm/tasks.h"

namespace ptrm {
namespace {

constexpr uint32_t kBothYTraj = 0x40000000u;  // zH noise stream when both latents are perturbed
constexpr uint32_t kStepKeyStride = 1024;     // noise key = step·1024 (+ 1 + inner call)

[[noreturn]] void bad_options(const std::string& m) { throw Error(ErrorKind::BadOptions, m); }

// A k prefix's trajectories grouped by exact final answer, members in index order. select() groups once; mode and
// vote both read the groups.
struct AnswerGroup {
  std::vector<int> members;
  int mode_rep = -1;  // mode's representative: the best-Q member by raw final q (strict '>': lowest index)
};
using AnswerGroups = std::map<std::vector<int32_t>, AnswerGroup>;

// SelectPolicy::Vote, the one place the rule is written: a group scores log Σ exp(q) over its members' final
// q_halt, computed as max + log Σ exp(q - max) in double with the members' q summed largest first (equal multisets
// of q score the same bits, whatever the trajectory order). NaN and -inf q add nothing: a group without any other q
// scores -inf, and a +inf q scores +inf. The winner is the highest score, then the higher member q, then the lowest
// index; it is represented by its best-Q member (NaN counted as -inf; ties → lowest index).
int vote_winner(const SolveResult& result, const AnswerGroups& groups) {
  constexpr double kNegInf = -std::numeric_limits<double>::infinity();
  auto q_of = [&](int t) {
    const auto& q = result.trajectories[t].q_halt;
    return q.empty() || std::isnan(q.back()) ? kNegInf : static_cast<double>(q.back());
  };
  int winner = -1;
  double winner_score = kNegInf;
  std::vector<double> qs;  // one group's q that count (not NaN, not -inf)
  for (const auto& [answer, g] : groups) {
    int rep = -1;
    qs.clear();
    for (int t : g.members) {
      if (rep < 0 || q_of(t) > q_of(rep)) rep = t;
      if (q_of(t) > kNegInf) qs.push_back(q_of(t));
    }
    double score = kNegInf;
    if (!qs.empty()) {
      std::sort(qs.begin(), qs.end(), std::greater<double>());
      const double top = qs.front();
      if (std::isinf(top)) {
        score = top;  // +inf
      } else {
        double sum = 0.0;
        for (double q : qs) sum += std::exp(q - top);
        score = top + std::log(sum);
      }
    }
    if (winner < 0 || score > winner_score ||
        (score == winner_score && (q_of(rep) > q_of(winner) || (q_of(rep) == q_of(winner) && rep < winner)))) {
      winner = rep;
      winner_score = score;
    }
  }
  return winner;
}

// Runs (puzzle, trajectory) units — unit u is trajectory u % K of puzzle u / K — through the rows of one Session.
// Each row keeps its own step count (noise is keyed by it), so a row freed by an early exit is refilled at once
// from the pending queue and every trajectory computes exactly what it would alone.
//
// stop_on_valid = Solve couples a puzzle's trajectories: they stop at s*, the first step at which any of them is
// valid (lockstep semantics). When K <= batch a puzzle's K units start together and stay in lockstep. When they
// do not fit (K > batch), later units may find an earlier s* than units that already ran past it; those are sent
// back and re-run to s* (same keys, same bits), so the result is the lockstep one for any batch size.
class Scheduler {
 public:
  Scheduler(const Model& model, ThreadPool& pool, const Task& task, const std::vector<std::vector<int32_t>>& questions,
            const std::vector<int32_t>& ids, const SolveOptions& opt, const StepCallback& on_step, int steps, int batch,
            std::vector<SolveResult>& results)
      : model_(model), pool_(pool), task_(task), questions_(questions), ids_(ids), opt_(opt), on_step_(on_step),
        steps_(steps), K_(opt.k), L_(model.config.seq_len), batch_(batch), session_(model, pool, batch, opt.precision),
        results_(results), answers_(static_cast<size_t>(batch) * L_), tokens_(static_cast<size_t>(batch) * L_),
        row_ids_(batch), valid_(batch), reason_(batch) {
    const int64_t units = static_cast<int64_t>(questions.size()) * K_;
    for (int64_t u = 0; u < units; ++u) pending_.push_back(static_cast<int>(u));
    emitted_.assign(static_cast<size_t>(units), 0);
    solved_.assign(questions.size(), std::numeric_limits<int>::max());
  }

  void run() {
    admit();
    while (session_.rows() > 0) {
      if (opt_.cancel && opt_.cancel->load()) throw Error(ErrorKind::Cancelled, "solve cancelled");
      if (opt_.sigma > 0.0f) add_noise(-1, 0, session_.rows());
      if (opt_.noise_every_inner && opt_.sigma > 0.0f)
        session_.step([&](int call, int r0, int r1) { add_noise(call, r0, r1); });
      else session_.step();
      for (int& s : row_step_) ++s;
      observe();
      admit();
    }
  }

 private:
  static constexpr int kRerun = -2;  // reason_: the row ran past its puzzle's s* and goes back to the queue
  int traj(int row) const { return row_unit_[row] % K_; }
  int puzzle(int row) const { return row_unit_[row] / K_; }
  bool solve_mode() const { return opt_.stop_on_valid == StopOnValid::Solve; }

  // Fills free rows from the queue. In Solve mode with K <= batch a puzzle's units are admitted together only.
  void admit() {
    const int free = batch_ - session_.rows();
    int n = 0;
    while (n < free && !pending_.empty()) {
      int take = 1;
      if (solve_mode() && K_ <= batch_) {
        const int b = pending_.front() / K_;
        take = 0;
        for (auto it = pending_.begin(); it != pending_.end() && *it / K_ == b; ++it) ++take;
        if (take > free - n) break;
      }
      for (int i = 0; i < take; ++i) {
        const int u = pending_.front();
        pending_.pop_front();
        std::memcpy(tokens_.data() + static_cast<size_t>(n) * L_, questions_[u / K_].data(), sizeof(int32_t) * L_);
        row_ids_[n] = ids_[u / K_];
        row_unit_.push_back(u);
        row_step_.push_back(0);
        ++n;
      }
    }
    if (n) session_.append_rows(n, tokens_.data(), row_ids_.data());
  }

  // sigma · N(0, 1) into the chosen latent(s) of rows [begin, end), keyed by the row's trajectory and its own
  // step count (inner < 0: before the step; else before inner z update `inner`), never by its batch slot.
  void add_noise(int inner, int begin, int end) {
    const size_t n = static_cast<size_t>(session_.seq_total()) * model_.config.hidden_size;
    pool_.parallel_for(static_cast<size_t>(end - begin), 1, [&](size_t i0, size_t i1) {
      for (size_t r = begin + i0; r < begin + i1; ++r) {
        const uint32_t t = static_cast<uint32_t>(traj(static_cast<int>(r)));
        const uint32_t key =
            static_cast<uint32_t>(row_step_[r]) * kStepKeyStride + (inner < 0 ? 0u : 1u + static_cast<uint32_t>(inner));
        if (opt_.noise_on != NoiseOn::Y) add_normal(session_.zL() + r * n, n, opt_.sigma, opt_.seed, t, key);
        if (opt_.noise_on != NoiseOn::Z)
          add_normal(session_.zH() + r * n, n, opt_.sigma, opt_.seed,
                     opt_.noise_on == NoiseOn::Both ? t + kBothYTraj : t, key);
      }
    });
  }

  // Sends unit u back to the queue (front: its puzzle finishes soon) with an empty record.
  void requeue(int u) {
    TrajectoryResult& tr = results_[u / K_].trajectories[u % K_];
    tr = TrajectoryResult{};
    tr.q_halt.reserve(steps_);
    pending_.push_front(u);
  }

  // After a step: record q, decide who stops (and why), emit events, compact the batch.
  void observe() {
    const int rows = session_.rows();
    session_.argmax(answers_.data());
    const float* q = session_.q_halt();
    const bool checker = task_.has_checker();
    std::vector<int> lowered;  // puzzles whose s* was found or moved earlier in this step (may repeat)
    for (int r = 0; r < rows; ++r) {
      const int s = row_step_[r], b = puzzle(r);
      const int32_t* ans = answers_.data() + static_cast<size_t>(r) * L_;
      valid_[r] = checker && task_.check(questions_[b], ans);
      reason_[r] = -1;
      if (opt_.stop_on_valid != StopOnValid::None && valid_[r]) {
        reason_[r] = static_cast<int>(StopReason::Valid);
        if (solve_mode() && s < solved_[b]) {
          lowered.push_back(b);
          solved_[b] = s;
        }
      } else if (opt_.halt_on_q && q[r] > 0.0f) {
        reason_[r] = static_cast<int>(StopReason::HaltQ);
      } else if (s == steps_) {
        reason_[r] = static_cast<int>(StopReason::Steps);
      }
    }
    if (solve_mode()) {
      for (int r = 0; r < rows; ++r) {
        const int s = row_step_[r], b = puzzle(r);
        if (s > solved_[b]) reason_[r] = kRerun;
        else if (s == solved_[b] && reason_[r] < 0) reason_[r] = static_cast<int>(StopReason::SolveDone);
      }
    }

    if (on_step_) {
      const size_t n = static_cast<size_t>(session_.seq_total()) * model_.config.hidden_size;
      float summary[32];
      for (int r = 0; r < rows; ++r) {
        const int s = row_step_[r];
        if (reason_[r] == kRerun || s <= emitted_[row_unit_[r]]) continue;  // a re-run repeats no event
        emitted_[row_unit_[r]] = s;
        latent_summary(session_.zH() + r * n, n, summary);
        const StepEvent ev{puzzle(r), s,       traj(r),        answers_.data() + static_cast<size_t>(r) * L_,
                           q[r],      summary, valid_[r] != 0, reason_[r] < 0};
        if (!on_step_(ev)) throw Error(ErrorKind::Cancelled, "solve cancelled by the step callback");
      }
    }

    std::vector<int>& keep = keep_scratch_;
    keep.clear();
    std::vector<int> rerun;
    for (int r = 0; r < rows; ++r) {
      if (reason_[r] == kRerun) {
        rerun.push_back(row_unit_[r]);
        continue;
      }
      TrajectoryResult& tr = results_[puzzle(r)].trajectories[traj(r)];
      tr.q_halt.push_back(q[r]);
      if (reason_[r] < 0) {
        keep.push_back(r);
        continue;
      }
      tr.steps = row_step_[r];
      tr.stop = static_cast<StopReason>(reason_[r]);
      tr.valid = valid_[r] != 0;
      tr.answer.assign(answers_.data() + static_cast<size_t>(r) * L_,
                       answers_.data() + static_cast<size_t>(r + 1) * L_);
    }
    // Trajectories that already finished after a puzzle's (new) s* run again to it.
    for (int b : lowered)
      for (int t = K_ - 1; t >= 0; --t) {
        const TrajectoryResult& tr = results_[b].trajectories[t];
        if (tr.steps > solved_[b]) rerun.push_back(b * K_ + t);
      }
    std::sort(rerun.begin(), rerun.end(), std::greater<int>());
    for (int u : rerun) requeue(u);
    if (static_cast<int>(keep.size()) < rows) {
      session_.keep_rows(keep);
      for (size_t i = 0; i < keep.size(); ++i) {
        row_unit_[i] = row_unit_[keep[i]];
        row_step_[i] = row_step_[keep[i]];
      }
      row_unit_.resize(keep.size());
      row_step_.resize(keep.size());
    }
  }

  const Model& model_;
  ThreadPool& pool_;
  const Task& task_;
  const std::vector<std::vector<int32_t>>& questions_;
  const std::vector<int32_t>& ids_;
  const SolveOptions& opt_;
  const StepCallback& on_step_;
  const int steps_, K_, L_, batch_;
  Session session_;
  std::vector<SolveResult>& results_;
  std::vector<int32_t> answers_, tokens_, row_ids_;
  std::vector<char> valid_;
  std::vector<int> reason_;
  std::vector<int> row_unit_, row_step_;  // per batch row: its unit and the steps it has run
  std::deque<int> pending_;               // units not started yet, or sent back for a re-run
  std::vector<int> emitted_;              // per unit: the last step whose event was delivered
  std::vector<int> solved_;               // per puzzle (Solve): s*, the first step with a valid trajectory
  std::vector<int> keep_scratch_;
};

}  // namespace

int batch_rows(const ModelConfig& config, const SolveOptions& options, int64_t units) {
  int64_t batch = options.max_batch_rows;
  if (batch == 0) {
    const size_t row = Session::bytes_per_row(config);
    if (row > kActivationBudgetBytes)
      throw Error(ErrorKind::BadModel, "one row of this model needs " + std::to_string(row >> 20) +
                                           " MiB of activations, more than the engine's budget of " +
                                           std::to_string(kActivationBudgetBytes >> 20) + " MiB");
    batch = static_cast<int64_t>(kActivationBudgetBytes / row);
  }
  return static_cast<int>(std::clamp<int64_t>(std::min(batch, units), 1, 65536));
}

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
      throw Error(ErrorKind::BadPuzzle, "question " + std::to_string(b) + " has " +
                                            std::to_string(questions[b].size()) + " tokens; the model expects " +
                                            std::to_string(c.seq_len));
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
  const int batch = batch_rows(c, opt, total);
  try {
    Scheduler(model, pool, task, questions, ids, opt, on_step, steps, batch, results).run();
  } catch (const std::bad_alloc&) {
    bad_options("not enough memory for a batch of " + std::to_string(batch) + " rows; lower k or max_batch_rows");
  }
  // What a lockstep run computes (re-runs after a split stop_on_valid=solve are not counted).
  for (SolveResult& r : results)
    for (const TrajectoryResult& t : r.trajectories) r.traj_steps_run += t.steps;
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
  AnswerGroups groups;
  for (int t = 0; t < sel.k; ++t) {
    AnswerGroup& g = groups[result.trajectories[t].answer];
    g.members.push_back(t);
    if (g.mode_rep < 0 || final_q(t) > final_q(g.mode_rep)) g.mode_rep = t;
  }
  const AnswerGroup* best = nullptr;
  for (const auto& [answer, g] : groups)
    if (!best || g.members.size() > best->members.size() ||
        (g.members.size() == best->members.size() &&
         (final_q(g.mode_rep) > final_q(best->mode_rep) ||
          (final_q(g.mode_rep) == final_q(best->mode_rep) && g.mode_rep < best->mode_rep))))
      best = &g;
  sel.mode = best->mode_rep;
  sel.mode_count = static_cast<int>(best->members.size());
  sel.vote = vote_winner(result, groups);
  // The policy's choice. Valid: the highest-q checker-valid trajectory (strict '>': lowest index among ties),
  // best-Q when none is valid.
  sel.chosen = policy == SelectPolicy::Mode ? sel.mode : policy == SelectPolicy::Vote ? sel.vote : sel.best_q;
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
    sel.vote_correct = correct(sel.vote);
  }
  return sel;
}

}  // namespace ptrm
