// Recursive-descent JSON parser (RFC 8259) with explicit size/depth bounds, and a compact serializer.
#include "ptrm/json.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

namespace ptrm {
namespace {

// JSON's two-character escapes: the letter after a backslash and the character it stands for. The parser also
// accepts an escaped '/', which the serializer never writes.
constexpr std::pair<char, char> kEscapes[] = {{'"', '"'},  {'\\', '\\'}, {'/', '/'},  {'b', '\b'},
                                              {'f', '\f'}, {'n', '\n'},  {'r', '\r'}, {'t', '\t'}};

const char* unescaped(char letter) {
  for (const auto& e : kEscapes)
    if (e.first == letter) return &e.second;
  return nullptr;
}

const char* escape_letter(char c) {
  for (const auto& e : kEscapes)
    if (e.second == c && c != '/') return &e.first;
  return nullptr;
}

class Parser {
 public:
  Parser(std::string_view text, ErrorKind kind, const JsonLimits& limits) : s_(text), kind_(kind), limits_(limits) {}

  Json document() {
    if (s_.size() > limits_.max_bytes)
      throw Error(kind_, "JSON document too large: " + std::to_string(s_.size()) + " bytes (limit " +
                             std::to_string(limits_.max_bytes) + ")");
    skip_ws();
    Json v = value(0);
    skip_ws();
    if (pos_ != s_.size()) fail("unexpected trailing characters");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(kind_, "JSON parse error at byte " + std::to_string(pos_) + ": " + what);
  }

  void skip_ws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }

  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }

  void expect_literal(std::string_view lit) {
    if (s_.substr(pos_, lit.size()) != lit) fail("invalid literal");
    pos_ += lit.size();
  }

  Json value(int depth) {
    if (pos_ >= s_.size()) fail("unexpected end of input");
    if (++nodes_ > limits_.max_nodes) fail("more than " + std::to_string(limits_.max_nodes) + " values");
    switch (s_[pos_]) {
      case '{': return object(depth + 1);
      case '[': return array(depth + 1);
      case '"': return Json(parse_string());
      case 't': expect_literal("true"); return Json(true);
      case 'f': expect_literal("false"); return Json(false);
      case 'n': expect_literal("null"); return Json(nullptr);
      default:
        if (s_[pos_] == '-' || (s_[pos_] >= '0' && s_[pos_] <= '9')) return Json(number());
        fail(std::string("unexpected character '") + s_[pos_] + "'");
    }
  }

  // At the '[' or '{' of a container `depth` deep: consumes it; true when the container is empty (then `close` is
  // consumed too).
  bool open(int depth, char close) {
    check_depth(depth);
    ++pos_;
    skip_ws();
    if (peek() != close) return false;
    ++pos_;
    return true;
  }

  // After an array element or object member: true at `close`, false after a ','; both are consumed.
  bool end_of(char close) {
    skip_ws();
    if (peek() != ',' && peek() != close) fail(std::string("expected ',' or '") + close + "'");
    return s_[pos_++] == close;
  }

  void check_depth(int depth) const {
    if (depth > limits_.max_depth) fail("nesting deeper than " + std::to_string(limits_.max_depth));
  }

  Json object(int depth) {
    Json::Object obj;
    if (open(depth, '}')) return Json(std::move(obj));
    for (;;) {
      skip_ws();
      if (peek() != '"') fail("expected string key");
      size_t key_pos = pos_;
      std::string key = parse_string();
      skip_ws();
      if (peek() != ':') fail("expected ':'");
      ++pos_;
      skip_ws();
      Json v = value(depth);
      if (!obj.emplace(std::move(key), std::move(v)).second) {
        pos_ = key_pos;
        fail("duplicate key");
      }
      if (end_of('}')) return Json(std::move(obj));
    }
  }

