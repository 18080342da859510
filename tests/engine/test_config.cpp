#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "expect_error.h"
#include "ptrm/config.h"
#include "ptrm/json.h"
#include "ptrm/model.h"
#include "ptrm/safetensors.h"

using namespace ptrm;

namespace {

// Sudoku-MLP as shipped by the official recipe (docs/references.md "Configuration").
const char* kSudokuMlp = R"({"hidden_size": 512, "num_heads": 8, "expansion": 4, "L_layers": 2, "H_cycles": 3,
  "L_cycles": 6, "halt_max_steps": 16, "puzzle_emb_len": 16, "puzzle_emb_ndim": 512, "pos_encodings": "none",
  "rope_theta": 10000, "rms_norm_eps": 1e-5, "mlp_t": true, "vocab_size": 11, "seq_len": 81,
  "num_puzzle_identifiers": 1, "task": "sudoku", "board": 9})";

// Returns kSudokuMlp with one key's JSON value replaced (or the key removed when value is empty).
std::string with(const std::string& key, const std::string& value) {
  Json j = Json::parse(kSudokuMlp);
  if (value.empty()) j.as_object().erase(key);
  else j.as_object()[key] = Json::parse(value);
  return j.dump();
}

}  // namespace

TEST(Config, ParsesOfficialSudokuMlp) {
  ModelConfig c = ModelConfig::from_json(kSudokuMlp);
  EXPECT_EQ(c.hidden_size, 512);
  EXPECT_EQ(c.expansion, 4.0);
  EXPECT_TRUE(c.mlp_t);
  EXPECT_EQ(c.pos_encodings, "none");
  EXPECT_EQ(c.rms_norm_eps, 1e-5);
  EXPECT_EQ(c.seq_total(), 97);
  EXPECT_EQ(c.head_dim(), 64);
  EXPECT_EQ(c.inter(c.hidden_size), 1536);
  EXPECT_EQ(c.inter(c.seq_total()), 512);
}

TEST(Config, InterMatchesOfficialSwiGLU) {
  ModelConfig c;                  // expansion 4
  EXPECT_EQ(c.inter(512), 1536);  // round(1365.33) = 1365 -> 1536
  EXPECT_EQ(c.inter(97), 512);    // round(258.67) = 259 -> 512
  EXPECT_EQ(c.inter(916), 2560);  // round(2442.67) = 2443 -> 2560
  EXPECT_EQ(c.inter(96), 256);    // exactly 256 stays 256
  c.expansion = 1.5;
  EXPECT_EQ(c.inter(1), 256);  // round(1.0) = 1 -> 256
  c.expansion = 3.0;
  EXPECT_EQ(c.inter(128), 256);  // exactly 256
  c.expansion = 0.75;
  // 0.75 * 1 * 2 / 3 = 0.5: Python's round() gives 0 (half to even), and _find_multiple(0, 256) = 0.
  EXPECT_EQ(c.inter(1), 0);
  c.expansion = 2.25;
  EXPECT_EQ(c.inter(1), 256);  // 1.5 -> 2 (half to even) -> 256
}

TEST(Config, RoundTripsThroughJsonAndSafetensorsMetadata) {
  ModelConfig c = ModelConfig::from_json(kSudokuMlp);
  c.task = "maze";
  c.board = 30;
  c.seq_len = 900;
  c.vocab_size = 6;
  c.pos_encodings = "rope";
  c.mlp_t = false;
  c.L_cycles = 4;
  c.rope_theta = 12345.678;
  ModelConfig back = ModelConfig::from_json(c.to_json());
  EXPECT_EQ(back.to_json(), c.to_json());
  EXPECT_EQ(back.rope_theta, 12345.678);
  EXPECT_EQ(back.seq_total(), 916);

  SafeTensors st = SafeTensors::from_bytes(
      safetensors_bytes({TensorToWrite::from_f32("H_init", {1}, {0})}, {{"ptrm.config", c.to_json()}}));
  EXPECT_EQ(ModelConfig::from_safetensors(st).to_json(), c.to_json());
  SafeTensors no_cfg = SafeTensors::from_bytes(safetensors_bytes({TensorToWrite::from_f32("H_init", {1}, {0})}, {}));
  EXPECT_PTRM_ERROR(ModelConfig::from_safetensors(no_cfg), BadModel, "no 'ptrm.config'");
}

