#include <gtest/gtest.h>

#include <random>
#include <string>

#include "expect_error.h"
#include "ptrm/tasks.h"

using namespace ptrm;

namespace {

const std::string kMaze =
    "#####\n"
    "#S  #\n"
    "# # #\n"
    "#  G#\n"
    "#####";

const std::string kAnswer =
    "#####\n"
    "#Soo#\n"
    "# #o#\n"
    "#  G#\n"
    "#####";

// A random perfect maze (depth-first carving) on a side x side grid with odd coordinates as rooms, S at the top
// left room and G at the bottom right room, plus its BFS-drawn shortest path (independent of the checker).
std::pair<std::string, std::string> random_maze(int side, unsigned seed) {
  std::mt19937 rng(seed);
  std::string g(side * side, '#');
  auto at = [&](int r, int c) -> char& { return g[r * side + c]; };
  std::vector<std::pair<int, int>> stack = {{1, 1}};
  at(1, 1) = ' ';
  while (!stack.empty()) {
    auto [r, c] = stack.back();
    std::vector<std::pair<int, int>> next;
    for (auto [dr, dc] : {std::pair{-2, 0}, {2, 0}, {0, -2}, {0, 2}}) {
      int nr = r + dr, nc = c + dc;
      if (nr > 0 && nr < side - 1 && nc > 0 && nc < side - 1 && at(nr, nc) == '#') next.push_back({nr, nc});
    }
    if (next.empty()) {
      stack.pop_back();
      continue;
    }
    auto [nr, nc] = next[rng() % next.size()];
    at((r + nr) / 2, (c + nc) / 2) = ' ';
    at(nr, nc) = ' ';
    stack.push_back({nr, nc});
  }
  int last = (side - 2) % 2 == 1 ? side - 2 : side - 3;
  at(1, 1) = 'S';
  at(last, last) = 'G';
  // BFS with parents to draw the path.
  std::vector<int> parent(side * side, -2);
  std::vector<int> queue = {side + 1};
  parent[side + 1] = -1;
  for (size_t h = 0; h < queue.size(); ++h) {
    int cell = queue[h];
    for (int d : {-side, side, -1, 1}) {
      int n = cell + d;
      if (g[n] != '#' && parent[n] == -2) {
        parent[n] = cell;
        queue.push_back(n);
      }
    }
  }
  std::string answer = g;
  for (int cell = parent[last * side + last]; cell != side + 1; cell = parent[cell]) answer[cell] = 'o';
  return {g, answer};
}

}  // namespace

TEST(Maze, EncodesWithOfficialCharset) {
  auto task = make_task("maze", 5);
  EXPECT_EQ(task->vocab_size(), 6);
  std::vector<int32_t> t = task->encode(kMaze);
  ASSERT_EQ(t.size(), 25u);
  EXPECT_EQ(t[0], 1);   // '#'
  EXPECT_EQ(t[6], 3);   // 'S'
  EXPECT_EQ(t[7], 2);   // ' '
  EXPECT_EQ(t[18], 4);  // 'G'
  std::string flat;
  for (char c : kMaze)
    if (c != '\n') flat += c;
  EXPECT_EQ(task->encode(flat), t);
  EXPECT_EQ(task->encode(kMaze + "\n"), t);
  std::string crlf;
  for (char c : kMaze) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  EXPECT_EQ(task->encode(crlf), t);
  EXPECT_EQ(task->decode(t.data()), kMaze);
  EXPECT_EQ(task->encode(kAnswer)[7], 5);  // 'o'
}

TEST(Maze, ShortestPathLength) {
  auto task = make_task("maze", 5);
  EXPECT_EQ(maze_shortest_path_len(task->encode(kMaze).data(), 5), 4);
  std::string blocked = kMaze;
  blocked[8] = blocked[13] = '#';  // close (1,2) and (2,1); rows are 6 chars with the newline
  EXPECT_EQ(maze_shortest_path_len(task->encode(blocked).data(), 5), -1);
  std::vector<int32_t> no_goal = task->encode(kMaze);
  no_goal[18] = 2;
  EXPECT_EQ(maze_shortest_path_len(no_goal.data(), 5), -1);
}

