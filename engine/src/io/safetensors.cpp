// safetensors: 8-byte little-endian header length, JSON header, contiguous data buffer. The reader validates
// every structural property before any tensor is touched, so later reads can index the buffer unchecked.
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
constexpr size_t kMaxHeaderValues = 1u << 16;

struct DTypeEntry {
  DType dtype;
  const char* name;
  size_t size;
};
constexpr DTypeEntry kDTypes[] = {
    {DType::F32, "F32", 4}, {DType::F16, "F16", 2}, {DType::BF16, "BF16", 2}, {DType::F64, "F64", 8},
    {DType::I64, "I64", 8}, {DType::I32, "I32", 4}, {DType::I16, "I16", 2},   {DType::I8, "I8", 1},
    {DType::U64, "U64", 8}, {DType::U32, "U32", 4}, {DType::U16, "U16", 2},   {DType::U8, "U8", 1},
    {DType::BOOL, "BOOL", 1},
};

const DTypeEntry& entry(DType d) {
  for (const auto& e : kDTypes)
    if (e.dtype == d) return e;
  throw Error(ErrorKind::Internal, "unknown DType enumerator");
}

[[noreturn]] void bad(const std::string& msg) { throw Error(ErrorKind::BadModel, "safetensors: " + msg); }

uint64_t read_u64_le(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

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

}  // namespace

const char* dtype_name(DType d) { return entry(d).name; }
size_t dtype_size(DType d) { return entry(d).size; }

float f16_to_f32(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1Fu;
  uint32_t mant = h & 0x3FFu;
  if (exp == 0) {
    // Zero or subnormal: mant * 2^-24 is exact in fp32.
    float mag = static_cast<float>(mant) * 5.9604644775390625e-8f;
    return sign ? -mag : mag;
  }
  uint32_t bits = exp == 0x1F ? (sign | 0x7F800000u | (mant << 13)) : (sign | ((exp + 112u) << 23) | (mant << 13));
  return std::bit_cast<float>(bits);
}

float bf16_to_f32(uint16_t b) { return std::bit_cast<float>(static_cast<uint32_t>(b) << 16); }

uint16_t f32_to_f16(float f) {
  uint32_t x = std::bit_cast<uint32_t>(f);
  uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  x &= 0x7FFFFFFFu;
  if (x >= 0x7F800000u) return sign | (x > 0x7F800000u ? 0x7E00 : 0x7C00);  // NaN stays quiet NaN, inf
  if (x >= 0x477FF000u) return sign | 0x7C00;  // >= 65520 rounds (ties-to-even) to inf
  if (x < 0x38800000u) {
    // Half subnormal range: adding 0.5f aligns the value so the FPU's own round-to-nearest-even produces the
    // 10-bit subnormal mantissa in the low bits (ulp of [0.5, 1) is 2^-24 = half's subnormal step).
    float t = std::bit_cast<float>(x) + 0.5f;
    return sign | static_cast<uint16_t>(std::bit_cast<uint32_t>(t) - 0x3F000000u);
  }
  uint32_t odd = (x >> 13) & 1u;
  x += (static_cast<uint32_t>(15 - 127) << 23) + 0xFFFu + odd;  // rebias exponent, round mantissa half-to-even
  return sign | static_cast<uint16_t>(x >> 13);
}

