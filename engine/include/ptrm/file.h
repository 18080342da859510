// Files named by users (model, puzzle, data set). Only regular files are read: a FIFO with no writer would block
// forever and a device never ends, so anything else is refused before a blocking open. Sizes are capped before
// anything is allocated.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace ptrm {

class RegularFile {
 public:
  // Error{Io} if `path` is missing, is not a regular file (directory, FIFO, device, socket), cannot be opened, or
  // is larger than max_bytes (`what` names the file's role in that message: "model", "puzzle file", ...).
  RegularFile(const std::string& path, uint64_t max_bytes, const char* what = "file");
  ~RegularFile();
  RegularFile(const RegularFile&) = delete;
  RegularFile& operator=(const RegularFile&) = delete;

  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }
  // Up to n bytes into buf; 0 at the end. Error{Io} on a read error.
  size_t read(void* buf, size_t n);

 private:
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

// The whole file (see RegularFile for the errors).
std::string read_regular_file(const std::string& path, uint64_t max_bytes, const char* what = "file");

}  // namespace ptrm
