"""Running one measured child process: its exit, its own resource usage
(wait4's rusage, not the parent's), a time limit, and no core file.

An interrupted run (SIGINT or SIGTERM, turned into an exception by the
runner) kills the child before the exception goes on, so nothing is left
behind.
"""

import os
import resource
import signal
import subprocess
import threading
import time
from dataclasses import dataclass

from ...run import interrupts


@dataclass
class ChildResult:
    exit_code: int        # negative: killed by that signal
    timed_out: bool
    wall_s: float
    user_s: float
    sys_s: float
    max_rss_bytes: object  # the child's own peak RSS (ru_maxrss), or None: see run()
    stdout: str
    stderr: str

    @property
    def cpu_s(self):
        return self.user_s + self.sys_s


def run(argv, env=None, timeout_s=60.0, cwd=None):
    """Runs argv to its end (or kills it after timeout_s) and measures it.

    Linux's ru_maxrss for a child is the larger of its own peak and the peak
    of the image it replaced at exec, a copy of this Python process. So the
    figure is the child's own only when it exceeds this process's peak at
    the spawn; otherwise max_rss_bytes is None (not measurable this way; a
    child that lives can report its VmHWM instead).
    """
    parent_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    expired = threading.Event()

    def kill():
        expired.set()
        proc.kill()

    timer = threading.Timer(timeout_s, kill)
    # From its start on, whatever interrupts this function kills the child first.
    # prlimit sets the core limit and execs argv (the same process): unlike a
    # preexec_fn, no Python runs in the forked child.
    proc = interrupts.popen(["prlimit", "--core=0", "--", *argv], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, cwd=cwd)
    try:
        timer.start()
        # Drain both pipes, then reap the child with wait4 for its rusage.
        out_chunks, err_chunks = [], []
        reader = threading.Thread(target=lambda: out_chunks.append(proc.stdout.read()))
        reader.start()
        err_chunks.append(proc.stderr.read())
        reader.join()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
    except BaseException:
        if proc.returncode is None:
            proc.kill()
            proc.wait()
        raise
    finally:
        timer.cancel()
        proc.stdout.close()
        proc.stderr.close()
    return ChildResult(
        exit_code=proc.returncode, timed_out=expired.is_set(), wall_s=wall,
        user_s=usage.ru_utime, sys_s=usage.ru_stime,
        max_rss_bytes=usage.ru_maxrss * 1024 if usage.ru_maxrss > parent_peak else None,
        stdout=out_chunks[0].decode(errors="replace"),
        stderr=err_chunks[0].decode(errors="replace"))


def describe_end(result):
    """How a child ended, in words."""
    if result.timed_out:
        return "killed after the time limit"
    if result.exit_code < 0:
        return f"killed by {signal.Signals(-result.exit_code).name}"
    return f"exit status {result.exit_code}"
