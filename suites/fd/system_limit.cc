#include "fd/system_limit.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace fd {

namespace {

constexpr uid_t kNobody = 65534;
constexpr int kChildTimeoutMs = 60'000;

std::string read_file(const char* path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::uint64_t files_in_use() {
  return parse_file_nr_in_use(read_file("/proc/sys/fs/file-nr")).value_or(0);
}

// What a child tells the parent once it has opened what it could.
struct ChildReport {
  std::uint64_t opened = 0;
  int error = 0;       // errno of the open that failed, 0 if none did
  int setup_error = 0; // errno of a failed privilege drop, or -1: CAP_SYS_ADMIN kept
};

[[noreturn]] void child_main(std::uint64_t quota, int report_fd, int release_fd,
                             pid_t parent, Interrupts& interrupts) {
  interrupts.restore_in_child();
  ChildReport r;
  if (geteuid() == 0) {
    // CAP_SYS_ADMIN exempts a process from file-max: become nobody, which
    // clears every capability.
    if (setgroups(0, nullptr) != 0 || setgid(kNobody) != 0 || setuid(kNobody) != 0) {
      r.setup_error = errno;
    }
  }
  // Changing credentials cleared the parent-death signal: set it now, then
  // make sure the parent did not die before.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(1);
  if (r.setup_error == 0 &&
      parse_cap_eff_bit(read_file("/proc/self/status"), kCapSysAdmin).value_or(true)) {
    r.setup_error = -1;
  }
  std::vector<int> held;
  if (r.setup_error == 0) {
    rlimit nofile{};
    getrlimit(RLIMIT_NOFILE, &nofile);
    nofile.rlim_cur = nofile.rlim_max;
    setrlimit(RLIMIT_NOFILE, &nofile);
    held.reserve(quota);
    while (held.size() < quota) {
      const int f = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      if (f < 0) {
        r.error = errno;
        break;
      }
      held.push_back(f);
    }
  }
  r.opened = held.size();
  if (::write(report_fd, &r, sizeof r) != static_cast<ssize_t>(sizeof r)) _exit(2);
  char byte;
  while (::read(release_fd, &byte, 1) > 0) {
  }  // EOF: the parent has seen enough; exiting closes every file
  _exit(0);
}

// Waits for a child's report, an interrupt or the timeout.
enum class Wait { report, interrupt, timeout, lost };
Wait wait_report(int fd, ChildReport& r, Interrupts& interrupts) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kChildTimeoutMs);
  char* into = reinterpret_cast<char*>(&r);
  std::size_t got = 0;
  while (got < sizeof r) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) return Wait::timeout;
    pollfd waits[2] = {{fd, POLLIN, 0}, {interrupts.fd(), POLLIN, 0}};
    if (poll(waits, 2, static_cast<int>(left)) < 0 && errno != EINTR) return Wait::lost;
    if (interrupts.pending()) return Wait::interrupt;
    if (waits[0].revents & (POLLIN | POLLHUP)) {
      const ssize_t n = ::read(fd, into + got, sizeof r - got);
      if (n <= 0) return Wait::lost;
      got += static_cast<std::size_t>(n);
    }
  }
  return Wait::report;
}

}  // namespace

std::optional<std::uint64_t> mem_available_bytes() {
  const std::string text = read_file("/proc/meminfo");
  const auto at = text.find("MemAvailable:");
  if (at == std::string::npos) return std::nullopt;
  return std::strtoull(text.c_str() + at + 13, nullptr, 10) * 1024;
}

