#include "fd/temp_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "fd/open_close.h"

namespace fd {

TempFiles::TempFiles(const std::string& parent) {
  std::string pattern = parent + "/deferbench-fd-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) {
    error_ = "cannot create a folder in " + parent + ": " + std::strerror(errno);
    return;
  }
  folder_ = buf.data();
  dirfd_ = ::open(folder_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd_ < 0) {
    error_ = "cannot open " + folder_ + ": " + std::strerror(errno);
    remove();
  }
}

TempFiles::TempFiles(const std::string& folder, Shared) : shared_(true) {
  dirfd_ = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd_ < 0) {
    error_ = "cannot open the shared folder " + folder + ": " + std::strerror(errno);
    return;
  }
  folder_ = folder;
}

TempFiles::~TempFiles() { remove(); }

std::uint64_t TempFiles::create(std::uint64_t n, const std::function<bool()>& stop) {
  for (; count_ < n && dirfd_ >= 0; ++count_) {
    if (count_ % 256 == 0 && stop()) {
      error_ = "interrupted";
      break;
    }
    char name[24];
    file_name(count_, name);
    const int f = ::openat(dirfd_, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    // A shared folder's file was made by an earlier suite; the children check
    // what they read back, so a file that is not ours cannot pass unseen.
    if (f < 0 && errno == EEXIST && shared_) continue;
    if (f < 0) {
      error_ = "creating file " + std::to_string(count_) + " in " + folder_ + ": " +
               std::strerror(errno);
      break;
    }
    char text[25];
    std::memcpy(text, name, sizeof name);
    const std::size_t len = std::strlen(name);
    text[len] = '\n';
    const bool wrote = ::write(f, text, len + 1) == static_cast<ssize_t>(len + 1);
    const int saved = errno;
    const bool closed = ::close(f) == 0;
    if (!wrote || !closed) {
      ::unlinkat(dirfd_, name, 0);
      error_ = "writing file " + std::to_string(count_) + " in " + folder_ + ": " +
               std::strerror(wrote ? errno : saved);
      break;
    }
  }
  return count_;
}

void TempFiles::remove() {
  if (dirfd_ >= 0) {
    ::close(dirfd_);
    dirfd_ = -1;
  }
  if (!folder_.empty() && !shared_) {
    std::error_code ec;
    std::filesystem::remove_all(folder_, ec);
  }
  folder_.clear();
}

}  // namespace fd
