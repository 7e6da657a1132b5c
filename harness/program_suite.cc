#include "program_suite.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "build_info.h"
#include "event_report.h"

namespace harness {

namespace {

std::string g_suite;                        // set by parse_program_options
ProgramOutput* g_pending_output = nullptr;  // created, not written yet

// "deferbench: <suite>: ", the start of every line about a problem.
std::string prefix() {
  return g_suite.empty() ? "deferbench: " : "deferbench: " + g_suite + ": ";
}

void complain(const std::string& problem) {
  std::fprintf(stderr, "%s%s\n", prefix().c_str(), problem.c_str());
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return text;
}

std::string executable() {
  char path[4096] = {};
  const ssize_t len = readlink("/proc/self/exe", path, sizeof path - 1);
  return len > 0 ? std::string(path, static_cast<std::size_t>(len)) : "";
}

bool exists(const std::string& path) {
  struct stat st{};
  return lstat(path.c_str(), &st) == 0;  // a dangling link counts: it is there
}

bool write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// rename(), but never onto an existing file: EEXIST then. Where the
// filesystem cannot rename that way, a last look before a plain rename.
int rename_no_replace(const std::string& from, const std::string& to) {
  if (renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS) return -1;
  if (exists(to)) {
    errno = EEXIST;
    return -1;
  }
  return std::rename(from.c_str(), to.c_str());
}

}  // namespace

ProgramOptions parse_program_options(std::string_view suite, const char* usage, int argc,
                                     char** argv) {
  g_suite = suite;
  ProgramOptions options;
  bool probe = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with("--out=")) {
      options.out = arg.substr(6);
      if (options.out.empty()) refuse("--out needs a path");
    } else if (arg == "--quick") {
      options.quick = true;
    } else if (arg.starts_with("--events=")) {
      options.events = split_commas(arg.substr(9));
    } else if (arg == "--probe-events") {
      probe = true;
    } else if (arg == "--check-options") {
      options.check_only = true;
    } else if (arg == "--help" || arg == "-h") {
      std::fputs(usage, stdout);
      std::exit(0);
    } else {
      refuse("unknown option '" + std::string(arg) +
             "'; accepted: --out=PATH, --quick, --events=LIST, --probe-events, "
             "--check-options, --help");
    }
  }
  if (probe) {
    std::exit(print_event_probe(PerfCounters::open(options.events, /*count_kernel=*/true),
                                prefix()));
  }
  return options;
}

void refuse(const std::string& problem) {
  if (g_pending_output != nullptr) g_pending_output->discard();
  complain(problem);
  std::exit(2);
}

nlohmann::json probe_program_events(const std::vector<std::string>& events) {
  nlohmann::json statuses = nlohmann::json::array();
  const auto probe = PerfCounters::open(events, /*count_kernel=*/true);
  for (const auto& e : probe.events()) {
    if (e.status == EventStatus::unknown_event) refuse(unknown_event_problem(e));
    statuses.push_back({{"name", e.name}, {"status", to_string(e.status)}, {"reason", e.reason}});
  }
  return statuses;
}

nlohmann::json program_context() {
  utsname uts{};
  uname(&uts);
  nlohmann::json context = {
      {"date", utc_now()},
      {"host_name", uts.nodename},
      {"num_cpus", sysconf(_SC_NPROCESSORS_ONLN)},
      {"kernel", std::string(uts.sysname) + " " + uts.release},
      {"executable", executable()},
#ifdef NDEBUG
      {"library_build_type", "release"},
#else
      {"library_build_type", "debug"},
#endif
      {"deferbench_suite", g_suite},
  };
  for (const auto& [key, value] : build_context()) context[key] = value;
  return context;
}

ProgramOutput::ProgramOutput(std::string path) : path_(std::move(path)) {
  if (path_.empty()) return;
  if (exists(path_)) {
    refuse("--out=" + path_ + " already exists; a run never overwrites an earlier one");
  }
  // Beside the destination, so that the rename is atomic; hidden, so that
  // nothing reading the folder mistakes it for a result.
  const auto slash = path_.rfind('/');
  const std::string folder = slash == std::string::npos ? "." : path_.substr(0, slash);
  const std::string base = slash == std::string::npos ? path_ : path_.substr(slash + 1);
  const std::string stem = folder + "/." + base + "." + std::to_string(getpid());
  for (int attempt = 0;; ++attempt) {
    std::string temp = stem + (attempt ? "." + std::to_string(attempt) : "") + ".tmp";
    const int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) {
      close(fd);
      temp_ = std::move(temp);
      break;
    }
    const int error = errno;
    if (error != EEXIST || attempt == 100) {
      refuse("--out=" + path_ + ": cannot write in " + (folder.empty() ? "/" : folder) + ": " +
             std::strerror(error));
    }
  }
  g_pending_output = this;
}

ProgramOutput::~ProgramOutput() { discard(); }

void ProgramOutput::discard() noexcept {
  if (!temp_.empty()) unlink(temp_.c_str());
  temp_.clear();
  if (g_pending_output == this) g_pending_output = nullptr;
}

bool ProgramOutput::write(const nlohmann::json& document) {
  const std::string text = document.dump(2) + "\n";
  if (path_.empty()) {
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() ||
        std::fflush(stdout) != 0) {
      complain(std::string("writing standard output failed: ") + std::strerror(errno));
      return false;
    }
    return true;
  }
  const int fd = open(temp_.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  bool written = fd >= 0 && write_all(fd, text) && fsync(fd) == 0;
  int error = errno;
  if (fd >= 0 && close(fd) != 0 && written) {
    written = false;
    error = errno;
  }
  if (written) {
    if (rename_no_replace(temp_, path_) == 0) {
      temp_.clear();  // it is the destination now
      discard();
      return true;
    }
    error = errno;
    if (error == EEXIST) {
      complain("--out=" + path_ + " appeared during the run; a run never overwrites an "
               "earlier one; the results are in " + temp_);
      temp_.clear();  // kept
      discard();
      return false;
    }
  }
  complain("writing " + path_ + " failed: " + std::strerror(error));
  discard();
  return false;
}

}  // namespace harness
