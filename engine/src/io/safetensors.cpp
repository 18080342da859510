// safetensors reader: 8-byte little-endian header length, JSON header, contiguous data buffer. Every structural
// property is validated before any tensor is touched, so later reads can index the buffer unchecked.
#include "ptrm/safetensors.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <utility>

#include "ptrm/errors.h"
#include "ptrm/file.h"
#include "ptrm/json.h"

static_assert(std::endian::native == std::endian::little, "safetensors data is little-endian");

namespace ptrm {
namespace {

constexpr int kMaxRank = 16;
constexpr size_t kMaxHeaderBytes = SafeTensors::kMaxHeaderBytes;
constexpr size_t kMaxHeaderValues = 1u << 16;

[[noreturn]] void bad(const std::string& msg) { throw Error(ErrorKind::BadModel, "safetensors: " + msg); }

// Non-negative integral JSON number not above `max`; `what` names the field in errors.
uint64_t bounded_uint(const Json& v, uint64_t max, const std::string& what) {
  if (!v.is_number()) bad(what + " must be a number");
  double d = v.as_number();
  if (d < 0 || d != std::floor(d)) bad(what + " must be a non-negative integer, got " + v.dump());
  if (d > static_cast<double>(max)) bad(what + " = " + v.dump() + " exceeds " + std::to_string(max));
  return static_cast<uint64_t>(d);
}

template <typename T>
T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

// The JSON header's length (the first 8 bytes), checked against the limit and the file size.
uint64_t header_length(const std::vector<uint8_t>& bytes) {
  if (bytes.size() < 8) bad("file too short (" + std::to_string(bytes.size()) + " bytes) for the 8-byte header length");
  uint64_t header_len = load<uint64_t>(bytes.data());
  if (header_len > kMaxHeaderBytes)
    bad("header length " + std::to_string(header_len) + " exceeds the limit of " + std::to_string(kMaxHeaderBytes));
  if (header_len > bytes.size() - 8)
    bad("header length " + std::to_string(header_len) + " exceeds the file size (" + std::to_string(bytes.size()) +
        " bytes): truncated or not a safetensors file");
  if (header_len < 2) bad("header length " + std::to_string(header_len) + " is too small for a JSON object");
  return header_len;
}

// The header text as a JSON object.
Json parse_header(std::string_view header) {
  if (header[0] != '{') bad("header does not start with '{' (not a safetensors file?)");
  Json root;
  try {
    // Values, not only bytes, are bounded: a header is a few dozen tensors of ~20 values each (metadata values are
    // strings), and no array in it is longer than a shape, so a 100 MB "shape" list fails while it is parsed.
    root = Json::parse(header, ErrorKind::BadModel, JsonLimits{kMaxHeaderBytes, 4, kMaxHeaderValues, kMaxRank});
  } catch (const Error& e) {
    bad(std::string("header is not valid JSON: ") + e.what());
  }
  if (!root.is_object()) bad("header is not a JSON object");
  return root;
}

std::map<std::string, std::string> parse_metadata(const Json& v) {
  if (!v.is_object()) bad("__metadata__ must be an object of strings");
  std::map<std::string, std::string> out;
  for (const auto& [k, mv] : v.as_object()) {
    if (!mv.is_string()) bad("__metadata__ value for '" + k + "' must be a string");
    out.emplace(k, mv.as_string());
  }
  return out;
}

// One tensor's header entry {dtype, shape, data_offsets}, checked against the data buffer of data_size bytes.
TensorInfo parse_entry(const std::string& name, const Json& v, uint64_t data_size) {
  const std::string where = "tensor '" + name + "'";
  if (!v.is_object()) bad(where + ": entry must be an object");
  for (const auto& [k, unused] : v.as_object())
    if (k != "dtype" && k != "shape" && k != "data_offsets") bad(where + ": unexpected field '" + k + "'");
  const Json* dt = v.find("dtype");
  const Json* shape = v.find("shape");
  const Json* offs = v.find("data_offsets");
  if (!dt || !dt->is_string()) bad(where + ": missing or non-string 'dtype'");
  if (!shape || !shape->is_array()) bad(where + ": missing or non-array 'shape'");
  if (!offs || !offs->is_array() || offs->as_array().size() != 2) bad(where + ": 'data_offsets' must be [begin, end]");

  TensorInfo ti;
  ti.name = name;
  const std::optional<DType> dtype = dtype_from_name(dt->as_string());
  if (!dtype) bad(where + ": unknown dtype '" + dt->as_string() + "'");
  ti.dtype = *dtype;

  if (shape->as_array().size() > kMaxRank)
    bad(where + ": rank " + std::to_string(shape->as_array().size()) + " too large");
  // Dimensions are bounded individually, then multiplied with an overflow check against the data size
  // (a zero dimension makes any other dimension harmless).
  uint64_t elems = 1;
  bool empty = false;
  for (const Json& d : shape->as_array()) {
    uint64_t dim = bounded_uint(d, uint64_t{1} << 53, where + " shape dimension");
    ti.shape.push_back(static_cast<int64_t>(dim));
    empty |= dim == 0;
  }
  if (empty) {
    elems = 0;
  } else {
    for (int64_t dim : ti.shape) {
      if (elems > data_size / static_cast<uint64_t>(dim))
        bad(where + ": shape " + shape_str(ti.shape) + " needs more bytes than the file holds");
      elems *= static_cast<uint64_t>(dim);
    }
  }
  uint64_t need = elems * dtype_size(ti.dtype);
  uint64_t begin = bounded_uint(offs->as_array()[0], data_size, where + " data_offsets begin");
  uint64_t end = bounded_uint(offs->as_array()[1], data_size, where + " data_offsets end");
  if (end < begin)
    bad(where + ": data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) + "] are reversed");
  if (end - begin != need)
    bad(where + ": data_offsets span " + std::to_string(end - begin) + " bytes but dtype " + dtype_name(ti.dtype) +
        " x shape " + shape_str(ti.shape) + " needs " + std::to_string(need));
  ti.offset = static_cast<size_t>(begin);
  ti.nbytes = static_cast<size_t>(need);
  return ti;
}

// The data buffer must be tiled exactly: sorted by offset, no gaps, no overlaps, nothing left over.
void check_tiling(const std::map<std::string, TensorInfo>& tensors, uint64_t data_size) {
  std::vector<const TensorInfo*> order;
  for (const auto& [n, ti] : tensors) order.push_back(&ti);
  std::sort(order.begin(), order.end(), [](const TensorInfo* a, const TensorInfo* b) {
    return a->offset != b->offset ? a->offset < b->offset : a->nbytes < b->nbytes;
  });
  uint64_t cursor = 0;
  for (const TensorInfo* ti : order) {
    if (ti->offset < cursor)
      bad("tensor '" + ti->name + "' overlaps the previous tensor (offset " + std::to_string(ti->offset) + " < " +
          std::to_string(cursor) + ")");
    if (ti->offset > cursor)
      bad("gap in the data buffer before tensor '" + ti->name + "' (bytes " + std::to_string(cursor) + ".." +
          std::to_string(ti->offset) + " unused)");
    cursor = ti->offset + ti->nbytes;
  }
  if (cursor != data_size)
    bad("data buffer is " + std::to_string(data_size) + " bytes but the tensors cover " + std::to_string(cursor) +
        (cursor < data_size ? " (trailing bytes)" : ""));
}

[[noreturn]] void wrong_dtype(const TensorInfo& ti, const char* expected) {
  throw Error(ErrorKind::BadModel,
              "tensor '" + ti.name + "' has dtype " + dtype_name(ti.dtype) + ", expected " + expected);
}

}  // namespace

std::string shape_str(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

SafeTensors SafeTensors::open(const std::string& path) {
  RegularFile file(path, kMaxFileBytes, "model");
  std::vector<uint8_t> bytes(static_cast<size_t>(file.size()));
  size_t have = 0;
  while (have < bytes.size()) {
    size_t got = file.read(bytes.data() + have, bytes.size() - have);
    if (got == 0) throw Error(ErrorKind::Io, "'" + path + "' shrank while it was read");
    have += got;
  }
  try {
    return from_bytes(std::move(bytes));
  } catch (const Error& e) {
    throw Error(e.kind(), path + ": " + e.what());
  }
}

SafeTensors SafeTensors::from_bytes(std::vector<uint8_t> bytes) {
  SafeTensors st;
  const uint64_t header_len = header_length(bytes);
  const Json root = parse_header(std::string_view(reinterpret_cast<const char*>(bytes.data() + 8), header_len));
  st.data_start_ = 8 + header_len;
  const uint64_t data_size = bytes.size() - st.data_start_;
  for (const auto& [name, v] : root.as_object()) {
    if (name == "__metadata__") st.metadata_ = parse_metadata(v);
    else st.tensors_.emplace(name, parse_entry(name, v, data_size));
  }
  check_tiling(st.tensors_, data_size);
  st.bytes_ = std::move(bytes);
  return st;
}

const TensorInfo& SafeTensors::info(const std::string& name) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end()) throw Error(ErrorKind::BadModel, "missing tensor '" + name + "'");
  return it->second;
}

