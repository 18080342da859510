// The CLI's CSV reader (cli/csv.cpp) on tests/cases/csv.json, the cases the page's reader (web/app/csv.js,
// tests/js/csv.test.js) is tested against too: one grammar, the same rows and messages in both.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli.h"
#include "expect_error.h"
#include "ptrm/json.h"

namespace {

std::vector<std::string> strings(const ptrm::Json& a) {
  std::vector<std::string> out;
  for (const ptrm::Json& s : a.as_array()) out.push_back(s.as_string());
  return out;
}

}  // namespace

TEST(Csv, ReadsTheSharedCasesLikeThePage) {
  std::ifstream in(std::string(PTRM_SOURCE_DIR) + "/tests/cases/csv.json", std::ios::binary);
  ASSERT_TRUE(in);
  std::stringstream text;
  text << in.rdbuf();
  const ptrm::Json doc = ptrm::Json::parse(text.str());
  int n = 0;
  for (const ptrm::Json& c : doc.find("cases")->as_array()) {
    SCOPED_TRACE(c.find("name")->as_string());
    const std::string input = c.find("text")->as_string();
    if (const ptrm::Json* error = c.find("error")) {
      EXPECT_PTRM_ERROR(ptrm::cli::parse_csv(input), BadPuzzle, error->as_string());
    } else {
      const ptrm::cli::Csv csv = ptrm::cli::parse_csv(input);
      EXPECT_EQ(csv.header, strings(*c.find("header")));
      std::vector<std::vector<std::string>> rows;
      for (const ptrm::Json& r : c.find("rows")->as_array()) rows.push_back(strings(r));
      EXPECT_EQ(csv.rows, rows);
      std::vector<int64_t> lines;
      for (const ptrm::Json& l : c.find("lines")->as_array()) lines.push_back(static_cast<int64_t>(l.as_number()));
      EXPECT_EQ(std::vector<int64_t>(csv.lines.begin(), csv.lines.end()), lines);
    }
    ++n;
  }
  EXPECT_GE(n, 10);
}
