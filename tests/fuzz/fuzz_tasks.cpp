// Every task codec on arbitrary text and arbitrary answer tokens. Invariants: only ptrm::Error escapes; encode
// gives seq_len tokens inside the vocabulary; decode(encode(x)) encodes back to the same tokens; any token
// sequence decodes/renders/checks without failing, and an answer the checker accepts is a legal, complete one;
// ARC grids survive JSON, dihedral and colour-map round trips and augmentation names parse back.
#include <algorithm>
#include <memory>
#include <set>
#include <vector>

#include "fuzz_common.h"
#include "ptrm/tasks.h"

using namespace ptrm;

namespace {

// Sudoku: every row, column and box holds each digit once, and the question's givens are kept.
bool sudoku_ok(int n, const std::vector<int32_t>& q, const int32_t* a) {
  const int br = n == 9 ? 3 : 2, bc = 3;
  auto digit = [&](int r, int c) { return a[r * n + c] - 1; };
  for (int i = 0; i < n * n; ++i) {
    if (a[i] < 2 || a[i] > n + 1) return false;
    if (q[i] >= 2 && q[i] != a[i]) return false;
  }
  for (int i = 0; i < n; ++i) {
    std::set<int> row, col, box;
    for (int j = 0; j < n; ++j) {
      row.insert(digit(i, j));
      col.insert(digit(j, i));
      box.insert(digit(i / (n / bc) * br + j / bc, i % (n / bc) * bc + j % bc));
    }
    if (row.size() != static_cast<size_t>(n) || col.size() != static_cast<size_t>(n) ||
        box.size() != static_cast<size_t>(n))
      return false;
  }
  return true;
}

void codec_round_trip(const Task& task, std::string_view text, fuzz::Bytes& b) {
  const int L = task.seq_len(), V = task.vocab_size();
  std::vector<int32_t> q;
  if (fuzz::only_ptrm_errors("encode", [&] { q = task.encode(text); })) {
    PTRM_FUZZ_CHECK(static_cast<int>(q.size()) == L, "encode length");
    for (int32_t t : q) PTRM_FUZZ_CHECK(t >= 0 && t < V, "encode token outside the vocabulary");
    std::string d;
    PTRM_FUZZ_CHECK(fuzz::only_ptrm_errors("decode", [&] { d = task.decode(q.data()); }), "decode failed");
    std::vector<int32_t> again;
    // A question decodes to text that encodes back to it (ARC: the cropped grid re-encodes identically).
    PTRM_FUZZ_CHECK(fuzz::only_ptrm_errors("re-encode", [&] { again = task.encode(d); }),
                    task.name() + ": decode(encode(x)) does not encode: " + d.substr(0, 120));
    PTRM_FUZZ_CHECK(again == q, task.name() + ": decode/encode round trip changed the tokens");
    fuzz::only_ptrm_errors("render", [&] { task.render(q.data()); });
  } else {
    q.assign(L, 0);
    for (int i = 0; i < L; ++i) q[i] = b.u8() % V;
  }
  // Arbitrary answers (what a model may output): any token < vocab.
  std::vector<int32_t> a(L);
  for (int i = 0; i < L; ++i) a[i] = b.u8() % V;
  if (b.flag()) {  // or the question itself, often valid for completed puzzles
    a = q;
  }
  std::string d;
  PTRM_FUZZ_CHECK(fuzz::only_ptrm_errors("decode answer", [&] { d = task.decode(a.data()); }), "decode answer failed");
  PTRM_FUZZ_CHECK(fuzz::only_ptrm_errors("render answer", [&] { task.render(a.data()); }), "render answer failed");
  bool valid = false;
  PTRM_FUZZ_CHECK(fuzz::only_ptrm_errors("check", [&] { valid = task.has_checker() && task.check(q, a.data()); }),
                  "check threw");
  if (valid) {
    std::vector<int32_t> again;
    PTRM_FUZZ_CHECK(fuzz::only_ptrm_errors("encode valid answer", [&] { again = task.encode(d); }),
                    task.name() + ": an accepted answer does not encode");
    PTRM_FUZZ_CHECK(again == a, task.name() + ": an accepted answer does not round-trip");
    if (task.name() == "sudoku") PTRM_FUZZ_CHECK(sudoku_ok(task.board(), q, a.data()), "checker accepted a bad sudoku");
    if (task.name() == "maze")
      PTRM_FUZZ_CHECK(maze_shortest_path_len(q.data(), task.board()) >= 0, "checker accepted a maze without a path");
  }
}

void arc_extras(std::string_view text, fuzz::Bytes& b) {
  arc::Grid g;
  if (fuzz::only_ptrm_errors("parse_grid", [&] { g = arc::parse_grid(text); })) {
    PTRM_FUZZ_CHECK(g.rows >= 1 && g.rows <= 30 && g.cols >= 1 && g.cols <= 30 &&
                        g.cells.size() == static_cast<size_t>(g.rows * g.cols),
                    "parse_grid gave an impossible grid");
    PTRM_FUZZ_CHECK(arc::parse_grid(arc::grid_to_json(g)) == g, "grid JSON round trip");
    const auto tokens = arc::encode_grid(g);
    const auto back = arc::decode_grid(tokens.data());
    PTRM_FUZZ_CHECK(back && *back == g, "encode_grid/decode_grid round trip");
    arc::Augmentation aug;
    aug.dihedral_id = b.u8() % 8;
    std::array<uint8_t, 9> perm = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    for (int i = 8; i > 0; --i) std::swap(perm[i], perm[b.u8() % (i + 1)]);
    for (int i = 0; i < 9; ++i) aug.colour_map[i + 1] = perm[i];
    PTRM_FUZZ_CHECK(aug.invert(aug.apply(g)) == g, "augmentation inverse");
    PTRM_FUZZ_CHECK(arc::dihedral(arc::dihedral(g, aug.dihedral_id), arc::kInverseDihedral[aug.dihedral_id]) == g,
                    "dihedral inverse");
    arc::Augmentation named;
    PTRM_FUZZ_CHECK(
        fuzz::only_ptrm_errors("from_name", [&] { named = arc::Augmentation::from_name("t" + aug.name_suffix()); }),
        "augmentation name does not parse: " + aug.name_suffix());
    PTRM_FUZZ_CHECK(named.dihedral_id == aug.dihedral_id && named.colour_map == aug.colour_map, "name round trip");
    arc::Voter v;
    v.add(g, static_cast<float>(static_cast<int8_t>(b.u8())) / 8.0f);
    v.add(aug.apply(g), 0.0f);
    PTRM_FUZZ_CHECK(!v.ranked().empty(), "voter lost its votes");
  }
  fuzz::only_ptrm_errors("parse_task", [&] { arc::parse_task(text); });
  fuzz::only_ptrm_errors("Augmentation::from_name", [&] { arc::Augmentation::from_name(text); });
  std::vector<int32_t> tokens(arc::kCanvas * arc::kCanvas);
  for (auto& t : tokens) t = b.u8() % 12;
  fuzz::only_ptrm_errors("decode_grid", [&] { arc::decode_grid(tokens.data()); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  // Byte 0 picks the codec; the text comes next; answer bytes are drawn from a copy of the same input.
  const uint8_t sel = data[0];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  fuzz::Bytes answer_bytes(data + 1, size - 1);
  std::unique_ptr<Task> task;
  switch (sel % 4) {
    case 0: task = make_task("sudoku", 9); break;
    case 1: task = make_task("sudoku", 6); break;
    case 2: task = make_task("maze", 2 + (sel / 4) % 30); break;
    default: task = make_task("arc", 30); break;
  }
  codec_round_trip(*task, text, answer_bytes);
  if (sel % 4 == 3) arc_extras(text, answer_bytes);
  return 0;
}
