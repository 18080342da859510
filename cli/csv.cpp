// CSV reader for `ptrm eval` data files (the Sudoku-Extreme / Maze-Hard layout: source,question,answer,rating).
// Maze rows hold spaces, so fields may be quoted; quoted fields may also span lines.
#include "cli.h"
#include "ptrm/errors.h"

namespace ptrm::cli {
namespace {

[[noreturn]] void bad(int line, const std::string& what) {
  throw Error(ErrorKind::BadPuzzle, "CSV line " + std::to_string(line) + ": " + what);
}

}  // namespace

int Csv::column(std::string_view name) const {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return static_cast<int>(i);
  return -1;
}

Csv parse_csv(std::string_view text) {
  Csv csv;
  std::vector<std::string> record;
  std::string field;
  int line = 1, record_line = 1;
  bool quoted = false;      // inside a quoted field
  bool was_quoted = false;  // current field was quoted (only a separator may follow the closing quote)
  bool any = false;         // the current record has content (blank lines are skipped)

  auto end_record = [&]() {
    record.push_back(std::move(field));
    field.clear();
    if (!any) {  // blank line
      record.clear();
      return;
    }
    if (csv.header.empty()) {
      csv.header = std::move(record);
    } else {
      if (record.size() != csv.header.size())
        bad(record_line, "expected " + std::to_string(csv.header.size()) + " fields like the header, got " +
                             std::to_string(record.size()));
      csv.rows.push_back(std::move(record));
      csv.lines.push_back(record_line);
    }
    record.clear();
    any = false;
  };

  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\0') bad(line, "NUL byte (not a text file?)");
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (was_quoted && c != ',' && c != '\n' && c != '\r') bad(line, "text after a closing quote");
    switch (c) {
      case '"':
        if (!field.empty()) bad(line, "quote inside an unquoted field");
        quoted = was_quoted = any = true;
        break;
      case ',':
        record.push_back(std::move(field));
        field.clear();
        was_quoted = false;
        any = true;
        break;
      case '\r':
        if (i + 1 < text.size() && text[i + 1] == '\n') break;  // CRLF: the \n ends the record
        bad(line, "stray carriage return");
      case '\n':
        end_record();
        was_quoted = false;
        record_line = ++line;
        break;
      default:
        field += c;
        any = true;
    }
  }
  if (quoted) bad(record_line, "unterminated quoted field");
  end_record();
  if (csv.header.empty()) throw Error(ErrorKind::BadPuzzle, "CSV is empty (expected a header line)");
  return csv;
}

}  // namespace ptrm::cli
