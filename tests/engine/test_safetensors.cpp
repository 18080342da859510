#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <string>

#include "expect_error.h"
#include "ptrm/safetensors.h"

using namespace ptrm;

namespace {

// Builds a raw safetensors file from a literal header and a data buffer, bypassing the writer's checks.
std::vector<uint8_t> raw_file(const std::string& header, size_t data_bytes, uint64_t declared_len = UINT64_MAX) {
  uint64_t len = declared_len == UINT64_MAX ? header.size() : declared_len;
  std::vector<uint8_t> out(8 + header.size() + data_bytes, 0);
  std::memcpy(out.data(), &len, 8);
  std::memcpy(out.data() + 8, header.data(), header.size());
  return out;
}

std::string tmp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("ptrm_test_" + std::to_string(::getpid()) + "_" + name)).string();
}

}  // namespace

TEST(Half, ExactConversions) {
  EXPECT_EQ(f32_to_f16(1.0f), 0x3C00);
  EXPECT_EQ(f32_to_f16(-2.0f), 0xC000);
  EXPECT_EQ(f32_to_f16(65504.0f), 0x7BFF);
  EXPECT_EQ(f32_to_f16(65520.0f), 0x7C00);  // tie between max half and 2^16 rounds to even -> inf
  EXPECT_EQ(f32_to_f16(65519.0f), 0x7BFF);
  EXPECT_EQ(f32_to_f16(std::ldexp(1.0f, -24)), 0x0001);         // smallest subnormal
  EXPECT_EQ(f32_to_f16(std::ldexp(1.0f, -25)), 0x0000);         // tie -> even (0)
  EXPECT_EQ(f32_to_f16(std::ldexp(3.0f, -25)), 0x0002);         // 1.5 ulp tie -> even (2)
  EXPECT_EQ(f32_to_f16(std::ldexp(1.0f, -14)), 0x0400);         // smallest normal
  EXPECT_EQ(f32_to_f16(1.0f + std::ldexp(1.0f, -11)), 0x3C00);  // tie -> even
  EXPECT_EQ(f32_to_f16(1.0f + std::ldexp(3.0f, -11)), 0x3C02);  // tie -> even (up)
  EXPECT_EQ(f32_to_f16(std::numeric_limits<float>::infinity()), 0x7C00);
  EXPECT_EQ(f32_to_f16(std::nanf("")) & 0x7C00, 0x7C00);
  EXPECT_NE(f32_to_f16(std::nanf("")) & 0x03FF, 0);
  EXPECT_EQ(f16_to_f32(0x3555), 0.333251953125f);
  EXPECT_EQ(f16_to_f32(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(f16_to_f32(0x8000), -0.0f);
  EXPECT_TRUE(std::signbit(f16_to_f32(0x8000)));
  EXPECT_TRUE(std::isinf(f16_to_f32(0xFC00)));
  EXPECT_TRUE(std::isnan(f16_to_f32(0x7E00)));
  // Every finite half survives half -> float -> half.
  for (uint32_t h = 0; h < 0x10000; ++h) {
    if ((h & 0x7C00) == 0x7C00) continue;
    ASSERT_EQ(f32_to_f16(f16_to_f32(static_cast<uint16_t>(h))), h) << h;
  }
}

TEST(BFloat16, ExactConversions) {
  EXPECT_EQ(f32_to_bf16(1.0f), 0x3F80);
  EXPECT_EQ(bf16_to_f32(0x3F80), 1.0f);
  EXPECT_EQ(bf16_to_f32(0xC0A0), -5.0f);
  EXPECT_EQ(f32_to_bf16(1.0f + std::ldexp(1.0f, -8)), 0x3F80);  // tie -> even
  EXPECT_EQ(f32_to_bf16(1.0f + std::ldexp(3.0f, -8)), 0x3F82);  // tie -> even (up)
  EXPECT_EQ(f32_to_bf16(1.0f + std::ldexp(1.0f, -7)), 0x3F81);
  EXPECT_TRUE(std::isnan(bf16_to_f32(f32_to_bf16(std::nanf("")))));
  EXPECT_EQ(f32_to_bf16(std::numeric_limits<float>::max()), 0x7F80);  // rounds to inf
}

TEST(SafeTensors, RoundTripThroughFile) {
  std::vector<float> w = {1.0f, -2.5f, 0.1f, 3.0e-5f, 65504.0f, -0.0f};
  std::vector<int32_t> ids = {0, -7, 2147483647};
  std::vector<TensorToWrite> ts = {
      TensorToWrite::from_f32("w32", {2, 3}, w),           TensorToWrite::from_f32("w16", {3, 2}, w, DType::F16),
      TensorToWrite::from_f32("wbf", {6}, w, DType::BF16), TensorToWrite::from_i32("ids", {3}, ids),
      TensorToWrite::from_f32("empty", {0, 4}, {}),
  };
  std::string path = tmp_path("rt.safetensors");
  write_safetensors(path, ts, {{"ptrm.name", "unit"}, {"quote", "a\"b"}});
  SafeTensors st = SafeTensors::open(path);
  std::filesystem::remove(path);

  EXPECT_EQ(st.metadata().at("ptrm.name"), "unit");
  EXPECT_EQ(st.metadata().at("quote"), "a\"b");
  EXPECT_EQ(st.names(), (std::vector<std::string>{"empty", "ids", "w16", "w32", "wbf"}));
  EXPECT_EQ(st.read_f32("w32", {2, 3}), w);
  std::vector<float> h = st.read_f32("w16", {3, 2});
  std::vector<float> b = st.read_f32("wbf", {6});
  for (size_t i = 0; i < w.size(); ++i) {
    EXPECT_EQ(h[i], f16_to_f32(f32_to_f16(w[i])));
    EXPECT_EQ(b[i], bf16_to_f32(f32_to_bf16(w[i])));
  }
  EXPECT_EQ(h[0], 1.0f);
  EXPECT_EQ(h[1], -2.5f);
  EXPECT_EQ(h[2], 0.0999755859375f);  // nearest half to 0.1
  EXPECT_EQ(b[2], 0.10009765625f);    // nearest bf16 to 0.1
  EXPECT_EQ(st.read_i32("ids", {3}), ids);
  EXPECT_TRUE(st.read_f32("empty", {0, 4}).empty());
  EXPECT_EQ(st.info("w16").dtype, DType::F16);
  EXPECT_EQ(st.info("w16").nbytes, 12u);
  EXPECT_EQ(st.raw("w32").size(), 24u);
}

TEST(SafeTensors, WriterAlignsDataTo8Bytes) {
  for (int name_len = 1; name_len < 10; ++name_len) {
    std::vector<uint8_t> bytes =
        safetensors_bytes({TensorToWrite::from_f32(std::string(name_len, 'x'), {1}, {1.0f})}, {});
    uint64_t header_len;
    std::memcpy(&header_len, bytes.data(), 8);
    EXPECT_EQ(header_len % 8, 0u);
    EXPECT_EQ(bytes.size(), 8 + header_len + 4);
    EXPECT_EQ(SafeTensors::from_bytes(bytes).read_f32(std::string(name_len, 'x'), {1})[0], 1.0f);
  }
}

TEST(SafeTensors, ReadsIntegerDTypesIntoI32) {
  std::vector<uint8_t> i64(16);
  int64_t v[2] = {-5, 1234567};
  std::memcpy(i64.data(), v, 16);
  std::vector<uint8_t> u8 = {0, 255};
  std::vector<uint8_t> big(8);
  int64_t too_big = int64_t{1} << 40;
  std::memcpy(big.data(), &too_big, 8);
  SafeTensors st = SafeTensors::from_bytes(
      safetensors_bytes({{"a", DType::I64, {2}, i64}, {"b", DType::U8, {2}, u8}, {"c", DType::I64, {1}, big}}, {}));
  EXPECT_EQ(st.read_i32("a", {2}), (std::vector<int32_t>{-5, 1234567}));
  EXPECT_EQ(st.read_i32("b", {2}), (std::vector<int32_t>{0, 255}));
  EXPECT_PTRM_ERROR(st.read_i32("c", {1}), BadModel, "does not fit in int32");
  EXPECT_PTRM_ERROR(st.read_f32("a", {2}), BadModel, "expected a float dtype");
}

TEST(SafeTensors, MissingKeyAndWrongShapeNameTheTensor) {
  SafeTensors st = SafeTensors::from_bytes(
      safetensors_bytes({TensorToWrite::from_f32("q_head.weight", {2, 3}, std::vector<float>(6))}, {}));
  EXPECT_PTRM_ERROR(st.read_f32("lm_head.weight", {2, 3}), BadModel, "missing tensor 'lm_head.weight'");
  EXPECT_PTRM_ERROR(st.read_f32("q_head.weight", {3, 2}), BadModel,
                    "tensor 'q_head.weight' has shape (2, 3), expected (3, 2)");
  EXPECT_PTRM_ERROR(st.read_f32("q_head.weight", {6}), BadModel, "expected (6,)");
}

TEST(SafeTensors, RejectsTruncatedAndGarbageFiles) {
  std::vector<uint8_t> good = safetensors_bytes({TensorToWrite::from_f32("t", {4}, {1, 2, 3, 4})}, {});
  std::vector<uint8_t> cut(good.begin(), good.end() - 1);
  EXPECT_PTRM_ERROR(SafeTensors::from_bytes(cut), BadModel, "data_offsets end = 16 exceeds 15");
  std::vector<uint8_t> header_cut(good.begin(), good.begin() + 20);
  EXPECT_PTRM_ERROR(SafeTensors::from_bytes(header_cut), BadModel, "exceeds the file size");
  EXPECT_PTRM_ERROR(SafeTensors::from_bytes({1, 2, 3}), BadModel, "too short");
  EXPECT_PTRM_ERROR(SafeTensors::from_bytes({}), BadModel, "too short");
  std::vector<uint8_t> garbage(64, 0xAB);
  EXPECT_PTRM_ERROR(SafeTensors::from_bytes(garbage), BadModel, "exceeds the limit");
  std::vector<uint8_t> extra = good;
  extra.push_back(0);
  EXPECT_PTRM_ERROR(SafeTensors::from_bytes(extra), BadModel, "trailing bytes");
}

TEST(SafeTensors, RejectsBadHeaders) {
  EXPECT_PTRM_ERROR(SafeTensors::from_bytes(raw_file("{}", 0, uint64_t{200} << 20)), BadModel, "exceeds the limit");
  EXPECT_PTRM_ERROR(SafeTensors::from_bytes(raw_file("{not json}", 0)), BadModel, "header is not valid JSON");
  EXPECT_PTRM_ERROR(SafeTensors::from_bytes(raw_file("[1, 2]  ", 0)), BadModel, "does not start with '{'");
  EXPECT_PTRM_ERROR(SafeTensors::from_bytes(raw_file("{\"__metadata__\": {\"a\": 1}}", 0)), BadModel,
                    "__metadata__ value for 'a' must be a string");
  EXPECT_PTRM_ERROR(SafeTensors::from_bytes(raw_file("{\"t\": 5}", 0)), BadModel,
                    "tensor 't': entry must be an object");
  EXPECT_PTRM_ERROR(
      SafeTensors::from_bytes(raw_file(R"({"t": {"dtype": "Q4", "shape": [1], "data_offsets": [0, 4]}})", 4)), BadModel,
      "unknown dtype 'Q4'");
  EXPECT_PTRM_ERROR(
      SafeTensors::from_bytes(raw_file(R"({"t": {"dtype": 3, "shape": [1], "data_offsets": [0, 4]}})", 4)), BadModel,
      "non-string 'dtype'");
  EXPECT_PTRM_ERROR(
      SafeTensors::from_bytes(raw_file(R"({"t": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}})", 4)),
      BadModel, "non-negative integer");
  EXPECT_PTRM_ERROR(
      SafeTensors::from_bytes(raw_file(R"({"t": {"dtype": "F32", "shape": [1.5], "data_offsets": [0, 4]}})", 4)),
      BadModel, "non-negative integer");
  EXPECT_PTRM_ERROR(
      SafeTensors::from_bytes(raw_file(R"({"t": {"dtype": "F32", "shape": [1], "data_offsets": [0]}})", 4)), BadModel,
      "'data_offsets' must be [begin, end]");
  EXPECT_PTRM_ERROR(
      SafeTensors::from_bytes(raw_file(R"({"t": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4], "x": 1}})", 4)),
      BadModel, "unexpected field 'x'");
}

TEST(SafeTensors, RejectsInconsistentOffsetsAndSizes) {
  // nbytes disagrees with dtype x shape.
  EXPECT_PTRM_ERROR(
      SafeTensors::from_bytes(raw_file(R"({"t": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}})", 4)),
      BadModel, "span 4 bytes but dtype F32 x shape (2,) needs 8");
  // Offsets beyond the buffer.
  EXPECT_PTRM_ERROR(
      SafeTensors::from_bytes(raw_file(R"({"t": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})", 4)),
      BadModel, "data_offsets end = 8 exceeds 4");
  EXPECT_PTRM_ERROR(
      SafeTensors::from_bytes(raw_file(R"({"t": {"dtype": "F32", "shape": [1], "data_offsets": [4, 0]}})", 4)),
      BadModel, "reversed");
  EXPECT_PTRM_ERROR(
      SafeTensors::from_bytes(raw_file(R"({"t": {"dtype": "F32", "shape": [1], "data_offsets": [0, 1e300]}})", 4)),
      BadModel, "exceeds 4");
  // Overlap and gap.
  EXPECT_PTRM_ERROR(SafeTensors::from_bytes(raw_file(
                        R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                            "b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})",
                        8)),
                    BadModel, "overlaps");
  EXPECT_PTRM_ERROR(SafeTensors::from_bytes(raw_file(
                        R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
                            "b": {"dtype": "F32", "shape": [1], "data_offsets": [8, 12]}})",
                        12)),
                    BadModel, "gap in the data buffer before tensor 'b'");
  // A shape whose element count overflows 64 bits must not wrap around to a small size.
  EXPECT_PTRM_ERROR(SafeTensors::from_bytes(raw_file(
                        R"({"t": {"dtype": "F32", "shape": [4294967296, 4294967296, 4], "data_offsets": [0, 0]}})", 0)),
                    BadModel, "needs more bytes than the file holds");
  // ...while a zero dimension makes an empty tensor whatever the others are.
  SafeTensors empty = SafeTensors::from_bytes(
      raw_file(R"({"t": {"dtype": "F32", "shape": [4294967296, 0], "data_offsets": [0, 0]}})", 0));
  EXPECT_EQ(empty.info("t").nbytes, 0u);
}

