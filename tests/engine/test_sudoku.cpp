#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

#include "expect_error.h"
#include "ptrm/tasks.h"

using namespace ptrm;

namespace {
// The well-known Wikipedia example and its unique solution.
const std::string kPuzzle = "530070000600195000098000060800060003400803001700020006060000280000419005000080079";
const std::string kSolution = "534678912672195348198342567859761423426853791713924856961537284287419635345286179";
const std::string kSolution6 = "123456456123231564564231312645645312";  // 2x3 boxes

std::vector<int32_t> tokens_of(const std::string& digits) {
  std::vector<int32_t> t;
  for (char c : digits) t.push_back(c == '.' || c == '0' ? 1 : c - '0' + 1);
  return t;
}
}  // namespace

TEST(Sudoku, EncodesWithOfficialTokenMap) {
  auto task = make_task("sudoku", 9);
  EXPECT_EQ(task->seq_len(), 81);
  EXPECT_EQ(task->vocab_size(), 11);
  std::vector<int32_t> t = task->encode(kPuzzle);
  ASSERT_EQ(t.size(), 81u);
  EXPECT_EQ(t[0], 6);    // '5' -> 6
  EXPECT_EQ(t[2], 1);    // blank -> 1
  EXPECT_EQ(t[80], 10);  // '9' -> 10
  // '.' and '0' are the same blank; whitespace and newlines are layout only.
  std::string dotted = kPuzzle;
  for (char& c : dotted) c = c == '0' ? '.' : c;
  std::string pretty;
  for (int r = 0; r < 9; ++r) pretty += " " + dotted.substr(r * 9, 9) + "\r\n";
  EXPECT_EQ(task->encode(pretty), t);
  EXPECT_EQ(task->decode(t.data()), dotted);
}

TEST(Sudoku, DecodeRoundTripsAndMarksIllegalTokens) {
  auto task = make_task("sudoku", 9);
  std::vector<int32_t> t = task->encode(kSolution);
  EXPECT_EQ(task->decode(t.data()), kSolution);
  t[4] = 0;   // PAD
  t[5] = 11;  // out of vocabulary
  EXPECT_EQ(task->decode(t.data()).substr(3, 4), "6??9");
}

TEST(Sudoku, CheckerAcceptsOnlyValidSolutionsKeepingGivens) {
  auto task = make_task("sudoku", 9);
  std::vector<int32_t> q = task->encode(kPuzzle);
  std::vector<int32_t> a = tokens_of(kSolution);
  ASSERT_TRUE(task->has_checker());
  EXPECT_TRUE(task->check(q, a.data()));

  std::vector<int32_t> bad = a;
  std::swap(bad[0], bad[1]);  // breaks a column (and changes a given)
  EXPECT_FALSE(task->check(q, bad.data()));
  bad = a;
  bad[2] = 1;  // blank left in the answer
  EXPECT_FALSE(task->check(q, bad.data()));
  bad = a;
  bad[2] = 0;  // PAD
  EXPECT_FALSE(task->check(q, bad.data()));

  // A valid grid that ignores a given: relabel digits 1<->2 everywhere (still a valid sudoku).
  std::vector<int32_t> relabelled = a;
  for (int32_t& v : relabelled) v = v == 2 ? 3 : v == 3 ? 2 : v;
  std::vector<int32_t> empty_q(81, 1);
  EXPECT_TRUE(task->check(empty_q, relabelled.data()));
  EXPECT_FALSE(task->check(q, relabelled.data()));
}

TEST(Sudoku, SixBySixUsesTwoByThreeBoxes) {
  auto task = make_task("sudoku", 6);
  EXPECT_EQ(task->seq_len(), 36);
  EXPECT_EQ(task->vocab_size(), 8);
  std::vector<int32_t> a = task->encode(kSolution6);
  std::vector<int32_t> q(36, 1);
  EXPECT_TRUE(task->check(q, a.data()));
  // Swapping rows 1 and 2 keeps rows and columns valid but breaks the 2x3 boxes.
  std::string swapped =
      kSolution6.substr(0, 6) + kSolution6.substr(12, 6) + kSolution6.substr(6, 6) + kSolution6.substr(18);
  EXPECT_PTRM_ERROR(task->encode(swapped), BadPuzzle, "appears twice in box 1");
  EXPECT_PTRM_ERROR(task->encode("7" + kSolution6.substr(1)), BadPuzzle, "illegal character '7' at position 0");
  EXPECT_EQ(task->render(a.data()),
            "1 2 3 | 4 5 6\n4 5 6 | 1 2 3\n------+------\n2 3 1 | 5 6 4\n5 6 4 | 2 3 1\n------+------\n"
            "3 1 2 | 6 4 5\n6 4 5 | 3 1 2\n");
}