TEST(Config, RejectsMissingUnknownAndMistypedKeys) {
  EXPECT_PTRM_ERROR(ModelConfig::from_json(with("board", "")), BadModel, "model config: missing key 'board'");
  EXPECT_PTRM_ERROR(ModelConfig::from_json(with("hiden_size", "512")), BadModel, "unknown key 'hiden_size'");
  EXPECT_PTRM_ERROR(ModelConfig::from_json(with("hidden_size", "\"512\"")), BadModel,
                    "key 'hidden_size': expected integer");
  EXPECT_PTRM_ERROR(ModelConfig::from_json(with("num_heads", "8.5")), BadModel, "expected integer, got 8.5");
  EXPECT_PTRM_ERROR(ModelConfig::from_json(with("mlp_t", "1")), BadModel, "key 'mlp_t': expected bool");
  EXPECT_PTRM_ERROR(ModelConfig::from_json(with("hidden_size", "1e12")), BadModel, "does not fit in int32");
  EXPECT_PTRM_ERROR(ModelConfig::from_json("{\"hidden_size\": "), BadModel, "not valid JSON");
  EXPECT_PTRM_ERROR(ModelConfig::from_json("[]"), BadModel, "must be a JSON object");
}

TEST(Config, ValidateRejectsInconsistentOrAbsurdValues) {
  EXPECT_PTRM_ERROR(ModelConfig::from_json(with("num_heads", "7")), BadModel, "not divisible by num_heads 7");
  EXPECT_PTRM_ERROR(ModelConfig::from_json(with("hidden_size", "1000000")), BadModel,
                    "hidden_size = 1000000 is outside");
  EXPECT_PTRM_ERROR(ModelConfig::from_json(with("hidden_size", "0")), BadModel, "hidden_size = 0");
  EXPECT_PTRM_ERROR(ModelConfig::from_json(with("L_cycles", "-1")), BadModel, "L_cycles = -1");
  EXPECT_PTRM_ERROR(ModelConfig::from_json(with("expansion", "0")), BadModel, "expansion");
  EXPECT_PTRM_ERROR(ModelConfig::from_json(with("pos_encodings", "\"alibi\"")), BadModel, "pos_encodings = 'alibi'");
  EXPECT_PTRM_ERROR(ModelConfig::from_json(with("rms_norm_eps", "0")), BadModel, "rms_norm_eps");
  EXPECT_PTRM_ERROR(ModelConfig::from_json(with("seq_len", "80")), BadModel, "seq_len 80 does not match task sudoku");
  EXPECT_PTRM_ERROR(ModelConfig::from_json(with("vocab_size", "12")), BadModel, "vocab_size 12 does not match");
  EXPECT_PTRM_ERROR(ModelConfig::from_json(with("task", "\"chess\"")), BadModel, "unknown task 'chess'");
  EXPECT_PTRM_ERROR(ModelConfig::from_json(with("board", "7")), BadModel, "sudoku board must be 9 or 6");
  EXPECT_PTRM_ERROR(ModelConfig::from_json(with("puzzle_emb_ndim", "9000")), BadModel,
                    "does not fit in puzzle_emb_len");
  EXPECT_PTRM_ERROR(ModelConfig::from_json(with("num_puzzle_identifiers", "100000000")), BadModel,
                    "num_puzzle_identifiers = 100000000");
  // RoPE needs an even head dimension: 24 / 8 = 3.
  std::string odd = with("hidden_size", "24");
  Json j = Json::parse(odd);
  j.as_object()["pos_encodings"] = "rope";
  j.as_object()["puzzle_emb_ndim"] = 24;
  EXPECT_PTRM_ERROR(ModelConfig::from_json(j.dump()), BadModel, "even head_dim, got 3");
  j.as_object()["pos_encodings"] = "none";
  EXPECT_NO_THROW(ModelConfig::from_json(j.dump()));
  // Real-valued fields share one bounds check (the field table).
  EXPECT_PTRM_ERROR(ModelConfig::from_json(with("rope_theta", "-1")), BadModel, "rope_theta = -1 is outside (0, inf)");
  EXPECT_PTRM_ERROR(ModelConfig::from_json(with("expansion", "17")), BadModel, "expansion = 17 is outside (0, 16]");
  // Without a puzzle embedding there is no prefix (the rule Model::load used to check on its own).
  Json no_emb = Json::parse(kSudokuMlp);
  no_emb.as_object()["puzzle_emb_ndim"] = 0;
  EXPECT_PTRM_ERROR(ModelConfig::from_json(no_emb.dump()), BadModel, "puzzle_emb_len must be 0 without a puzzle");
}

