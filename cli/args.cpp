// Option parsing for the CLI subcommands.
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli.h"
#include "ptrm/errors.h"

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

}  // namespace

Args::Args(std::string command, const std::vector<std::string>& argv, const std::set<std::string>& valued,
           const std::set<std::string>& switches)
    : command_(std::move(command)) {
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& word = argv[i];
    if (word.size() < 3 || word.compare(0, 2, "--") != 0)
      bad("ptrm " + command_ + ": unexpected argument " + shown(word) + " (options look like --name value)");
    std::string name = word.substr(2);
    std::optional<std::string> inline_value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name.resize(eq);
    }
    if (values_.count(name)) bad("ptrm " + command_ + ": option --" + name + " given twice");
    if (switches.count(name)) {
      if (inline_value) bad("ptrm " + command_ + ": option --" + name + " takes no value");
      values_[name] = "";
    } else if (valued.count(name)) {
      if (inline_value) {
        values_[name] = *inline_value;
      } else {
        // A following "--x" is another option, not a value: "--k --json" means the value was forgotten.
        if (i + 1 >= argv.size() || argv[i + 1].compare(0, 2, "--") == 0)
          bad("ptrm " + command_ + ": option --" + name + " needs a value");
        values_[name] = argv[++i];
      }
    } else {
      bad("ptrm " + command_ + ": unknown option " + shown("--" + name) + " (see ptrm --help)");
    }
  }
}

bool Args::has(std::string_view name) const { return values_.find(name) != values_.end(); }

std::optional<std::string> Args::get(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string Args::required(std::string_view name) const {
  auto v = get(name);
  if (!v) bad("ptrm " + command_ + ": missing required option --" + std::string(name));
  if (v->empty()) bad("ptrm " + command_ + ": option --" + std::string(name) + " is empty");
  return *v;
}

int64_t Args::integer(std::string_view name, int64_t fallback, int64_t lo, int64_t hi) const {
  auto v = get(name);
  if (!v) return fallback;
  int64_t x = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), x);
  if (ec != std::errc() || end != v->data() + v->size())
    bad("--" + std::string(name) + ": expected an integer, got " + shown(*v));
  if (x < lo || x > hi)
    bad("--" + std::string(name) + ": " + std::to_string(x) + " is out of range " + std::to_string(lo) + ".." +
        std::to_string(hi));
  return x;
}

uint64_t Args::u64(std::string_view name, uint64_t fallback) const {
  auto v = get(name);
  if (!v) return fallback;
  uint64_t x = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), x);
  if (ec != std::errc() || end != v->data() + v->size())
    bad("--" + std::string(name) + ": expected a non-negative 64-bit integer, got " + shown(*v));
  return x;
}

double Args::number(std::string_view name, double fallback) const {
  auto v = get(name);
  if (!v) return fallback;
  double x = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), x);
  if (ec != std::errc() || end != v->data() + v->size())
    bad("--" + std::string(name) + ": expected a number, got " + shown(*v));
  if (!std::isfinite(x)) bad("--" + std::string(name) + ": expected a finite number, got " + shown(*v));
  return x;
}

std::vector<int> Args::int_list(std::string_view name, std::vector<int> fallback, int lo, int hi) const {
  auto v = get(name);
  if (!v) return fallback;
  std::vector<int> out;
  std::string_view rest = *v;
  while (true) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    int x = 0;
    auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), x);
    if (item.empty() || ec != std::errc() || end != item.data() + item.size())
      bad("--" + std::string(name) + ": expected comma-separated integers like 1,4,16, got " + shown(*v));
    if (x < lo || x > hi)
      bad("--" + std::string(name) + ": " + std::to_string(x) + " is out of range " + std::to_string(lo) + ".." +
          std::to_string(hi));
    if (!out.empty() && x <= out.back())
      bad("--" + std::string(name) + ": values must be strictly increasing, got " + shown(*v));
    out.push_back(x);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return out;
}

std::string Args::choice(std::string_view name, std::string fallback, const std::vector<std::string>& choices) const {
  auto v = get(name);
  if (!v) return fallback;
  for (const auto& c : choices)
    if (*v == c) return c;
  std::string all;
  for (const auto& c : choices) all += (all.empty() ? "" : "|") + c;
  bad("--" + std::string(name) + ": expected one of " + all + ", got " + shown(*v));
}

void require_file(const std::string& path) {
  std::error_code ec;
  auto st = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(st)) throw Error(ErrorKind::Io, "cannot open '" + path + "': no such file");
  if (std::filesystem::is_directory(st)) throw Error(ErrorKind::Io, "'" + path + "' is a directory, not a file");
}

std::string read_file(const std::string& path) {
  require_file(path);
  // Puzzle files and CSV sets are small; the cap turns an accidental multi-GB argument into a clear error.
  constexpr std::streamoff kMaxBytes = 1ll << 30;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorKind::Io, "cannot open '" + path + "'");
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  if (size < 0) throw Error(ErrorKind::Io, "cannot read '" + path + "' (not a regular file?)");
  if (size > kMaxBytes) throw Error(ErrorKind::Io, "'" + path + "' is larger than 1 GiB");
  in.seekg(0);
  std::string data(static_cast<size_t>(size), '\0');
  if (!in.read(data.data(), size)) throw Error(ErrorKind::Io, "cannot read '" + path + "'");
  return data;
}

std::string text_or_file(const std::string& value) {
  if (!value.empty() && value[0] == '@') return read_file(value.substr(1));
  return value;
}

}  // namespace ptrm::cli
