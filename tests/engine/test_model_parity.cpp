// Per-step parity of Session with the fp32 PyTorch reference (tests/fixtures, made by training/make_fixtures.py):
// logits and q_halt after every one of the 16 supervision steps, and the final latents.
//
// Tolerance 1e-4 absolute: the fixture metadata records how far an fp64 forward drifts from the stored fp32
// one over the 16 steps (max 6e-6 on logits, 2e-6 on q_halt, growing roughly linearly with the step), which is
// the size of fp32 rounding noise for these models; our different (but equally valid) summation orders land in
// the same band — the measured worst case is printed below (8.9e-6, sudoku_mlp_tiny). A bf16 or op-order bug
// moves logits by ≥ 0.06, so 1e-4 cannot hide one.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "expect_error.h"
#include "ptrm/model.h"
#include "ptrm/safetensors.h"

namespace {

const std::string kFixtures = std::string(PTRM_SOURCE_DIR) + "/tests/fixtures/";
constexpr double kTol = 1e-4;

struct Fixture {
  ptrm::Model model;
  std::vector<int32_t> inputs, ids;
  std::vector<float> logits, q_halt, zH, zL;
  int B = 0, steps = 0;
};

Fixture load(const std::string& name) {
  Fixture f{ptrm::Model::load_file(kFixtures + name + ".safetensors")};
  const auto ex = ptrm::SafeTensors::open(kFixtures + name + ".expected.safetensors");
  const auto& c = f.model.config;
  f.B = static_cast<int>(ex.info("inputs").shape[0]);
  f.steps = static_cast<int>(ex.info("logits").shape[0]);
  f.inputs = ex.read_i32("inputs", {f.B, c.seq_len});
  f.ids = ex.read_i32("puzzle_identifiers", {f.B});
  f.logits = ex.read_f32("logits", {f.steps, f.B, c.seq_len, c.vocab_size});
  f.q_halt = ex.read_f32("q_halt", {f.steps, f.B});
  f.zH = ex.read_f32("zH", {f.B, c.seq_total(), c.hidden_size});
  f.zL = ex.read_f32("zL", {f.B, c.seq_total(), c.hidden_size});
  return f;
}

double max_diff(const float* a, const float* b, size_t n) {
  double m = 0;
  for (size_t i = 0; i < n; ++i) m = std::max(m, std::abs(static_cast<double>(a[i]) - b[i]));
  return m;
}

class Parity : public ::testing::TestWithParam<std::string> {};

TEST_P(Parity, EveryStepMatchesReference) {
  const Fixture f = load(GetParam());
  const auto& c = f.model.config;
  const size_t per_step = static_cast<size_t>(f.B) * c.seq_len * c.vocab_size;
  {
    ptrm::ThreadPool pool(1);
    ptrm::Session s(f.model, pool, f.B);
    s.reset(f.B, f.inputs.data(), f.ids.data());
    double worst_logit = 0, worst_q = 0;
    for (int step = 0; step < f.steps; ++step) {
      s.step();
      const double dl = max_diff(s.logits(), f.logits.data() + step * per_step, per_step);
      const double dq = max_diff(s.q_halt(), f.q_halt.data() + step * f.B, f.B);
      EXPECT_LT(dl, kTol) << GetParam() << " step " << step + 1;
      EXPECT_LT(dq, kTol) << GetParam() << " step " << step + 1;
      worst_logit = std::max(worst_logit, dl);
      worst_q = std::max(worst_q, dq);
    }
    const size_t state = static_cast<size_t>(f.B) * c.seq_total() * c.hidden_size;
    const double dzh = max_diff(s.zH(), f.zH.data(), state), dzl = max_diff(s.zL(), f.zL.data(), state);
    EXPECT_LT(dzh, kTol);
    EXPECT_LT(dzl, kTol);
    std::printf("[parity] %-20s max |dlogit| %.2e  |dq| %.2e  |dzH| %.2e  |dzL| %.2e\n", GetParam().c_str(),
                worst_logit, worst_q, dzh, dzl);
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Parity,
                         ::testing::Values("sudoku_mlp_tiny", "sudoku_attn_tiny", "sudoku6_mlp_tiny", "maze_attn_tiny",
                                           "sudoku_learned_tiny"));

// The thread count changes how work is split, never the bits (both block variants).
TEST(Session, ThreadCountDoesNotChangeBits) {
  for (const char* name : {"sudoku_mlp_tiny", "maze_attn_tiny"}) {
    const Fixture f = load(name);
    const auto& c = f.model.config;
    const size_t n = static_cast<size_t>(f.B) * c.seq_len * c.vocab_size;
    std::vector<std::vector<float>> logits;
    for (int threads : {1, 2}) {
      ptrm::ThreadPool pool(threads, /*oversubscribe=*/true);
      ptrm::Session s(f.model, pool, f.B);
      s.reset(f.B, f.inputs.data(), f.ids.data());
      for (int step = 0; step < 3; ++step) s.step();
      logits.emplace_back(s.logits(), s.logits() + n);
    }
    EXPECT_EQ(logits[0], logits[1]) << name;
  }
}

// Rows are independent: a row's trajectory is the same alone, in a batch, and after the batch is compacted.
TEST(Session, RowsAreIndependentOfBatchAndCompaction) {
  const Fixture f = load("sudoku_attn_tiny");
  const auto& c = f.model.config;
  const size_t L = static_cast<size_t>(c.seq_len) * c.vocab_size;
  ptrm::ThreadPool pool(1);
  ptrm::Session all(f.model, pool, f.B), one(f.model, pool, 1);
  all.reset(f.B, f.inputs.data(), f.ids.data());
  one.reset(1, f.inputs.data() + 2 * c.seq_len, f.ids.data() + 2);
  for (int step = 0; step < 4; ++step) {
    if (step == 2) all.keep_rows({2});
    all.step();
    one.step();
    const int row = step < 2 ? 2 : 0;
    EXPECT_EQ(0, std::memcmp(all.logits() + row * L, one.logits(), L * sizeof(float))) << "step " << step;
    EXPECT_EQ(all.q_halt()[row], one.q_halt()[0]);
  }
  EXPECT_EQ(all.rows(), 1);
}

// step() runs the rows in cache tiles, each through the whole recursion; the tiling (one tile, uneven tiles,
// one row per tile) never changes a bit, and before_inner sees every row of every inner call exactly once, in
// call order per row.
TEST(Session, TilesDoNotChangeBits) {
  for (const char* name : {"sudoku_mlp_tiny", "maze_attn_tiny"}) {
    const Fixture f = load(name);
    const auto& c = f.model.config;
    ASSERT_GE(f.B, 3) << name;
    const size_t state = static_cast<size_t>(c.seq_total()) * c.hidden_size;
    const size_t n = static_cast<size_t>(f.B) * c.seq_len * c.vocab_size;
    std::vector<std::vector<float>> results;
    for (int tile : {f.B, f.B - 1, 1}) {
      ptrm::ThreadPool pool(1);
      ptrm::Session s(f.model, pool, f.B, ptrm::Precision::F32, tile);
      s.reset(f.B, f.inputs.data(), f.ids.data());
      for (int step = 0; step < 3; ++step) {
        std::vector<int> next_call(f.B, 0);
        s.step([&](int call, int r0, int r1) {
          ASSERT_TRUE(0 <= r0 && r0 < r1 && r1 <= f.B);
          for (int r = r0; r < r1; ++r) {
            EXPECT_EQ(call, next_call[r]++) << name << " tile " << tile << " row " << r;
            s.zL()[r * state + (call * 7 + r) % state] += 0.25f * static_cast<float>(call + 1);  // row-keyed nudge
          }
        });
        for (int r = 0; r < f.B; ++r) EXPECT_EQ(next_call[r], c.H_cycles * c.L_cycles) << name << " row " << r;
      }
      std::vector<float> out(s.logits(), s.logits() + n);
      out.insert(out.end(), s.q_halt(), s.q_halt() + f.B);
      out.insert(out.end(), s.zH(), s.zH() + f.B * state);
      results.push_back(std::move(out));
    }
    EXPECT_EQ(results[0], results[1]) << name << ": uneven tiles";
    EXPECT_EQ(results[0], results[2]) << name << ": one row per tile";
  }
}

TEST(Session, RejectsBadInput) {
  const Fixture f = load("sudoku_mlp_tiny");
  ptrm::ThreadPool pool(1);
  ptrm::Session s(f.model, pool, 2);
  std::vector<int32_t> tokens(f.inputs.begin(), f.inputs.begin() + f.model.config.seq_len);
  const int32_t id = 0, bad_id = 1;
  tokens[5] = f.model.config.vocab_size;
  EXPECT_PTRM_ERROR(s.reset(1, tokens.data(), &id), BadPuzzle, "position 5");
  tokens[5] = 1;
  EXPECT_PTRM_ERROR(s.reset(1, tokens.data(), &bad_id), BadPuzzle, "puzzle id 1");
  EXPECT_PTRM_ERROR(s.reset(3, f.inputs.data(), f.ids.data()), BadOptions, "at most 2");
  EXPECT_PTRM_ERROR(ptrm::Session(f.model, pool, 0), BadOptions, "max_rows");
}

// Corrupt or mismatched model files are BadModel with the tensor named.
TEST(ModelLoad, ValidatesEveryTensor) {
  const auto st = ptrm::SafeTensors::open(kFixtures + "sudoku_attn_tiny.safetensors");
  std::vector<ptrm::TensorToWrite> tensors;
  for (const std::string& n : st.names()) {
    const auto& info = st.info(n);
    tensors.push_back(ptrm::TensorToWrite::from_f32(n, info.shape, st.read_f32(n, info.shape)));
  }
  auto rebuilt = [&](auto edit) {
    auto t = tensors;
    auto md = st.metadata();
    edit(t, md);
    return ptrm::Model::load(ptrm::SafeTensors::from_bytes(ptrm::safetensors_bytes(t, md)));
  };
  auto find = [](std::vector<ptrm::TensorToWrite>& t, const std::string& n) -> ptrm::TensorToWrite& {
    for (auto& x : t)
      if (x.name == n) return x;
    throw std::runtime_error("no " + n);
  };
  EXPECT_NO_THROW(rebuilt([](auto&, auto&) {}));
  EXPECT_PTRM_ERROR(rebuilt([&](auto& t, auto&) {
                      t.erase(t.begin() + (&find(t, "L_level.layers.1.mlp.down_proj.weight") - t.data()));
                    }),
                    BadModel, "L_level.layers.1.mlp.down_proj.weight");
  EXPECT_PTRM_ERROR(rebuilt([&](auto& t, auto&) {
                      auto& x = find(t, "lm_head.weight");
                      x = ptrm::TensorToWrite::from_f32("lm_head.weight", {10, 32}, std::vector<float>(320, 0.f));
                    }),
                    BadModel, "lm_head.weight");
  EXPECT_PTRM_ERROR(rebuilt([&](auto& t, auto&) {
                      auto& x = find(t, "H_init");
                      std::vector<float> v(32, 0.f);
                      v[3] = NAN;
                      x = ptrm::TensorToWrite::from_f32("H_init", {32}, v);
                    }),
                    BadModel, "NaN");
  EXPECT_PTRM_ERROR(rebuilt([&](auto& t, auto&) {
                      t.push_back(ptrm::TensorToWrite::from_f32("L_level.layers.2.mlp.down_proj.weight", {1}, {0.f}));
                    }),
                    BadModel, "unexpected tensor 'L_level.layers.2");
  EXPECT_PTRM_ERROR(ptrm::Model::load_file(kFixtures + "does_not_exist.safetensors"), Io, "");
}

}  // namespace