TEST(Config, ValidateRejectsDerivedSwiGLUWidthsOfZero) {
  // round-half-even(0.75 * 1 * 2/3) = 0: the channel SwiGLU of a 1-wide model would have no hidden units.
  Json j = Json::parse(kSudokuMlp);
  j.as_object()["hidden_size"] = 1;
  j.as_object()["num_heads"] = 1;
  j.as_object()["expansion"] = 0.75;
  j.as_object()["puzzle_emb_ndim"] = 1;
  EXPECT_PTRM_ERROR(ModelConfig::from_json(j.dump()), BadModel, "channel SwiGLU width of 0 for hidden_size 1");
  // 6x6 Sudoku without a prefix: S = 36, round(0.01 * 36 * 2/3) = 0 token-mixing units (channel: 96 -> 256).
  Json t = Json::parse(kSudokuMlp);
  for (auto [k, v] : {std::pair{"board", 6},
                      {"seq_len", 36},
                      {"vocab_size", 8},
                      {"puzzle_emb_len", 0},
                      {"puzzle_emb_ndim", 0},
                      {"hidden_size", 96}})
    t.as_object()[k] = v;
  t.as_object()["expansion"] = 0.01;
  EXPECT_PTRM_ERROR(ModelConfig::from_json(t.dump()), BadModel, "token-mixing SwiGLU width of 0");
  t.as_object()["mlp_t"] = false;
  EXPECT_NO_THROW(ModelConfig::from_json(t.dump()));
}

TEST(Config, SixBySixSudokuAndSmallMazeAreValid) {
  Json j = Json::parse(kSudokuMlp);
  j.as_object()["board"] = 6;
  j.as_object()["seq_len"] = 36;
  j.as_object()["vocab_size"] = 8;
  EXPECT_EQ(ModelConfig::from_json(j.dump()).seq_total(), 52);
  j.as_object()["task"] = "maze";
  j.as_object()["vocab_size"] = 6;
  EXPECT_EQ(ModelConfig::from_json(j.dump()).board, 6);
}

TEST(Config, LoadsEveryCommittedPythonWrittenModelFixture) {
  // Cross-implementation check: files written by training/ptrm_ref (Python) parse and validate here.
  int models = 0;
  for (const auto& e : std::filesystem::directory_iterator(std::string(PTRM_SOURCE_DIR) + "/tests/fixtures")) {
    if (e.path().extension() != ".safetensors") continue;
    SafeTensors st = SafeTensors::open(e.path().string());
    if (!st.metadata().count("ptrm.config")) continue;
    ModelConfig c = ModelConfig::from_safetensors(st);
    EXPECT_EQ(ModelConfig::from_json(c.to_json()).to_json(), c.to_json());
    EXPECT_EQ(st.info("embed_tokens.embedding_weight").shape, (std::vector<int64_t>{c.vocab_size, c.hidden_size}))
        << e.path();
    // Every tensor of a model file is a weight: Model::param_count() (the JS info's `params`) counts them all.
    size_t elements = 0;
    for (const std::string& name : st.names()) elements += st.info(name).nbytes / dtype_size(st.info(name).dtype);
    EXPECT_EQ(Model::load(st).param_count(), elements) << e.path();
    ++models;
  }
  EXPECT_GE(models, 4);
}