uint16_t f32_to_bf16(float f) {
  uint32_t x = std::bit_cast<uint32_t>(f);
  if ((x & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<uint16_t>((x >> 16) | 0x40u);  // keep NaN a NaN
  x += 0x7FFFu + ((x >> 16) & 1u);
  return static_cast<uint16_t>(x >> 16);
}

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
  if (bytes.size() < 8) bad("file too short (" + std::to_string(bytes.size()) + " bytes) for the 8-byte header length");
  uint64_t header_len = read_u64_le(bytes.data());
  if (header_len > kMaxHeaderBytes)
    bad("header length " + std::to_string(header_len) + " exceeds the limit of " + std::to_string(kMaxHeaderBytes));
  if (header_len > bytes.size() - 8)
    bad("header length " + std::to_string(header_len) + " exceeds the file size (" + std::to_string(bytes.size()) +
        " bytes): truncated or not a safetensors file");
  if (header_len < 2) bad("header length " + std::to_string(header_len) + " is too small for a JSON object");
  std::string_view header(reinterpret_cast<const char*>(bytes.data() + 8), header_len);
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

  st.data_start_ = 8 + header_len;
  const uint64_t data_size = bytes.size() - st.data_start_;

  for (const auto& [name, v] : root.as_object()) {
    if (name == "__metadata__") {
      if (!v.is_object()) bad("__metadata__ must be an object of strings");
      for (const auto& [k, mv] : v.as_object()) {
        if (!mv.is_string()) bad("__metadata__ value for '" + k + "' must be a string");
        st.metadata_.emplace(k, mv.as_string());
      }
      continue;
    }
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
    const DTypeEntry* de = nullptr;
    for (const auto& e : kDTypes)
      if (dt->as_string() == e.name) de = &e;
    if (!de) bad(where + ": unknown dtype '" + dt->as_string() + "'");
    ti.dtype = de->dtype;

    if (shape->as_array().size() > kMaxRank) bad(where + ": rank " + std::to_string(shape->as_array().size()) + " too large");
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
    uint64_t need = elems * de->size;
    uint64_t begin = bounded_uint(offs->as_array()[0], data_size, where + " data_offsets begin");
    uint64_t end = bounded_uint(offs->as_array()[1], data_size, where + " data_offsets end");
    if (end < begin) bad(where + ": data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) + "] are reversed");
    if (end - begin != need)
      bad(where + ": data_offsets span " + std::to_string(end - begin) + " bytes but dtype " + de->name + " x shape " +
          shape_str(ti.shape) + " needs " + std::to_string(need));
    ti.offset = static_cast<size_t>(begin);
    ti.nbytes = static_cast<size_t>(need);
    st.tensors_.emplace(name, std::move(ti));
  }

  // The data buffer must be tiled exactly: sorted by offset, no gaps, no overlaps, nothing left over.
  std::vector<const TensorInfo*> order;
  for (const auto& [n, ti] : st.tensors_) order.push_back(&ti);
  std::sort(order.begin(), order.end(), [](const TensorInfo* a, const TensorInfo* b) {
    return a->offset != b->offset ? a->offset < b->offset : a->nbytes < b->nbytes;
  });
  uint64_t cursor = 0;
  for (const TensorInfo* ti : order) {
    if (ti->offset < cursor) bad("tensor '" + ti->name + "' overlaps the previous tensor (offset " + std::to_string(ti->offset) + " < " + std::to_string(cursor) + ")");
    if (ti->offset > cursor) bad("gap in the data buffer before tensor '" + ti->name + "' (bytes " + std::to_string(cursor) + ".." + std::to_string(ti->offset) + " unused)");
    cursor = ti->offset + ti->nbytes;
  }
  if (cursor != data_size)
    bad("data buffer is " + std::to_string(data_size) + " bytes but the tensors cover " + std::to_string(cursor) +
        (cursor < data_size ? " (trailing bytes)" : ""));

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

namespace {
void check_shape(const TensorInfo& ti, const std::vector<int64_t>& expected) {
  if (ti.shape != expected)
    throw Error(ErrorKind::BadModel, "tensor '" + ti.name + "' has shape " + shape_str(ti.shape) + ", expected " +
                                         shape_str(expected));
}
}  // namespace

std::vector<float> SafeTensors::read_f32(const std::string& name, const std::vector<int64_t>& expected_shape) const {
  const TensorInfo& ti = info(name);
  check_shape(ti, expected_shape);
  const uint8_t* p = bytes_.data() + data_start_ + ti.offset;
  size_t n = ti.nbytes / dtype_size(ti.dtype);
  std::vector<float> out(n);
  switch (ti.dtype) {
    case DType::F32: if (n) std::memcpy(out.data(), p, n * 4); break;
    case DType::F16: for (size_t i = 0; i < n; ++i) out[i] = f16_to_f32(load<uint16_t>(p + 2 * i)); break;
    case DType::BF16: for (size_t i = 0; i < n; ++i) out[i] = bf16_to_f32(load<uint16_t>(p + 2 * i)); break;
    default:
      throw Error(ErrorKind::BadModel, "tensor '" + name + "' has dtype " + dtype_name(ti.dtype) +
                                           ", expected a float dtype (F32, F16 or BF16)");
  }
  return out;
}

std::vector<int32_t> SafeTensors::read_i32(const std::string& name, const std::vector<int64_t>& expected_shape) const {
  const TensorInfo& ti = info(name);
  check_shape(ti, expected_shape);
  const uint8_t* p = bytes_.data() + data_start_ + ti.offset;
  size_t n = ti.nbytes / dtype_size(ti.dtype);
  std::vector<int32_t> out(n);
  auto narrow = [&](auto v, size_t i) {
    using T = decltype(v);
    if (std::cmp_less(v, std::numeric_limits<int32_t>::min()) || std::cmp_greater(v, std::numeric_limits<int32_t>::max()))
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
      default:
        throw Error(ErrorKind::BadModel, "tensor '" + name + "' has dtype " + dtype_name(ti.dtype) +
                                             ", expected an integer dtype");
    }
  }
  return out;
}

TensorToWrite TensorToWrite::from_f32(std::string name, std::vector<int64_t> shape, const std::vector<float>& values,
                                      DType storage) {
  TensorToWrite t{std::move(name), storage, std::move(shape), {}};
  switch (storage) {
    case DType::F32:
      t.data.resize(values.size() * 4);
      if (!values.empty()) std::memcpy(t.data.data(), values.data(), t.data.size());
      break;
    case DType::F16:
    case DType::BF16:
      t.data.resize(values.size() * 2);
      for (size_t i = 0; i < values.size(); ++i) {
        uint16_t h = storage == DType::F16 ? f32_to_f16(values[i]) : f32_to_bf16(values[i]);
        std::memcpy(t.data.data() + 2 * i, &h, 2);
      }
      break;
    default:
      throw Error(ErrorKind::BadOptions, std::string("from_f32: storage dtype ") + dtype_name(storage) + " is not a float dtype");
  }
  return t;
}

TensorToWrite TensorToWrite::from_i32(std::string name, std::vector<int64_t> shape, const std::vector<int32_t>& values) {
  TensorToWrite t{std::move(name), DType::I32, std::move(shape), std::vector<uint8_t>(values.size() * 4)};
  if (!values.empty()) std::memcpy(t.data.data(), values.data(), t.data.size());
  return t;
}

std::vector<uint8_t> safetensors_bytes(const std::vector<TensorToWrite>& tensors,
                                       const std::map<std::string, std::string>& metadata) {
  Json::Object header;
  if (!metadata.empty()) {
    Json::Object meta;
    for (const auto& [k, v] : metadata) meta.emplace(k, Json(v));
    header.emplace("__metadata__", Json(std::move(meta)));
  }
  uint64_t offset = 0;
  for (const TensorToWrite& t : tensors) {
    if (t.name.empty() || t.name == "__metadata__") throw Error(ErrorKind::BadOptions, "invalid tensor name '" + t.name + "'");
    uint64_t elems = 1;
    for (int64_t d : t.shape) {
      if (d < 0) throw Error(ErrorKind::BadOptions, "tensor '" + t.name + "': negative dimension");
      elems *= static_cast<uint64_t>(d);
    }
    if (elems * dtype_size(t.dtype) != t.data.size())
      throw Error(ErrorKind::BadOptions, "tensor '" + t.name + "': " + std::to_string(t.data.size()) + " bytes for shape " +
                                             shape_str(t.shape) + " of " + dtype_name(t.dtype));
    Json::Array shape;
    for (int64_t d : t.shape) shape.emplace_back(d);
    Json::Object e;
    e.emplace("dtype", Json(dtype_name(t.dtype)));
    e.emplace("shape", Json(std::move(shape)));
    e.emplace("data_offsets", Json(Json::Array{Json(offset), Json(offset + t.data.size())}));
    if (!header.emplace(t.name, Json(std::move(e))).second)
      throw Error(ErrorKind::BadOptions, "duplicate tensor name '" + t.name + "'");
    offset += t.data.size();
  }
  std::string h = Json(std::move(header)).dump();
  h.append((8 - h.size() % 8) % 8, ' ');  // the format pads the header so the data buffer starts 8-aligned
  std::vector<uint8_t> out(8 + h.size() + offset);
  uint64_t len = h.size();
  std::memcpy(out.data(), &len, 8);
  std::memcpy(out.data() + 8, h.data(), h.size());
  uint8_t* dst = out.data() + 8 + h.size();
  for (const TensorToWrite& t : tensors) {
    if (!t.data.empty()) std::memcpy(dst, t.data.data(), t.data.size());
    dst += t.data.size();
  }
  return out;
}

void write_safetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  std::vector<uint8_t> bytes = safetensors_bytes(tensors, metadata);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(ErrorKind::Io, "cannot create '" + path + "': " + std::strerror(errno));
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw Error(ErrorKind::Io, "error writing '" + path + "'");
}

}  // namespace ptrm