  Json array(int depth) {
    Json::Array arr;
    if (open(depth, ']')) return Json(std::move(arr));
    for (;;) {
      skip_ws();
      if (arr.size() == limits_.max_array) fail("array longer than " + std::to_string(limits_.max_array) + " elements");
      arr.push_back(value(depth));
      if (end_of(']')) return Json(std::move(arr));
    }
  }

  unsigned hex4() {
    if (s_.size() - pos_ < 4) fail("truncated \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = s_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<unsigned>(c - 'A' + 10);
      else fail("invalid hex digit in \\u escape");
    }
    return v;
  }

  static void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::string parse_string() {
    ++pos_;  // opening quote
    std::string out;
    for (;;) {
      if (pos_ >= s_.size()) fail("unterminated string");
      char c = s_[pos_];
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (static_cast<unsigned char>(c) < 0x20) fail("control character in string");
      if (c != '\\') {
        out += c;
        ++pos_;
        continue;
      }
      ++pos_;
      if (pos_ >= s_.size()) fail("unterminated escape");
      char e = s_[pos_++];
      if (const char* c = unescaped(e)) {
        out += *c;
        continue;
      }
      switch (e) {
        case 'u': {
          unsigned cp = hex4();
          if (cp >= 0xDC00 && cp <= 0xDFFF) fail("unpaired low surrogate");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (s_.substr(pos_, 2) != "\\u") fail("unpaired high surrogate");
            pos_ += 2;
            unsigned lo = hex4();
            if (lo < 0xDC00 || lo > 0xDFFF) fail("invalid low surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          append_utf8(out, cp);
          break;
        }
        default: --pos_; fail("invalid escape");
      }
    }
  }

  double number() {
    size_t start = pos_;
    auto digits = [&] {
      size_t d = pos_;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
      return pos_ - d;
    };
    if (peek() == '-') ++pos_;
    if (peek() == '0') {
      ++pos_;
    } else if (digits() == 0) {
      fail("invalid number");
    }
    if (peek() == '.') {
      ++pos_;
      if (digits() == 0) fail("expected digits after '.'");
    }
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      if (peek() == '+' || peek() == '-') ++pos_;
      if (digits() == 0) fail("expected exponent digits");
    }
    // strtod needs a terminated buffer; the grammar above has already fixed the exact extent.
    std::string text(s_.substr(start, pos_ - start));
    double v = std::strtod(text.c_str(), nullptr);
    if (!std::isfinite(v)) {
      pos_ = start;
      fail("number out of range");
    }
    return v;
  }

  std::string_view s_;
  ErrorKind kind_;
  JsonLimits limits_;
  size_t pos_ = 0;
  size_t nodes_ = 0;
};

void dump_string(std::string& out, const std::string& s) {
  out += '"';
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (const char* letter = escape_letter(ch)) {
      out += '\\';
      out += *letter;
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  out += '"';
}

void dump_number(std::string& out, double v) {
  if (!std::isfinite(v)) throw Error(ErrorKind::Internal, "cannot serialise a non-finite number as JSON");
  char buf[32];
  // Integers below 2^53 print exactly without exponent or fraction so configs read back as integers.
  if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0) {
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
  } else {
    std::snprintf(buf, sizeof buf, "%.17g", v);
  }
  out += buf;
}

void dump_value(std::string& out, const Json& j) {
  switch (j.type()) {
    case Json::Type::Null: out += "null"; break;
    case Json::Type::Bool: out += j.as_bool() ? "true" : "false"; break;
    case Json::Type::Number:
      if (const uint64_t* u = j.exact_if()) out += std::to_string(*u);
      else dump_number(out, j.as_number());
      break;
    case Json::Type::String: dump_string(out, j.as_string()); break;
    case Json::Type::Array: {
      out += '[';
      bool first = true;
      for (const Json& e : j.as_array()) {
        if (!first) out += ',';
        first = false;
        dump_value(out, e);
      }
      out += ']';
      break;
    }
    case Json::Type::Object: {
      out += '{';
      bool first = true;
      for (const auto& [k, e] : j.as_object()) {
        if (!first) out += ',';
        first = false;
        dump_string(out, k);
        out += ':';
        dump_value(out, e);
      }
      out += '}';
      break;
    }
  }
}

