// Option parsing for the CLI subcommands.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <sstream>

#include "cli.h"
#include "ptrm/errors.h"
#include "ptrm/file.h"

namespace ptrm::cli {
namespace {

[[noreturn]] void bad(const std::string& message) { throw Error(ErrorKind::BadOptions, message); }

// Quotes user text in messages without letting a huge or binary argument flood the terminal.
std::string shown(std::string_view text) {
  std::string out = "'";
  for (char c : text.substr(0, 40)) out += (c >= 32 && c < 127) ? c : '?';
  if (text.size() > 40) out += "...";
  return out + "'";
}

// True if all of `text` is one number of type T (std::from_chars syntax: no spaces, no '+').
template <class T>
bool parse_whole(std::string_view text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

// The value of option `name` (absent: nullopt) as a T; a syntax error says what was `expected`.
template <class T>
std::optional<T> parsed(std::string_view name, const std::optional<std::string>& value, const char* expected) {
  if (!value) return std::nullopt;
  T x{};
  if (!parse_whole(*value, x)) bad("--" + std::string(name) + ": expected " + expected + ", got " + shown(*value));
  return x;
}

void check_range(std::string_view name, int64_t x, int64_t lo, int64_t hi) {
  if (x < lo || x > hi)
    bad("--" + std::string(name) + ": " + std::to_string(x) + " is out of range " + std::to_string(lo) + ".." +
        std::to_string(hi));
}

}  // namespace

Args::Args(const Command& command, const std::vector<std::string>& argv) : command_(command) {
  const std::string who = "ptrm " + command_.name;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& word = argv[i];
    if (word.size() < 3 || word.compare(0, 2, "--") != 0)
      bad(who + ": unexpected argument " + shown(word) + " (options look like --name value)");
    std::string name = word.substr(2);
    std::optional<std::string> inline_value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name.resize(eq);
    }
    const Option* option = nullptr;
    for (const Option& o : command_.options)
      if (o.name == name) option = &o;
    if (!option) bad(who + ": unknown option " + shown("--" + name) + " (see ptrm " + command_.name + " --help)");
    if (values_.count(name)) bad(who + ": option --" + name + " given twice");
    if (!option->takes_value()) {
      if (inline_value) bad(who + ": option --" + name + " takes no value");
      values_[name] = "";
    } else if (inline_value) {
      values_[name] = *inline_value;
    } else {
      // A following "--x" is another option, not a value: "--k --json" means the value was forgotten.
      if (i + 1 >= argv.size() || argv[i + 1].compare(0, 2, "--") == 0)
        bad(who + ": option --" + name + " needs a value");
      values_[name] = argv[++i];
    }
  }
}

const Option& Args::declared(std::string_view name) const {
  for (const Option& o : command_.options)
    if (o.name == name) return o;
  throw Error(ErrorKind::Internal, "ptrm " + command_.name + " reads undeclared option --" + std::string(name));
}

bool Args::has(std::string_view name) const {
  declared(name);
  return values_.find(name) != values_.end();
}

std::optional<std::string> Args::get(std::string_view name) const {
  declared(name);
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string Args::required(std::string_view name) const {
  if (!declared(name).required)
    throw Error(ErrorKind::Internal, "option --" + std::string(name) + " is not declared required");
  auto v = get(name);
  if (!v) bad("ptrm " + command_.name + ": missing required option --" + std::string(name));
  if (v->empty()) bad("ptrm " + command_.name + ": option --" + std::string(name) + " is empty");
  return *v;
}

int64_t Args::integer(std::string_view name, int64_t fallback, int64_t lo, int64_t hi) const {
  const std::optional<int64_t> x = parsed<int64_t>(name, get(name), "an integer");
  if (!x) return fallback;
  check_range(name, *x, lo, hi);
  return *x;
}

uint64_t Args::u64(std::string_view name, uint64_t fallback) const {
  return parsed<uint64_t>(name, get(name), "a non-negative 64-bit integer").value_or(fallback);
}

double Args::number(std::string_view name, double fallback) const {
  const std::optional<double> x = parsed<double>(name, get(name), "a number");
  if (!x) return fallback;
  if (!std::isfinite(*x)) bad("--" + std::string(name) + ": expected a finite number, got " + shown(*get(name)));
  return *x;
}

std::vector<int> Args::int_list(std::string_view name, std::vector<int> fallback, int lo, int hi) const {
  auto v = get(name);
  if (!v) return fallback;
  std::vector<int> out;
  std::string_view rest = *v;
  while (true) {
    size_t comma = rest.find(',');
    int x = 0;
    if (!parse_whole(rest.substr(0, comma), x))
      bad("--" + std::string(name) + ": expected comma-separated integers like 1,4,16, got " + shown(*v));
    check_range(name, x, lo, hi);
    if (!out.empty() && x <= out.back())
      bad("--" + std::string(name) + ": values must be strictly increasing, got " + shown(*v));
    out.push_back(x);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return out;
}

std::string Args::choice(std::string_view name, std::string fallback) const {
  const std::vector<std::string>& choices = declared(name).choices;
  auto v = get(name);
  if (!v) return fallback;
  for (const auto& c : choices)
    if (*v == c) return c;
  std::string all;
  for (const auto& c : choices) all += (all.empty() ? "" : "|") + c;
  bad("--" + std::string(name) + ": expected one of " + all + ", got " + shown(*v));
}

void require_file(const std::string& path) { RegularFile(path, UINT64_MAX); }

std::string read_file(const std::string& path, uint64_t max_bytes, const char* what) {
  return read_regular_file(path, max_bytes, what);
}

std::string text_or_file(const std::string& value, uint64_t max_bytes) {
  if (!value.empty() && value[0] == '@') return read_file(value.substr(1), max_bytes, "puzzle file");
  if (value.size() > max_bytes)
    bad("the puzzle text is " + std::to_string(value.size()) + " bytes; at most " + std::to_string(max_bytes));
  return value;
}

}  // namespace ptrm::cli
