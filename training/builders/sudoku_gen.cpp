// Sudoku data tool (side 6 or 9). Writes CSV rows `source,question,answer,rating,key` to stdout:
//   sudoku_gen gen  --side N --count C --seed S --min-givens A --max-givens B [--source NAME]
//       random full grid, then blank cells in random order while the solution stays unique, until the number
//       of givens drawn uniformly from [A,B] is reached; grids that get stuck above B are discarded.
//   sudoku_gen rate --side N  < csv-with-header (question in column 2)
//       solves and rates existing puzzles; puzzles without exactly one solution are dropped (counted on stderr).
// rating = backtracks of the MRV depth-first solver (sudoku_solver.h); key = canonical form for de-duplication.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "sudoku_solver.h"

namespace {

std::string to_text(const sudoku::Grid& g) {
  std::string s(g.size(), '.');
  for (size_t i = 0; i < g.size(); ++i)
    if (g[i]) s[i] = char('0' + g[i]);
  return s;
}

[[noreturn]] void usage(const char* msg) {
  std::fprintf(stderr, "sudoku_gen: %s\nusage: sudoku_gen gen|rate --side 6|9 [--count C --seed S "
                       "--min-givens A --max-givens B --source NAME]\n", msg);
  std::exit(2);
}

long parse_long(const char* s, const char* what) {
  char* end = nullptr;
  long v = std::strtol(s, &end, 10);
  if (!*s || *end) usage(what);
  return v;
}

int generate(const sudoku::Geometry& g, long count, unsigned long long seed, int lo, int hi,
             const std::string& source) {
  std::mt19937_64 rng(seed);
  sudoku::Solver solver(g);
  std::vector<int> order(g.cells());
  long made = 0, discarded = 0;
  while (made < count) {
    sudoku::Grid answer = solver.random_full(rng);
    sudoku::Grid puzzle = answer;
    int target = std::uniform_int_distribution<int>(lo, hi)(rng);
    for (int i = 0; i < g.cells(); ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), rng);
    int givens = g.cells();
    for (int i : order) {
      if (givens <= target) break;
      int keep = puzzle[i];
      puzzle[i] = 0;
      if (solver.count_solutions(puzzle, 2) == 1) --givens;
      else puzzle[i] = keep;
    }
    if (givens > hi) {
      ++discarded;
      continue;
    }
    sudoku::Grid solved;
    long backtracks = 0;
    solver.solve(puzzle, solved, backtracks);
    std::string q = to_text(puzzle);
    std::printf("%s,%s,%s,%ld,%s\n", source.c_str(), q.c_str(), to_text(answer).c_str(), backtracks,
                sudoku::canonical_key(g, q).c_str());
    ++made;
  }
  std::fprintf(stderr, "sudoku_gen: %ld puzzles, %ld grids discarded (stuck above %d givens)\n", made,
               discarded, hi);
  return 0;
}

int rate(const sudoku::Geometry& g) {
  sudoku::Solver solver(g);
  std::string line;
  long kept = 0, dropped = 0;
  bool header = true;
  while (std::getline(std::cin, line)) {
    if (header) { header = false; continue; }
    size_t a = line.find(','), b = line.find(',', a + 1);
    if (a == std::string::npos) { ++dropped; continue; }
    std::string source = line.substr(0, a);
    std::string q = line.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1);
    if ((int)q.size() != g.cells()) { ++dropped; continue; }
    sudoku::Grid grid(g.cells());
    bool ok = true;
    for (int i = 0; i < g.cells(); ++i) {
      char c = q[i];
      if (c == '.' || c == '0') grid[i] = 0;
      else if (c >= '1' && c <= char('0' + g.n)) grid[i] = c - '0';
      else ok = false;
    }
    if (!ok || solver.count_solutions(grid, 2) != 1) { ++dropped; continue; }
    sudoku::Grid solved;
    long backtracks = 0;
    solver.solve(grid, solved, backtracks);
    std::string qt = to_text(grid);
    std::printf("%s,%s,%s,%ld,%s\n", source.c_str(), qt.c_str(), to_text(solved).c_str(), backtracks,
                sudoku::canonical_key(g, qt).c_str());
    ++kept;
  }
  std::fprintf(stderr, "sudoku_gen: rated %ld puzzles, dropped %ld (malformed or not uniquely solvable)\n",
               kept, dropped);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) usage("missing mode");
  std::string mode = argv[1];
  int side = 0, lo = -1, hi = -1;
  long count = 0;
  unsigned long long seed = 0;
  std::string source;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) usage(("missing value for " + a).c_str());
    const char* v = argv[++i];
    if (a == "--side") side = (int)parse_long(v, "bad --side");
    else if (a == "--count") count = parse_long(v, "bad --count");
    else if (a == "--seed") seed = (unsigned long long)parse_long(v, "bad --seed");
    else if (a == "--min-givens") lo = (int)parse_long(v, "bad --min-givens");
    else if (a == "--max-givens") hi = (int)parse_long(v, "bad --max-givens");
    else if (a == "--source") source = v;
    else usage(("unknown option " + a).c_str());
  }
  sudoku::Geometry g = sudoku::geometry_for(side);
  if (g.n == 0) usage("--side must be 6 or 9");
  if (mode == "rate") return rate(g);
  if (mode != "gen") usage("mode must be gen or rate");
  if (count <= 0 || lo < 0 || hi < lo || hi > g.cells()) usage("need --count > 0 and 0 <= min <= max <= cells");
  if (source.empty()) source = "gen" + std::to_string(side);
  return generate(g, count, seed, lo, hi, source);
}
