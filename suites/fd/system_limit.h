// fd::fill_file_table: the opt-in system-wide experiment (FD_SYSTEM=1).
//
// Article A compares N with fs.file-max, the kernel's count of open files
// for the whole system. One process cannot reach it (RLIMIT_NOFILE stops it
// first), so this starts processes one after another, each opening
// /dev/null up to its own limit, until the kernel refuses with ENFILE. It
// shows the limit biting; it is not a timing.
//
// Bounded and cleaned up:
//   - the plan is computed, and refused with one line, before any process
//     starts: file-max must be readable, the processes needed at most
//     kMaxProcesses, and the kernel memory for the files (kKernelBytesPerFile
//     each, generous) at most half of MemAvailable;
//   - processes with CAP_SYS_ADMIN are exempt from file-max, so a child run
//     by root drops to the nobody user first, and checks that the capability
//     is gone; the parent, still privileged, is never refused a file;
//   - every child holds its files only until the parent has seen ENFILE (or
//     an error, a timeout or an interrupt), then all exit; each also dies
//     with the parent (PR_SET_PDEATHSIG). Nothing is written to the system:
//     while the table is full, other unprivileged processes may see ENFILE
//     for that moment, which is why it is opt-in.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "fd/interrupts.h"
#include "fd/limits.h"

namespace fd {

inline constexpr std::uint64_t kMaxProcesses = 1024;
inline constexpr std::uint64_t kKernelBytesPerFile = 1024;
// Files each child leaves free below its RLIMIT_NOFILE, and files asked for
// beyond file-max, so that the last child meets ENFILE rather than its limit.
inline constexpr std::uint64_t kChildHeadroom = 16;
inline constexpr std::uint64_t kOvershoot = 1000;

struct SystemPlan {
  std::uint64_t file_max = 0;
  std::uint64_t in_use = 0;        // file-nr when planned
  std::uint64_t per_process = 0;   // files each child opens at most
  std::uint64_t processes = 0;     // children needed to pass file-max
  std::string refusal;             // why not, in one line; empty when it may run
};

// The plan from the limits and the memory available (bytes, if readable).
SystemPlan plan_file_table(const Limits& limits, std::optional<std::uint64_t> mem_available,
                           std::uint64_t nproc_limit, bool can_drop_privileges);

struct SystemOutcome {
  std::uint64_t processes = 0;       // children started
  std::uint64_t files_opened = 0;    // by all of them
  std::uint64_t peak_in_use = 0;     // the highest file-nr read meanwhile
  int first_errno = 0;               // of the first open that failed
  bool enfile = false;               // the kernel said "Too many open files in system"
  std::string stopped_by;            // what ended it, in words
  double seconds = 0;
};

// Runs the plan. Returns with every child gone; an interrupt is left pending
// in `interrupts` for the caller to re-raise.
SystemOutcome fill_file_table(const SystemPlan& plan, Interrupts& interrupts);

// MemAvailable from /proc/meminfo, in bytes.
std::optional<std::uint64_t> mem_available_bytes();

}  // namespace fd
