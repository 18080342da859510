// `ptrm` entry point: dispatches to a subcommand and turns every error into one stderr line and the exit code of
// docs/design.md (0 ok, 2 bad options, 3 bad model, 4 bad puzzle, 5 io, 1 internal).
#include <cstdio>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include "cli.h"
#include "ptrm/errors.h"

namespace {

constexpr const char* kUsage = R"(usage:
  ptrm solve --model FILE --puzzle TEXT|@FILE [--task sudoku|maze|arc] [--k K] [--sigma S] [--steps N]
             [--seed N] [--noise-on z|y|both] [--noise-every-inner] [--halt-on-q]
             [--stop-on-valid trajectory|solve] [--select bestQ|mode|valid] [--threads T] [--json]
  ptrm eval  --model FILE --data FILE.csv [--limit N] [--shard i/n] [--k 1,4,16] [--sigma S] [--steps N]
             [--seed N] [--noise-on z|y|both] [--buckets givens|rating [--bucket-width W]] [--threads T] [--json]
  ptrm bench [--threads T] [--k 1,16] [--steps N] [--config mlp_t,attention] [--save-weights DIR] [--json]
solve: the answer is the engine's choice by --select: bestQ (default: highest final q_halt), mode (the most
       frequent answer) or valid (the highest-q checker-valid trajectory, else best-Q).
eval: --shard i/n takes the i-th of n contiguous slices of the first --limit rows (i from 0).
bench: --steps N timed supervision steps (median) after one warm-up step, per config and K.
exit codes: 0 ok, 1 internal error, 2 bad options, 3 bad model, 4 bad puzzle, 5 i/o error
)";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + (argc > 1 ? 2 : argc), argv + argc);
  std::string command = argc > 1 ? argv[1] : "";
  try {
    if (command == "solve") return ptrm::cli::run_solve(args);
    if (command == "eval") return ptrm::cli::run_eval(args);
    if (command == "bench") return ptrm::cli::run_bench(args);
    if (command == "--help" || command == "-h" || command == "help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    std::fprintf(stderr, "ptrm: BadOptions: %s (try ptrm --help)\n",
                 command.empty() ? "missing subcommand" : ("unknown subcommand '" + command + "'").c_str());
    return ptrm::exit_code(ptrm::ErrorKind::BadOptions);
  } catch (const ptrm::Error& e) {
    std::fprintf(stderr, "ptrm %s: %s: %s\n", command.c_str(), ptrm::error_kind_name(e.kind()), e.what());
    return ptrm::exit_code(e.kind());
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "ptrm %s: Internal: out of memory\n", command.c_str());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ptrm %s: Internal: %s\n", command.c_str(), e.what());
    return 1;
  }
}
