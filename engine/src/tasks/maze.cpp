// Maze codec (official build_maze_dataset.py charset "# SGo" -> 1..5, PAD 0), BFS shortest path and the
// shortest-path checker.
#include <array>
#include <deque>
#include <string>

#include "codecs.h"
#include "ptrm/errors.h"

namespace ptrm {
namespace {

constexpr int32_t kWall = 1, kOpen = 2, kStart = 3, kGoal = 4, kPath = 5;
constexpr std::string_view kCharset = "# SGo";

bool passable(int32_t tok) { return tok >= kOpen && tok <= kPath; }

// BFS distances (moves) from `from` over cells accepted by `allowed`; -1 where unreachable.
template <typename Allowed>
std::vector<int> bfs(const int32_t* t, int side, int from, Allowed allowed) {
  std::vector<int> dist(static_cast<size_t>(side) * side, -1);
  std::deque<int> queue{from};
  dist[from] = 0;
  while (!queue.empty()) {
    int cell = queue.front();
    queue.pop_front();
    int r = cell / side, c = cell % side;
    const std::array<std::array<int, 2>, 4> steps = {{{r - 1, c}, {r + 1, c}, {r, c - 1}, {r, c + 1}}};
    for (auto [nr, nc] : steps) {
      if (nr < 0 || nr >= side || nc < 0 || nc >= side) continue;
      int next = nr * side + nc;
      if (dist[next] >= 0 || !allowed(t[next])) continue;
      dist[next] = dist[cell] + 1;
      queue.push_back(next);
    }
  }
  return dist;
}

// Index of the single cell holding `tok`, or -1 if there is not exactly one.
int unique_cell(const int32_t* t, int n, int32_t tok) {
  int at = -1;
  for (int i = 0; i < n; ++i) {
    if (t[i] != tok) continue;
    if (at >= 0) return -1;
    at = i;
  }
  return at;
}

class MazeTask final : public Task {
 public:
  explicit MazeTask(int side) : n_(side) {}

  std::string name() const override { return "maze"; }
  int board() const override { return n_; }
  int seq_len() const override { return n_ * n_; }
  int vocab_size() const override { return static_cast<int>(kCharset.size()) + 1; }

  std::vector<int32_t> encode(std::string_view text) const override {
    // Spaces are open cells, so only line breaks are layout: either N lines of N chars (an optional final
    // newline allowed) or one N*N string.
    std::string cells;
    cells.reserve(seq_len());
    if (text.find('\n') == std::string_view::npos) {
      cells.assign(text);
      if (!cells.empty() && cells.back() == '\r') cells.pop_back();
      if (static_cast<int>(cells.size()) != seq_len())
        throw Error(ErrorKind::BadPuzzle, "maze: expected " + std::to_string(seq_len()) + " characters (or " +
                                              std::to_string(n_) + " lines of " + std::to_string(n_) + "), got " +
                                              std::to_string(cells.size()));
    } else {
      size_t pos = 0;
      int line_no = 0;
      while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        std::string_view line = text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        ++line_no;
        if (line_no > n_) throw Error(ErrorKind::BadPuzzle, "maze: more than " + std::to_string(n_) + " lines");
        if (static_cast<int>(line.size()) != n_)
          throw Error(ErrorKind::BadPuzzle, "maze: line " + std::to_string(line_no) + " has " +
                                                std::to_string(line.size()) + " characters, expected " +
                                                std::to_string(n_));
        cells.append(line);
        if (end == std::string_view::npos) break;
        pos = end + 1;
      }
      if (line_no != n_)
        throw Error(ErrorKind::BadPuzzle,
                    "maze: expected " + std::to_string(n_) + " lines, got " + std::to_string(line_no));
    }
    std::vector<int32_t> tokens(seq_len());
    for (int i = 0; i < seq_len(); ++i) {
      size_t k = kCharset.find(cells[i]);
      if (k == std::string_view::npos)
        throw Error(ErrorKind::BadPuzzle, "maze: illegal character at row " + std::to_string(i / n_ + 1) + ", column " +
                                              std::to_string(i % n_ + 1) +
                                              " (expected one of '#', ' ', 'S', 'G', 'o')");
      tokens[i] = static_cast<int32_t>(k) + 1;
    }
    for (auto [tok, label] : {std::pair{kStart, 'S'}, std::pair{kGoal, 'G'}}) {
      int count = 0;
      for (int32_t t : tokens) count += t == tok;
      if (count != 1)
        throw Error(ErrorKind::BadPuzzle,
                    std::string("maze: expected exactly one ") + label + ", found " + std::to_string(count));
    }
    return tokens;
  }

  std::string decode(const int32_t* tokens) const override {
    std::string out;
    for (int r = 0; r < n_; ++r) {
      if (r > 0) out += '\n';
      for (int c = 0; c < n_; ++c) out += cell_char(tokens[r * n_ + c]);
    }
    return out;
  }

  bool has_checker() const override { return true; }

  bool check(const std::vector<int32_t>& question, const int32_t* answer) const override {
    if (static_cast<int>(question.size()) != seq_len())
      throw Error(ErrorKind::Internal, "maze check: question has " + std::to_string(question.size()) + " tokens");
    int path_cells = 0;
    for (int i = 0; i < seq_len(); ++i) {
      int32_t q = question[i], a = answer[i];
      if (a < kWall || a > kPath) return false;  // PAD or junk is never part of an answer, whatever the question
      bool q_free = q == kOpen || q == kPath;
      if (q_free ? (a != kOpen && a != kPath) : a != q) return false;
      path_cells += a == kPath;
    }
    int shortest = maze_shortest_path_len(question.data(), n_);
    if (shortest < 0) return false;
    // A path of `shortest` moves has shortest-1 interior cells; if S reaches G through S/G/'o' cells only in
    // `shortest` moves and there are exactly that many 'o' cells, the 'o' cells are exactly one shortest path.
    if (path_cells != shortest - 1) return false;
    int s = unique_cell(answer, seq_len(), kStart), g = unique_cell(answer, seq_len(), kGoal);
    std::vector<int> dist = bfs(answer, n_, s, [](int32_t t) { return t == kPath || t == kGoal; });
    return dist[g] == shortest;
  }

  std::string render(const int32_t* tokens) const override { return decode(tokens) + '\n'; }

 private:
  static char cell_char(int32_t tok) { return tok >= 1 && tok <= 5 ? kCharset[tok - 1] : '?'; }

  int n_;
};

}  // namespace

int maze_shortest_path_len(const int32_t* tokens, int side) {
  int n = side * side;
  int s = unique_cell(tokens, n, kStart), g = unique_cell(tokens, n, kGoal);
  if (s < 0 || g < 0) return -1;
  return bfs(tokens, side, s, passable)[g];
}

std::unique_ptr<Task> detail::make_maze_task(int side) { return std::make_unique<MazeTask>(side); }

}  // namespace ptrm
