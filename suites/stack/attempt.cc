// The forked child of a stack attempt, and the parent's side of it (see
// stack/attempt.h).
#include "stack/attempt.h"

#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <new>

#include "perf_counters.h"

namespace stack_suite {
namespace {

volatile std::sig_atomic_t g_interrupt_signal = 0;

void on_interrupt(int sig) { g_interrupt_signal = sig; }

std::int64_t now_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// ---- the child ----------------------------------------------------------

// Exit statuses of the child; classify() reads the report, these only make
// a stray exit recognisable in a debugger.
constexpr int kExitFaulted = 70;
constexpr int kExitOutOfMemory = 71;
constexpr int kExitSetupFailed = 72;
constexpr int kExitReturned = 73;
constexpr int kExitOrphaned = 74;

constexpr std::size_t kAltStackBytes = 64 * 1024;

ChildReport* g_report = nullptr;  // the child's view of the shared page

std::vector<std::string>& perf_events() {
  static std::vector<std::string> events;
  return events;
}

// The recursing thread's counters, and where each counted event goes in the
// report. Set up before the first frame; the fault handler only reads them.
const harness::PerfCounters* g_counters = nullptr;
harness::PerfCounters::Snapshot* g_perf_end = nullptr;  // sized in advance
std::size_t g_perf_slot[kMaxPerfEvents];                  // counted i -> requested k

void copy_perf(const harness::PerfCounters::Snapshot& snap, PerfRaw& into) {
  for (std::size_t i = 0; i < snap.value.size() && i < kMaxPerfEvents; ++i) {
    const std::size_t k = g_perf_slot[i];
    into.value[k] = snap.value[i];
    into.enabled[k] = snap.enabled[i];
    into.running[k] = snap.running[i];
  }
}

// From the fault handler too: read() is async-signal-safe, the snapshot is
// already sized, and nothing here allocates (a fault inside malloc must not
// deadlock in it).
void record_perf_end() {
  if (g_counters == nullptr) return;
  g_counters->read(*g_perf_end);
  copy_perf(*g_perf_end, g_report->perf_end);
  g_report->perf_end_valid.store(1, std::memory_order_release);
}

// Opens the counters on the calling (recursing) thread: a forked child's
// inherited descriptors count the parent, and a new thread is not counted
// by its creator's.
void start_perf() {
  if (perf_events().empty()) return;
  static const harness::PerfCounters counters =
      harness::PerfCounters::open(perf_events(), /*count_kernel=*/true);
  if (counters.empty()) return;
  const auto& counted = counters.counted_names();
  for (std::size_t i = 0; i < counted.size() && i < kMaxPerfEvents; ++i) {
    for (std::size_t k = 0; k < perf_events().size() && k < kMaxPerfEvents; ++k) {
      if (perf_events()[k] == counted[i]) {
        g_perf_slot[i] = k;
        g_report->perf_counted |= 1u << k;
      }
    }
  }
  static harness::PerfCounters::Snapshot end = counters.read();
  g_perf_end = &end;
  g_counters = &counters;
  copy_perf(counters.read(), g_report->perf_start);
}

void on_fault(int sig, siginfo_t* info, void*) {
  record_perf_end();
  g_report->fault_signal = sig;
  g_report->fault_address = reinterpret_cast<std::uint64_t>(info->si_addr);
  g_report->end_ns = now_ns();
  g_report->state.store(ChildState::faulted, std::memory_order_release);
  _exit(kExitFaulted);
}

void on_out_of_memory() {
  record_perf_end();
  g_report->end_ns = now_ns();
  g_report->state.store(ChildState::out_of_memory, std::memory_order_release);
  _exit(kExitOutOfMemory);
}

[[noreturn]] void setup_failed(const char* step, int error) {
  std::strncpy(g_report->setup_step, step, sizeof g_report->setup_step - 1);
  g_report->setup_errno = error;
  g_report->state.store(ChildState::setup_failed, std::memory_order_release);
  _exit(kExitSetupFailed);
}

// The handler runs on this stack: the thread's own has no room left. The
// alternate stack belongs to a thread, so the recursing thread sets its own.
void install_alt_stack() {
  void* alt = mmap(nullptr, kAltStackBytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (alt == MAP_FAILED) setup_failed("mmap (signal stack)", errno);
  stack_t ss{};
  ss.ss_sp = alt;
  ss.ss_size = kAltStackBytes;
  if (sigaltstack(&ss, nullptr) != 0) setup_failed("sigaltstack", errno);
}

// Records this thread's stack bounds, then recurses; never returns.
[[noreturn]] void recurse_here(const Recursion* recursion, bool main_thread) {
  install_alt_stack();
  pthread_attr_t attr;
  if (int e = pthread_getattr_np(pthread_self(), &attr); e != 0) {
    setup_failed("pthread_getattr_np", e);
  }
  void* low = nullptr;
  std::size_t size = 0;
  pthread_attr_getstack(&attr, &low, &size);
  pthread_attr_destroy(&attr);
  g_report->stack_low = reinterpret_cast<std::uint64_t>(low);
  g_report->stack_high = g_report->stack_low + size;
  if (main_thread) {
    g_report->guard_low = g_report->stack_low - kMainStackGuardGapBytes;
  }  // a mapped stack's guard was recorded when it was mapped
  start_perf();
  g_report->start_ns = now_ns();
  g_report->state.store(ChildState::recursing, std::memory_order_release);
  recursion->run();
  g_report->state.store(ChildState::returned, std::memory_order_release);
  _exit(kExitReturned);
}

void* thread_entry(void* recursion) {
  recurse_here(static_cast<const Recursion*>(recursion), false);
}

[[noreturn]] void child_main(const AttemptSpec& spec, ChildReport* report, pid_t parent) {
  g_report = report;
  frames_entered = &report->depth;
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  // If the parent dies, so does the attempt; the check after closes the race
  // with a parent that died before the request.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(kExitOrphaned);

  const rlimit no_core{0, 0};
  if (setrlimit(RLIMIT_CORE, &no_core) != 0) setup_failed("setrlimit RLIMIT_CORE", errno);
  if (spec.address_space_limit_bytes) {
    rlimit as{};
    getrlimit(RLIMIT_AS, &as);
    as.rlim_cur = std::min<rlim_t>(as.rlim_max, *spec.address_space_limit_bytes);
    if (setrlimit(RLIMIT_AS, &as) != 0) setup_failed("setrlimit RLIMIT_AS", errno);
  }
  // One arena: heap records come from the same heap whichever thread
  // recurses, so main-stack and mapped-stack attempts compare.
  mallopt(M_ARENA_MAX, 1);
  std::set_new_handler(on_out_of_memory);

  struct sigaction sa{};
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGSEGV, &sa, nullptr) != 0 || sigaction(SIGBUS, &sa, nullptr) != 0) {
    setup_failed("sigaction", errno);
  }

