// ARC codec as the official build_arc_dataset.py / evaluators/arc.py: 30x30 canvas (PAD 0, EOS 1, colour c -> c+2),
// dihedral + colour-permutation augmentations with their puzzle-identifier names, crop and test-time voting.
#include <algorithm>
#include <cmath>
#include <string>

#include "codecs.h"
#include "ptrm/errors.h"
#include "ptrm/json.h"

namespace ptrm {
namespace arc {
namespace {

// Values, not only bytes: a 4 MiB "[0,0,...]" would otherwise become ~100 MB of Json nodes. A task of dozens of
// 30x30 examples is ~50k values; no array in a task is longer than a handful of examples or 30 cells.
constexpr JsonLimits kPuzzleJson{kMaxPuzzleBytes, 16, size_t{1} << 18, 4096};

constexpr std::string_view kSep = "|||";

[[noreturn]] void bad_puzzle(const std::string& msg) { throw Error(ErrorKind::BadPuzzle, "arc: " + msg); }

Grid grid_from_json(const Json& j, const std::string& where) {
  if (!j.is_array() || j.as_array().empty()) bad_puzzle(where + " must be a non-empty array of rows");
  const Json::Array& rows = j.as_array();
  if (rows.size() > kCanvas) bad_puzzle(where + " has " + std::to_string(rows.size()) + " rows (max 30)");
  Grid g;
  g.rows = static_cast<int>(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    if (!rows[r].is_array()) bad_puzzle(where + " row " + std::to_string(r) + " is not an array");
    const Json::Array& row = rows[r].as_array();
    if (r == 0) {
      if (row.empty() || row.size() > kCanvas)
        bad_puzzle(where + " has " + std::to_string(row.size()) + " columns (must be 1..30)");
      g.cols = static_cast<int>(row.size());
    } else if (static_cast<int>(row.size()) != g.cols) {
      bad_puzzle(where + " row " + std::to_string(r) + " has " + std::to_string(row.size()) + " cells, expected " +
                 std::to_string(g.cols));
    }
    for (size_t c = 0; c < row.size(); ++c) {
      const Json& v = row[c];
      if (!v.is_number() || v.as_number() < 0 || v.as_number() > 9 || v.as_number() != std::floor(v.as_number()))
        bad_puzzle(where + " cell [" + std::to_string(r) + "][" + std::to_string(c) + "] = " +
                   (v.is_number() ? v.dump() : std::string(json_type_name(v.type()))) + " is not a colour 0..9");
      g.cells.push_back(static_cast<uint8_t>(v.as_number()));
    }
  }
  return g;
}

std::vector<Example> examples_from_json(const Json& task, const char* key, bool output_required) {
  const Json* list = task.find(key);
  if (!list || !list->is_array()) bad_puzzle(std::string("task needs a '") + key + "' array");
  std::vector<Example> out;
  for (size_t i = 0; i < list->as_array().size(); ++i) {
    const Json& e = list->as_array()[i];
    std::string where = std::string(key) + "[" + std::to_string(i) + "]";
    if (!e.is_object()) bad_puzzle(where + " is not an object");
    const Json* in = e.find("input");
    if (!in) bad_puzzle(where + " has no 'input'");
    Example ex{grid_from_json(*in, where + ".input"), std::nullopt};
    const Json* outp = e.find("output");
    if (outp) ex.output = grid_from_json(*outp, where + ".output");
    else if (output_required) bad_puzzle(where + " has no 'output'");
    out.push_back(std::move(ex));
  }
  return out;
}

class ArcTask final : public Task {
 public:
  std::string name() const override { return "arc"; }
  int board() const override { return kCanvas; }
  int seq_len() const override { return kCanvas * kCanvas; }
  int vocab_size() const override { return 12; }

  // A bare grid, or a task JSON with exactly one test input (the model sees only the test input; the task's
  // demonstrations live in its puzzle embedding).
  std::vector<int32_t> encode(std::string_view text) const override {
    Json j = Json::parse(text, ErrorKind::BadPuzzle, kPuzzleJson);
    if (j.is_array()) return encode_grid(grid_from_json(j, "grid"));
    if (!j.is_object()) bad_puzzle("expected a grid [[...]] or a task {\"train\": ..., \"test\": ...}");
    std::vector<Example> test = examples_from_json(j, "test", false);
    if (test.size() != 1)
      bad_puzzle("task has " + std::to_string(test.size()) + " test inputs; pass exactly one (as a grid)");
    return encode_grid(test[0].input);
  }

