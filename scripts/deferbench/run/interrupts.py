"""SIGINT and SIGTERM as a run's exception (Interrupted), and the way a run
starts its children so that neither one ends a run with a child left behind.

A signal's handler raises Interrupted wherever the run's Python happens to
be. Inside subprocess.Popen, after the fork and before Popen has returned,
nobody would hold the new child: it would go on running, and writing its
output, after the run had ended (a Ctrl-C landed there in a CI clone under
load). So while a child is being started (popen, run) the signal is held,
and raised once the child is in hand, after the child was killed and waited
for. The children a run measures or waits on are started here: the suites'
processes, Go's test binaries and builds, the gate's base builds, the
callgrind runs (the short queries that describe the machine are not).
"""

import contextlib
import os
import signal
import subprocess
import sys


class Interrupted(BaseException):
    """SIGINT or SIGTERM reached the run; it ends with exit status 128 + signum."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


_starting = {"now": False, "held": None}


def handle(signum, frame):
    """The run's handler of SIGINT and SIGTERM (signal.signal)."""
    if _starting["now"]:
        _starting["held"] = signum
        return
    raise Interrupted(signum)


@contextlib.contextmanager
def raised():
    """Inside the block, SIGINT and SIGTERM raise Interrupted (handle); the
    handlers there were before are put back afterwards."""
    previous = {s: signal.signal(s, handle) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


@contextlib.contextmanager
def blocked():
    """SIGINT and SIGTERM held inside the block and delivered when it ends:
    for work that must not be cut short (a clean-up), or that a signal must not
    reach (forking workers that would inherit the handlers)."""
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


@contextlib.contextmanager
def ending_the_process(command, after=""):
    """raised() for a whole command: an interruption that leaves the block,
    after the `finally`s and `with`s inside have cleaned up, ends the process
    with 128 + N and one line on stderr, "<command>: interrupted by SIG...<after>"."""
    with raised():
        try:
            yield
        except Interrupted as e:
            print(f"{command}: interrupted by {signal.Signals(e.signum).name}{after}",
                  file=sys.stderr)
            raise SystemExit(128 + e.signum) from None


def discard(proc):
    """Ends a child and waits for it, its pipes closed. A child that leads a
    process group of its own (a build: make and its compilers) has the whole
    group sent SIGTERM, on which make deletes a half-written target; any other
    child is killed."""
    with proc:
        if _leads_its_own_group(proc):
            os.killpg(proc.pid, signal.SIGTERM)
        else:
            proc.kill()


def _leads_its_own_group(proc):
    if proc.returncode is not None:  # reaped: its pid may be another process's now
        return False
    try:
        return os.getpgid(proc.pid) == proc.pid
    except ProcessLookupError:
        return False


def popen(cmd, **kwargs):
    """subprocess.Popen(cmd, **kwargs), a signal that comes meanwhile held: it
    is raised once the child exists, after discard(child), or when Popen
    itself failed. What the caller does with the child next (threads to read
    it, a timer) must discard it on an exception too."""
    _starting.update(now=True, held=None)
    try:
        proc = subprocess.Popen(cmd, **kwargs)
    except BaseException:
        _starting["now"] = False
        if _starting["held"] is not None:  # no child, and an interruption to raise
            raise Interrupted(_starting["held"]) from None
        raise
    try:
        _starting["now"] = False  # from here on a signal raises at once
        if _starting["held"] is not None:
            raise Interrupted(_starting["held"])
    except BaseException:
        discard(proc)
        raise
    return proc


def run(cmd, timeout=None, **kwargs):
    """subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
    **kwargs), its child started by popen: a CompletedProcess, or the child
    killed and waited for before TimeoutExpired or an interruption goes on."""
    with popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
               **kwargs) as proc:
        try:
            out, err = proc.communicate(timeout=timeout)
        except BaseException:  # past its time limit, or interrupted
            proc.kill()  # leaving `with` waits for it
            raise
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)