std::vector<std::string> SafeTensors::names() const {
  std::vector<std::string> out;
  for (const auto& [n, ti] : tensors_) out.push_back(n);
  return out;
}

std::span<const uint8_t> SafeTensors::raw(const std::string& name) const {
  const TensorInfo& ti = info(name);
  return {bytes_.data() + data_start_ + ti.offset, ti.nbytes};
}

SafeTensors::Elements SafeTensors::elements(const std::string& name, const std::vector<int64_t>& expected) const {
  const TensorInfo& ti = info(name);
  if (ti.shape != expected)
    throw Error(ErrorKind::BadModel,
                "tensor '" + ti.name + "' has shape " + shape_str(ti.shape) + ", expected " + shape_str(expected));
  return {ti, raw(name).data(), ti.nbytes / dtype_size(ti.dtype)};
}

std::vector<float> SafeTensors::read_f32(const std::string& name, const std::vector<int64_t>& expected_shape) const {
  const auto [ti, p, n] = elements(name, expected_shape);
  std::vector<float> out(n);
  switch (ti.dtype) {
    case DType::F32:
      if (n) std::memcpy(out.data(), p, n * 4);
      break;
    case DType::F16:
      for (size_t i = 0; i < n; ++i) out[i] = f16_to_f32(load<uint16_t>(p + 2 * i));
      break;
    case DType::BF16:
      for (size_t i = 0; i < n; ++i) out[i] = bf16_to_f32(load<uint16_t>(p + 2 * i));
      break;
    default: wrong_dtype(ti, "a float dtype (F32, F16 or BF16)");
  }
  return out;
}

