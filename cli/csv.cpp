// CSV reader for `ptrm eval` data files (the Sudoku-Extreme / Maze-Hard layout: source,question,answer,rating).
// Maze rows hold spaces, so fields may be quoted; quoted fields may also span lines. Records are read one at a
// time from a byte source, so a data set of any length costs one record of memory.
#include <algorithm>

#include "cli.h"
#include "ptrm/errors.h"

namespace ptrm::cli {
namespace {

[[noreturn]] void bad(int64_t line, const std::string& what) {
  throw Error(ErrorKind::BadPuzzle, "CSV line " + std::to_string(line) + ": " + what);
}

}  // namespace

CsvReader::CsvReader(Source source) : source_(std::move(source)), buf_(kChunk) {
  int64_t line = 0;
  if (!read_record(header_, line)) throw Error(ErrorKind::BadPuzzle, "CSV is empty (expected a header line)");
}

int CsvReader::column(std::string_view name) const {
  for (size_t i = 0; i < header_.size(); ++i)
    if (header_[i] == name) return static_cast<int>(i);
  return -1;
}

bool CsvReader::next(std::vector<std::string>& record, int64_t& line) {
  if (!read_record(record, line)) return false;
  if (record.size() != header_.size())
    bad(line,
        "expected " + std::to_string(header_.size()) + " fields like the header, got " + std::to_string(record.size()));
  return true;
}

int CsvReader::peek() {
  if (pos_ == len_) {
    if (eof_) return -1;
    pos_ = 0;
    len_ = source_(buf_.data(), buf_.size());
    if (len_ == 0) {
      eof_ = true;
      return -1;
    }
  }
  return static_cast<unsigned char>(buf_[pos_]);
}

// One record (blank lines skipped); false at the end of the input. line = the record's first source line.
bool CsvReader::read_record(std::vector<std::string>& record, int64_t& record_line) {
  record.clear();
  std::string field;
  size_t bytes = 0;
  bool quoted = false;      // inside a quoted field
  bool was_quoted = false;  // current field was quoted (only a separator may follow the closing quote)
  bool any = false;         // the current record has content (blank lines are skipped)
  record_line = line_;
  for (;;) {
    int ch = peek();
    if (ch < 0) break;
    ++pos_;
    const char c = static_cast<char>(ch);
    if (++bytes > kMaxRecordBytes) bad(record_line, "record longer than " + std::to_string(kMaxRecordBytes) + " bytes");
    if (c == '\0') bad(line_, "NUL byte (not a text file?)");
    if (quoted) {
      if (c == '"') {
        if (peek() == '"') {
          field += '"';
          ++pos_;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line_;
        field += c;
      }
      continue;
    }
    if (was_quoted && c != ',' && c != '\n' && c != '\r') bad(line_, "text after a closing quote");
    switch (c) {
      case '"':
        if (!field.empty()) bad(line_, "quote inside an unquoted field");
        quoted = was_quoted = any = true;
        break;
      case ',':
        record.push_back(std::move(field));
        field.clear();
        was_quoted = false;
        any = true;
        break;
      case '\r':
        if (peek() == '\n') break;  // CRLF: the \n ends the record
        bad(line_, "stray carriage return");
      case '\n':
        ++line_;
        if (!any) {  // blank line
          record.clear();
          field.clear();
          was_quoted = false;
          record_line = line_;
          bytes = 0;
          break;
        }
        record.push_back(std::move(field));
        return true;
      default: field += c; any = true;
    }
  }
  if (quoted) bad(record_line, "unterminated quoted field");
  if (!any) return false;
  record.push_back(std::move(field));
  return true;
}

Csv parse_csv(std::string_view text) {
  size_t at = 0;
  CsvReader reader([&](char* buf, size_t n) {
    const size_t k = std::min(n, text.size() - at);
    std::copy_n(text.data() + at, k, buf);
    at += k;
    return k;
  });
  Csv csv;
  csv.header = reader.header();
  std::vector<std::string> record;
  int64_t line = 0;
  while (reader.next(record, line)) {
    csv.rows.push_back(record);
    csv.lines.push_back(line);
  }
  return csv;
}

}  // namespace ptrm::cli
