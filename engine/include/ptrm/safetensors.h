// Bounded, validated safetensors reader (from a file or from bytes, e.g. a fetch() buffer in wasm) and writer.
// Implementation: engine/src/io/dtype.cpp (element types, fp16/bf16 conversions), safetensors.cpp (reader),
// safetensors_writer.cpp (writer).
// Model files are untrusted: every structural problem is reported as Error(BadModel) with a precise message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ptrm {

enum class DType { F32, F16, BF16, F64, I64, I32, I16, I8, U64, U32, U16, U8, BOOL };

const char* dtype_name(DType d);                              // the safetensors spelling: "F32", "BF16", ...
size_t dtype_size(DType d);                                   // bytes per element
std::optional<DType> dtype_from_name(std::string_view name);  // nullopt for an unknown spelling

// Exact IEEE conversions (round-to-nearest-even on narrowing; NaN stays NaN; overflow → inf).
float f16_to_f32(uint16_t h);
float bf16_to_f32(uint16_t b);
uint16_t f32_to_f16(float f);
uint16_t f32_to_bf16(float f);

struct TensorInfo {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
  size_t offset;  // relative to the start of the data buffer (after the header)
  size_t nbytes;
};

std::string shape_str(const std::vector<int64_t>& shape);  // "(3, 512)"

class SafeTensors {
 public:
  static constexpr size_t kMaxHeaderBytes = 100u << 20;
  // The largest model file read: the config bounds (puzzle table <= 2^31 floats) keep real models far below.
  static constexpr uint64_t kMaxFileBytes = uint64_t{16} << 30;

  // Io if the file cannot be opened/read or is not a regular file; BadModel for anything wrong with its contents.
  static SafeTensors open(const std::string& path);
  static SafeTensors from_bytes(std::vector<uint8_t> bytes);

  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  bool has(const std::string& name) const { return tensors_.count(name) != 0; }
  const TensorInfo& info(const std::string& name) const;  // BadModel "missing tensor 'x'"
  std::vector<std::string> names() const;                 // sorted
  std::span<const uint8_t> raw(const std::string& name) const;

  // Shape must equal expected_shape exactly, else BadModel naming the tensor and both shapes.
  // read_f32 accepts F32/F16/BF16 storage; read_i32 accepts I32 (and I64/I16/I8/U8 when values fit).
  std::vector<float> read_f32(const std::string& name, const std::vector<int64_t>& expected_shape) const;
  std::vector<int32_t> read_i32(const std::string& name, const std::vector<int64_t>& expected_shape) const;

 private:
  struct Elements {
    const TensorInfo& info;
    const uint8_t* data;
    size_t count;
  };
  // The tensor's elements after checking its shape (BadModel otherwise).
  Elements elements(const std::string& name, const std::vector<int64_t>& expected_shape) const;
  std::vector<uint8_t> bytes_;
  size_t data_start_ = 0;
  std::map<std::string, TensorInfo> tensors_;
  std::map<std::string, std::string> metadata_;
};

struct TensorToWrite {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;  // little-endian, exactly product(shape) * dtype_size(dtype) bytes

  // Convenience: fp32 values stored as F32, F16 or BF16 (narrowed with round-to-nearest-even).
  static TensorToWrite from_f32(std::string name, std::vector<int64_t> shape, const std::vector<float>& values,
                                DType storage = DType::F32);
  static TensorToWrite from_i32(std::string name, std::vector<int64_t> shape, const std::vector<int32_t>& values);
};

// Serialises header (padded with spaces to a multiple of 8 bytes) + tensors in the given order. Throws BadOptions
// for inconsistent tensors (size mismatch, duplicate or empty names), Io if the file cannot be written.
std::vector<uint8_t> safetensors_bytes(const std::vector<TensorToWrite>& tensors,
                                       const std::map<std::string, std::string>& metadata);
void write_safetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                       const std::map<std::string, std::string>& metadata);

}  // namespace ptrm