  std::string decode(const int32_t* tokens) const override {
    std::optional<Grid> g = decode_grid(tokens);
    return g ? grid_to_json(*g) : "[]";
  }

  bool has_checker() const override { return false; }
  bool check(const std::vector<int32_t>&, const int32_t*) const override { return false; }

  std::string render(const int32_t* tokens) const override {
    std::optional<Grid> g = decode_grid(tokens);
    if (!g) return "(empty grid)\n";
    std::string out;
    for (int r = 0; r < g->rows; ++r) {
      for (int c = 0; c < g->cols; ++c) {
        if (c) out += ' ';
        out += static_cast<char>('0' + g->at(r, c));
      }
      out += '\n';
    }
    return out;
  }
};

}  // namespace

TaskData parse_task(std::string_view json_text) {
  Json j = Json::parse(json_text, ErrorKind::BadPuzzle, kPuzzleJson);
  if (!j.is_object()) bad_puzzle("task must be a JSON object with 'train' and 'test'");
  return TaskData{examples_from_json(j, "train", true), examples_from_json(j, "test", false)};
}

Grid parse_grid(std::string_view json_text) {
  return grid_from_json(Json::parse(json_text, ErrorKind::BadPuzzle, kPuzzleJson), "grid");
}

std::string grid_to_json(const Grid& g) {
  std::string out = "[";
  for (int r = 0; r < g.rows; ++r) {
    out += r ? ",[" : "[";
    for (int c = 0; c < g.cols; ++c) {
      if (c) out += ',';
      out += static_cast<char>('0' + g.at(r, c));
    }
    out += ']';
  }
  return out + "]";
}

Grid dihedral(const Grid& g, int id) {
  if (id < 0 || id > 7) throw Error(ErrorKind::BadOptions, "dihedral id must be 0..7, got " + std::to_string(id));
  // numpy semantics of dataset/common.py: rot90 is counter-clockwise; 7 = fliplr(rot90).
  bool swap = id == 1 || id == 3 || id == 6 || id == 7;
  Grid out;
  out.rows = swap ? g.cols : g.rows;
  out.cols = swap ? g.rows : g.cols;
  out.cells.resize(g.cells.size());
  const int H = g.rows, W = g.cols;
  for (int i = 0; i < out.rows; ++i) {
    for (int j = 0; j < out.cols; ++j) {
      int r = 0, c = 0;
      switch (id) {
        case 0:
          r = i;
          c = j;
          break;
        case 1:
          r = j;
          c = W - 1 - i;
          break;
        case 2:
          r = H - 1 - i;
          c = W - 1 - j;
          break;
        case 3:
          r = H - 1 - j;
          c = i;
          break;
        case 4:
          r = i;
          c = W - 1 - j;
          break;
        case 5:
          r = H - 1 - i;
          c = j;
          break;
        case 6:
          r = j;
          c = i;
          break;
        case 7:
          r = H - 1 - j;
          c = W - 1 - i;
          break;
      }
      out.cells[static_cast<size_t>(i) * out.cols + j] = g.at(r, c);
    }
  }
  return out;
}

Grid Augmentation::apply(const Grid& g) const {
  Grid mapped = g;
  for (uint8_t& v : mapped.cells) v = colour_map[v];
  return dihedral(mapped, dihedral_id);
}

Grid Augmentation::invert(const Grid& g) const {
  std::array<uint8_t, 10> inverse{};
  for (uint8_t c = 0; c < 10; ++c) inverse[colour_map[c]] = c;
  Grid out = dihedral(g, kInverseDihedral[dihedral_id]);
  for (uint8_t& v : out.cells) v = inverse[v];
  return out;
}

std::string Augmentation::name_suffix() const {
  Augmentation identity;
  if (dihedral_id == identity.dihedral_id && colour_map == identity.colour_map) return "";
  std::string s = std::string(kSep) + "t" + std::to_string(dihedral_id) + std::string(kSep);
  for (uint8_t c : colour_map) s += static_cast<char>('0' + c);
  return s;
}

Augmentation Augmentation::from_name(std::string_view id) {
  Augmentation a;
  size_t last = id.rfind(kSep);
  if (last == std::string_view::npos) return a;
  auto junk = [&](const std::string& why) -> Error {
    return Error(ErrorKind::BadModel, "arc: puzzle identifier '" + std::string(id) + "': " + why);
  };
  if (last < kSep.size()) throw junk("expected <task>|||t<id>|||<colour map>");
  size_t prev = id.rfind(kSep, last - kSep.size());
  if (prev == std::string_view::npos) throw junk("expected <task>|||t<id>|||<colour map>");
  std::string_view t = id.substr(prev + kSep.size(), last - prev - kSep.size());
  std::string_view perm = id.substr(last + kSep.size());
  if (t.size() != 2 || t[0] != 't' || t[1] < '0' || t[1] > '7') throw junk("bad transform '" + std::string(t) + "'");
  a.dihedral_id = t[1] - '0';
  if (perm.size() != 10) throw junk("colour map must have 10 digits");
  unsigned seen = 0;
  for (int c = 0; c < 10; ++c) {
    if (perm[c] < '0' || perm[c] > '9') throw junk("colour map must have 10 digits");
    a.colour_map[c] = static_cast<uint8_t>(perm[c] - '0');
    seen |= 1u << a.colour_map[c];
  }
  if (seen != 0x3FF) throw junk("colour map is not a permutation of 0..9");
  return a;
}

std::vector<int32_t> encode_grid(const Grid& g) {
  std::vector<int32_t> t(kCanvas * kCanvas, kPad);
  for (int r = 0; r < g.rows; ++r)
    for (int c = 0; c < g.cols; ++c) t[r * kCanvas + c] = kColourBase + g.at(r, c);
  if (g.rows < kCanvas)
    for (int c = 0; c < g.cols; ++c) t[g.rows * kCanvas + c] = kEos;
  if (g.cols < kCanvas)
    for (int r = 0; r < g.rows; ++r) t[r * kCanvas + g.cols] = kEos;
  return t;
}

std::optional<Grid> decode_grid(const int32_t* tokens) {
  // evaluators/arc.py _crop: walk down the rows, shrinking the width to the first non-colour token of each row;
  // keep the (rows, width) prefix rectangle of largest area (first one wins on ties).
  auto is_colour = [](int32_t t) { return t >= kColourBase && t < kColourBase + 10; };
  int width = kCanvas, best_area = 0, best_rows = 0, best_cols = 0;
  for (int rows = 1; rows <= kCanvas; ++rows) {
    for (int c = 0; c < width; ++c) {
      if (!is_colour(tokens[(rows - 1) * kCanvas + c])) {
        width = c;
        break;
      }
    }
    if (rows * width > best_area) {
      best_area = rows * width;
      best_rows = rows;
      best_cols = width;
    }
  }
  if (best_area == 0) return std::nullopt;
  Grid g;
  g.rows = best_rows;
  g.cols = best_cols;
  for (int r = 0; r < best_rows; ++r)
    for (int c = 0; c < best_cols; ++c) g.cells.push_back(static_cast<uint8_t>(tokens[r * kCanvas + c] - kColourBase));
  return g;
}

void Voter::add(const Grid& prediction, float q_halt_logit) {
  double q = 1.0 / (1.0 + std::exp(-static_cast<double>(q_halt_logit)));
  for (size_t i = 0; i < candidates_.size(); ++i) {
    if (candidates_[i].grid == prediction) {
      ++candidates_[i].count;
      q_sums_[i] += q;
      return;
    }
  }
  candidates_.push_back({prediction, 1, 0.0});
  q_sums_.push_back(q);
}

std::vector<Voter::Candidate> Voter::ranked() const {
  std::vector<Candidate> out = candidates_;
  for (size_t i = 0; i < out.size(); ++i) out[i].mean_q = q_sums_[i] / out[i].count;
  // Python's sorted(..., reverse=True) is stable: equal (count, mean) keep first-seen order.
  std::stable_sort(out.begin(), out.end(), [](const Candidate& a, const Candidate& b) {
    return a.count != b.count ? a.count > b.count : a.mean_q > b.mean_q;
  });
  return out;
}

}  // namespace arc

std::unique_ptr<Task> detail::make_arc_task() { return std::make_unique<arc::ArcTask>(); }

}  // namespace ptrm
