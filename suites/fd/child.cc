#include "fd/child.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

#include "alloc_counter.h"
#include "cpu_pin.h"
#include "perf_counters.h"

namespace fd {

namespace {

std::vector<std::string>& perf_events() {
  static std::vector<std::string> events;
  return events;
}

std::string read_status() {
  std::ifstream in("/proc/self/status");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

double ns(const timeval& t) { return t.tv_sec * 1e9 + t.tv_usec * 1e3; }

double clock_ns(clockid_t clock) {
  timespec t{};
  clock_gettime(clock, &t);
  return t.tv_sec * 1e9 + static_cast<double>(t.tv_nsec);
}

bool write_all(int f, const void* data, std::size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t w = ::write(f, p, size);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    size -= static_cast<std::size_t>(w);
  }
  return true;
}

}  // namespace

void set_perf_events(std::vector<std::string> events) {
  if (events.size() > kMaxPerfEvents) events.resize(kMaxPerfEvents);
  perf_events() = std::move(events);
}

namespace {

[[noreturn]] void child_main(const Work& work, int out, int cpu) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (cpu >= 0) harness::pin_to_cpu(cpu);  // the child's own affinity
  rlimit old{};
  getrlimit(RLIMIT_NOFILE, &old);
  rlimit raised = old;
  raised.rlim_cur = old.rlim_max;
  setrlimit(RLIMIT_NOFILE, &raised);

  Report r;
  r.nofile_soft = raised.rlim_cur;
  // The child's own counters: those the parent opened count the parent.
  const harness::PerfCounters counters =
      harness::PerfCounters::open(perf_events(), /*count_kernel=*/true);
  work(true);
  const std::string before = read_status();
  r.rss_before_kb = status_kb(before, "VmRSS:");
  r.vm_before_kb = status_kb(before, "VmSize:");

  rusage u0{}, u1{};
  harness::PerfCounters::Snapshot p0 = counters.read(), p1 = p0;  // sized before
  const harness::AllocCounts a0 = harness::thread_alloc_counts();
  getrusage(RUSAGE_SELF, &u0);
  counters.read(p0);
  // CPU time from the scheduler's clock: getrusage's is sampled at the timer
  // tick (4 ms at HZ=250), too coarse for a 5% gap over a few tens of ms.
  const double c0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
  const double t0 = clock_ns(CLOCK_MONOTONIC);
  r.outcome = work(false);
  const double t1 = clock_ns(CLOCK_MONOTONIC);
  const double c1 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
  r.cpu = sched_getcpu();
  counters.read(p1);
  getrusage(RUSAGE_SELF, &u1);
  const harness::AllocCounts a1 = harness::thread_alloc_counts();
  if (!counters.empty()) {
    const harness::CounterValues d = harness::PerfCounters::delta(p0, p1);
    r.perf_running_fraction = d.running_fraction;
    const auto& requested = perf_events();
    for (std::size_t i = 0; i < counters.counted_names().size(); ++i) {
      if (d.values[i] < 0) continue;  // never scheduled: not measured
      for (std::size_t k = 0; k < requested.size() && k < kMaxPerfEvents; ++k) {
        if (requested[k] == counters.counted_names()[i]) {
          r.perf_counted |= 1u << k;
          r.perf_total[k] = d.values[i];
        }
      }
    }
  }

  const std::string after = read_status();
  r.hwm_kb = status_kb(after, "VmHWM:");
  r.vm_peak_kb = status_kb(after, "VmPeak:");
  r.wall_ns = t1 - t0;
  r.cpu_ns = c1 - c0;
  r.user_ns = ns(u1.ru_utime) - ns(u0.ru_utime);
  r.sys_ns = ns(u1.ru_stime) - ns(u0.ru_stime);
  r.heap_allocs = a1.allocs - a0.allocs;
  r.heap_bytes = a1.bytes - a0.bytes;
  r.close_failures = close_failures();
  setrlimit(RLIMIT_NOFILE, &old);
  _exit(write_all(out, &r, sizeof r) ? 0 : 3);
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    return std::string("killed by signal ") + strsignal(WTERMSIG(status));
  }
  return "ended oddly";
}

}  // namespace

std::uint64_t status_kb(const std::string& status, const char* key) {
  const auto at = status.find(key);
  if (at == std::string::npos) return 0;
  return std::strtoull(status.c_str() + at + std::strlen(key), nullptr, 10);
}

ChildResult measure_in_child(const Work& work, Interrupts& interrupts, int cpu) {
  ChildResult result;
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    result.error = std::string("pipe: ") + std::strerror(errno);
    return result;
  }
  const pid_t pid = fork();
  if (pid < 0) {
    result.error = std::string("fork: ") + std::strerror(errno);
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    return result;
  }
  if (pid == 0) {
    ::close(pipe_fds[0]);
    interrupts.restore_in_child();
    child_main(work, pipe_fds[1], cpu);
  }
  ::close(pipe_fds[1]);

  char* into = reinterpret_cast<char*>(&result.report);
  std::size_t got = 0;
  bool interrupted = false;
  while (got < sizeof(Report)) {
    pollfd waits[2] = {{pipe_fds[0], POLLIN, 0}, {interrupts.fd(), POLLIN, 0}};
    if (poll(waits, 2, -1) < 0 && errno != EINTR) break;
    if (interrupts.pending()) {
      interrupted = true;
      break;
    }
    if (waits[0].revents == 0) continue;
    const ssize_t r = ::read(pipe_fds[0], into + got, sizeof(Report) - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;  // the child ended without a whole report
    got += static_cast<std::size_t>(r);
  }
  ::close(pipe_fds[0]);
  if (interrupted) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (interrupted) {
    result.end = ChildEnd::interrupted;
  } else if (got == sizeof(Report) && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    result.end = ChildEnd::reported;
  } else {
    result.error = "the measuring child " + describe_status(status);
  }
  return result;
}

}  // namespace fd
