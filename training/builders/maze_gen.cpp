// Maze generator after the Searchformer procedure that Maze-Hard uses (see ../shared/data/maze-hard/SOURCE.md;
// re-implemented from that description): a random obstacle field with 30-50 % walls, start and goal drawn among
// free cells (up to 100 attempts per layout), 4-neighbour shortest path by BFS. Writes CSV rows
// `source,question,answer,rating` (question/answer are N*N chars from "# SGo", row-major; rating = cells on the
// shortest path including S and G).
//   maze_gen --side N --count C --seed S --min-path L [--unique-path 0|1] [--source NAME]
// Keeps tasks whose path has more than L cells. With --unique-path 1 only tasks whose shortest path is unique are
// kept, so the label is the only correct answer (the official set breaks ties by search order instead).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace {

[[noreturn]] void usage(const char* msg) {
  std::fprintf(stderr, "maze_gen: %s\nusage: maze_gen --side N --count C --seed S --min-path L "
                       "[--unique-path 0|1] [--source NAME]\n", msg);
  std::exit(2);
}

long parse_long(const char* s, const char* what) {
  char* end = nullptr;
  long v = std::strtol(s, &end, 10);
  if (!*s || *end) usage(what);
  return v;
}

struct Bfs {
  std::vector<int> dist;
  std::vector<long> ways;  // number of shortest paths, saturated at 2
};

// Distances and shortest-path counts from `from` over free cells.
Bfs bfs(const std::string& grid, int n, int from) {
  Bfs out{std::vector<int>(n * n, -1), std::vector<long>(n * n, 0)};
  std::vector<int> queue{from};
  out.dist[from] = 0;
  out.ways[from] = 1;
  const int dr[4] = {-1, 1, 0, 0}, dc[4] = {0, 0, -1, 1};
  for (size_t h = 0; h < queue.size(); ++h) {
    int cur = queue[h], r = cur / n, c = cur % n;
    for (int k = 0; k < 4; ++k) {
      int rr = r + dr[k], cc = c + dc[k];
      if (rr < 0 || rr >= n || cc < 0 || cc >= n) continue;
      int nb = rr * n + cc;
      if (grid[nb] == '#') continue;
      if (out.dist[nb] < 0) {
        out.dist[nb] = out.dist[cur] + 1;
        queue.push_back(nb);
      }
      if (out.dist[nb] == out.dist[cur] + 1) out.ways[nb] = std::min(2L, out.ways[nb] + out.ways[cur]);
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int side = 0, min_path = -1, unique = 0;
  long count = 0;
  unsigned long long seed = 0;
  std::string source;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) usage(("missing value for " + a).c_str());
    const char* v = argv[++i];
    if (a == "--side") side = (int)parse_long(v, "bad --side");
    else if (a == "--count") count = parse_long(v, "bad --count");
    else if (a == "--seed") seed = (unsigned long long)parse_long(v, "bad --seed");
    else if (a == "--min-path") min_path = (int)parse_long(v, "bad --min-path");
    else if (a == "--unique-path") unique = (int)parse_long(v, "bad --unique-path");
    else if (a == "--source") source = v;
    else usage(("unknown option " + a).c_str());
  }
  if (side < 4 || side > 64 || count <= 0 || min_path < 0) usage("need 4 <= side <= 64, count > 0, min-path >= 0");
  if (source.empty()) source = "maze" + std::to_string(side);
  const int cells = side * side;
  std::mt19937_64 rng(seed);
  std::vector<int> idx(cells);
  long made = 0, layouts = 0;
  while (made < count) {
    ++layouts;
    for (int i = 0; i < cells; ++i) idx[i] = i;
    std::shuffle(idx.begin(), idx.end(), rng);
    int walls = std::uniform_int_distribution<int>(cells / 10 * 3, cells / 10 * 5)(rng);
    std::string grid(cells, ' ');
    for (int i = 0; i < walls; ++i) grid[idx[i]] = '#';
    std::vector<int> free_cells(idx.begin() + walls, idx.end());
    std::set<std::pair<int, int>> seen;
    for (int attempt = 0; attempt < 100 && made < count; ++attempt) {
      std::shuffle(free_cells.begin(), free_cells.end(), rng);
      int s = free_cells[0], g = free_cells[1];
      if (!seen.insert({s, g}).second) continue;
      Bfs from_s = bfs(grid, side, s);
      if (from_s.dist[g] < 0) continue;
      int plan = from_s.dist[g] + 1;
      if (plan < side || plan <= min_path) continue;
      if (unique && from_s.ways[g] != 1) continue;
      // Path = cells on a shortest path; walk back from G choosing the first predecessor in neighbour order,
      // which is the only one when the path is unique.
      std::string answer = grid;
      int cur = g;
      const int dr[4] = {-1, 1, 0, 0}, dc[4] = {0, 0, -1, 1};
      while (cur != s) {
        int r = cur / side, c = cur % side;
        for (int k = 0; k < 4; ++k) {
          int rr = r + dr[k], cc = c + dc[k];
          if (rr < 0 || rr >= side || cc < 0 || cc >= side) continue;
          int nb = rr * side + cc;
          if (grid[nb] != '#' && from_s.dist[nb] == from_s.dist[cur] - 1) {
            cur = nb;
            break;
          }
        }
        if (cur != s) answer[cur] = 'o';
      }
      std::string question = grid;
      question[s] = answer[s] = 'S';
      question[g] = answer[g] = 'G';
      std::printf("%s,%s,%s,%d\n", source.c_str(), question.c_str(), answer.c_str(), plan);
      ++made;
    }
  }
  std::fprintf(stderr, "maze_gen: %ld mazes from %ld wall layouts\n", made, layouts);
  return 0;
}
