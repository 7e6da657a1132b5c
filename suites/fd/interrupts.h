// fd::Interrupts: SIGINT and SIGTERM as something the parent can poll.
//
// While the suite holds a temporary folder full of files, an interrupt must
// not kill it before it removes them. The parent blocks both signals and
// reads them from a signalfd: waiting for a child, it polls the child's pipe
// and the signalfd together, so there is no window in which a signal is
// missed. A child unblocks them again (default actions) before measuring.
// After cleaning up, the parent re-raises the signal with its default
// action, so whoever started it sees how it ended.
#pragma once

#include <signal.h>

namespace fd {

class Interrupts {
 public:
  Interrupts();  // blocks SIGINT and SIGTERM; opens the signalfd
  ~Interrupts();
  Interrupts(const Interrupts&) = delete;
  Interrupts& operator=(const Interrupts&) = delete;

  // The signalfd, readable when a signal is pending.
  int fd() const { return fd_; }

  // Whether SIGINT or SIGTERM arrived (non-blocking); remembers which.
  bool pending();
  int signal_number() const { return signal_; }

  // In a forked child: default actions, signals unblocked.
  void restore_in_child() const;

  // Dies of the signal that arrived, by its default action.
  [[noreturn]] void reraise() const;

 private:
  sigset_t blocked_{};
  sigset_t previous_{};
  int fd_ = -1;
  int signal_ = 0;
};

}  // namespace fd
