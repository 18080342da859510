// Private to the `ptrm` CLI: option parsing shared by the subcommands, CSV input and the subcommand entry points.
// Every user mistake becomes a ptrm::Error whose kind main() maps to the exit codes of docs/design.md.
#pragma once

#include <cstdint>
#include <functional>
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
  explicit CsvReader(Source source);  // reads the header; BadPuzzle if there is none
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
// --threads T: 1..256, default 0 = one per hardware thread (ThreadPool's convention).
int thread_count(const Args& args);
// Throws BadOptions "invalid options: ..." when the sampler rejects `options` (checked before loading a model).
void check_options(const SolveOptions& options);

// Subcommands: argv excludes the program and subcommand names. Return the process exit code on success (0).
int run_solve(const std::vector<std::string>& argv);
int run_eval(const std::vector<std::string>& argv);
int run_bench(const std::vector<std::string>& argv);

}  // namespace ptrm::cli
