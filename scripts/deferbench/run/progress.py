"""The console of a run: one line per case as it finishes, and the suites' raw
output kept in the run folder as <suite>.log rather than on the screen.

A suite process's two streams are read as they come (a thread each), so a
line reaches the console when the case ends, and both are kept whole for the
log. The lines are plain text: a terminal that is not a TTY (CI) gets the same.
"""

import statistics
import subprocess
import sys
import textwrap
import threading
import time

from . import interrupts

# The console's longest line; longer prose is wrapped to WRAP (tables fit).
WIDTH, WRAP = 160, 100

DEBUG_WARNING = "Library was built as DEBUG"
DEBUG_NOTE = (f"note: Google Benchmark's '{DEBUG_WARNING}' is Debian's libbenchmark; "
              "the timed loops are deferbench's Release build")


def say(line):
    print(line, flush=True)


def duration(seconds):
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


class Stream:
    """A child process whose stdout and stderr are read line by line as they
    come; `on_out` and `on_err` see each line, and the text is kept."""

    def __init__(self, cmd, on_out=None, on_err=None, **popen):
        self.proc = interrupts.popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, bufsize=1, **popen)
        self.out, self.err = [], []
        try:  # a signal while the readers start: no Stream to stop the child
            self.readers = [threading.Thread(target=self._read, args=(f, keep, call),
                                             daemon=True)
                            for f, keep, call in ((self.proc.stdout, self.out, on_out),
                                                  (self.proc.stderr, self.err, on_err))]
            for r in self.readers:
                r.start()
        except BaseException:
            interrupts.discard(self.proc)
            raise

    @staticmethod
    def _read(stream, keep, call):
        for line in stream:
            keep.append(line)
            if call:
                call(line.rstrip("\n"))

    def wait(self):
        """(exit status, stdout text, stderr text)."""
        status = self.proc.wait()
        for r in self.readers:
            r.join()
        return status, "".join(self.out), "".join(self.err)

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
        for r in self.readers:
            r.join(timeout=5)


class CaseLines:
    """Google Benchmark's console rows in (`--benchmark_color=false`), progress
    out: each finished case with its median so far, several to a line (a line
    is said when the next case would take it past ENTRIES_WIDTH, and after the
    last case), each line ending with how many cases are done of how many, the
    time so far and an estimate of what is left. A line per case made the
    suites with many cases fill a console with progress."""

    ENTRIES_WIDTH = 96

    def __init__(self, suite, cases, repetitions):
        self.suite, self.cases, self.repetitions = suite, set(cases), repetitions
        self.times = {}
        self.pending = []
        self.done = 0
        self.started = time.monotonic()

    def __call__(self, line):
        words = line.split()
        if not words or words[0] not in self.cases:
            return  # a header, a rule, or an aggregate row (<case>_mean, ...)
        name = words[0]
        if "ERROR" in words[1:3]:
            self._finish(name, "failed: " + line.split("ERROR OCCURRED:", 1)[-1].strip())
            return
        try:
            value, unit = float(words[1]), words[2]
        except (IndexError, ValueError):
            return
        seen = self.times.setdefault(name, [])
        seen.append(value)
        if len(seen) == self.repetitions:
            self._finish(name, f"{statistics.median(seen):.2f} {unit}")

    def _finish(self, name, figure):
        entry = f"{name} {figure}"
        if self.pending and len(", ".join(self.pending + [entry])) > self.ENTRIES_WIDTH:
            self._say(self.done)
        self.pending.append(entry)
        self.done += 1
        if self.done == len(self.cases):
            self._say(self.done)

    def _say(self, done):
        elapsed = time.monotonic() - self.started
        left = elapsed / done * (len(self.cases) - done)
        tail = f", about {duration(left)} left" if done < len(self.cases) else ""
        say(f"  {self.suite}  {', '.join(self.pending)}   "
            f"{done}/{len(self.cases)}  {duration(elapsed)}{tail}")
        self.pending = []


class Notes:
    """Lines said once per run, whichever suite first gives cause."""

    def __init__(self):
        self.said = set()

    def once(self, key, line):
        if key not in self.said:
            self.said.add(key)
            say(line)


def fit(lines):
    """Lines as the console shows them: prose longer than WIDTH wrapped to WRAP,
    its continuation indented under its first word. A warning ('!' in the
    gutter) keeps its mark on every line, so that whoever reads or counts the
    console can tell the machine's noise from what every run prints."""
    out = []
    for line in lines:
        if len(line) <= WIDTH:
            out.append(line)
            continue
        lead = line[:len(line) - len(line.lstrip())]
        more = "!   " if line.startswith("!") else lead + "  "
        out += textwrap.wrap(line, WRAP, initial_indent="", subsequent_indent=more,
                             break_on_hyphens=False)
    return out


def indented(line):
    """A program suite's own progress line, as the console shows it."""
    for part in fit([f"  {line}"]):
        say(part)


def tail(text, lines=5):
    """The last lines of a child's output, for a failure on the console."""
    return [f"  | {x}" for x in text.strip().splitlines()[-lines:]]


def write_stderr(lines):
    for line in lines:
        print(line, file=sys.stderr)