TEST(Sudoku, RejectsMalformedPuzzlesPrecisely) {
  auto task = make_task("sudoku", 9);
  EXPECT_PTRM_ERROR(task->encode(kPuzzle.substr(1)), BadPuzzle, "expected 81 cells, got 80");
  EXPECT_PTRM_ERROR(task->encode(kPuzzle + "1"), BadPuzzle, "too many cells");
  EXPECT_PTRM_ERROR(task->encode(""), BadPuzzle, "got 0");
  std::string x = kPuzzle;
  x[10] = 'x';
  EXPECT_PTRM_ERROR(task->encode(x), BadPuzzle, "illegal character 'x' at position 10");
  x[10] = '\x01';
  EXPECT_PTRM_ERROR(task->encode(x), BadPuzzle, "byte 0x01 at position 10");
  std::string row_dup = kPuzzle;
  row_dup[2] = '5';  // row 1 already has a 5
  EXPECT_PTRM_ERROR(task->encode(row_dup), BadPuzzle, "digit 5 appears twice in row 1");
  std::string col_dup = kPuzzle;
  col_dup[9 * 8] = '5';  // column 1 already has a 5 at the top
  EXPECT_PTRM_ERROR(task->encode(col_dup), BadPuzzle, "digit 5 appears twice in column 1");
  std::string box_dup = kPuzzle;
  box_dup[9 * 2 + 0] = '3';  // box 1 has a 3 at (0,1)
  EXPECT_PTRM_ERROR(task->encode(box_dup), BadPuzzle, "digit 3 appears twice in box 1");
}

TEST(Sudoku, RenderDrawsBoxes) {
  auto task = make_task("sudoku", 9);
  std::vector<int32_t> t = task->encode(kPuzzle);
  std::string r = task->render(t.data());
  EXPECT_EQ(r.substr(0, 22), "5 3 . | . 7 . | . . .\n");
  EXPECT_NE(r.find("------+-------+------\n"), std::string::npos);
}

TEST(Tasks, FactoryRejectsUnknownKindsAndBoards) {
  EXPECT_PTRM_ERROR(make_task("kakuro", 9), BadOptions, "unknown task 'kakuro'");
  EXPECT_PTRM_ERROR(make_task("sudoku", 4), BadOptions, "sudoku board must be 9 or 6");
  EXPECT_PTRM_ERROR(make_task("maze", 1000), BadOptions, "maze board must be in [2, 64]");
  EXPECT_PTRM_ERROR(make_task("arc", 20), BadOptions, "arc board must be 30");
  EXPECT_EQ(make_task("maze", 30)->seq_len(), 900);
  EXPECT_EQ(make_task("arc", 30)->vocab_size(), 12);
}

TEST(Sudoku, RandomTextIsEncodedOrRejectedAsBadPuzzle) {
  auto task = make_task("sudoku", 6);
  std::mt19937 rng(5);
  const std::string alphabet = std::string(60, '.') + "0123456789 \nx";
  int accepted = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string text;
    int len = 30 + static_cast<int>(rng() % 12);
    for (int k = 0; k < len; ++k) text += alphabet[rng() % alphabet.size()];
    try {
      std::vector<int32_t> t = task->encode(text);
      ASSERT_EQ(t.size(), 36u);
      EXPECT_FALSE(task->check(t, t.data()) && std::count(t.begin(), t.end(), 1) > 0);
      ++accepted;
    } catch (const Error& e) {
      ASSERT_EQ(e.kind(), ErrorKind::BadPuzzle) << e.what();
    }
  }
  EXPECT_GT(accepted, 0);
}
