// Issue 12 regressions, engine side: each fault an outside audit (and the fuzzers in tests/fuzz) found, with the
// input that triggered it. CLI-side ones (FIFOs, eval buckets and memory, exact seeds) are in test_cli.cpp.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "../support/random_model.h"
#include "expect_error.h"
#include "kernels/kernels.h"
#include "ptrm/config.h"
#include "ptrm/json.h"
#include "ptrm/model.h"
#include "ptrm/safetensors.h"
#include "ptrm/sampler.h"
#include "ptrm/tasks.h"

using namespace ptrm;

namespace {

ModelConfig small_sudoku6(double expansion, bool mlp_t) {
  ModelConfig c;
  c.hidden_size = 16;
  c.num_heads = 2;
  c.expansion = expansion;
  c.L_layers = 1;
  c.H_cycles = 1;
  c.L_cycles = 1;
  c.halt_max_steps = 2;
  c.puzzle_emb_len = 0;
  c.puzzle_emb_ndim = 0;
  c.pos_encodings = "none";
  c.mlp_t = mlp_t;
  c.vocab_size = 8;
  c.seq_len = 36;
  c.task = "sudoku";
  c.board = 6;
  return c;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

// Fault 1: an expansion that rounds a SwiGLU width to 0 passed validate() and Model::load, then failed inside
// XNNPACK when the Session was built (Internal, exit 1). It is a bad model.
TEST(Hostile, SwigluWidthRoundingToZeroIsBadModel) {
  ModelConfig c = small_sudoku6(0.01, false);  // round(0.01 * 16 * 2/3) = 0
  ASSERT_EQ(c.inter(c.hidden_size), 0);
  EXPECT_PTRM_ERROR(c.validate(), BadModel, "SwiGLU width of 0");
  // Token-mixing width only: D = 16 gives 256, S = 36 gives round(0.03 * 36 * 2/3) = round(0.72) = 1 -> 256 too;
  // so use the official shape (D 512, S 97) where 0.005 gives 256 and 0 respectively.
  ModelConfig t = small_sudoku6(0.005, true);
  t.hidden_size = 512;
  t.num_heads = 8;
  t.seq_len = 81;
  t.vocab_size = 11;
  t.board = 9;
  t.puzzle_emb_len = 16;
  t.puzzle_emb_ndim = 512;
  ASSERT_GT(t.inter(t.hidden_size), 0);
  ASSERT_EQ(t.inter(t.seq_total()), 0);
  EXPECT_PTRM_ERROR(t.validate(), BadModel, "token-mixing SwiGLU width of 0");
  // The whole path a user sees: the file loads no further than its config.
  const auto bytes = safetensors_bytes(test_support::model_tensors(c, 3), test_support::model_metadata(c));
  EXPECT_PTRM_ERROR(Model::load(SafeTensors::from_bytes(bytes)), BadModel, "SwiGLU width of 0");
}

// ... and XNNPACK's invalid-parameter at operator creation (a shape no GEMM can have) is a BadModel too.
TEST(Hostile, XnnpackInvalidParameterAtCreationIsBadModel) {
  std::vector<float> w(16, 0.5f);
  EXPECT_PTRM_ERROR(Linear(w.data(), nullptr, 0, 4), BadModel, "create_fully_connected 0 -> 4");
  EXPECT_PTRM_ERROR(Linear(w.data(), nullptr, 4, 0), BadModel, "create_fully_connected 4 -> 0");
  EXPECT_NO_THROW(Linear(w.data(), nullptr, 4, 4));
}

// Fault 3: JSON was bounded by bytes only. A 90 MB header holding one 45M-entry shape list peaked at 3.8 GB
// before "rank too large". Values are now counted while parsing, and no header array may outgrow a shape.
TEST(Hostile, JsonIsBoundedByValuesWhileParsing) {
  std::string many = "[0";
  for (int i = 0; i < 2000; ++i) many += ",0";
  many += "]";
  EXPECT_PTRM_ERROR(Json::parse(many, ErrorKind::BadModel, JsonLimits{1u << 20, 8, 1000, 1u << 20}), BadModel,
                    "more than 1000 values");
  EXPECT_PTRM_ERROR(Json::parse(many, ErrorKind::BadModel, JsonLimits{1u << 20, 8, 1u << 20, 100}), BadModel,
                    "array longer than 100 elements");
  EXPECT_NO_THROW(Json::parse(many, ErrorKind::BadModel, JsonLimits{1u << 20, 8, 2002, 2001}));
  // Objects count their values too.
  std::string obj = "{";
  for (int i = 0; i < 50; ++i) obj += std::string(i ? "," : "") + "\"k" + std::to_string(i) + "\":[1,2]";
  obj += "}";
  EXPECT_PTRM_ERROR(Json::parse(obj, ErrorKind::BadOptions, JsonLimits{1u << 20, 8, 100, 100}), BadOptions,
                    "more than 100 values");
}

TEST(Hostile, SafetensorsShapeListFailsWhileParsed) {
  // 8 MB of "0," in one shape: rejected at element 17, long before the list is built.
  std::string header = R"({"t":{"dtype":"F32","shape":[)";
  header.reserve(8u << 20);
  for (int i = 0; i < (4 << 20); ++i) header += i ? ",1" : "1";
  header += R"(],"data_offsets":[0,4]}})";
  std::vector<uint8_t> bytes(8 + header.size() + 4, 0);
  const uint64_t len = header.size();
  std::memcpy(bytes.data(), &len, 8);
  std::memcpy(bytes.data() + 8, header.data(), header.size());
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_PTRM_ERROR(SafeTensors::from_bytes(bytes), BadModel, "array longer than 16 elements");
  EXPECT_LT(seconds_since(t0), 1.0);
  // Many tiny tensors: bounded by the value count.
  std::string wide = "{";
  for (int i = 0; i < 20000; ++i)
    wide +=
        std::string(i ? "," : "") + "\"t" + std::to_string(i) + R"(":{"dtype":"F32","shape":[0],"data_offsets":[0,0]})";
  wide += "}";
  std::vector<uint8_t> wb(8 + wide.size(), 0);
  const uint64_t wlen = wide.size();
  std::memcpy(wb.data(), &wlen, 8);
  std::memcpy(wb.data() + 8, wide.data(), wide.size());
  EXPECT_PTRM_ERROR(SafeTensors::from_bytes(wb), BadModel, "values");
}

// A 60 MB ARC puzzle peaked at 1.9 GB. Puzzle JSON is now limited to kMaxPuzzleBytes and to a value count.
TEST(Hostile, ArcPuzzleJsonIsBounded) {
  const auto arc = make_task("arc", 30);
  std::string big = "[[";
  while (big.size() < kMaxPuzzleBytes + 10) big += "0,";
  big += "0]]";
  EXPECT_PTRM_ERROR(arc->encode(big), BadPuzzle, "too large");
  // Within the byte limit, but 1M values: refused by the value count, not built.
  std::string dense = "{\"train\":[],\"test\":[{\"input\":[";
  for (int r = 0; r < 1200; ++r) {
    dense += r ? ",[" : "[";
    for (int c = 0; c < 900; ++c) dense += c ? ",0" : "0";
    dense += "]";
  }
  dense += "]}]}";
  ASSERT_LT(dense.size(), kMaxPuzzleBytes);
  EXPECT_PTRM_ERROR(arc->encode(dense), BadPuzzle, "values");
  EXPECT_PTRM_ERROR(arc::parse_task(dense), BadPuzzle, "values");
}

// Fault 8: a seed above 2^53 printed through a double could not reproduce its run.
TEST(Hostile, ExactIntegersDumpWithoutADouble) {
  EXPECT_EQ(Json::exact(18446744073709551615ull).dump(), "18446744073709551615");
  EXPECT_EQ(Json::exact(9007199254740993ull).dump(), "9007199254740993");
  EXPECT_EQ(Json(Json::Object{{"seed", Json::exact(9007199254740993ull)}}).dump(), R"({"seed":9007199254740993})");
  EXPECT_TRUE(Json::exact(5).is_number());
  EXPECT_EQ(Json::exact(5).as_number(), 5.0);
}

// Fault 9: one budget, the one documented (sampler.h, docs/design.md) and the one batches are sized by.
TEST(Hostile, BatchesAreSizedByTheOneActivationBudget) {
  ModelConfig c = small_sudoku6(4.0, false);
  SolveOptions o;
  o.k = 1024;
  const int rows = batch_rows(c, o, 1 << 20);
  EXPECT_EQ(static_cast<size_t>(rows), kActivationBudgetBytes / Session::bytes_per_row(c));
  EXPECT_EQ(kActivationBudgetBytes, size_t{512} << 20);
  EXPECT_EQ(batch_rows(c, o, 3), 3);
  o.max_batch_rows = 5;
  EXPECT_EQ(batch_rows(c, o, 1 << 20), 5);
  o.stop_on_valid = StopOnValid::Solve;  // no longer forced up to K
  EXPECT_EQ(batch_rows(c, o, 1 << 20), 5);
  // An accepted config whose single row outgrows the budget (64x64 maze, D 4096, expansion 16: ~1.5 GB a row)
  // is refused rather than run past it.
  ModelConfig huge = c;
  huge.task = "maze";
  huge.board = 64;
  huge.seq_len = 4096;
  huge.vocab_size = 6;
  huge.hidden_size = 4096;
  huge.num_heads = 32;
  huge.expansion = 16;
  huge.validate();
  o.max_batch_rows = 0;
  EXPECT_PTRM_ERROR(batch_rows(huge, o, 1), BadModel, "more than the engine's budget of 512 MiB");
}
