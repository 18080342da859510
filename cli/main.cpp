// `ptrm` entry point: dispatches to a subcommand and turns every error into one stderr line and the exit code of
// docs/design.md (ptrm::exit_code; `ptrm --help` lists them).
#include <cstdio>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include "cli.h"
#include "ptrm/errors.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + (argc > 1 ? 2 : argc), argv + argc);
  std::string command = argc > 1 ? argv[1] : "";
  try {
    if (const ptrm::cli::Command* c = ptrm::cli::find_command(command)) {
      // `ptrm CMD --help` anywhere among CMD's words: that command's options, from their declarations.
      for (const std::string& a : args)
        if (a == "--help" || a == "-h") {
          std::fputs(ptrm::cli::command_help(*c).c_str(), stdout);
          return 0;
        }
      return c->run(args);
    }
    if (command == "--help" || command == "-h" || command == "help") {
      std::fputs(ptrm::cli::usage().c_str(), stdout);
      return 0;
    }
    std::fprintf(stderr, "ptrm: BadOptions: %s (try ptrm --help)\n",
                 command.empty() ? "missing subcommand" : ("unknown subcommand '" + command + "'").c_str());
    return ptrm::exit_code(ptrm::ErrorKind::BadOptions);
  } catch (const ptrm::Error& e) {
    std::fprintf(stderr, "ptrm %s: %s: %s\n", command.c_str(), ptrm::error_kind_name(e.kind()), e.what());
    return ptrm::exit_code(e.kind());
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "ptrm %s: Internal: out of memory\n", command.c_str());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ptrm %s: Internal: %s\n", command.c_str(), e.what());
    return 1;
  }
}