  if (spec.on_main_stack) recurse_here(spec.recursion, true);

  const std::size_t total = spec.stack_bytes + kGuardBytes;
  void* base = mmap(nullptr, total, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (base == MAP_FAILED) setup_failed("mmap (stack)", errno);
  if (mprotect(base, kGuardBytes, PROT_NONE) != 0) setup_failed("mprotect (guard)", errno);
  report->guard_low = reinterpret_cast<std::uint64_t>(base);
  // Huge pages where the kernel offers them for the asking (transparent huge
  // pages in "madvise" or "always" mode): a gigabyte of 4 KiB pages is 262,144
  // page faults, most of an attempt's time in a VM; 2 MiB pages make it 512.
  // The depth at the overflow depends on the stack's size and the frames, not
  // on the page size; where the kernel refuses, the stack keeps small pages.
  madvise(static_cast<char*>(base) + kGuardBytes, spec.stack_bytes, MADV_HUGEPAGE);

  pthread_attr_t attr;
  pthread_attr_init(&attr);
  if (int e = pthread_attr_setstack(&attr, static_cast<char*>(base) + kGuardBytes,
                                    spec.stack_bytes);
      e != 0) {
    setup_failed("pthread_attr_setstack", e);
  }
  pthread_t thread;
  if (int e = pthread_create(&thread, &attr, thread_entry,
                             const_cast<Recursion*>(spec.recursion));
      e != 0) {
    setup_failed("pthread_create", e);
  }
  pthread_join(thread, nullptr);  // the thread ends the process first
  _exit(kExitReturned);
}

// ---- the parent ---------------------------------------------------------

// Kills and reaps the child, whatever else is going on.
void kill_and_reap(pid_t pid, int& status, rusage& usage) {
  kill(pid, SIGKILL);
  while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
  }
}

// Waits for the child until it ends, the bound passes, or an interrupt.
void wait_for(pid_t pid, double timeout_s, int& status, rusage& usage, bool& timed_out,
              bool& interrupted) {
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  const std::int64_t deadline = now_ns() + static_cast<std::int64_t>(timeout_s * 1e9);
  for (;;) {
    const pid_t done = wait4(pid, &status, WNOHANG, &usage);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) {  // not ours to wait for: cannot happen
      kill_and_reap(pid, status, usage);
      break;
    }
    if (g_interrupt_signal != 0) {
      interrupted = true;
      kill_and_reap(pid, status, usage);
      break;
    }
    const std::int64_t left_ns = deadline - now_ns();
    if (left_ns <= 0) {
      timed_out = true;
      kill_and_reap(pid, status, usage);
      break;
    }
    // Wake at least every 100 ms so that a signal landing just before the
    // wait is seen.
    const int slice_ms = static_cast<int>(std::min<std::int64_t>(left_ns / 1'000'000 + 1, 100));
    if (pidfd >= 0) {
      pollfd pfd{pidfd, POLLIN, 0};
      poll(&pfd, 1, slice_ms);
    } else {
      const timespec pause{0, std::min(slice_ms, 5) * 1'000'000L};
      nanosleep(&pause, nullptr);
    }
  }
  if (pidfd >= 0) close(pidfd);
}

}  // namespace

