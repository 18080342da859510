// PTRM sampler: determinism (threads, batch splits, K prefixes), equivalence with a plain Session at sigma = 0,
// early exits against full runs, events, cancellation, selection rules and option validation.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "expect_error.h"
#include "ptrm/model.h"
#include "ptrm/safetensors.h"
#include "ptrm/sampler.h"
#include "ptrm/tasks.h"

namespace {

using ptrm::SolveOptions;
using ptrm::SolveResult;

const std::string kFixtures = std::string(PTRM_SOURCE_DIR) + "/tests/fixtures/";

struct Env {
  ptrm::Model model;
  std::unique_ptr<ptrm::Task> task;
  std::vector<std::vector<int32_t>> questions;
};

const Env& env() {
  static const Env e = [] {
    Env x{ptrm::Model::load_file(kFixtures + "sudoku_mlp_tiny.safetensors")};
    x.task = ptrm::make_task(x.model.config);
    const auto ex = ptrm::SafeTensors::open(kFixtures + "sudoku_mlp_tiny.expected.safetensors");
    const int L = x.model.config.seq_len;
    const auto in = ex.read_i32("inputs", {3, L});
    for (int b = 0; b < 3; ++b) x.questions.emplace_back(in.begin() + b * L, in.begin() + (b + 1) * L);
    return x;
  }();
  return e;
}

SolveResult run(const SolveOptions& o, int threads = 1, int puzzle = 0, const ptrm::StepCallback& cb = {}) {
  ptrm::ThreadPool pool(threads, /*oversubscribe=*/true);
  return ptrm::solve(env().model, pool, *env().task, env().questions[puzzle], o, cb);
}

void expect_same(const ptrm::TrajectoryResult& a, const ptrm::TrajectoryResult& b, const std::string& what) {
  EXPECT_EQ(a.q_halt, b.q_halt) << what;
  EXPECT_EQ(a.answer, b.answer) << what;
  EXPECT_EQ(a.steps, b.steps) << what;
  EXPECT_EQ(a.stop, b.stop) << what;
}

SolveOptions noisy(int k) {
  SolveOptions o;
  o.k = k;
  o.sigma = 0.5f;
  o.steps = 6;
  o.seed = 1234;
  return o;
}

TEST(Sampler, DeterministicK1EqualsPlainSession) {
  SolveOptions o;
  o.sigma = 0.0f;
  const SolveResult r = run(o);
  ASSERT_EQ(r.trajectories.size(), 1u);
  const auto& t = r.trajectories[0];
  const auto& m = env().model;
  EXPECT_EQ(t.steps, m.config.halt_max_steps);
  EXPECT_EQ(t.stop, ptrm::StopReason::Steps);
  ptrm::ThreadPool pool(1);
  ptrm::Session s(m, pool, 1);
  const int32_t id = 0;
  s.reset(1, env().questions[0].data(), &id);
  for (int step = 0; step < m.config.halt_max_steps; ++step) {
    s.step();
    EXPECT_EQ(t.q_halt[step], s.q_halt()[0]) << "step " << step;  // bit-exact: no noise is added at sigma 0
  }
  std::vector<int32_t> answer(m.config.seq_len);
  s.argmax(answer.data());
  EXPECT_EQ(t.answer, answer);
  EXPECT_EQ(r.traj_steps_run, m.config.halt_max_steps);
  EXPECT_EQ(r.traj_steps_budget, m.config.halt_max_steps);
}

TEST(Sampler, NoiseMakesTrajectoriesDifferAndSeedsMatter) {
  const SolveResult a = run(noisy(4));
  SolveOptions o = noisy(4);
  o.seed = 99;
  const SolveResult b = run(o);
  EXPECT_NE(a.trajectories[0].q_halt, a.trajectories[1].q_halt);
  EXPECT_NE(a.trajectories[0].q_halt, b.trajectories[0].q_halt);
  // Each noise placement is a different perturbation.
  std::vector<std::vector<float>> seen = {a.trajectories[2].q_halt};
  for (auto [on, inner] :
       {std::pair{ptrm::NoiseOn::Y, false}, {ptrm::NoiseOn::Both, false}, {ptrm::NoiseOn::Z, true}}) {
    SolveOptions v = noisy(4);
    v.noise_on = on;
    v.noise_every_inner = inner;
    const auto q = run(v).trajectories[2].q_halt;
    for (const auto& s : seen) EXPECT_NE(q, s);
    seen.push_back(q);
  }
}

TEST(Sampler, ReproducibleAcrossThreadsAndBatchSplits) {
  const SolveResult ref = run(noisy(5), 1);
  // (threads, rows per batch); 2-thread runs are few because they crawl on an oversubscribed CI box.
  for (auto [threads, rows] : {std::pair{1, 1}, {1, 2}, {1, 3}, {2, 2}}) {
    SolveOptions o = noisy(5);
    o.max_batch_rows = rows;
    const SolveResult r = run(o, threads);
    for (int t = 0; t < 5; ++t)
      expect_same(
          r.trajectories[t], ref.trajectories[t],
          "threads " + std::to_string(threads) + " rows " + std::to_string(rows) + " traj " + std::to_string(t));
  }
}

TEST(Sampler, SolveManyEqualsSolvePerPuzzle) {
  ptrm::ThreadPool pool(1);
  SolveOptions o = noisy(3);
  o.max_batch_rows = 4;  // batches straddle puzzles
  const auto many = ptrm::solve_many(env().model, pool, *env().task, env().questions, {}, o);
  ASSERT_EQ(many.size(), 3u);
  for (int b = 0; b < 3; ++b) {
    const SolveResult one = run(noisy(3), 1, b);
    for (int t = 0; t < 3; ++t)
      expect_same(many[b].trajectories[t], one.trajectories[t], "puzzle " + std::to_string(b));
  }
}

TEST(Sampler, FirstKTrajectoriesOfARunAreAKRun) {
  const SolveResult big = run(noisy(6)), small = run(noisy(2));
  for (int t = 0; t < 2; ++t) expect_same(big.trajectories[t], small.trajectories[t], "traj " + std::to_string(t));
  const auto a = ptrm::select(big, 2), b = ptrm::select(small);
  EXPECT_EQ(a.k, 2);
  EXPECT_EQ(a.best_q, b.best_q);
  EXPECT_EQ(a.mode, b.mode);
  EXPECT_EQ(a.mode_count, b.mode_count);
}

// Per-step record of a run without early exits, from the events.
struct Recorded {
  std::map<std::pair<int, int>, std::vector<int32_t>> answers;  // (traj, step) → answer
  std::map<std::pair<int, int>, float> q;
  int events = 0, inactive = 0;
};

ptrm::StepCallback recorder(Recorded& rec, int L) {
  return [&rec, L](const ptrm::StepEvent& e) {
    rec.answers[{e.traj, e.step}] = std::vector<int32_t>(e.answer, e.answer + L);
    rec.q[{e.traj, e.step}] = e.q_halt;
    ++rec.events;
    rec.inactive += !e.active;
    return true;
  };
}

TEST(Sampler, HaltOnQStopsAtFirstPositiveQAndCompactionKeepsOthersExact) {
  const int K = 6;
  SolveOptions o = noisy(K);
  o.steps = 10;
  const SolveResult full = run(o);
  o.halt_on_q = true;
  const SolveResult early = run(o);
  int stopped_early = 0;
  for (int t = 0; t < K; ++t) {
    const auto& f = full.trajectories[t].q_halt;
    int first = -1;
    for (int s = 0; s < static_cast<int>(f.size()) && first < 0; ++s)
      if (f[s] > 0.0f) first = s;
    const auto& e = early.trajectories[t];
    const int expect_steps = first < 0 ? o.steps : first + 1;
    EXPECT_EQ(e.steps, expect_steps) << "traj " << t;
    EXPECT_EQ(e.stop, first < 0 ? ptrm::StopReason::Steps : ptrm::StopReason::HaltQ);
    EXPECT_EQ(e.q_halt, std::vector<float>(f.begin(), f.begin() + expect_steps)) << "traj " << t;
    stopped_early += expect_steps < o.steps;
  }
  // The fixture's q head crosses 0 for some but not all trajectories, so both paths are exercised.
  EXPECT_GT(stopped_early, 0);
  EXPECT_LT(early.traj_steps_run, early.traj_steps_budget);
}

// A checker that accepts exactly one answer: lets stop_on_valid fire on an untrained model.
class AcceptOne : public ptrm::Task {
 public:
  AcceptOne(const ptrm::Task& base, std::vector<int32_t> accepted) : base_(base), ok_{std::move(accepted)} {}
  AcceptOne(const ptrm::Task& base, std::vector<std::vector<int32_t>> accepted)
      : base_(base), ok_(std::move(accepted)) {}
  std::string name() const override { return base_.name(); }
  int board() const override { return base_.board(); }
  int seq_len() const override { return base_.seq_len(); }
  int vocab_size() const override { return base_.vocab_size(); }
  std::vector<int32_t> encode(std::string_view t) const override { return base_.encode(t); }
  std::string decode(const int32_t* a) const override { return base_.decode(a); }
  bool has_checker() const override { return true; }
  bool check(const std::vector<int32_t>&, const int32_t* a) const override {
    for (const auto& ok : ok_)
      if (std::equal(ok.begin(), ok.end(), a)) return true;
    return false;
  }
  std::string render(const int32_t* a) const override { return base_.render(a); }

