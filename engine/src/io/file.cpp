// RegularFile: stat first (a clear message for directories and FIFOs), then a non-blocking open and fstat on the
// descriptor (the path may have changed in between), so no open or read can block on a FIFO.
#include "ptrm/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ptrm/errors.h"

namespace ptrm {
namespace {

[[noreturn]] void io(const std::string& msg) { throw Error(ErrorKind::Io, msg); }

const char* kind_of(mode_t m) {
  if (S_ISDIR(m)) return "a directory";
  if (S_ISFIFO(m)) return "a FIFO (named pipe)";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISSOCK(m)) return "a socket";
  return "not a regular file";
}

void check_regular(const struct stat& st, const std::string& path, uint64_t max_bytes, const char* what) {
  if (!S_ISREG(st.st_mode))
    io("'" + path + "' is " + kind_of(st.st_mode) + "; the " + what + " must be a regular file");
  if (static_cast<uint64_t>(st.st_size) > max_bytes)
    io("'" + path + "' is " + std::to_string(st.st_size) + " bytes; a " + what + " may be at most " +
       std::to_string(max_bytes));
}

}  // namespace

RegularFile::RegularFile(const std::string& path, uint64_t max_bytes, const char* what) : path_(path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    io("cannot open " + std::string(what) + " '" + path + "': " + std::strerror(errno));
  check_regular(st, path, max_bytes, what);
  fd_ = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd_ < 0) io("cannot open " + std::string(what) + " '" + path + "': " + std::strerror(errno));
  if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode) || static_cast<uint64_t>(st.st_size) > max_bytes) {
    ::close(fd_);
    fd_ = -1;
    check_regular(st, path, max_bytes, what);
    io("cannot stat '" + path + "'");
  }
  size_ = static_cast<uint64_t>(st.st_size);
}

RegularFile::~RegularFile() {
  if (fd_ >= 0) ::close(fd_);
}

size_t RegularFile::read(void* buf, size_t n) {
  for (;;) {
    ssize_t got = ::read(fd_, buf, n);
    if (got >= 0) return static_cast<size_t>(got);
    if (errno != EINTR) io("cannot read '" + path_ + "': " + std::strerror(errno));
  }
}

std::string read_regular_file(const std::string& path, uint64_t max_bytes, const char* what) {
  RegularFile f(path, max_bytes, what);
  std::string data(static_cast<size_t>(f.size()), '\0');
  size_t have = 0;
  while (have < data.size()) {
    size_t got = f.read(data.data() + have, data.size() - have);
    if (got == 0) break;  // the file shrank while we read it
    have += got;
  }
  data.resize(have);
  return data;
}

}  // namespace ptrm