void install_interrupt_handlers() {
  struct sigaction sa{};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocked wait returns EINTR
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

int interrupt_signal() noexcept { return g_interrupt_signal; }

AttemptResult run_attempt(const AttemptSpec& spec) {
  AttemptResult result;
  void* page = mmap(nullptr, sizeof(ChildReport), PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) {
    result.classified = {Outcome::setup_failed,
                         std::string("mmap (shared report) failed: ") + std::strerror(errno)};
    return result;
  }
  auto* report = new (page) ChildReport{};

  const pid_t parent = getpid();
  const std::int64_t started = now_ns();
  const pid_t pid = fork();
  if (pid == 0) child_main(spec, report, parent);
  if (pid < 0) {
    result.classified = {Outcome::setup_failed,
                         std::string("fork failed: ") + std::strerror(errno)};
    munmap(page, sizeof(ChildReport));
    return result;
  }

  int status = 0;
  rusage usage{};
  bool timed_out = false;
  wait_for(pid, spec.timeout_s, status, usage, timed_out, result.interrupted);
  result.wall_ns = now_ns() - started;

  const ChildState state = report->state.load(std::memory_order_acquire);
  ChildFacts facts;
  facts.state = state;
  facts.wait_status = status;
  facts.killed_on_timeout = timed_out;
  facts.fault_signal = report->fault_signal;
  facts.fault_address = report->fault_address;
  facts.guard_low = report->guard_low;
  facts.stack_high = report->stack_high;
  facts.setup_errno = report->setup_errno;
  facts.setup_step.assign(report->setup_step,
                          strnlen(report->setup_step, sizeof report->setup_step));
  result.classified = classify(facts);
  result.depth = report->depth.load(std::memory_order_relaxed);
  result.usable_stack_bytes = report->stack_high - report->stack_low;
  if ((state == ChildState::faulted || state == ChildState::out_of_memory) &&
      report->start_ns != 0) {
    result.overflow_ns = report->end_ns - report->start_ns;
  }
  result.peak_rss_bytes = static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;
  result.cpu_ns = (static_cast<std::int64_t>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)) *
                      1'000'000'000 +
                  (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1000;
  result.minor_faults = static_cast<std::uint64_t>(usage.ru_minflt);
  if (report->perf_end_valid.load(std::memory_order_acquire) != 0) {
    const auto& requested = perf_events();
    for (std::size_t k = 0; k < requested.size() && k < kMaxPerfEvents; ++k) {
      if (!(report->perf_counted & (1u << k))) continue;
      const double total = harness::PerfCounters::scale(
          report->perf_end.value[k] - report->perf_start.value[k],
          report->perf_end.enabled[k] - report->perf_start.enabled[k],
          report->perf_end.running[k] - report->perf_start.running[k]);
      if (total >= 0) result.perf_totals.emplace_back(requested[k], total);
    }
  }
  munmap(page, sizeof(ChildReport));
  return result;
}

void set_perf_events(std::vector<std::string> events) {
  if (events.size() > kMaxPerfEvents) events.resize(kMaxPerfEvents);
  perf_events() = std::move(events);
}

}  // namespace stack_suite
