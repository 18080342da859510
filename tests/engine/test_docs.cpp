// docs/design.md against the code it describes: its CLI block is `ptrm --help` verbatim, and every subcommand's
// own --help (printed from the same option declarations the parser uses) works.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cctype>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace {

struct Output {
  int code = -1;
  std::string out;
};

Output run_cli(const std::string& args) {
  Output r;
  FILE* p = popen(("'" + std::string(PTRM_CLI) + "' " + args + " 2>/dev/null").c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string design_md() {
  std::ifstream in(std::string(PTRM_SOURCE_DIR) + "/docs/design.md", std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The first ```text block after `heading`, without the fences.
std::string block_after(const std::string& doc, const std::string& heading) {
  const size_t h = doc.find(heading);
  if (h == std::string::npos) return "(no heading '" + heading + "')";
  const std::string fence = "```text\n";
  const size_t a = doc.find(fence, h);
  const size_t b = a == std::string::npos ? a : doc.find("```", a + fence.size());
  if (b == std::string::npos) return "(no ```text block after '" + heading + "')";
  return doc.substr(a + fence.size(), b - a - fence.size());
}

}  // namespace

TEST(Docs, DesignCliSectionIsTheRealHelp) {
  const Output help = run_cli("--help");
  ASSERT_EQ(help.code, 0);
  EXPECT_EQ(block_after(design_md(), "## CLI (native `ptrm`)"), help.out)
      << "docs/design.md's CLI block differs from `ptrm --help`: run /usr/bin/python3 scripts/sync_cli_docs.py";
}

TEST(Docs, EverySubcommandHasHelpListingItsOptions) {
  const std::string usage = run_cli("--help").out;
  for (const char* cmd : {"solve", "eval", "bench"}) {
    SCOPED_TRACE(cmd);
    const Output help = run_cli(std::string(cmd) + " --help");
    EXPECT_EQ(help.code, 0);
    EXPECT_EQ(help.out.rfind(std::string("usage: ptrm ") + cmd + " ", 0), 0u) << help.out;
    // Each option of the command's synopsis in `ptrm --help` has a line of its own in `ptrm CMD --help`.
    const size_t from = usage.find(std::string("  ptrm ") + cmd + " ");
    ASSERT_NE(from, std::string::npos);
    // The synopsis: its first line and the continuation lines indented beyond "  ptrm ".
    size_t to = usage.find('\n', from);
    while (to != std::string::npos && usage.compare(to + 1, 4, "    ") == 0) to = usage.find('\n', to + 1);
    const std::string synopsis = usage.substr(from, to - from);
    int options = 0;
    for (size_t p = synopsis.find("--"); p != std::string::npos; p = synopsis.find("--", p + 2)) {
      size_t e = p + 2;
      while (e < synopsis.size() && (std::isalnum(static_cast<unsigned char>(synopsis[e])) || synopsis[e] == '-')) ++e;
      EXPECT_NE(help.out.find("\n  " + synopsis.substr(p, e - p) + " "), std::string::npos)
          << synopsis.substr(p, e - p);
      ++options;
    }
    EXPECT_GE(options, 5);
  }
}