 private:
  const ptrm::Task& base_;
  std::vector<std::vector<int32_t>> ok_;
};

TEST(Sampler, StopOnValidTrajectoryAndSolve) {
  const int K = 5, L = env().model.config.seq_len;
  SolveOptions o = noisy(K);
  o.steps = 8;
  Recorded rec;
  ptrm::ThreadPool pool(1);
  const SolveResult full = ptrm::solve(env().model, pool, *env().task, env().questions[0], o, recorder(rec, L));
  EXPECT_EQ(rec.events, K * o.steps);
  EXPECT_EQ(rec.inactive, K);
  // Accept what trajectory 3 answers at step 4; compute when each trajectory first gives that answer.
  const auto accepted = rec.answers.at({3, 4});
  const AcceptOne task(*env().task, accepted);
  std::vector<int> first(K, -1);
  for (int t = 0; t < K; ++t)
    for (int s = 1; s <= o.steps && first[t] < 0; ++s)
      if (rec.answers.at({t, s}) == accepted) first[t] = s;

  o.stop_on_valid = ptrm::StopOnValid::Trajectory;
  o.max_batch_rows = 2;
  const SolveResult traj = ptrm::solve(env().model, pool, task, env().questions[0], o);
  for (int t = 0; t < K; ++t) {
    const auto& r = traj.trajectories[t];
    EXPECT_EQ(r.steps, first[t] < 0 ? o.steps : first[t]) << "traj " << t;
    EXPECT_EQ(r.valid, first[t] >= 0);
    EXPECT_EQ(r.stop, first[t] < 0 ? ptrm::StopReason::Steps : ptrm::StopReason::Valid);
    EXPECT_EQ(r.q_halt,
              std::vector<float>(full.trajectories[t].q_halt.begin(), full.trajectories[t].q_halt.begin() + r.steps));
  }

  int solve_step = o.steps;
  for (int f : first)
    if (f > 0) solve_step = std::min(solve_step, f);
  o.stop_on_valid = ptrm::StopOnValid::Solve;
  o.max_batch_rows = 0;
  const SolveResult whole = ptrm::solve(env().model, pool, task, env().questions[0], o);
  for (int t = 0; t < K; ++t) {
    EXPECT_EQ(whole.trajectories[t].steps, solve_step) << "traj " << t;
    EXPECT_EQ(whole.trajectories[t].stop,
              first[t] == solve_step ? ptrm::StopReason::Valid : ptrm::StopReason::SolveDone);
  }
  EXPECT_EQ(whole.traj_steps_run, static_cast<int64_t>(K) * solve_step);
}

// Issue 12: stop_on_valid=solve used to force a puzzle's K rows into one batch, past the activation budget (4.1 GB
// at K=1024 on an official-size model), and refused an explicit max_batch_rows < K. Now a large K is split
// across batches with a shared per-puzzle stop step, and the result is the lockstep one for every batch size —
// including when a later batch finds an earlier valid step than trajectories that already ran past it.
TEST(Sampler, StopOnValidSolveSplitsAcrossBatchesLikeLockstep) {
  const int K = 6, L = env().model.config.seq_len;
  SolveOptions o = noisy(K);
  o.steps = 8;
  Recorded rec;
  ptrm::ThreadPool pool(1);
  ptrm::solve(env().model, pool, *env().task, env().questions[0], o, recorder(rec, L));
  // Valid: what the last trajectory answers at step 2, and what trajectory 0 answers at step 7 — so a batch that
  // holds trajectory 0 but not K-1 first finds a later stop step than the true one.
  const std::vector<std::vector<int32_t>> accepted = {rec.answers.at({K - 1, 2}), rec.answers.at({0, 7})};
  const AcceptOne task(*env().task, accepted);
  std::vector<int> first(K, 0);
  for (int t = 0; t < K; ++t)
    for (int s = 1; s <= o.steps && !first[t]; ++s)
      if (task.check({}, rec.answers.at({t, s}).data())) first[t] = s;
  int solve_step = o.steps;
  for (int f : first)
    if (f) solve_step = std::min(solve_step, f);
  ASSERT_LE(solve_step, 2);

  o.stop_on_valid = ptrm::StopOnValid::Solve;
  const SolveResult lockstep = ptrm::solve(env().model, pool, task, env().questions[0], o);
  for (int t = 0; t < K; ++t) {
    EXPECT_EQ(lockstep.trajectories[t].steps, solve_step) << "traj " << t;
    EXPECT_EQ(lockstep.trajectories[t].stop,
              first[t] == solve_step ? ptrm::StopReason::Valid : ptrm::StopReason::SolveDone);
  }
  for (int rows = 1; rows < K; ++rows) {
    SolveOptions split = o;
    split.max_batch_rows = rows;
    std::map<std::pair<int, int>, int> seen;  // (traj, step) → events; a re-run must not repeat any
    const SolveResult r =
        ptrm::solve(env().model, pool, task, env().questions[0], split, [&](const ptrm::StepEvent& e) {
          return ++seen[{e.traj, e.step}] == 1;
        });
    for (int t = 0; t < K; ++t)
      expect_same(r.trajectories[t], lockstep.trajectories[t],
                  "rows " + std::to_string(rows) + " traj " + std::to_string(t));
    EXPECT_EQ(r.traj_steps_run, lockstep.traj_steps_run) << "rows " << rows;
  }
  // Also with the checker in halt_on_q company and several puzzles sharing batches.
  o.halt_on_q = true;
  const auto whole = ptrm::solve_many(env().model, pool, task, env().questions, {}, o);
  for (int rows : {1, 4, 7}) {
    SolveOptions split = o;
    split.max_batch_rows = rows;
    const auto r = ptrm::solve_many(env().model, pool, task, env().questions, {}, split);
    for (size_t b = 0; b < r.size(); ++b)
      for (int t = 0; t < K; ++t)
        expect_same(r[b].trajectories[t], whole[b].trajectories[t],
                    "rows " + std::to_string(rows) + " puzzle " + std::to_string(b) + " traj " + std::to_string(t));
  }
}

// Issue 9 item 4: rows freed by early exits are refilled with pending trajectories (and puzzles) at once. Every
// row keeps its own step count, so the results are exactly those of a run where nothing is refilled (each
// trajectory alone in its batch), for every batch size.
TEST(Sampler, RefillingFreedRowsKeepsResultsExact) {
  const int K = 5;
  ptrm::ThreadPool pool(1);
  SolveOptions o = noisy(K);
  o.steps = 8;
  o.halt_on_q = true;
  o.noise_every_inner = true;
  o.noise_on = ptrm::NoiseOn::Both;
  SolveOptions alone = o;
  alone.max_batch_rows = 1;  // nothing to refill: one trajectory at a time
  const auto ref = ptrm::solve_many(env().model, pool, *env().task, env().questions, {}, alone);
  std::vector<int> steps;
  for (const auto& r : ref)
    for (const auto& t : r.trajectories) steps.push_back(t.steps);
  ASSERT_NE(*std::min_element(steps.begin(), steps.end()), *std::max_element(steps.begin(), steps.end()))
      << "the fixture should stop trajectories at different steps";
  for (int rows : {2, 3, 4, 16}) {
    SolveOptions refill = o;
    refill.max_batch_rows = rows;
    std::vector<std::pair<int, int>> order;  // (puzzle * K + traj, step) in event order
    const auto r =
        ptrm::solve_many(env().model, pool, *env().task, env().questions, {}, refill, [&](const ptrm::StepEvent& e) {
          order.push_back({e.puzzle * K + e.traj, e.step});
          return true;
        });
    for (size_t b = 0; b < r.size(); ++b)
      for (int t = 0; t < K; ++t)
        expect_same(r[b].trajectories[t], ref[b].trajectories[t],
                    "rows " + std::to_string(rows) + " puzzle " + std::to_string(b) + " traj " + std::to_string(t));
    // Refilled: some trajectory u starts (its step 1) after another one v already ran step 2+, and v is still
    // running afterwards. Without refilling, a batch's rows all start together and the next batch starts only
    // when every row of the previous one stopped.
    bool overlapped = false;
    for (size_t i = 0; i < order.size() && !overlapped; ++i) {
      if (order[i].second != 1) continue;
      for (size_t h = 0; h < i && !overlapped; ++h) {
        if (order[h].second < 2) continue;
        for (size_t j = i + 1; j < order.size() && !overlapped; ++j) overlapped = order[j].first == order[h].first;
      }
    }
    if (rows < 3 * K) EXPECT_TRUE(overlapped) << "rows " << rows << ": no freed row was refilled";
  }
}

TEST(Sampler, EventsCarryLatentSummaryAndCanCancel) {
  SolveOptions o = noisy(2);
  int calls = 0;
  std::vector<float> first_summary;
  const SolveResult r = run(o, 1, 0, [&](const ptrm::StepEvent& e) {
    EXPECT_EQ(e.step, calls / 2 + 1);
    EXPECT_EQ(e.traj, calls % 2);
    if (calls == 0) first_summary.assign(e.latent_summary, e.latent_summary + 32);
    ++calls;
    return true;
  });
  EXPECT_EQ(calls, 2 * o.steps);
  std::vector<float> again;
  SolveOptions one_step = o;
  one_step.steps = 1;
  run(one_step, 2, 0, [&](const ptrm::StepEvent& e) {
    if (again.empty()) again.assign(e.latent_summary, e.latent_summary + 32);
    return true;
  });
  EXPECT_EQ(first_summary, again);
  float energy = 0;
  for (float v : first_summary) energy += v * v;
  EXPECT_GT(energy, 0.0f);

  int seen = 0;
  EXPECT_PTRM_ERROR(run(o, 1, 0, [&](const ptrm::StepEvent&) { return ++seen < 3; }), Cancelled, "cancel");
  EXPECT_EQ(seen, 3);
  std::atomic<bool> stop{true};
  o.cancel = &stop;
  EXPECT_PTRM_ERROR(run(o), Cancelled, "cancel");
}

TEST(Sampler, LatentSummaryIsALinearNormPreservingProjection) {
  const size_t n = 20000;
  std::mt19937 g(5);
  std::normal_distribution<float> d;
  std::vector<float> a(n), b(n), ab(n);
  for (size_t i = 0; i < n; ++i) {
    a[i] = d(g);
    b[i] = d(g);
    ab[i] = a[i] + b[i];
  }
  float sa[32], sb[32], sab[32];
  ptrm::latent_summary(a.data(), n, sa);
  ptrm::latent_summary(b.data(), n, sb);
  ptrm::latent_summary(ab.data(), n, sab);
  double energy = 0;
  for (int j = 0; j < 32; ++j) {
    EXPECT_NEAR(sab[j], sa[j] + sb[j], 1e-3);
    energy += sa[j] * sa[j];
  }
  // E[summary_j²] = mean(a²) = 1 for a standard normal vector: 32 outputs ~ chi²(32).
  EXPECT_GT(energy, 12.0);
  EXPECT_LT(energy, 60.0);
}

// A finished trajectory for the selection tests: its answer and final q_halt (after an earlier step's -9: only the
// final q counts), and whether the checker passed it.
ptrm::TrajectoryResult traj(std::vector<int32_t> answer, float q, bool valid = false) {
  ptrm::TrajectoryResult t;
  t.answer = std::move(answer);
  t.q_halt = {-9.0f, q};
  t.steps = 2;
  t.valid = valid;
  return t;
}

TEST(Sampler, SelectionRules) {
  SolveResult r;
  r.trajectories = {traj({1, 2}, 0.5f), traj({3, 4}, 2.0f), traj({1, 2}, 0.1f), traj({3, 4}, 2.0f), traj({5, 6}, 1.0f)};
  const int32_t label[2] = {1, 2};
  auto s = ptrm::select(r, 0, label);
  EXPECT_EQ(s.k, 5);
  EXPECT_EQ(s.best_q, 1);  // tie 2.0 between 1 and 3 → lowest index
  EXPECT_EQ(s.mode, 1);    // {1,2} and {3,4} both twice → the one with the higher best q
  EXPECT_EQ(s.mode_count, 2);
  EXPECT_EQ(s.pass, 1);
  EXPECT_FALSE(s.best_q_correct);
  EXPECT_FALSE(s.mode_correct);
  s = ptrm::select(r, 3, label);  // {1,2} ×2 beats {3,4} ×1
  EXPECT_EQ(s.mode, 0);
  EXPECT_EQ(s.mode_count, 2);
  EXPECT_TRUE(s.mode_correct);
  s = ptrm::select(r, 1);
  EXPECT_EQ(s.best_q, 0);
  EXPECT_EQ(s.pass, -1);
  EXPECT_PTRM_ERROR(ptrm::select(r, 6), BadOptions, "prefix");
}

// The policy decides `chosen`; the other fields stay the same whatever the policy.
TEST(Sampler, SelectionPolicyDecidesChosen) {
  SolveResult r;
  r.trajectories = {traj({1}, 0.5f, false), traj({2}, 3.0f, false), traj({1}, 0.2f, true),
                    traj({3}, 0.9f, true),  traj({3}, 0.9f, true),  traj({3}, -1.0f, true)};
  using ptrm::SelectPolicy;
  const auto best = ptrm::select(r, 0, nullptr, SelectPolicy::BestQ);
  EXPECT_EQ(best.policy, SelectPolicy::BestQ);
  EXPECT_EQ(best.chosen, 1);
  EXPECT_EQ(best.best_q, 1);
  const auto mode = ptrm::select(r, 0, nullptr, SelectPolicy::Mode);
  EXPECT_EQ(mode.chosen, 3);  // {3} three times; its best-q member, lowest index among the 0.9 tie
  EXPECT_EQ(mode.best_q, 1);
  const auto valid = ptrm::select(r, 0, nullptr, SelectPolicy::Valid);
  EXPECT_EQ(valid.chosen, 3);  // highest q among valid (0.9 twice → lowest index), not best-Q's invalid #1
  // No valid trajectory in the prefix → best-Q.
  EXPECT_EQ(ptrm::select(r, 2, nullptr, SelectPolicy::Valid).chosen, 1);
  EXPECT_EQ(ptrm::select(r).chosen, 1);  // default policy: best-Q

  EXPECT_EQ(ptrm::parse_select("bestQ", "select"), SelectPolicy::BestQ);
  EXPECT_EQ(ptrm::parse_select("mode", "select"), SelectPolicy::Mode);
  EXPECT_EQ(ptrm::parse_select("valid", "select"), SelectPolicy::Valid);
  EXPECT_EQ(ptrm::parse_select("vote", "select"), SelectPolicy::Vote);
  EXPECT_STREQ(ptrm::select_name(SelectPolicy::Valid), "valid");
  EXPECT_STREQ(ptrm::select_name(SelectPolicy::Vote), "vote");
  EXPECT_PTRM_ERROR(ptrm::parse_select("best_q", "--select"), BadOptions,
                    "--select must be 'bestQ', 'mode', 'valid' or 'vote', got 'best_q'");
}

// vote: the answer whose trajectories have the largest log Σ exp(final q) wins, represented by its best-Q member.
TEST(Sampler, VoteWeighsAnswersBySumOfExpQ) {
  using ptrm::SelectPolicy;
  const std::vector<int32_t> A = {1}, B = {2}, C = {3};
  // A once at q 2.0 (best-Q), B three times at 0.0 (mode), C twice at 1.5: log Σ exp = 2.0, 1.10, 2.19 → C.
  SolveResult r;
  r.trajectories = {traj(B, 0.0f), traj(A, 2.0f), traj(C, 1.5f), traj(B, 0.0f), traj(C, 1.5f), traj(B, 0.0f)};
  const int32_t label_c[1] = {3};
  auto s = ptrm::select(r, 0, label_c, SelectPolicy::Vote);
  EXPECT_EQ(s.best_q, 1);
  EXPECT_EQ(s.mode, 0);
  EXPECT_EQ(s.mode_count, 3);
  EXPECT_EQ(s.vote, 2);  // C's best-Q member (1.5 twice → lowest index)
  EXPECT_EQ(s.chosen, 2);
  EXPECT_TRUE(s.vote_correct);
  EXPECT_FALSE(s.best_q_correct);
  EXPECT_FALSE(s.mode_correct);
  // The vote is reported whatever the policy; only `chosen` follows the policy.
  EXPECT_EQ(ptrm::select(r, 0, nullptr, SelectPolicy::BestQ).vote, 2);
  EXPECT_EQ(ptrm::select(r, 0, nullptr, SelectPolicy::BestQ).chosen, 1);
  EXPECT_EQ(ptrm::select(r, 0, nullptr, SelectPolicy::Mode).chosen, 0);
  // The first three only: B 0.0, A 2.0, C 1.5 → one member each, the highest q wins (best-Q).
  EXPECT_EQ(ptrm::select(r, 3, nullptr, SelectPolicy::Vote).chosen, 1);
  // Three low q against one slightly higher: log(3) - 1 = 0.099 > 0.05 → the many (not Σ q, not max q).
  r.trajectories = {traj(A, 0.05f), traj(B, -1.0f), traj(B, -1.0f), traj(B, -1.0f)};
  s = ptrm::select(r, 0, nullptr, SelectPolicy::Vote);
  EXPECT_EQ(s.best_q, 0);
  EXPECT_EQ(s.vote, 1);
  EXPECT_EQ(s.chosen, 1);
  r.trajectories[0].q_halt.back() = 0.15f;  // log(3) - 1 < 0.15 → the single trajectory
  EXPECT_EQ(ptrm::select(r, 0, nullptr, SelectPolicy::Vote).chosen, 0);
}

// Ties and non-finite q: a deterministic choice, and a NaN or -inf q never wins.
TEST(Sampler, VoteTiesAndNonFiniteQ) {
  auto vote = [](const SolveResult& r) { return ptrm::select(r, 0, nullptr, ptrm::SelectPolicy::Vote).chosen; };
  const std::vector<int32_t> X = {1}, Y = {2}, Z = {3};
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  SolveResult r;
  // The same q in two answers, listed in another order (X: -1.6 -1.9 1.3 -0.3, Y: -0.3 1.3 -1.9 -1.6; summed in
  // index order the two differ in the last bit): equal scores, equal best member q → the lowest index (2, not 4).
  r.trajectories = {traj(X, -1.6f), traj(X, -1.9f), traj(X, 1.3f),  traj(Y, -0.3f),
                    traj(Y, 1.3f),  traj(X, -0.3f), traj(Y, -1.9f), traj(Y, -1.6f)};
  EXPECT_EQ(vote(r), 2);
  // Two one-member answers with the same q → lowest index.
  r.trajectories = {traj(X, 0.5f), traj(Y, 0.7f), traj(Z, 0.7f)};
  EXPECT_EQ(vote(r), 1);
  // All q alike → the mode (its lowest index); one q far above the rest → best-Q.
  r.trajectories = {traj(X, 0.7f), traj(Y, 0.7f), traj(Z, 0.7f), traj(Y, 0.7f)};
  EXPECT_EQ(vote(r), ptrm::select(r).mode);
  EXPECT_EQ(vote(r), 1);
  r.trajectories[2].q_halt = {9.0f};
  EXPECT_EQ(vote(r), 2);
  // NaN adds nothing: X {NaN, NaN, NaN} never beats Y {-2}; inside an answer its best member is the non-NaN one.
  r.trajectories = {traj(X, nan), traj(X, nan), traj(Y, -2.0f), traj(X, nan)};
  EXPECT_EQ(vote(r), 2);
  r.trajectories = {traj(X, nan), traj(Y, 0.9f), traj(X, 1.0f)};
  EXPECT_EQ(vote(r), 2);
  r.trajectories = {traj(X, nan), traj(Y, 0.9f), traj(X, 0.8f), traj(X, nan)};
  EXPECT_EQ(vote(r), 1);  // X scores 0.8 alone, not NaN and not three votes
  // -inf adds nothing either; an answer with only -inf / NaN q scores -inf.
  r.trajectories = {traj(X, -inf), traj(X, -inf), traj(X, -inf), traj(Y, -50.0f)};
  EXPECT_EQ(vote(r), 3);
  // Nothing finite anywhere: still a choice (lowest index).
  r.trajectories = {traj(X, nan), traj(Y, -inf), traj(X, -inf)};
  EXPECT_EQ(vote(r), 0);
  // +inf wins outright (no inf - inf = NaN inside the sum).
  r.trajectories = {traj(X, 3.0f), traj(Y, inf), traj(X, 3.0f), traj(Y, 1.0f)};
  EXPECT_EQ(vote(r), 1);
  // No q at all (an empty trajectory) counts as -inf.
  r.trajectories = {traj(X, 1.0f), traj(Y, -3.0f)};
  r.trajectories[0].q_halt.clear();
  EXPECT_EQ(vote(r), 1);
}

// On random runs: q all alike → vote = mode; one q far above the others (by more than log K) → vote = best-Q.
TEST(Sampler, VoteIsModeForEqualQAndBestQForADominantQ) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    const int k = 1 + static_cast<int>(rng() % 16);
    SolveResult r;
    for (int t = 0; t < k; ++t) r.trajectories.push_back(traj({static_cast<int32_t>(rng() % 4)}, 0.25f));
    auto s = ptrm::select(r, 0, nullptr, ptrm::SelectPolicy::Vote);
    EXPECT_EQ(s.vote, s.mode) << "trial " << trial;
    std::vector<int> order(k);
    for (int t = 0; t < k; ++t) order[t] = t;
    std::shuffle(order.begin(), order.end(), rng);
    for (int t = 0; t < k; ++t) r.trajectories[order[t]].q_halt = {4.0f * static_cast<float>(t) - 20.0f};
    s = ptrm::select(r, 0, nullptr, ptrm::SelectPolicy::Vote);
    EXPECT_EQ(s.vote, s.best_q) << "trial " << trial;
    EXPECT_EQ(s.chosen, s.best_q);
  }
}

