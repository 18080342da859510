// safetensors writer: tensors (fp32 narrowed to F16/BF16 on request) and string metadata into the file layout
// the reader (safetensors.cpp) accepts: 8-byte header length, JSON header padded to 8 bytes, data in order.
#include <cerrno>
#include <cstring>
#include <fstream>

#include "ptrm/errors.h"
#include "ptrm/json.h"
#include "ptrm/safetensors.h"

namespace ptrm {

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
      throw Error(ErrorKind::BadOptions,
                  std::string("from_f32: storage dtype ") + dtype_name(storage) + " is not a float dtype");
  }
  return t;
}

TensorToWrite TensorToWrite::from_i32(std::string name, std::vector<int64_t> shape,
                                      const std::vector<int32_t>& values) {
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
    if (t.name.empty() || t.name == "__metadata__")
      throw Error(ErrorKind::BadOptions, "invalid tensor name '" + t.name + "'");
    uint64_t elems = 1;
    for (int64_t d : t.shape) {
      if (d < 0) throw Error(ErrorKind::BadOptions, "tensor '" + t.name + "': negative dimension");
      elems *= static_cast<uint64_t>(d);
    }
    if (elems * dtype_size(t.dtype) != t.data.size())
      throw Error(ErrorKind::BadOptions, "tensor '" + t.name + "': " + std::to_string(t.data.size()) +
                                             " bytes for shape " + shape_str(t.shape) + " of " + dtype_name(t.dtype));
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
