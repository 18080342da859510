// The declarations of every subcommand's options: the parser (Args) accepts exactly these and `--help` is
// printed from them; docs/design.md's CLI section is `ptrm --help` verbatim (checked by tests/engine/test_docs.cpp).
#include <algorithm>
#include <string>

#include "cli.h"
#include "ptrm/errors.h"

namespace ptrm::cli {
namespace {

// Options solve and eval share (read by sampler_options() and thread_count(), cli/options.cpp).
const Option kSigma{.name = "sigma",
                    .value = "S",
                    .help = "noise std added to the latent before every supervision step; 0..10 (default 0)"};
const Option kSteps{
    .name = "steps", .value = "N", .help = "supervision steps, 1..1024 (default: the model's halt_max_steps)"};
const Option kSeed{.name = "seed", .value = "N", .help = "noise seed, 0..2^64-1 (default 0)"};
const Option kNoiseOn{.name = "noise-on",
                      .help = "the latent the noise goes to: z = zL, y = zH (default z)",
                      .choices = {"z", "y", "both"}};
const Option kNoiseEveryInner{.name = "noise-every-inner", .help = "also add noise before every inner z update"};
const Option kThreads{.name = "threads",
                      .value = "T",
                      .help =
                          "worker threads, 1..256; more than the CPUs this process can use (affinity, cgroup quota) "
                          "are clamped, with a note (default: all of those CPUs)"};
const Option kPrecision{.name = "precision",
                        .help =
                            "block GEMM arithmetic: int8 = opt-in dynamically quantized, faster, answers may differ "
                            "from fp32 (docs/benchmarks.md) (default fp32)",
                        .choices = {"fp32", "int8"}};
const Option kJson{.name = "json", .help = "print one JSON object instead of the text report"};
const Option kModel{
    .name = "model", .value = "FILE", .help = "model file (.safetensors with ptrm.config metadata)", .required = true};

std::vector<Command> make_commands() {
  Command solve{
      .name = "solve",
      .summary = "solve one puzzle with K trajectories and print the chosen answer",
      .options = {kModel,
                  {.name = "puzzle",
                   .value = "TEXT|@FILE",
                   .help = "the puzzle in its task's text format, or @FILE to read it from a file",
                   .required = true},
                  {.name = "task",
                   .help = "the task the puzzle is written for; must match the model's",
                   .choices = {"sudoku", "maze", "arc"}},
                  {.name = "k", .value = "K", .help = "trajectories, 1..1024 (default 1)"},
                  kSigma,
                  kSteps,
                  kSeed,
                  kNoiseOn,
                  kNoiseEveryInner,
                  {.name = "halt-on-q", .help = "a trajectory stops once its q_halt > 0"},
                  {.name = "stop-on-valid",
                   .help = "stop a trajectory, or the whole solve, at the first checker-valid answer",
                   .choices = {"trajectory", "solve"}},
                  {.name = "select",
                   .help = "the engine's answer rule: highest final q_halt, the most frequent answer, the highest-q "
                           "checker-valid one (else best-Q), or the answer with the largest sum of exp(q_halt) over "
                           "its trajectories (default bestQ)",
                   .choices = {"bestQ", "mode", "valid", "vote"}},
                  kPrecision,
                  kThreads,
                  kJson},
      .notes =
          "the answer is the trajectory the engine's --select rule chooses (printed as 'chosen'; the JS API gives the "
          "same).",
      .run = run_solve};
  Command eval{
      .name = "eval",
      .summary = "accuracy of deterministic TRM and of PTRM best-Q@K, mode@K, vote@K and pass@K over a labelled CSV",
      .options = {kModel,
                  {.name = "data",
                   .value = "FILE.csv",
                   .help = "CSV with a header and 'question' and 'answer' columns ('rating' optional)",
                   .required = true},
                  {.name = "limit", .value = "N", .help = "use only the first N rows"},
                  {.name = "shard",
                   .value = "i/n",
                   .help = "the i-th of n contiguous slices of the first --limit rows (i from 0)"},
                  {.name = "k",
                   .value = "1,4,16",
                   .help = "the K values reported, increasing; one run at the largest, the others are its prefixes"},
                  kSigma,
                  kSteps,
                  kSeed,
                  kNoiseOn,
                  kNoiseEveryInner,
                  {.name = "buckets",
                   .help = "also report accuracy per Sudoku givens count or per the CSV's rating column",
                   .choices = {"givens", "rating"}},
                  {.name = "bucket-width", .value = "W", .help = "bucket width for --buckets (default 4)"},
                  kPrecision,
                  kThreads,
                  kJson},
      .run = run_eval};
  Command bench{
      .name = "bench",
      .summary = "time one supervision step of the official-size Sudoku TRMs on random weights",
      .options =
          {kThreads,
           {.name = "k", .value = "1,16", .help = "trajectories (batch rows) measured, increasing (default 1,16)"},
           {.name = "steps",
            .value = "N",
            .help = "timed supervision steps per config and K after one warm-up step, median reported; 1..1000 "
                    "(default 5)"},
           {.name = "config",
            .help = "the model variants timed (default both)",
            .choices = {"mlp_t,attention", "mlp_t", "attention"}},
           {.name = "save-weights",
            .value = "DIR",
            .help = "also write each variant's random weights to DIR (for training/bench_torch.py)"},
           {.name = "no-gemm", .help = "time the step only, not the GEMM-only bound (interleaved peer benchmarks)"},
           kPrecision,
           kJson},
      .run = run_bench};
  return {solve, eval, bench};
}

// "--name VALUE", "--name a|b|c" or "--name".
std::string option_syntax(const Option& o) {
  std::string s = "--" + o.name;
  if (!o.choices.empty()) {
    s += ' ';
    for (size_t i = 0; i < o.choices.size(); ++i) s += (i ? "|" : "") + o.choices[i];
  } else if (!o.value.empty()) {
    s += " " + o.value;
  }
  return s;
}

// "ptrm NAME --a A [--b B] ..." wrapped at kWidth columns, continuation lines aligned after the name.
std::string synopsis(const Command& c, const std::string& lead) {
  constexpr size_t kWidth = 110;
  std::string head = lead + "ptrm " + c.name + " ";
  const std::string indent(head.size(), ' ');
  std::string out, line = head;
  bool first = true;
  for (const Option& o : c.options) {
    const std::string word = o.required ? option_syntax(o) : "[" + option_syntax(o) + "]";
    if (!first && line.size() + 1 + word.size() > kWidth) {
      out += line + "\n";
      line = indent;
      first = true;
    }
    line += (first ? "" : " ") + word;
    first = false;
  }
  return out + line + "\n";
}

// "0 ok, 1 Internal, 2 BadOptions, ...": the codes of ptrm::exit_code, named as the error lines name the kinds.
std::string exit_codes() {
  std::vector<std::pair<int, std::string>> codes{{0, "ok"}};
  for (int k = 0; k <= static_cast<int>(ErrorKind::Internal); ++k) {
    const ErrorKind kind = static_cast<ErrorKind>(k);
    codes.emplace_back(exit_code(kind), error_kind_name(kind));
  }
  std::sort(codes.begin(), codes.end());
  std::string s = "exit codes:";
  for (size_t i = 0; i < codes.size(); ++i)
    s += (i ? ", " : " ") + std::to_string(codes[i].first) + " " + codes[i].second;
  return s + "\n";
}

}  // namespace

const std::vector<Command>& commands() {
  static const std::vector<Command> all = make_commands();
  return all;
}

const Command* find_command(std::string_view name) {
  for (const Command& c : commands())
    if (c.name == name) return &c;
  return nullptr;
}

const Command& command(std::string_view name) {
  if (const Command* c = find_command(name)) return *c;
  throw Error(ErrorKind::Internal, "no subcommand '" + std::string(name) + "'");
}

std::string usage() {
  std::string s = "usage:\n";
  for (const Command& c : commands()) s += synopsis(c, "  ");
  for (const Command& c : commands())
    if (!c.notes.empty()) s += c.name + ": " + c.notes + "\n";
  s += "ptrm CMD --help describes every option of CMD.\n";
  return s + exit_codes();
}

std::string command_help(const Command& c) {
  std::string s = synopsis(c, "usage: ") + c.summary + ".\n";
  size_t width = 0;
  for (const Option& o : c.options) width = std::max(width, option_syntax(o).size());
  s += "options:\n";
  for (const Option& o : c.options) {
    const std::string syntax = option_syntax(o);
    s +=
        "  " + syntax + std::string(width - syntax.size() + 2, ' ') + o.help + (o.required ? " (required)" : "") + "\n";
  }
  if (!c.notes.empty()) s += c.notes + "\n";
  return s + exit_codes();
}

}  // namespace ptrm::cli
