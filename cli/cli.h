// Private to the `ptrm` CLI: option parsing shared by the subcommands, CSV input and the subcommand entry points.
// Every user mistake becomes a ptrm::Error whose kind main() maps to the exit codes of docs/design.md.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ptrm/sampler.h"

namespace ptrm::cli {

// Options of one subcommand. Accepts `--name value` and `--name=value`; switches take no value. Unknown
// options, missing values, repeated options and positional words are Error{BadOptions}.
class Args {
 public:
  Args(std::string command, const std::vector<std::string>& argv, const std::set<std::string>& valued,
       const std::set<std::string>& switches);

  bool has(std::string_view name) const;
  bool flag(std::string_view name) const { return has(name); }
  std::optional<std::string> get(std::string_view name) const;
  std::string required(std::string_view name) const;

  // Typed values. Syntax errors name the option and the text given; ranges are [lo, hi].
  int64_t integer(std::string_view name, int64_t fallback, int64_t lo, int64_t hi) const;
  uint64_t u64(std::string_view name, uint64_t fallback) const;
  double number(std::string_view name, double fallback) const;  // finite only (rejects nan, inf)
  // Comma-separated positive integers in [lo, hi], strictly increasing ("1,4,16").
  std::vector<int> int_list(std::string_view name, std::vector<int> fallback, int lo, int hi) const;
  // One of `choices`.
  std::string choice(std::string_view name, std::string fallback, const std::vector<std::string>& choices) const;

 private:
  std::string command_;
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
// --threads T: 1..256, default 0 = one per hardware thread (ThreadPool's convention).
int thread_count(const Args& args);
// Throws BadOptions "invalid options: ..." when the sampler rejects `options` (checked before loading a model).
void check_options(const SolveOptions& options);

// Subcommands: argv excludes the program and subcommand names. Return the process exit code on success (0).
int run_solve(const std::vector<std::string>& argv);
int run_eval(const std::vector<std::string>& argv);
int run_bench(const std::vector<std::string>& argv);

}  // namespace ptrm::cli
