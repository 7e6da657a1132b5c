// fd::TempFiles: the experiment's private folder and its files.
//
// The folder is made with mkdtemp (mode 0700) under the folder the user chose
// and holds files "0" .. "n-1", file k holding "k\n". It is created before
// anything is timed and removed by the destructor, whatever happened;
// create() stops early when asked to (an interrupt) or when the filesystem
// refuses (ENOSPC, EDQUOT), and says how far it got.
//
// Or the folder is one that exists already, shared with a later suite (make
// bench gives the fd and go suites one, since creating 20,000 files can take
// seconds): create() adds only the files it lacks, and nothing is removed;
// whoever made the folder removes it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace fd {

class TempFiles {
 public:
  // Makes the folder; on failure folder() is empty and error() says why.
  explicit TempFiles(const std::string& parent);
  // Uses `folder`, which must exist; on failure folder() is empty and error()
  // says why.
  struct Shared {};
  TempFiles(const std::string& folder, Shared);
  ~TempFiles();  // remove()
  TempFiles(const TempFiles&) = delete;
  TempFiles& operator=(const TempFiles&) = delete;

  // Creates files up to index n-1. `stop` is asked every few hundred files.
  // Returns the number of files that exist afterwards.
  std::uint64_t create(std::uint64_t n, const std::function<bool()>& stop);

  // Removes every file and the folder (a shared folder: neither, it only
  // lets go of it); safe to call twice.
  void remove();

  bool shared() const { return shared_; }

  const std::string& folder() const { return folder_; }
  int dirfd() const { return dirfd_; }
  std::uint64_t count() const { return count_; }
  const std::string& error() const { return error_; }

 private:
  std::string folder_;
  int dirfd_ = -1;
  std::uint64_t count_ = 0;
  std::string error_;
  bool shared_ = false;
};

}  // namespace fd
