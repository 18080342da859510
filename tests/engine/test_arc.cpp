#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>

#include "expect_error.h"
#include "ptrm/tasks.h"

using namespace ptrm;
using namespace ptrm::arc;

namespace {
Grid G(const std::string& json) { return parse_grid(json); }

Grid random_grid(std::mt19937& rng) {
  Grid g;
  g.rows = 1 + rng() % 30;
  g.cols = 1 + rng() % 30;
  for (int i = 0; i < g.rows * g.cols; ++i) g.cells.push_back(static_cast<uint8_t>(rng() % 10));
  return g;
}
}  // namespace

TEST(Arc, DihedralMatchesNumpy) {
  // Expected values printed by numpy for dataset/common.py dihedral_transform on [[1,2,3],[4,5,6]].
  const char* expected[8] = {"[[1,2,3],[4,5,6]]", "[[3,6],[2,5],[1,4]]", "[[6,5,4],[3,2,1]]",   "[[4,1],[5,2],[6,3]]",
                             "[[3,2,1],[6,5,4]]", "[[4,5,6],[1,2,3]]",   "[[1,4],[2,5],[3,6]]", "[[6,3],[5,2],[4,1]]"};
  Grid g = G("[[1,2,3],[4,5,6]]");
  for (int t = 0; t < 8; ++t) {
    EXPECT_EQ(grid_to_json(dihedral(g, t)), expected[t]) << "t=" << t;
    EXPECT_EQ(dihedral(dihedral(g, t), kInverseDihedral[t]), g) << "t=" << t;
  }
  EXPECT_PTRM_ERROR(dihedral(g, 8), BadOptions, "dihedral id must be 0..7");
}

TEST(Arc, EncodePlacesGridWithEosLikeTheOfficialBuilder) {
  std::vector<int32_t> t = encode_grid(G("[[0,1,2],[3,4,5]]"));
  ASSERT_EQ(t.size(), 900u);
  EXPECT_EQ(t[0], 2);
  EXPECT_EQ(t[2], 4);
  EXPECT_EQ(t[30], 5);
  EXPECT_EQ(t[32], 7);
  EXPECT_EQ(t[3], kEos);   // column right of row 0
  EXPECT_EQ(t[33], kEos);  // column right of row 1
  EXPECT_EQ(t[60], kEos);  // row below, columns 0..2
  EXPECT_EQ(t[62], kEos);
  EXPECT_EQ(t[63], kPad);  // the corner stays PAD
  EXPECT_EQ(t[4], kPad);
  int eos = 0, pad = 0;
  for (int32_t v : t) eos += v == kEos, pad += v == kPad;
  EXPECT_EQ(eos, 5);
  EXPECT_EQ(pad, 900 - 6 - 5);

  // A full-width grid has no EOS column; a full canvas has no EOS at all.
  Grid wide;
  wide.rows = 1;
  wide.cols = 30;
  wide.cells.assign(30, 9);
  std::vector<int32_t> w = encode_grid(wide);
  EXPECT_EQ(w[29], 11);
  EXPECT_EQ(w[30], kEos);
  EXPECT_EQ(w[59], kEos);
  Grid full;
  full.rows = full.cols = 30;
  full.cells.assign(900, 0);
  for (int32_t v : encode_grid(full)) ASSERT_EQ(v, 2);
}

TEST(Arc, DecodeCropsLikeEvaluator) {
  std::mt19937 rng(1);
  for (int i = 0; i < 200; ++i) {
    Grid g = random_grid(rng);
    std::optional<Grid> back = decode_grid(encode_grid(g).data());
    ASSERT_TRUE(back.has_value());
    ASSERT_EQ(*back, g);
  }
  // Ragged prediction: row 0 has 4 colours, row 1 has 2, row 2 has 3, then EOS. _crop keeps the largest of
  // 1x4, 2x2, 3x2 -> 3x2.
  std::vector<int32_t> t(900, kPad);
  for (int c = 0; c < 4; ++c) t[c] = 3;
  t[30] = t[31] = 4;
  t[32] = kEos;
  t[60] = t[61] = t[62] = 5;
  std::optional<Grid> g = decode_grid(t.data());
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(grid_to_json(*g), "[[1,1],[2,2],[3,3]]");
  // Top-left not a colour -> empty.
  t[0] = kEos;
  EXPECT_FALSE(decode_grid(t.data()).has_value());
  auto task = make_task("arc", 30);
  EXPECT_EQ(task->decode(t.data()), "[]");
  EXPECT_FALSE(task->has_checker());
}

