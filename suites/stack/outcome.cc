// Naming how a stack attempt ended (see stack/outcome.h).
#include "stack/outcome.h"

#include <sys/wait.h>

#include <csignal>
#include <cstdio>
#include <cstring>

namespace stack_suite {
namespace {

std::string hex(std::uint64_t address) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(address));
  return text;
}

std::string signal_name(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev ? "SIG" + std::string(abbrev) : "signal " + std::to_string(sig);
}

}  // namespace

std::string_view name(Outcome o) noexcept {
  switch (o) {
    case Outcome::overflow: return "overflow";
    case Outcome::out_of_memory: return "out_of_memory";
    case Outcome::killed: return "killed";
    case Outcome::timeout: return "timeout";
    case Outcome::crashed: return "crashed";
    case Outcome::setup_failed: return "setup_failed";
  }
  return "unknown";
}

Classified classify(const ChildFacts& f) {
  if (f.killed_on_timeout) {
    return {Outcome::timeout, "no overflow within the time bound; killed by deferbench"};
  }
  switch (f.state) {
    case ChildState::faulted:
      if (f.fault_address >= f.guard_low && f.fault_address < f.stack_high) {
        return {Outcome::overflow, ""};
      }
      return {Outcome::crashed, signal_name(f.fault_signal) + " at " + hex(f.fault_address) +
                                    ", outside the stack and its guard"};
    case ChildState::out_of_memory:
      return {Outcome::out_of_memory,
              "operator new found no memory before the stack ran out"};
    case ChildState::setup_failed:
      return {Outcome::setup_failed,
              f.setup_step + " failed: " + std::strerror(f.setup_errno)};
    case ChildState::returned:
      return {Outcome::crashed, "the recursion returned"};
    case ChildState::not_started:
    case ChildState::recursing:
      break;
  }
  if (WIFSIGNALED(f.wait_status)) {
    const int sig = WTERMSIG(f.wait_status);
    std::string detail = "killed by " + signal_name(sig);
    if (sig == SIGKILL) {
      detail += ", not sent by deferbench (the kernel's OOM killer sends it when memory runs out)";
    }
    return {Outcome::killed, detail};
  }
  if (f.state == ChildState::not_started) {
    return {Outcome::setup_failed, "the child ended before its set-up"};
  }
  return {Outcome::crashed, "the child exited with status " +
                                std::to_string(WEXITSTATUS(f.wait_status)) +
                                " while recursing"};
}

}  // namespace stack_suite
