// Private to the `ptrm` CLI: option parsing shared by the subcommands, CSV input and the subcommand entry points.
// Every user mistake becomes a ptrm::Error whose kind main() maps to the exit codes of docs/design.md.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ptrm/sampler.h"
#include "ptrm/threadpool.h"

namespace ptrm::cli {

// One option of a subcommand. The parser accepts exactly the declared options and --help is printed from the same
// declarations (cli/commands.cpp), so the usage text cannot drift from what the parser takes.
struct Option {
  std::string name = {};             // without the leading "--"
  std::string value = {};            // placeholder shown in usage ("K", "FILE"); none and no choices: a switch
  std::string help = {};             // one line for `ptrm CMD --help`
  std::vector<std::string> choices = {};  // when set: the only accepted values (Args::choice); usage shows a|b|c
  bool required = false;
  bool takes_value() const { return !value.empty() || !choices.empty(); }
};

// A subcommand's declaration: what `ptrm CMD --help` and `ptrm --help` print.
struct Command {
  std::string name = {};     // "solve"
  std::string summary = {};  // one line
  std::vector<Option> options = {};
  std::string notes = {};    // further lines of `ptrm CMD --help` (and of `ptrm --help`), may be empty
  int (*run)(const std::vector<std::string>& argv) = nullptr;  // argv excludes "ptrm CMD"; returns the exit code (0)
};

const std::vector<Command>& commands();             // solve, eval, bench
const Command* find_command(std::string_view name);  // nullptr if there is no such subcommand
const Command& command(std::string_view name);       // Internal if there is no such subcommand
std::string usage();                                // `ptrm --help`
std::string command_help(const Command& command);   // `ptrm CMD --help`

// The parsed options of one subcommand. Accepts `--name value` and `--name=value`; switches take no value. Unknown
// options, missing values, repeated options and positional words are Error{BadOptions}. Asking for an option the
// command does not declare is Error{Internal} (a bug in the CLI, caught by its tests).
class Args {
 public:
  Args(const Command& command, const std::vector<std::string>& argv);

  bool has(std::string_view name) const;
  bool flag(std::string_view name) const { return has(name); }
  std::optional<std::string> get(std::string_view name) const;
  std::string required(std::string_view name) const;  // the option must be declared required

  // Typed values. Syntax errors name the option and the text given; ranges are [lo, hi].
  int64_t integer(std::string_view name, int64_t fallback, int64_t lo, int64_t hi) const;
  uint64_t u64(std::string_view name, uint64_t fallback) const;
  double number(std::string_view name, double fallback) const;  // finite only (rejects nan, inf)
  // Comma-separated positive integers in [lo, hi], strictly increasing ("1,4,16").
  std::vector<int> int_list(std::string_view name, std::vector<int> fallback, int lo, int hi) const;
  // One of the option's declared choices.
  std::string choice(std::string_view name, std::string fallback) const;

 private:
  const Option& declared(std::string_view name) const;
  const Command& command_;
  std::map<std::string, std::string, std::less<>> values_;
};

// `TEXT` or `@FILE` (file contents). Io if the file cannot be read.
std::string text_or_file(const std::string& value);
std::string read_file(const std::string& path);  // Io on failure, size-capped
// Io unless `path` exists and is not a directory (readers would otherwise see a directory as a huge file).
void require_file(const std::string& path);

// A CSV table with a header line: quoted fields ("" escapes a quote), CRLF or LF line ends. Every row must have
// as many fields as the header. Malformed input → Error{BadPuzzle} naming the line.
struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<int> lines;  // 1-based source line of each row, for messages
  int column(std::string_view name) const;  // -1 if absent
};
Csv parse_csv(std::string_view text);

// Sampler options shared by solve and eval: --sigma --steps --seed --noise-on --noise-every-inner (k stays 1).
SolveOptions sampler_options(const Args& args);
// --precision fp32|int8 (default fp32; int8 = opt-in dynamically quantized block GEMMs, model.h Precision).
Precision precision(const Args& args);
// --threads T: 1..256, default 0 = the CPUs this process can use (ThreadPool's convention; more are clamped).
int thread_count(const Args& args);
// Tells the user (stderr) when ThreadPool clamped --threads to the CPUs available.
void note_thread_clamp(const ThreadPool& pool);
// Throws BadOptions "invalid options: ..." when the sampler rejects `options` (checked before loading a model).
void check_options(const SolveOptions& options);

// Subcommands: argv excludes the program and subcommand names. Return the process exit code on success (0).
int run_solve(const std::vector<std::string>& argv);
int run_eval(const std::vector<std::string>& argv);
int run_bench(const std::vector<std::string>& argv);

}  // namespace ptrm::cli
