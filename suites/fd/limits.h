// fd::Limits: what bounds the number of files one process can hold open.
//
// Four kernel figures and two facts about the filesystem decide how many
// files the experiment can open at once:
//   RLIMIT_NOFILE soft  a process may raise it up to the hard limit itself
//                       (Go's runtime does at start-up; the measuring child
//                       does too);
//   RLIMIT_NOFILE hard  only a process with CAP_SYS_RESOURCE may raise it;
//   fs.nr_open          no RLIMIT_NOFILE may exceed it, capability or not;
//   fs.file-max         the system-wide count of open files; processes with
//                       CAP_SYS_ADMIN are exempt (alloc_empty_file);
//   free inodes and free space where the files are created.
// Every figure is read, never written: the suite changes no system setting.
// A figure that cannot be read is absent (std::nullopt), never zero.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fd {

// Descriptors kept free beyond those open when the limits were read: the
// result pipe, the folder's descriptor, /proc/self/status, the signalfd.
inline constexpr std::uint64_t kSpareDescriptors = 8;

// Capability bits (linux/capability.h), named here to test the parser.
inline constexpr int kCapSysAdmin = 21;
inline constexpr int kCapSysResource = 24;

struct Limits {
  std::optional<std::uint64_t> file_max;      // /proc/sys/fs/file-max
  std::optional<std::uint64_t> files_in_use;  // /proc/sys/fs/file-nr, first
  std::optional<std::uint64_t> nr_open;       // /proc/sys/fs/nr_open
  std::uint64_t nofile_soft = 0;              // RLIMIT_NOFILE
  std::uint64_t nofile_hard = 0;
  std::optional<bool> cap_sys_resource;  // from CapEff in /proc/self/status
  std::optional<bool> cap_sys_admin;
  std::string dir;                            // where the files go
  std::optional<std::uint64_t> free_inodes;   // statvfs f_favail (if reported)
  std::optional<std::uint64_t> free_bytes;    // f_bavail * f_frsize
  std::uint64_t block_bytes = 4096;           // f_frsize: one file takes one
  std::uint64_t open_descriptors = 0;         // in this process when read

  // Descriptors the harness keeps for itself in a measuring child.
  std::uint64_t headroom() const { return open_descriptors + kSpareDescriptors; }
};

// Descriptors this process has open now.
std::uint64_t count_open_descriptors();

// Reads every limit for files created under `dir`.
Limits read_limits(const std::string& dir);

// Parsers of the /proc formats, separate so tests can feed them text.
std::optional<std::uint64_t> parse_count(std::string_view text);
std::optional<std::uint64_t> parse_file_nr_in_use(std::string_view text);
std::optional<bool> parse_cap_eff_bit(std::string_view proc_status, int bit);

// What stops a run with `n` files, in the order it would bite.
enum class Bound {
  none,
  nr_open,       // no process may hold n: refused before anything is created
  disk_inodes,   // refused too: the files cannot all be created
  disk_space,
  rlimit_hard,   // measurable elsewhere: recorded as not measured here
  file_max,
};

struct Verdict {
  Bound bound = Bound::none;
  std::string message;  // which limit, its value, and what it would take
  bool refuse() const {
    return bound == Bound::nr_open || bound == Bound::disk_inodes ||
           bound == Bound::disk_space;
  }
};

Verdict check(const Limits& limits, std::uint64_t n);

// The largest n that check() lets through (0 when none).
std::uint64_t largest_n(const Limits& limits);

std::string_view name(Bound b);

}  // namespace fd
