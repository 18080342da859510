// Minimal JSON value with a bounded parser (untrusted input: model metadata, ARC task files, JS options) and a
// deterministic serializer. Objects keep keys sorted; duplicate keys are rejected by the parser.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ptrm/errors.h"

namespace ptrm {

// Bounds on untrusted documents. Bytes alone do not bound memory: every value costs a Json node (~50 bytes),
// so "[0,0,0,...]" amplifies its input ~25x. The parser counts values as it goes and stops at the first one
// over a limit, before the document is built.
struct JsonLimits {
  size_t max_bytes = 64u << 20;  // whole document
  int max_depth = 64;            // nesting of arrays/objects
  size_t max_nodes = 1u << 20;   // values of any type in the whole document (the root counts)
  size_t max_array = 1u << 20;   // elements of any one array
};

class Json {
 public:
  enum class Type { Null, Bool, Number, String, Array, Object };
  using Array = std::vector<Json>;
  using Object = std::map<std::string, Json, std::less<>>;

  Json() = default;  // null
  Json(std::nullptr_t) {}
  Json(bool b) : v_(b) {}
  Json(double d) : v_(d) {}
  // An exact unsigned integer (a 64-bit seed): dumps as its decimal digits, never through a double.
  static Json exact(uint64_t u) {
    Json j;
    j.v_ = u;
    return j;
  }
  template <std::integral T>
  requires(!std::same_as<T, bool>) Json(T i) : v_(static_cast<double>(i)) {}
  Json(const char* s) : v_(std::string(s)) {}
  Json(std::string s) : v_(std::move(s)) {}
  Json(Array a) : v_(std::move(a)) {}
  Json(Object o) : v_(std::move(o)) {}

  // Throws Error(kind) with the byte offset on any syntax error, trailing garbage, nesting deeper than
  // limits.max_depth, input longer than limits.max_bytes, more than limits.max_nodes values or an array longer
  // than limits.max_array. Numbers are IEEE doubles; non-finite rejected.
  static Json parse(std::string_view text, ErrorKind kind = ErrorKind::BadOptions, const JsonLimits& limits = {});

  // Compact serialisation; numbers that are exact integers print without a fraction, others round-trip (%.17g).
  std::string dump() const;

  Type type() const { return v_.index() == kExactIndex ? Type::Number : static_cast<Type>(v_.index()); }
  bool is_null() const { return type() == Type::Null; }
  bool is_bool() const { return type() == Type::Bool; }
  bool is_number() const { return type() == Type::Number; }
  bool is_string() const { return type() == Type::String; }
  bool is_array() const { return type() == Type::Array; }
  bool is_object() const { return type() == Type::Object; }

  // Typed accessors; a type mismatch throws Error(Internal) because callers are expected to check first
  // (the get_* helpers below do, with user-facing messages).
  bool as_bool() const;
  double as_number() const;  // an exact integer converts (rounding above 2^53)
  const uint64_t* exact_if() const { return std::get_if<uint64_t>(&v_); }  // set only by Json::exact
  const std::string& as_string() const;
  const Array& as_array() const;
  Array& as_array();
  const Object& as_object() const;
  Object& as_object();

  // Object lookup: nullptr when this is not an object or the key is absent.
  const Json* find(std::string_view key) const;

 private:
  static constexpr size_t kExactIndex = 6;
  std::variant<std::nullptr_t, bool, double, std::string, Array, Object, uint64_t> v_;
};

const char* json_type_name(Json::Type t);

// Required-field helpers for objects. Errors are Error(kind) naming the key and what was wrong:
// "missing key 'hidden_size'", "key 'hidden_size': expected integer, got 512.5", "key 'task': expected string, got
// array" (numbers and bools are shown by value, other types by type name).
// get_int accepts only integral numbers with |v| <= 2^53.
int64_t get_int(const Json& obj, std::string_view key, ErrorKind kind = ErrorKind::BadOptions);
double get_double(const Json& obj, std::string_view key, ErrorKind kind = ErrorKind::BadOptions);
std::string get_string(const Json& obj, std::string_view key, ErrorKind kind = ErrorKind::BadOptions);
bool get_bool(const Json& obj, std::string_view key, ErrorKind kind = ErrorKind::BadOptions);

}  // namespace ptrm