SystemPlan plan_file_table(const Limits& limits, std::optional<std::uint64_t> mem_available,
                           std::uint64_t nproc_limit, bool can_drop_privileges) {
  SystemPlan p;
  if (!limits.file_max || !limits.files_in_use) {
    p.refusal = "FD_SYSTEM=1 needs /proc/sys/fs/file-max and file-nr, which could not be read";
    return p;
  }
  p.file_max = *limits.file_max;
  p.in_use = *limits.files_in_use;
  if (limits.nofile_hard <= kChildHeadroom) {
    p.refusal = "FD_SYSTEM=1: RLIMIT_NOFILE hard " + std::to_string(limits.nofile_hard) +
                " leaves a child no files to open";
    return p;
  }
  p.per_process = limits.nofile_hard - kChildHeadroom;
  const std::uint64_t wanted = p.file_max - std::min(p.in_use, p.file_max) + kOvershoot;
  p.processes = (wanted + p.per_process - 1) / p.per_process;
  const std::uint64_t kernel_bytes = (p.file_max + kOvershoot) * kKernelBytesPerFile;
  if (!can_drop_privileges) {
    p.refusal = "FD_SYSTEM=1: this process has CAP_SYS_ADMIN, which exempts it from "
                "fs.file-max, and its children cannot drop it (only root can become "
                "nobody); run it as an ordinary user";
  } else if (p.processes > kMaxProcesses) {
    p.refusal = "FD_SYSTEM=1: fs.file-max " + std::to_string(p.file_max) + " would take " +
                std::to_string(p.processes) + " processes of " + std::to_string(p.per_process) +
                " files (RLIMIT_NOFILE hard " + std::to_string(limits.nofile_hard) +
                "); at most " + std::to_string(kMaxProcesses) + " are started";
  } else if (p.processes + 8 > nproc_limit) {
    p.refusal = "FD_SYSTEM=1: it takes " + std::to_string(p.processes) +
                " processes and RLIMIT_NPROC allows " + std::to_string(nproc_limit);
  } else if (!mem_available || kernel_bytes > *mem_available / 2) {
    p.refusal = "FD_SYSTEM=1: " + std::to_string(p.file_max) + " open files need about " +
                std::to_string(kernel_bytes >> 20) + " MiB of kernel memory, more than half "
                "of MemAvailable (" +
                (mem_available ? std::to_string(*mem_available >> 20) + " MiB" : "unreadable") +
                ")";
  }
  return p;
}

SystemOutcome fill_file_table(const SystemPlan& plan, Interrupts& interrupts) {
  SystemOutcome out;
  out.peak_in_use = files_in_use();
  const auto start = std::chrono::steady_clock::now();
  int release[2];
  if (pipe2(release, O_CLOEXEC) != 0) {
    out.stopped_by = std::string("pipe: ") + std::strerror(errno);
    return out;
  }
  std::vector<pid_t> children;
  const pid_t parent = getpid();
  while (out.processes < plan.processes + 1 && out.stopped_by.empty()) {
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) {
      out.stopped_by = std::string("pipe: ") + std::strerror(errno);
      break;
    }
    const pid_t pid = fork();
    if (pid == 0) {
      ::close(report[0]);
      ::close(release[1]);
      child_main(plan.per_process, report[1], release[0], parent, interrupts);
    }
    ::close(report[1]);
    if (pid < 0) {
      out.stopped_by = std::string("fork: ") + std::strerror(errno);
      ::close(report[0]);
      break;
    }
    children.push_back(pid);
    ++out.processes;
    ChildReport r;
    const Wait w = wait_report(report[0], r, interrupts);
    ::close(report[0]);
    out.peak_in_use = std::max(out.peak_in_use, files_in_use());
    if (w == Wait::interrupt) {
      out.stopped_by = "interrupted";
    } else if (w == Wait::timeout) {
      out.stopped_by = "a child took longer than " + std::to_string(kChildTimeoutMs / 1000) + " s";
    } else if (w == Wait::lost) {
      out.stopped_by = "a child ended without reporting";
    } else if (r.setup_error != 0) {
      out.stopped_by = r.setup_error < 0
                           ? "a child kept CAP_SYS_ADMIN after becoming nobody"
                           : std::string("a child could not become nobody: ") +
                                 std::strerror(r.setup_error);
    } else {
      out.files_opened += r.opened;
      if (r.error != 0) {
        out.first_errno = r.error;
        out.enfile = r.error == ENFILE;
        out.stopped_by = std::string("open: ") + std::strerror(r.error) + " (" +
                         (r.error == ENFILE ? "ENFILE" : r.error == EMFILE ? "EMFILE" : "errno " +
                          std::to_string(r.error)) + ")";
      }
    }
  }
  if (out.stopped_by.empty()) out.stopped_by = "every planned process opened its files";
  // Release: EOF on the pipe ends every child; one that does not go is killed.
  ::close(release[1]);
  ::close(release[0]);
  for (pid_t pid : children) {
    int status = 0;
    for (int tries = 0; waitpid(pid, &status, WNOHANG) == 0; ++tries) {
      if (tries == 2000) kill(pid, SIGKILL);  // 2 s after release
      usleep(1000);
    }
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace fd