TEST(SafeTensors, OpenReportsIoErrorsWithPath) {
  EXPECT_PTRM_ERROR(SafeTensors::open("/nonexistent/dir/model.safetensors"), Io, "/nonexistent/dir/model.safetensors");
  std::string path = tmp_path("garbage.safetensors");
  { std::ofstream(path) << "hello, this is not a model file"; }
  EXPECT_PTRM_ERROR(SafeTensors::open(path), BadModel, path);
  std::filesystem::remove(path);
}

TEST(SafeTensors, WriterRejectsInconsistentTensors) {
  EXPECT_PTRM_ERROR(safetensors_bytes({{"t", DType::F32, {2}, std::vector<uint8_t>(4)}}, {}), BadOptions,
                    "4 bytes for shape (2,)");
  EXPECT_PTRM_ERROR(
      safetensors_bytes({TensorToWrite::from_f32("t", {1}, {1}), TensorToWrite::from_f32("t", {1}, {1})}, {}),
      BadOptions, "duplicate tensor name 't'");
  EXPECT_PTRM_ERROR(safetensors_bytes({TensorToWrite::from_f32("__metadata__", {1}, {1})}, {}), BadOptions,
                    "invalid tensor name");
  EXPECT_PTRM_ERROR(write_safetensors("/nonexistent/dir/x.safetensors", {}, {}), Io, "cannot create");
}

