// PTRM: K noisy trajectories of a trained TRM per puzzle, Q-head / vote / oracle selection, step events and
// early exits (docs/design.md "Engine semantics"). Noise is keyed by (seed, trajectory index, step, element),
// so results do not depend on threads or on how rows are split into batches, and the first k trajectories of a
// K run are exactly a k run (select(result, k) gives the K=k numbers for free) — except with
// stop_on_valid = Solve, which couples trajectories: all of a puzzle's trajectories stop at the first step at which
// any of them is valid, whatever the batch size (a K larger than the batch is split; trajectories that ran past
// that step in an earlier batch are re-run to it, and their events are not repeated).
//
// Noise keys: before supervision step s (0-based) the chosen latent of trajectory t gets
// sigma · normal(seed, t', s·1024, elem); with noise_every_inner, inner z update c (0-based) of that step gets
// sigma · normal(seed, t', s·1024 + 1 + c, elem). t' = t for zL, and for zH t (y) or t + 0x40000000 (both).
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "ptrm/model.h"
#include "ptrm/threadpool.h"

namespace ptrm {

class Task;

enum class NoiseOn { Z, Y, Both };                   // z = zL (default), y = zH
enum class StopOnValid { None, Trajectory, Solve };  // see docs/design.md "Early exits"
// Which trajectory is "the answer" (docs/design.md "Selection"). The one rule every front end prints:
//   BestQ: highest final q_halt (PTRM's rule; ties → lowest index);
//   Mode:  the most frequent exact answer (its best-Q member; ties → highest q);
//   Valid: the highest-q trajectory whose answer passes the task checker, else BestQ (needs a checker);
//   Vote:  a softmax-weighted vote: the exact answer whose trajectories have the largest log Σ exp(q_halt) (its
//          best-Q member; ties → higher member q, then lowest index; NaN / -inf q add nothing). Best-Q when one q
//          dominates, mode when the q are alike.
enum class SelectPolicy { BestQ, Mode, Valid, Vote };

// The option spellings every front door shares: "z" | "y" | "both", "none" | "trajectory" | "solve" and
// "bestQ" | "mode" | "valid" | "vote". Anything else → Error{BadOptions} naming `what` (the caller's own name for the
// option) and the value.
NoiseOn parse_noise_on(std::string_view name, std::string_view what);
StopOnValid parse_stop_on_valid(std::string_view name, std::string_view what);
SelectPolicy parse_select(std::string_view name, std::string_view what);
const char* select_name(SelectPolicy policy);  // the spelling parse_select accepts

// The bounds SolveOptions::validate enforces, for front ends to show (input limits, messages) — never to
// re-check on their own.
struct SolveLimits {
  static constexpr int k_max = 1024;
  static constexpr float sigma_max = 10.0f;
  static constexpr int steps_max = 1024;
};

struct SolveOptions {
  int k = 1;           // trajectories per puzzle, 1..SolveLimits::k_max
  float sigma = 0.0f;  // noise std, finite, 0..SolveLimits::sigma_max; 0 adds no noise at all
  int steps = 0;       // supervision steps, 1..SolveLimits::steps_max; 0 → config.halt_max_steps
  uint64_t seed = 0;
  NoiseOn noise_on = NoiseOn::Z;
  bool noise_every_inner = false;  // also perturb the same latent(s) before every inner z update
  bool halt_on_q = false;          // a trajectory stops once its q_halt > 0
  StopOnValid stop_on_valid = StopOnValid::None;
  SelectPolicy select = SelectPolicy::BestQ;  // how SolveResult::selection.chosen is picked
  int puzzle_id = 0;                          // puzzle embedding row (solve(); solve_many takes one per puzzle)
  int max_batch_rows = 0;                     // rows per Session batch; 0 → as many as kActivationBudgetBytes holds
  Precision precision = Precision::F32;       // Int8: opt-in faster block GEMMs (model.h); off by default
  const std::atomic<bool>* cancel = nullptr;  // checked between steps; set → Error{Cancelled}

