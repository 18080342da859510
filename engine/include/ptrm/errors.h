// Typed engine errors. Every failure the engine can report maps to one ErrorKind, which the CLI turns into an
// exit code and the JS layer into a PtrmError subclass.
#pragma once

#include <stdexcept>
#include <string>

namespace ptrm {

enum class ErrorKind { BadModel, BadPuzzle, BadOptions, Cancelled, Io, Internal };

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string message) : std::runtime_error(std::move(message)), kind_(kind) {}
  ErrorKind kind() const noexcept { return kind_; }

 private:
  ErrorKind kind_;
};

// Stable names ("BadModel", ...) shared with the JS error classes and the CLI's --json output.
inline const char* error_kind_name(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::BadModel: return "BadModel";
    case ErrorKind::BadPuzzle: return "BadPuzzle";
    case ErrorKind::BadOptions: return "BadOptions";
    case ErrorKind::Cancelled: return "Cancelled";
    case ErrorKind::Io: return "Io";
    case ErrorKind::Internal: return "Internal";
  }
  return "Internal";
}

// Process exit codes of the `ptrm` CLI (docs/design.md). 0 is success and is never returned here.
inline int exit_code(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::BadOptions: return 2;
    case ErrorKind::BadModel: return 3;
    case ErrorKind::BadPuzzle: return 4;
    case ErrorKind::Io: return 5;
    case ErrorKind::Cancelled: return 6;
    case ErrorKind::Internal: return 1;
  }
  return 1;
}

}  // namespace ptrm