[[noreturn]] void wrong_type(Json::Type want, Json::Type got) {
  throw Error(ErrorKind::Internal,
              std::string("JSON value is ") + json_type_name(got) + ", not " + json_type_name(want));
}

const Json& require(const Json& obj, std::string_view key, ErrorKind kind) {
  if (!obj.is_object()) throw Error(kind, "expected a JSON object when looking up key '" + std::string(key) + "'");
  const Json* v = obj.find(key);
  if (!v) throw Error(kind, "missing key '" + std::string(key) + "'");
  return *v;
}

[[noreturn]] void bad_field(std::string_view key, const char* want, const Json& got, ErrorKind kind) {
  throw Error(kind, "key '" + std::string(key) + "': expected " + want + ", got " +
                        (got.is_number() || got.is_bool() ? got.dump() : std::string(json_type_name(got.type()))));
}

}  // namespace

Json Json::parse(std::string_view text, ErrorKind kind, const JsonLimits& limits) {
  return Parser(text, kind, limits).document();
}

std::string Json::dump() const {
  std::string out;
  dump_value(out, *this);
  return out;
}

bool Json::as_bool() const {
  if (!is_bool()) wrong_type(Type::Bool, type());
  return std::get<bool>(v_);
}
double Json::as_number() const {
  if (!is_number()) wrong_type(Type::Number, type());
  if (const uint64_t* u = std::get_if<uint64_t>(&v_)) return static_cast<double>(*u);
  return std::get<double>(v_);
}
const std::string& Json::as_string() const {
  if (!is_string()) wrong_type(Type::String, type());
  return std::get<std::string>(v_);
}
const Json::Array& Json::as_array() const {
  if (!is_array()) wrong_type(Type::Array, type());
  return std::get<Array>(v_);
}
Json::Array& Json::as_array() { return const_cast<Array&>(std::as_const(*this).as_array()); }
const Json::Object& Json::as_object() const {
  if (!is_object()) wrong_type(Type::Object, type());
  return std::get<Object>(v_);
}
Json::Object& Json::as_object() { return const_cast<Object&>(std::as_const(*this).as_object()); }

const Json* Json::find(std::string_view key) const {
  if (!is_object()) return nullptr;
  const Object& o = std::get<Object>(v_);
  auto it = o.find(key);
  return it == o.end() ? nullptr : &it->second;
}

const char* json_type_name(Json::Type t) {
  switch (t) {
    case Json::Type::Null: return "null";
    case Json::Type::Bool: return "bool";
    case Json::Type::Number: return "number";
    case Json::Type::String: return "string";
    case Json::Type::Array: return "array";
    case Json::Type::Object: return "object";
  }
  return "?";
}

int64_t get_int(const Json& obj, std::string_view key, ErrorKind kind) {
  const Json& v = require(obj, key, kind);
  if (!v.is_number()) bad_field(key, "integer", v, kind);
  double d = v.as_number();
  if (d != std::floor(d) || std::fabs(d) > 9007199254740992.0) bad_field(key, "integer", v, kind);
  return static_cast<int64_t>(d);
}

double get_double(const Json& obj, std::string_view key, ErrorKind kind) {
  const Json& v = require(obj, key, kind);
  if (!v.is_number()) bad_field(key, "number", v, kind);
  return v.as_number();
}

std::string get_string(const Json& obj, std::string_view key, ErrorKind kind) {
  const Json& v = require(obj, key, kind);
  if (!v.is_string()) bad_field(key, "string", v, kind);
  return v.as_string();
}

bool get_bool(const Json& obj, std::string_view key, ErrorKind kind) {
  const Json& v = require(obj, key, kind);
  if (!v.is_bool()) bad_field(key, "bool", v, kind);
  return v.as_bool();
}

}  // namespace ptrm
