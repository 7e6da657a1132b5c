"""Instruction counts under valgrind's callgrind, for machines with no PMU.

The suite binary runs with --callgrind: each case runs a fixed number of
iterations and brackets only its loop with callgrind client requests, then
asks for a dump named "<case> iterations=<n>". Instructions per op are the
dump's total divided by n: the same figure for the same binary every time,
whatever else the machine is doing.
"""

import glob
import os
import re
import shutil
import subprocess
import tempfile

from .errors import UserError

DEFAULT_ITERATIONS = 100_000
_TRIGGER = re.compile(r"^desc: Trigger: Client Request: (.+) iterations=(\d+)$", re.M)
_TOTAL = re.compile(r"^(?:summary|totals): (\d+)", re.M)


def available():
    return shutil.which("valgrind") is not None


def parse_dump(text):
    """(case, iterations, instructions) of one dump, or None for other dumps."""
    trigger = _TRIGGER.search(text)
    total = _TOTAL.search(text)
    if not trigger or not total:
        return None
    return trigger.group(1), int(trigger.group(2)), int(total.group(1))


def count(binary, iterations=DEFAULT_ITERATIONS, extra_args=()):
    """Runs a suite binary under callgrind; returns {case: entry}."""
    if not available():
        raise UserError("COUNTERS=callgrind needs valgrind (Debian package valgrind)")
    with tempfile.TemporaryDirectory(prefix="deferbench-callgrind-") as tmp:
        cmd = ["valgrind", "--tool=callgrind", "--collect-atstart=no",
               f"--callgrind-out-file={tmp}/callgrind.out",
               binary, "--callgrind", f"--callgrind-iterations={iterations}",
               "--benchmark_repetitions=1", *extra_args]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            raise RuntimeError(f"callgrind run of {binary} failed: {last}")
        cases = {}
        for path in sorted(glob.glob(os.path.join(tmp, "callgrind.out*"))):
            with open(path) as f:
                parsed = parse_dump(f.read())
            if parsed:
                name, n, total = parsed
                cases[name] = {"name": name, "iterations": n, "instructions": total,
                               "instructions_per_op": total / n}
        return cases
