// Task codecs: puzzle text <-> token sequences exactly as the official TRM dataset builders, answer checkers,
// CLI rendering, and the ARC augmentation/voting helpers.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ptrm {

struct ModelConfig;

// The most puzzle text any front door passes to a codec (an ARC task with dozens of 30x30 examples is ~100 kB;
// Sudoku and maze text is < 5 kB).
inline constexpr size_t kMaxPuzzleBytes = size_t{4} << 20;

class Task {
 public:
  virtual ~Task() = default;
  virtual std::string name() const = 0;  // "sudoku" | "maze" | "arc"
  virtual int board() const = 0;         // side length
  virtual int seq_len() const = 0;
  virtual int vocab_size() const = 0;

  // Puzzle text -> seq_len tokens. Error(BadPuzzle) with a precise message for any malformed input.
  virtual std::vector<int32_t> encode(std::string_view puzzle_text) const = 0;
  // seq_len answer tokens -> answer text in the input format (tokens that are illegal in an answer, e.g. PAD,
  // print as '?').
  virtual std::string decode(const int32_t* tokens) const = 0;
  // Whether check() can verify an answer without a label.
  virtual bool has_checker() const = 0;
  // True iff `answer` (seq_len tokens) is a valid solution of `question` (as returned by encode()).
  virtual bool check(const std::vector<int32_t>& question, const int32_t* answer) const = 0;
  // Human-readable multi-line board for the CLI.
  virtual std::string render(const int32_t* tokens) const = 0;
};

// Task for a model config (task + board). BadModel if the config names an unsupported task/board.
std::unique_ptr<Task> make_task(const ModelConfig& config);
// BadOptions for an unknown kind or unsupported board ("sudoku" 9|6, "maze" 2..64, "arc" 30).
std::unique_ptr<Task> make_task(std::string_view kind, int board);

// Maze: number of moves on a shortest 4-neighbour S->G path through non-wall cells of a side x side token grid
// (tokens as the maze codec: 1 '#' wall, 2 ' ', 3 'S', 4 'G', 5 'o'); -1 if there is no path or not exactly one
// S and one G.
int maze_shortest_path_len(const int32_t* tokens, int side);

namespace arc {

constexpr int kCanvas = 30;  // 30x30 canvas, seq_len 900
constexpr int kPad = 0, kEos = 1, kColourBase = 2;

// Row-major grid of colours 0..9, 1..30 rows of equal width 1..30.
struct Grid {
  int rows = 0, cols = 0;
  std::vector<uint8_t> cells;
  uint8_t at(int r, int c) const { return cells[static_cast<size_t>(r) * cols + c]; }
  bool operator==(const Grid&) const = default;
};

struct Example {
  Grid input;
  std::optional<Grid> output;  // absent for unsolved test inputs
};

struct TaskData {
  std::vector<Example> train;
  std::vector<Example> test;
};

// ARC task JSON {"train": [{"input": G, "output": G}...], "test": [{"input": G[, "output": G]}...]}.
TaskData parse_task(std::string_view json_text);  // BadPuzzle
Grid parse_grid(std::string_view json_text);      // BadPuzzle; "[[0,1],[2,3]]"
std::string grid_to_json(const Grid& g);

// Official dihedral ids: 0 id, 1 rot90, 2 rot180, 3 rot270, 4 flip left-right, 5 flip up-down, 6 transpose,
// 7 anti-transpose; kInverseDihedral[t] undoes t.
constexpr std::array<int, 8> kInverseDihedral = {0, 3, 2, 1, 4, 5, 6, 7};
Grid dihedral(const Grid& g, int id);

// One augmented variant: colour map first (colour_map[c] = new colour, 0 fixed), then dihedral, as the official
// build_arc_dataset.py aug().
struct Augmentation {
  int dihedral_id = 0;
  std::array<uint8_t, 10> colour_map = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};

  Grid apply(const Grid& g) const;
  Grid invert(const Grid& g) const;
  // Official puzzle-identifier suffix "|||t<id>|||<10 digits>" (empty for the identity augmentation).
  std::string name_suffix() const;
  // Parses a full identifier "<task>|||t<id>|||<digits>" (identity if there is no separator). BadModel on junk.
  static Augmentation from_name(std::string_view identifier);
};

// Grid at the top-left of the canvas with EOS below and to the right where they fit (test-split encoding).
std::vector<int32_t> encode_grid(const Grid& g);
// Largest top-left rectangle of colour tokens, exactly as evaluators/arc.py _crop (scan rows downwards, the width
// shrinking to each row's first non-colour token); nullopt if the top-left token is not a colour.
std::optional<Grid> decode_grid(const int32_t* tokens);

// Test-time-augmentation vote (evaluators/arc.py): predictions (already inverse-augmented) are grouped by exact
// grid; ranked by count, then mean sigmoid(q_halt), both descending.
class Voter {
 public:
  void add(const Grid& prediction, float q_halt_logit);
  struct Candidate {
    Grid grid;
    int count;
    double mean_q;  // mean sigmoid(q_halt)
  };
  std::vector<Candidate> ranked() const;

 private:
  std::vector<Candidate> candidates_;
  std::vector<double> q_sums_;
};

}  // namespace arc
}  // namespace ptrm
