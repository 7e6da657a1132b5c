// One isolated stack attempt: a forked child recurses through one strategy
// until its stack runs out, and the parent, which never shares its fate,
// reports the depth reached and how the child ended.
//
// The child: no core dumps (RLIMIT_CORE 0), an address-space limit so that
// running out of heap is an ENOMEM it reports rather than the OOM killer's
// pick among the machine's processes, SIGKILL if the parent dies, an
// alternate signal stack and a SIGSEGV/SIGBUS handler that records the fault
// and _exit()s. It recurses on its own main thread, whose stack is the
// process default (RLIMIT_STACK), or on a thread whose stack is a mapping of
// exactly the requested size above a PROT_NONE guard.
//
// The parent: waits with a bound and kills the child past it; SIGINT or
// SIGTERM (see install_interrupt_handlers) kills the child and returns at
// once. Every path reaps the child and unmaps the shared page.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "stack/outcome.h"
#include "stack/recursion.h"

namespace stack_suite {

// Below a mapped stack: large enough that no frame can step over it.
inline constexpr std::uint64_t kGuardBytes = 64 * 1024;
// Below the main thread's stack the kernel keeps a gap (stack_guard_gap,
// 256 pages by default) that no mapping may enter; a fault there is the
// stack running out.
inline constexpr std::uint64_t kMainStackGuardGapBytes = 1ull << 20;

struct AttemptSpec {
  const Recursion* recursion = nullptr;
  std::uint64_t stack_bytes = 0;
  bool on_main_stack = false;  // the child's own main thread (stack_bytes is RLIMIT_STACK)
  std::optional<std::uint64_t> address_space_limit_bytes;  // the child's RLIMIT_AS
  double timeout_s = 120;
};

struct AttemptResult {
  Classified classified{Outcome::setup_failed, ""};
  std::uint64_t depth = 0;
  std::optional<std::int64_t> overflow_ns;  // first frame to the fault (child's clock)
  std::int64_t wall_ns = 0;                 // fork to reap, as the parent saw it
  std::optional<std::uint64_t> peak_rss_bytes;
  std::optional<std::int64_t> cpu_ns;
  std::optional<std::uint64_t> minor_faults;
  // Scaled totals of the perf events counted over the recursion (user and
  // kernel mode: stack growth is page faults), by requested name.
  std::vector<std::pair<std::string, double>> perf_totals;
  std::uint64_t usable_stack_bytes = 0;     // what the child found it had
  bool interrupted = false;                 // SIGINT/SIGTERM arrived; the child was killed
};

AttemptResult run_attempt(const AttemptSpec& spec);

// The perf events (libpfm4 names, at most kMaxPerfEvents) every later
// attempt counts; set once, before the first attempt.
void set_perf_events(std::vector<std::string> events);

// SIGINT and SIGTERM set a flag (no SA_RESTART, so a wait wakes up) that
// run_attempt and the caller check; interrupt_signal() is 0 until one comes.
void install_interrupt_handlers();
int interrupt_signal() noexcept;

}  // namespace stack_suite