TEST(Sampler, RejectsBadOptionsAndInputs) {
  auto with = [](auto edit) {
    SolveOptions o;
    edit(o);
    return o;
  };
  EXPECT_PTRM_ERROR(run(with([](SolveOptions& o) { o.k = 0; })), BadOptions, "k must be");
  EXPECT_PTRM_ERROR(run(with([](SolveOptions& o) { o.k = 1025; })), BadOptions, "k must be");
  EXPECT_PTRM_ERROR(run(with([](SolveOptions& o) { o.sigma = NAN; })), BadOptions, "sigma");
  EXPECT_PTRM_ERROR(run(with([](SolveOptions& o) { o.sigma = INFINITY; })), BadOptions, "sigma");
  EXPECT_PTRM_ERROR(run(with([](SolveOptions& o) { o.sigma = -0.1f; })), BadOptions, "sigma");
  EXPECT_PTRM_ERROR(run(with([](SolveOptions& o) { o.sigma = 10.5f; })), BadOptions, "sigma");
  EXPECT_PTRM_ERROR(run(with([](SolveOptions& o) { o.steps = 1025; })), BadOptions, "steps");
  EXPECT_PTRM_ERROR(run(with([](SolveOptions& o) { o.steps = -1; })), BadOptions, "steps");
  EXPECT_PTRM_ERROR(run(with([](SolveOptions& o) { o.max_batch_rows = -1; })), BadOptions, "max_batch_rows");
  EXPECT_PTRM_ERROR(run(with([](SolveOptions& o) { o.puzzle_id = 1; })), BadOptions, "puzzle id 1");
  ptrm::ThreadPool pool(1);
  std::vector<int32_t> short_q(10, 1);
  EXPECT_PTRM_ERROR(ptrm::solve(env().model, pool, *env().task, short_q, SolveOptions{}), BadPuzzle, "10 tokens");
  auto bad_token = env().questions[0];
  bad_token[7] = 99;
  EXPECT_PTRM_ERROR(ptrm::solve(env().model, pool, *env().task, bad_token, SolveOptions{}), BadPuzzle, "vocabulary");
  SolveOptions on_valid;
  on_valid.stop_on_valid = ptrm::StopOnValid::Trajectory;
  class NoChecker : public AcceptOne {
   public:
    using AcceptOne::AcceptOne;
    bool has_checker() const override { return false; }
  } unchecked(*env().task, std::vector<int32_t>());
  EXPECT_PTRM_ERROR(ptrm::solve(env().model, pool, unchecked, env().questions[0], on_valid), BadOptions, "checker");
  const auto maze = ptrm::make_task("maze", 9);
  EXPECT_PTRM_ERROR(ptrm::solve(env().model, pool, *maze, env().questions[0], SolveOptions{}), BadOptions,
                    "does not match");
}

}  // namespace

TEST(Sampler, OptionSpellings) {
  EXPECT_EQ(ptrm::parse_noise_on("z", "noise"), ptrm::NoiseOn::Z);
  EXPECT_EQ(ptrm::parse_noise_on("y", "noise"), ptrm::NoiseOn::Y);
  EXPECT_EQ(ptrm::parse_noise_on("both", "noise"), ptrm::NoiseOn::Both);
  EXPECT_PTRM_ERROR(ptrm::parse_noise_on("Z", "noiseOn"), BadOptions, "noiseOn must be 'z', 'y' or 'both', got 'Z'");
  EXPECT_EQ(ptrm::parse_stop_on_valid("none", "stop"), ptrm::StopOnValid::None);
  EXPECT_EQ(ptrm::parse_stop_on_valid("trajectory", "stop"), ptrm::StopOnValid::Trajectory);
  EXPECT_EQ(ptrm::parse_stop_on_valid("solve", "stop"), ptrm::StopOnValid::Solve);
  EXPECT_PTRM_ERROR(ptrm::parse_stop_on_valid("", "stopOnValid"), BadOptions, "stopOnValid must be 'none'");
}
