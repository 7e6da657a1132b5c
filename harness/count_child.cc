// deferbench-count: runs a program with perf events counted over it, every
// thread included, from its exec to its end, and writes the counts as JSON.
// The go suite counts Go's test binaries through it (they have no hook for
// deferbench's counters); the N / 2N difference of two runs then cancels
// start-up and Go's one-iteration run (scripts/deferbench/suites/go/perf.py).
//
//   deferbench-count --out=PATH [--events=LIST] [--kernel] -- PROGRAM [ARGS...]
//
// The program's own output and exit status pass through unchanged; PATH gets
// {"events": [{"name", "status", "reason", "value", "enabled", "running"}]}, a
// value only for an event that was counted (never a zero that was not).
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "event_report.h"
#include "perf_counters.h"
#include "program_suite.h"

namespace {

constexpr const char* kUsage =
    "usage: deferbench-count --out=PATH [--events=LIST] [--kernel] -- PROGRAM [ARGS...]\n";

pid_t g_child = -1;

// SIGINT and SIGTERM go on to the program; the launcher waits for its end.
void forward(int sig) {
  if (g_child > 0) kill(g_child, sig);
}

harness::ProgramOutput* g_output = nullptr;  // once created: discarded on refusal

[[noreturn]] void refuse(const std::string& line) {
  if (g_output != nullptr) g_output->discard();  // std::exit runs no local destructor
  std::fprintf(stderr, "deferbench-count: %s\n%s", line.c_str(), kUsage);
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::string out;
  std::vector<std::string> events = harness::PerfCounters::default_events();
  bool count_kernel = false;
  int i = 1;
  for (; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if (arg.starts_with("--out=")) {
      out = arg.substr(6);
    } else if (arg.starts_with("--events=")) {
      events = harness::split_commas(arg.substr(9));
    } else if (arg == "--kernel") {
      count_kernel = true;
    } else {
      refuse("unknown option '" + std::string(arg) + "'");
    }
  }
  if (out.empty()) refuse("--out=PATH is required");
  if (i >= argc) refuse("no program to run after --");

  // The program suites' output: whole or not at all, and an unwritable folder
  // refused before the program runs.
  harness::ProgramOutput output(out);
  g_output = &output;

  // The child waits on a pipe until its counters are open, then execs: the
  // counters start at the exec (enable_on_exec) and follow its threads.
  int go[2];
  if (pipe(go) != 0) refuse(std::string("pipe: ") + std::strerror(errno));
  const pid_t child = fork();
  if (child < 0) refuse(std::string("fork: ") + std::strerror(errno));
  if (child == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // a launcher killed outright takes its program along
    close(go[1]);
    char byte;
    if (read(go[0], &byte, 1) != 1) _exit(127);
    close(go[0]);
    execvp(argv[i], argv + i);
    std::fprintf(stderr, "deferbench-count: cannot run %s: %s\n", argv[i], std::strerror(errno));
    _exit(127);
  }
  close(go[0]);
  const auto counters = harness::ChildCounters::open(child, events, count_kernel);
  g_child = child;
  std::signal(SIGINT, forward);
  std::signal(SIGTERM, forward);
  if (write(go[1], "x", 1) != 1) refuse("cannot start the program");
  close(go[1]);
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }

  nlohmann::json list = nlohmann::json::array();
  for (const auto& c : counters.read()) {
    nlohmann::json e = {{"name", c.event.name},
                        {"status", harness::to_string(c.event.status)},
                        {"reason", c.event.reason}};
    if (c.event.status == harness::EventStatus::counted) {
      e["value"] = c.value;
      e["enabled"] = c.enabled;
      e["running"] = c.running;
    }
    list.push_back(e);
  }
  if (!output.write(nlohmann::json{{"events", list}})) return 1;
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}