  void validate() const;  // throws Error{BadOptions} with the offending field named
};

// One event per (step, active trajectory), after the step ran. Pointers are valid during the callback only.
struct StepEvent {
  int puzzle;                   // index into solve_many's puzzles (0 for solve)
  int step;                     // 1-based: the number of supervision steps this trajectory has run
  int traj;                     // 0..K-1
  const int32_t* answer;        // argmax tokens [seq_len]
  float q_halt;                 // q_head logit 0 after this step
  const float* latent_summary;  // 32 floats: fixed JL projection of the flattened zH (for PCA plots)
  bool valid;                   // answer passes the task checker
  bool active;                  // false when this is the trajectory's last step (it stops here)
};
// Return false to stop the solve (it then throws Error{Cancelled}).
using StepCallback = std::function<bool(const StepEvent&)>;

enum class StopReason { Steps, HaltQ, Valid, SolveDone };  // SolveDone: another trajectory was valid
// The one spelling every front door reports (camelCase like the JS API's select: "bestQ"): "steps", "haltQ",
// "valid", "solveDone".
const char* stop_reason_name(StopReason reason);

struct TrajectoryResult {
  std::vector<float> q_halt;    // one per step run
  std::vector<int32_t> answer;  // final argmax tokens [seq_len]
  int steps = 0;                // steps run = the step it stopped at
  StopReason stop = StopReason::Steps;
  bool valid = false;  // final answer passes the task checker
};

struct Selection {
  int k = 0;  // the prefix used
  SelectPolicy policy = SelectPolicy::BestQ;
  int chosen = -1;     // THE answer: the trajectory `policy` picks (best_q, mode, vote, or the best valid one)
  int best_q = -1;     // trajectory with the highest final q_halt (ties → lowest index)
  int mode = -1;       // a trajectory holding the most frequent exact answer (ties → highest best q)
  int mode_count = 0;  // how many of the k trajectories gave that answer
  int vote = -1;       // the best-Q member of the answer with the largest log Σ exp(final q_halt) (SelectPolicy::Vote)
  int pass = -1;       // with a label: 1 if any of the k answers equals it exactly, else 0; -1 without
  bool best_q_correct = false, mode_correct = false, vote_correct = false;  // meaningful only with a label
};

struct SolveResult {
  std::vector<TrajectoryResult> trajectories;  // index = trajectory index, size K
  Selection selection;                         // over all K, with SolveOptions::select (what front ends print)
  int64_t traj_steps_run = 0;                  // Σ steps of the trajectories (= compute without re-runs)
  int64_t traj_steps_budget = 0;               // K × steps (what no early exit would have cost)
};

// Selection over trajectories 0..k_prefix-1 (0 → all). label: expected answer tokens [seq_len] or nullptr.
// solve() already fills SolveResult::selection with the options' policy; this is for other prefixes (eval).
Selection select(const SolveResult& result, int k_prefix = 0, const int32_t* label = nullptr,
                 SelectPolicy policy = SelectPolicy::BestQ);

// The activation budget (docs/design.md "Memory contract"): the rows of one Session batch — latents, scratch,
// logits — are sized to fit it. Weights, packed weights and results are outside it. The one value natively and in
// wasm.
inline constexpr size_t kActivationBudgetBytes = size_t{512} << 20;

// Rows per Session batch that solve_many uses for `units` = puzzles × K rows: options.max_batch_rows, or as many
// as kActivationBudgetBytes holds; never more than units. BadModel if, without max_batch_rows, one row alone
// needs more than the budget (no official-size model comes close: 26 MiB at S = 916, D = 512). Rows freed by early
// exits are refilled with pending trajectories, so a long run keeps the batch full.
int batch_rows(const ModelConfig& config, const SolveOptions& options, int64_t units);

// question: encoded tokens [seq_len] (Task::encode). Throws BadOptions / BadPuzzle / Cancelled.
SolveResult solve(const Model& model, ThreadPool& pool, const Task& task, const std::vector<int32_t>& question,
                  const SolveOptions& options, const StepCallback& on_step = {});

// B puzzles × K trajectories batched together (eval throughput). puzzle_ids: one per question, or empty →
// options.puzzle_id for all. Results in question order; each equals what solve() gives for that question.
std::vector<SolveResult> solve_many(const Model& model, ThreadPool& pool, const Task& task,
                                    const std::vector<std::vector<int32_t>>& questions,
                                    const std::vector<int32_t>& puzzle_ids, const SolveOptions& options,
                                    const StepCallback& on_step = {});

// The 32-float latent summary of one row's zH (n floats): Σ_i sign(i, j) zH[i] / sqrt(n) for j < 32, signs
// from an integer hash of (i, j) — identical on every platform.
void latent_summary(const float* zH, size_t n, float out[32]);

}  // namespace ptrm
