// Private to the `ptrm` CLI: option parsing shared by the subcommands, CSV input and the subcommand entry points.
// Every user mistake becomes a ptrm::Error whose kind main() maps to the exit codes of docs/design.md.
#pragma once

#include <cstdint>
#include <functional>
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
  std::string name = {};                  // without the leading "--"
  std::string value = {};                 // placeholder shown in usage ("K", "FILE"); none and no choices: a switch
  std::string help = {};                  // one line for `ptrm CMD --help`
  std::vector<std::string> choices = {};  // when set: the only accepted values (Args::choice); usage shows a|b|c
  bool required = false;
  bool takes_value() const { return !value.empty() || !choices.empty(); }
};

// A subcommand's declaration: what `ptrm CMD --help` and `ptrm --help` print.
struct Command {
  std::string name = {};     // "solve"
  std::string summary = {};  // one line
  std::vector<Option> options = {};
  std::string notes = {};  // further lines of `ptrm CMD --help` (and of `ptrm --help`), may be empty
  int (*run)(const std::vector<std::string>& argv) = nullptr;  // argv excludes "ptrm CMD"; returns the exit code (0)
};

const std::vector<Command>& commands();              // solve, eval, bench
const Command* find_command(std::string_view name);  // nullptr if there is no such subcommand
const Command& command(std::string_view name);       // Internal if there is no such subcommand
std::string usage();                                 // `ptrm --help`
std::string command_help(const Command& command);    // `ptrm CMD --help`

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

// `TEXT` or `@FILE` (file contents, at most max_bytes). Io if the file cannot be read or is not a regular file.
std::string text_or_file(const std::string& value, uint64_t max_bytes);
std::string read_file(const std::string& path, uint64_t max_bytes, const char* what);  // ptrm::read_regular_file
// Io unless `path` is a regular file (checked before any open: a FIFO would block, a directory read as huge).
void require_file(const std::string& path);

// CSV with a header line: quoted fields ("" escapes a quote; they may span lines), CRLF or LF line ends, blank
// lines skipped. Every record must have as many fields as the header. Malformed input → Error{BadPuzzle} naming
// the line. Reads records one at a time from `source` (fills buf with up to n bytes, 0 at the end).
class CsvReader {
 public:
  using Source = std::function<size_t(char* buf, size_t n)>;
  static constexpr size_t kMaxRecordBytes = size_t{16} << 20;  // one record (a few puzzles of kMaxPuzzleBytes)
  explicit CsvReader(Source source);                           // reads the header; BadPuzzle if there is none
  const std::vector<std::string>& header() const { return header_; }
  int column(std::string_view name) const;  // -1 if absent
  // The next record into `record`, its first source line (1-based) into `line`; false at the end.
  bool next(std::vector<std::string>& record, int64_t& line);

 private:
  static constexpr size_t kChunk = size_t{1} << 16;
  int peek();
  bool read_record(std::vector<std::string>& record, int64_t& line);
  Source source_;
  std::vector<char> buf_;
  size_t pos_ = 0, len_ = 0;
  bool eof_ = false;
  int64_t line_ = 1;
  std::vector<std::string> header_;
};

// A whole CSV text in memory (small inputs, tests): the header and every record with its line.
struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<int64_t> lines;
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