TEST(Maze, CheckerAcceptsExactlyShortestPaths) {
  auto task = make_task("maze", 5);
  std::vector<int32_t> q = task->encode(kMaze);
  EXPECT_TRUE(task->check(q, task->encode(kAnswer).data()));
  // The other shortest path, down and right.
  EXPECT_TRUE(task->check(q, task->encode("#####\n#S  #\n#o# #\n#ooG#\n#####").data()));
  // No path drawn.
  EXPECT_FALSE(task->check(q, q.data()));
  // Incomplete path (right count is wrong).
  EXPECT_FALSE(task->check(q, task->encode("#####\n#So #\n# #o#\n#  G#\n#####").data()));
  // Right number of 'o' cells but not connected to S.
  EXPECT_FALSE(task->check(q, task->encode("#####\n#S o#\n#o#o#\n#  G#\n#####").data()));
  // Extra stray 'o'.
  EXPECT_FALSE(task->check(q, task->encode("#####\n#Soo#\n# #o#\n#o G#\n#####").data()));
  // Path through a wall, moved G, PAD in the answer.
  EXPECT_FALSE(task->check(q, task->encode("#####\n#Soo#\n# oo#\n#  G#\n#####").data()));
  std::vector<int32_t> moved = task->encode(kAnswer);
  std::swap(moved[18], moved[17]);
  EXPECT_FALSE(task->check(q, moved.data()));
  std::vector<int32_t> pad = task->encode(kAnswer);
  pad[0] = 0;
  EXPECT_FALSE(task->check(q, pad.data()));
  // Found by tests/fuzz (fuzz_tasks): a question holding PAD (not from encode(), e.g. a C++ caller's tokens) made
  // the checker accept an answer with PAD in the same cell, which no codec can decode.
  std::vector<int32_t> q_pad = q, a_pad = task->encode(kAnswer);
  q_pad[0] = a_pad[0] = 0;
  EXPECT_FALSE(task->check(q_pad, a_pad.data()));
}

TEST(Maze, CheckerRejectsLongerPaths) {
  auto task = make_task("maze", 5);
  std::vector<int32_t> q = task->encode("#####\n#S  #\n#   #\n#  G#\n#####");
  EXPECT_FALSE(task->check(q, task->encode("#####\n#So #\n# o #\n#  G#\n#####").data()));  // too short, diagonal
  EXPECT_TRUE(task->check(q, task->encode("#####\n#Soo#\n#  o#\n#  G#\n#####").data()));
  EXPECT_FALSE(task->check(q, task->encode("#####\n#Soo#\n#ooo#\n#o G#\n#####").data()));  // detour
}

TEST(Maze, RandomMazesRoundTrip) {
  auto task = make_task("maze", 30);
  for (unsigned seed = 0; seed < 20; ++seed) {
    auto [maze, answer] = random_maze(30, seed);
    std::vector<int32_t> q = task->encode(maze);
    std::vector<int32_t> a = task->encode(answer);
    int path = 0;
    for (char c : answer) path += c == 'o';
    EXPECT_EQ(maze_shortest_path_len(q.data(), 30), path + 1);
    EXPECT_TRUE(task->check(q, a.data())) << seed;
    std::string lines;
    for (int r = 0; r < 30; ++r) lines += (r ? "\n" : "") + answer.substr(r * 30, 30);
    EXPECT_EQ(task->decode(a.data()), lines);
    // Any single path cell removed breaks the answer.
    size_t first_o = answer.find('o');
    a[first_o] = 2;
    EXPECT_FALSE(task->check(q, a.data()));
  }
}

TEST(Maze, RejectsMalformedMazesPrecisely) {
  auto task = make_task("maze", 5);
  EXPECT_PTRM_ERROR(task->encode("#####\n#S  #\n# # #\n#  G#"), BadPuzzle, "expected 5 lines, got 4");
  EXPECT_PTRM_ERROR(task->encode(kMaze + "\n#####"), BadPuzzle, "more than 5 lines");
  EXPECT_PTRM_ERROR(task->encode("#####\n#S  #\n# #\n#  G#\n#####"), BadPuzzle, "line 3 has 3 characters, expected 5");
  EXPECT_PTRM_ERROR(task->encode("#####\n#S  #\n# X #\n#  G#\n#####"), BadPuzzle,
                    "illegal character at row 3, column 3");
  EXPECT_PTRM_ERROR(task->encode("#####\n#S  #\n# S #\n#  G#\n#####"), BadPuzzle, "exactly one S, found 2");
  EXPECT_PTRM_ERROR(task->encode("#####\n#S  #\n# # #\n#   #\n#####"), BadPuzzle, "exactly one G, found 0");
  EXPECT_PTRM_ERROR(task->encode("#####"), BadPuzzle, "expected 25 characters");
  EXPECT_PTRM_ERROR(task->encode(""), BadPuzzle, "got 0");
}

TEST(Maze, RandomTextIsEncodedOrRejectedAsBadPuzzle) {
  auto task = make_task("maze", 5);
  std::mt19937 rng(11);
  const std::string alphabet = "# SGo\nx";
  for (int i = 0; i < 3000; ++i) {
    std::string text;
    int len = static_cast<int>(rng() % 40);
    for (int k = 0; k < len; ++k) text += alphabet[rng() % alphabet.size()];
    try {
      std::vector<int32_t> t = task->encode(text);
      ASSERT_EQ(t.size(), 25u);
      (void)task->check(t, t.data());
    } catch (const Error& e) {
      ASSERT_EQ(e.kind(), ErrorKind::BadPuzzle) << e.what();
    }
  }
}
