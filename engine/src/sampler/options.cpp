// The sampler's spellings every front door shares (options in, stop reasons out) and the one range check of
// SolveOptions.
#include <cmath>
#include <string>

#include "ptrm/errors.h"
#include "ptrm/sampler.h"

namespace ptrm {
namespace {

[[noreturn]] void bad_options(const std::string& m) { throw Error(ErrorKind::BadOptions, m); }

}  // namespace

NoiseOn parse_noise_on(std::string_view name, std::string_view what) {
  if (name == "z") return NoiseOn::Z;
  if (name == "y") return NoiseOn::Y;
  if (name == "both") return NoiseOn::Both;
  throw Error(ErrorKind::BadOptions,
              std::string(what) + " must be 'z', 'y' or 'both', got '" + std::string(name) + "'");
}

StopOnValid parse_stop_on_valid(std::string_view name, std::string_view what) {
  if (name == "none") return StopOnValid::None;
  if (name == "trajectory") return StopOnValid::Trajectory;
  if (name == "solve") return StopOnValid::Solve;
  throw Error(ErrorKind::BadOptions,
              std::string(what) + " must be 'none', 'trajectory' or 'solve', got '" + std::string(name) + "'");
}

SelectPolicy parse_select(std::string_view name, std::string_view what) {
  if (name == "bestQ") return SelectPolicy::BestQ;
  if (name == "mode") return SelectPolicy::Mode;
  if (name == "valid") return SelectPolicy::Valid;
  if (name == "vote") return SelectPolicy::Vote;
  throw Error(ErrorKind::BadOptions,
              std::string(what) + " must be 'bestQ', 'mode', 'valid' or 'vote', got '" + std::string(name) + "'");
}

const char* select_name(SelectPolicy policy) {
  switch (policy) {
    case SelectPolicy::BestQ: return "bestQ";
    case SelectPolicy::Mode: return "mode";
    case SelectPolicy::Valid: return "valid";
    case SelectPolicy::Vote: return "vote";
  }
  return "bestQ";
}

const char* stop_reason_name(StopReason reason) {
  switch (reason) {
    case StopReason::Steps: return "steps";
    case StopReason::HaltQ: return "haltQ";
    case StopReason::Valid: return "valid";
    case StopReason::SolveDone: return "solveDone";
  }
  return "steps";
}

void SolveOptions::validate() const {
  using L = SolveLimits;
  if (k < 1 || k > L::k_max)
    bad_options("k must be in 1.." + std::to_string(L::k_max) + " (got " + std::to_string(k) + ")");
  if (!std::isfinite(sigma) || sigma < 0.0f || sigma > L::sigma_max)
    bad_options("sigma must be a finite number in [0, " + std::to_string(static_cast<int>(L::sigma_max)) + "] (got " +
                std::to_string(sigma) + ")");
  if (steps < 0 || steps > L::steps_max)
    bad_options("steps must be in 1.." + std::to_string(L::steps_max) + ", or 0 for the model's halt_max_steps (got " +
                std::to_string(steps) + ")");
  if (max_batch_rows < 0 || max_batch_rows > 65536)
    bad_options("max_batch_rows must be in 1..65536, or 0 for automatic (got " + std::to_string(max_batch_rows) + ")");
  if (puzzle_id < 0) bad_options("puzzle_id must be >= 0");
}

}  // namespace ptrm