TEST(Arc, AugmentationNamesAndInverse) {
  Augmentation a = Augmentation::from_name("007bbfc7|||t3|||0536271849");
  EXPECT_EQ(a.dihedral_id, 3);
  EXPECT_EQ(a.colour_map, (std::array<uint8_t, 10>{0, 5, 3, 6, 2, 7, 1, 8, 4, 9}));
  EXPECT_EQ(a.name_suffix(), "|||t3|||0536271849");
  EXPECT_EQ(Augmentation::from_name("007bbfc7").name_suffix(), "");
  // apply = colour map then dihedral (build_arc_dataset.py aug()).
  Grid g = G("[[1,2,3],[4,5,6]]");
  EXPECT_EQ(grid_to_json(a.apply(g)), "[[2,5],[7,3],[1,6]]");
  std::mt19937 rng(7);
  for (int i = 0; i < 100; ++i) {
    Augmentation b;
    b.dihedral_id = static_cast<int>(rng() % 8);
    std::shuffle(b.colour_map.begin() + 1, b.colour_map.end(), rng);
    Grid r = random_grid(rng);
    ASSERT_EQ(b.invert(b.apply(r)), r);
    ASSERT_EQ(Augmentation::from_name("x" + b.name_suffix()).apply(r), b.apply(r));
  }
  EXPECT_PTRM_ERROR(Augmentation::from_name("x|||t9|||0123456789"), BadModel, "bad transform 't9'");
  EXPECT_PTRM_ERROR(Augmentation::from_name("x|||t1|||012345678"), BadModel, "10 digits");
  EXPECT_PTRM_ERROR(Augmentation::from_name("x|||t1|||0123456788"), BadModel, "not a permutation");
  EXPECT_PTRM_ERROR(Augmentation::from_name("x|||0123456789"), BadModel, "expected <task>");
}

TEST(Arc, VoterRanksByCountThenMeanSigmoidQ) {
  Voter v;
  Grid a = G("[[1]]"), b = G("[[2]]"), c = G("[[3]]");
  v.add(a, 0.0f);  // sigmoid 0.5
  v.add(b, 2.0f);
  v.add(a, -2.0f);  // a: count 2, mean (0.5 + 0.1192) / 2
  v.add(c, 2.0f);   // b and c tie on count and q: first seen (b) stays first
  auto r = v.ranked();
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].grid, a);
  EXPECT_EQ(r[0].count, 2);
  EXPECT_NEAR(r[0].mean_q, (0.5 + 1 / (1 + std::exp(2.0))) / 2, 1e-12);
  EXPECT_EQ(r[1].grid, b);
  EXPECT_EQ(r[2].grid, c);
  v.add(c, 3.0f);
  v.add(b, -5.0f);
  r = v.ranked();  // all count 2 now: c (0.88+0.95)/2 > b (0.88+0.007)/2 > a (0.5+0.12)/2
  EXPECT_EQ(r[0].grid, c);
  EXPECT_EQ(r[1].grid, b);
  EXPECT_EQ(r[2].grid, a);
}

TEST(Arc, TaskEncodesGridOrSingleTestTask) {
  auto task = make_task("arc", 30);
  std::string task_json = R"({"train": [{"input": [[1,0],[0,1]], "output": [[2]]}], "test": [{"input": [[3,4,5]]}]})";
  EXPECT_EQ(task->encode(task_json), encode_grid(G("[[3,4,5]]")));
  EXPECT_EQ(task->encode(" [[3,4,5]] "), encode_grid(G("[[3,4,5]]")));
  TaskData d = parse_task(task_json);
  ASSERT_EQ(d.train.size(), 1u);
  EXPECT_EQ(*d.train[0].output, G("[[2]]"));
  EXPECT_FALSE(d.test[0].output.has_value());
  std::vector<int32_t> t = task->encode("[[3,4,5]]");
  EXPECT_EQ(task->decode(t.data()), "[[3,4,5]]");
  EXPECT_EQ(task->render(t.data()), "3 4 5\n");
}

TEST(Arc, RejectsMalformedGridsAndTasks) {
  auto task = make_task("arc", 30);
  EXPECT_PTRM_ERROR(task->encode("[[1,2],[3]]"), BadPuzzle, "grid row 1 has 1 cells, expected 2");
  EXPECT_PTRM_ERROR(task->encode("[[1,10]]"), BadPuzzle, "grid cell [0][1] = 10 is not a colour 0..9");
  EXPECT_PTRM_ERROR(task->encode("[[1,\"a\"]]"), BadPuzzle, "= string is not a colour");
  EXPECT_PTRM_ERROR(task->encode("[[1.5]]"), BadPuzzle, "is not a colour");
  EXPECT_PTRM_ERROR(task->encode("[]"), BadPuzzle, "non-empty array");
  EXPECT_PTRM_ERROR(task->encode("[[]]"), BadPuzzle, "0 columns");
  std::string tall = "[";
  for (int r = 0; r < 31; ++r) tall += r ? ",[0]" : "[0]";
  EXPECT_PTRM_ERROR(task->encode(tall + "]"), BadPuzzle, "31 rows (max 30)");
  EXPECT_PTRM_ERROR(task->encode(R"({"train": [], "test": [{"input": [[1]]}, {"input": [[2]]}]})"), BadPuzzle,
                    "task has 2 test inputs");
  EXPECT_PTRM_ERROR(task->encode(R"({"train": []})"), BadPuzzle, "needs a 'test' array");
  EXPECT_PTRM_ERROR(parse_task(R"({"train": [{"input": [[1]]}], "test": []})"), BadPuzzle, "train[0] has no 'output'");
  EXPECT_PTRM_ERROR(task->encode("{not json"), BadPuzzle, "JSON parse error");
  EXPECT_PTRM_ERROR(task->encode("7"), BadPuzzle, "expected a grid");
}