TEST(SafeTensors, RandomCorruptionNeverCrashes) {
  // Every corruption of a valid file must either still parse (e.g. a flipped data byte) or raise BadModel.
  std::vector<uint8_t> good = safetensors_bytes({TensorToWrite::from_f32("a", {2, 3}, {1, 2, 3, 4, 5, 6}, DType::BF16),
                                                 TensorToWrite::from_i32("b", {2}, {7, 8})},
                                                {{"ptrm.config", "{}"}});
  std::mt19937 rng(3);
  int parsed = 0, rejected = 0;
  for (int i = 0; i < 5000; ++i) {
    std::vector<uint8_t> bytes = good;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < edits; ++k) {
      size_t at = rng() % bytes.size();
      switch (rng() % 3) {
        case 0: bytes[at] = static_cast<uint8_t>(rng()); break;
        case 1: bytes.resize(at); break;
        default: bytes.insert(bytes.begin() + static_cast<long>(at), static_cast<uint8_t>(rng())); break;
      }
      if (bytes.empty()) break;
    }
    try {
      SafeTensors st = SafeTensors::from_bytes(bytes);
      for (const std::string& n : st.names()) (void)st.raw(n);
      ++parsed;
    } catch (const Error& e) {
      ASSERT_EQ(e.kind(), ErrorKind::BadModel) << e.what();
      ++rejected;
    }
  }
  EXPECT_GT(parsed, 0);
  EXPECT_GT(rejected, 2500);
}
