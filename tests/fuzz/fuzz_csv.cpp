// The eval CSV reader on arbitrary bytes. Invariants: only ptrm::Error escapes; the records do not depend on how
// the input is cut into reads (1 byte, odd sizes, all at once); each record has the header's field count and a
// line number that never decreases; a parsed table written back with full quoting parses to the same table.
#include <algorithm>
#include <string>
#include <vector>

#include "cli.h"
#include "fuzz_common.h"

using namespace ptrm;

namespace {

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<int64_t> lines;
  bool operator==(const Table&) const = default;
};

// Reads `text` handing the reader at most `chunk` bytes per call.
bool read_all(std::string_view text, size_t chunk, Table& out) {
  return fuzz::only_ptrm_errors("CsvReader", [&] {
    size_t at = 0;
    cli::CsvReader reader([&](char* buf, size_t n) {
      const size_t k = std::min({n, chunk, text.size() - at});
      std::copy_n(text.data() + at, k, buf);
      at += k;
      return k;
    });
    out.header = reader.header();
    std::vector<std::string> rec;
    int64_t line = 0;
    while (reader.next(rec, line)) {
      out.rows.push_back(rec);
      out.lines.push_back(line);
    }
  });
}

std::string quoted(const std::vector<std::string>& fields) {
  std::string s;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) s += ',';
    s += '"';
    for (char c : fields[i]) s += c == '"' ? std::string("\"\"") : std::string(1, c);
    s += '"';
  }
  return s + "\n";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (1u << 16)) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Table whole;
  const bool ok = read_all(text, SIZE_MAX, whole);
  for (size_t chunk : {size_t{1}, size_t{7}}) {
    Table part;
    PTRM_FUZZ_CHECK(read_all(text, chunk, part) == ok, "chunked read disagrees on validity");
    if (ok) PTRM_FUZZ_CHECK(part == whole, "chunked read gives other records");
  }
  if (!ok) return 0;
  for (size_t r = 0; r < whole.rows.size(); ++r) {
    PTRM_FUZZ_CHECK(whole.rows[r].size() == whole.header.size(), "record width differs from the header");
    PTRM_FUZZ_CHECK(whole.lines[r] >= 2 && (r == 0 || whole.lines[r] > whole.lines[r - 1]), "line numbers");
  }
  // Fully quoted, the same table (blank records excepted: a lone empty unquoted field reads as a blank line).
  std::string again = quoted(whole.header);
  for (const auto& row : whole.rows) again += quoted(row);
  Table back;
  PTRM_FUZZ_CHECK(read_all(again, SIZE_MAX, back), "quoted re-encoding does not parse");
  PTRM_FUZZ_CHECK(back.header == whole.header && back.rows == whole.rows, "quoted re-encoding changed the table");
  cli::Csv csv;
  PTRM_FUZZ_CHECK(fuzz::only_ptrm_errors("parse_csv", [&] { csv = cli::parse_csv(text); }), "parse_csv disagrees");
  PTRM_FUZZ_CHECK(csv.rows == whole.rows && csv.header == whole.header, "parse_csv gives other records");
  return 0;
}
