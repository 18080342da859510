// Sudoku codec (official build_sudoku_dataset.py token map: PAD 0, blank 1, digit d -> d+1) and checker.
#include <string>

#include "codecs.h"
#include "ptrm/errors.h"

namespace ptrm {
namespace {

class SudokuTask final : public Task {
 public:
  explicit SudokuTask(int side) : n_(side), box_rows_(side == 9 ? 3 : 2), box_cols_(3) {}

  std::string name() const override { return "sudoku"; }
  int board() const override { return n_; }
  int seq_len() const override { return n_ * n_; }
  int vocab_size() const override { return n_ + 2; }

  std::vector<int32_t> encode(std::string_view text) const override {
    std::vector<int32_t> tokens;
    tokens.reserve(seq_len());
    for (size_t i = 0; i < text.size(); ++i) {
      char ch = text[i];
      if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') continue;
      int32_t tok;
      if (ch == '.' || ch == '0') tok = 1;
      else if (ch >= '1' && ch < '1' + n_) tok = ch - '0' + 1;
      else
        throw Error(ErrorKind::BadPuzzle, "sudoku: illegal character " + describe(ch) + " at position " +
                                              std::to_string(i) + " (expected '.', '0' or a digit 1-" +
                                              std::to_string(n_) + ")");
      if (static_cast<int>(tokens.size()) == seq_len())
        throw Error(ErrorKind::BadPuzzle, "sudoku: too many cells (expected " + std::to_string(seq_len()) + ")");
      tokens.push_back(tok);
    }
    if (static_cast<int>(tokens.size()) != seq_len())
      throw Error(ErrorKind::BadPuzzle,
                  "sudoku: expected " + std::to_string(seq_len()) + " cells, got " + std::to_string(tokens.size()));
    std::string conflict = first_conflict(tokens.data());
    if (!conflict.empty()) throw Error(ErrorKind::BadPuzzle, "sudoku: givens conflict: " + conflict);
    return tokens;
  }

  std::string decode(const int32_t* tokens) const override {
    std::string out;
    for (int i = 0; i < seq_len(); ++i) out += cell_char(tokens[i]);
    return out;
  }

  bool has_checker() const override { return true; }

  bool check(const std::vector<int32_t>& question, const int32_t* answer) const override {
    if (static_cast<int>(question.size()) != seq_len())
      throw Error(ErrorKind::Internal, "sudoku check: question has " + std::to_string(question.size()) + " tokens");
    for (int i = 0; i < seq_len(); ++i) {
      if (answer[i] < 2 || answer[i] > n_ + 1) return false;
      if (question[i] >= 2 && question[i] != answer[i]) return false;
    }
    return first_conflict(answer).empty();
  }

  std::string render(const int32_t* tokens) const override {
    std::string out;
    for (int r = 0; r < n_; ++r) {
      std::string line;
      for (int c = 0; c < n_; ++c) {
        if (c > 0) line += c % box_cols_ == 0 ? " | " : " ";
        line += cell_char(tokens[r * n_ + c]);
      }
      if (r > 0 && r % box_rows_ == 0) {
        std::string sep = line;
        for (char& ch : sep) ch = ch == '|' ? '+' : '-';
        out += sep + '\n';
      }
      out += line + '\n';
    }
    return out;
  }

 private:
  static std::string describe(char ch) {
    unsigned char u = static_cast<unsigned char>(ch);
    if (u >= 0x20 && u < 0x7F) return std::string("'") + ch + "'";
    return "byte 0x" + std::string(1, "0123456789abcdef"[u >> 4]) + "0123456789abcdef"[u & 15];
  }

  char cell_char(int32_t tok) const {
    if (tok == 1) return '.';
    if (tok >= 2 && tok <= n_ + 1) return static_cast<char>('0' + tok - 1);
    return '?';
  }

  // Description of the first repeated digit in a row, column or box ("" if none); blank cells are skipped.
  std::string first_conflict(const int32_t* t) const {
    auto scan = [&](const char* unit, int index, auto cell_of) -> std::string {
      unsigned seen = 0;
      for (int k = 0; k < n_; ++k) {
        int32_t tok = t[cell_of(k)];
        if (tok < 2) continue;
        unsigned bit = 1u << (tok - 2);
        if (seen & bit)
          return "digit " + std::to_string(tok - 1) + " appears twice in " + unit + " " + std::to_string(index + 1);
        seen |= bit;
      }
      return "";
    };
    for (int i = 0; i < n_; ++i) {
      std::string m = scan("row", i, [&](int k) { return i * n_ + k; });
      if (m.empty()) m = scan("column", i, [&](int k) { return k * n_ + i; });
      if (m.empty()) {
        int br = (i / (n_ / box_cols_)) * box_rows_, bc = (i % (n_ / box_cols_)) * box_cols_;
        m = scan("box", i, [&](int k) { return (br + k / box_cols_) * n_ + bc + k % box_cols_; });
      }
      if (!m.empty()) return m;
    }
    return "";
  }

  int n_, box_rows_, box_cols_;
};

}  // namespace

std::unique_ptr<Task> detail::make_sudoku_task(int side) { return std::make_unique<SudokuTask>(side); }

}  // namespace ptrm