std::vector<int32_t> SafeTensors::read_i32(const std::string& name, const std::vector<int64_t>& expected_shape) const {
  const auto [ti, p, n] = elements(name, expected_shape);
  std::vector<int32_t> out(n);
  auto narrow = [&](auto v, size_t i) {
    using T = decltype(v);
    if (std::cmp_less(v, std::numeric_limits<int32_t>::min()) ||
        std::cmp_greater(v, std::numeric_limits<int32_t>::max()))
      throw Error(ErrorKind::BadModel, "tensor '" + name + "' element " + std::to_string(i) + " = " +
                                           std::to_string(v) + " does not fit in int32");
    out[i] = static_cast<int32_t>(static_cast<T>(v));
  };
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* e = p + i * dtype_size(ti.dtype);
    switch (ti.dtype) {
      case DType::I32: out[i] = load<int32_t>(e); break;
      case DType::I64: narrow(load<int64_t>(e), i); break;
      case DType::I16: out[i] = load<int16_t>(e); break;
      case DType::I8: out[i] = load<int8_t>(e); break;
      case DType::U64: narrow(load<uint64_t>(e), i); break;
      case DType::U32: narrow(load<uint32_t>(e), i); break;
      case DType::U16: out[i] = load<uint16_t>(e); break;
      case DType::U8: out[i] = load<uint8_t>(e); break;
      default: wrong_dtype(ti, "an integer dtype");
    }
  }
  return out;
}

}  // namespace ptrm
