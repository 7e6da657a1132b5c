#include "fd/interrupts.h"

#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstdlib>

namespace fd {

Interrupts::Interrupts() {
  sigemptyset(&blocked_);
  sigaddset(&blocked_, SIGINT);
  sigaddset(&blocked_, SIGTERM);
  sigprocmask(SIG_BLOCK, &blocked_, &previous_);
  fd_ = signalfd(-1, &blocked_, SFD_CLOEXEC | SFD_NONBLOCK);
}

Interrupts::~Interrupts() {
  if (fd_ >= 0) ::close(fd_);
  sigprocmask(SIG_SETMASK, &previous_, nullptr);
}

bool Interrupts::pending() {
  if (signal_ != 0) return true;
  signalfd_siginfo info{};
  if (fd_ >= 0 && ::read(fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
    signal_ = static_cast<int>(info.ssi_signo);
  }
  return signal_ != 0;
}

void Interrupts::restore_in_child() const {
  if (fd_ >= 0) ::close(fd_);
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  sigprocmask(SIG_SETMASK, &previous_, nullptr);
}

void Interrupts::reraise() const {
  const int sig = signal_ != 0 ? signal_ : SIGTERM;
  signal(sig, SIG_DFL);
  sigset_t just;
  sigemptyset(&just);
  sigaddset(&just, sig);
  raise(sig);  // pending: delivered when unblocked just below
  sigprocmask(SIG_UNBLOCK, &just, nullptr);
  std::_Exit(128 + sig);  // only if the default action did not end us
}

}  // namespace fd
