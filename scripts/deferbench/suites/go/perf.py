"""Perf events per op of Go's benchmarks, through the harness's launcher.

Go's benchmark loop has no hook for deferbench's counters, so each benchmark's
test binary runs under build/harness/deferbench-count, which counts the events
over the whole process, every thread, from its exec to its end. Two runs,
-test.benchtime=Nx and 2Nx, differ by exactly N ops, so start-up, Go's
one-iteration warm-up run and everything else that happens once cancel:
per op = (count(2N) - count(N)) / N, each count scaled for multiplexing first.
N is sized from the benchmark's ns/op so that the N run takes about
TARGET_S. The events are those of the C++ suites, under the same names; one
that could not be counted is absent from the entries and its reason is in the
context (never a zero).

What it measures is the process, not one thread: the Go runtime's own threads
(GC workers, sysmon) are in it, as they are in the ns/op Go reports.
"""

import json
import math
import os
import statistics
import subprocess
import tempfile

from . import instructions, toolchain

TARGET_S, QUICK_TARGET_S = 0.2, 0.05
MIN_N, MAX_N = 1000, 200_000_000


def launcher_path():
    return os.path.join(toolchain.build_dir(), "harness", "deferbench-count")


def _scaled(event):
    if event.get("status") != "counted" or not event.get("running"):
        return None
    return event["value"] * event["enabled"] / event["running"]


def _counted(launcher, binary, case, n, cwd, env, timeout):
    """{event name: scaled count, or its status entry} of one run of n ops."""
    with tempfile.TemporaryDirectory(prefix="deferbench-go-perf-") as tmp:
        out = os.path.join(tmp, "counts.json")
        proc = subprocess.run([launcher, f"--out={out}", "--", binary, "-test.run=NONE",
                               f"-test.bench={case.pattern}", f"-test.benchtime={n}x",
                               "-test.count=1"],
                              cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            tail = " | ".join((proc.stdout + proc.stderr).strip().splitlines()[-3:])
            raise RuntimeError(f"{case.name}: counted run failed: {tail}")
        with open(out) as f:
            return json.load(f)["events"]


def _iterations(ns_per_op, target_s):
    if not ns_per_op or math.isnan(ns_per_op):
        return MIN_N
    return int(min(MAX_N, max(MIN_N, round(target_s * 1e9 / ns_per_op))))


def measure(binaries, ns_per_op, cwd, env, timeout, quick):
    """({case: {event: per op}}, [event statuses]) for every built case;
    ({}, []) and the reason when the launcher is missing."""
    launcher = launcher_path()
    if not os.access(launcher, os.X_OK):
        return {}, [], f"{launcher} is missing (make build-suites builds it)"
    per_case, statuses = {}, None
    for case in instructions.CASES:
        binary = binaries.get(case.binary)
        if not binary or not os.path.exists(binary) or case.name not in ns_per_op:
            continue
        n = _iterations(ns_per_op[case.name], QUICK_TARGET_S if quick else TARGET_S)
        first = _counted(launcher, binary, case, n, cwd, env, timeout)
        second = _counted(launcher, binary, case, 2 * n, cwd, env, timeout)
        statuses = statuses or [{k: e[k] for k in ("name", "status", "reason")} for e in first]
        values = {}
        for a, b in zip(first, second):
            if _scaled(a) is not None and _scaled(b) is not None:
                values[a["name"]] = (_scaled(b) - _scaled(a)) / n
        values["perf_iterations"] = n
        per_case[case.name] = values
    return per_case, statuses or [], None


def median_ns(entries):
    """{benchmark: median ns/op} of go.json's entries so far."""
    times = {}
    for e in entries:
        if not e.get("error_occurred") and "real_time" in e and e.get("run_type") != "aggregate":
            times.setdefault(e["name"], []).append(e["real_time"])
    return {name: statistics.median(v) for name, v in times.items()}
