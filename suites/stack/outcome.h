// How one stack attempt ended, decided from what the child left behind.
//
// The child writes a ChildReport into a page it shares with the parent: the
// depth it reached (one increment per recursion frame, so it is there however
// the child dies), its stack's bounds, and, from its signal handler or its
// new-handler, how it stopped. The parent adds what only it knows (the wait
// status, whether it killed the child itself) and classify() names the
// outcome. classify() is pure, so every branch is unit-tested.
//
// Invariants: the child writes `state` last, after every field it covers;
// an overflow is a SIGSEGV or SIGBUS whose address lies in the guard region
// below the stack or in the stack itself, anything else is a crash.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace stack_suite {

enum class ChildState : std::uint32_t {
  not_started,    // the child never reached its set-up (fork failed, or it died at once)
  recursing,      // set-up done, recursion under way (a child killed now stays here)
  faulted,        // the SIGSEGV/SIGBUS handler ran
  out_of_memory,  // operator new found no memory
  setup_failed,   // mmap, mprotect, sigaltstack or pthread_create failed
  returned,       // the recursion returned, which it never should
};

// The page shared between parent and child. Lock-free atomics only, so the
// child's signal handler may write it.
// Perf events counted by the recursing thread, at most this many.
inline constexpr std::size_t kMaxPerfEvents = 16;

// Raw perf readings (value, time enabled, time running) per requested event,
// copied into the shared page by the child; the parent scales them.
struct PerfRaw {
  std::uint64_t value[kMaxPerfEvents];
  std::uint64_t enabled[kMaxPerfEvents];
  std::uint64_t running[kMaxPerfEvents];
};

struct ChildReport {
  std::atomic<std::uint64_t> depth;  // recursion frames entered
  std::atomic<ChildState> state;
  std::int32_t fault_signal;
  std::int32_t setup_errno;
  std::uint64_t fault_address;
  std::uint64_t guard_low;   // lowest address that counts as running off the stack
  std::uint64_t stack_low;   // the usable stack: [stack_low, stack_high)
  std::uint64_t stack_high;
  std::int64_t start_ns;     // CLOCK_MONOTONIC, just before the first frame
  std::int64_t end_ns;       // CLOCK_MONOTONIC, in the handler that stopped it
  char setup_step[32];       // which set-up call failed
  // Bit k: requested event k was counted, and perf_start/perf_end hold its
  // readings just before the first frame and in the handler that stopped it.
  std::uint32_t perf_counted;
  std::atomic<std::uint32_t> perf_end_valid;
  PerfRaw perf_start;
  PerfRaw perf_end;
};
static_assert(std::atomic<std::uint64_t>::is_always_lock_free);
static_assert(std::atomic<ChildState>::is_always_lock_free);

enum class Outcome {
  overflow,       // the stack ran out and the fault was caught: the result sought
  out_of_memory,  // the heap ran out first (heap-record strategies)
  killed,         // a signal the child did not catch (SIGKILL: often the OOM killer)
  timeout,        // no end within the bound; the parent killed it
  crashed,        // a fault outside the stack, or an exit nobody planned
  setup_failed,   // the attempt never started recursing
};

std::string_view name(Outcome o) noexcept;

// Everything classify() looks at, copied out of the shared page.
struct ChildFacts {
  ChildState state = ChildState::not_started;
  int wait_status = 0;          // from wait4
  bool killed_on_timeout = false;
  int fault_signal = 0;
  std::uint64_t fault_address = 0;
  std::uint64_t guard_low = 0;
  std::uint64_t stack_high = 0;
  int setup_errno = 0;
  std::string setup_step;
};

struct Classified {
  Outcome outcome;
  std::string detail;  // one line for people; empty for a plain overflow
};

Classified classify(const ChildFacts& facts);

}  // namespace stack_suite
