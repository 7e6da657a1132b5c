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

The same runs give Go's own wall time per op by the same difference (Go prints
each run's ns/op), as perf_real_time: perf::TASK-CLOCK beside it is one
interval measured two ways, where the ns/op of the timed repetitions come from
other runs, minutes apart, on a machine whose speed drifts. A full run repeats
the N/2N pair REPEATS times and keeps each figure's median.

A figure to which every op must add (cycles, instructions, task-clock, wall
time) whose median comes out at or below zero is the two runs' noise, not a
count: it is left out of the entry, and perf_not_measured says what it read.

What it measures is the process, not one thread: the Go runtime's own threads
(GC workers, sysmon) are in it. The counted runs are pinned to one CPU, as the
paired runs and the C++ suites are: the GC's workers then take turns with the
benchmark instead of running beside it on another core, so the process's CPU
time is the wall time it was given, and perf::TASK-CLOCK per op measures the
same interval as perf_real_time.
"""

import json
import math
import os
import statistics
import tempfile

from . import instructions, parse, toolchain
from ...run import cpu_turns, interrupts

TARGET_S, QUICK_TARGET_S = 0.05, 0.05
# Figures to which every op adds: at or below zero, the difference of the two
# runs is their noise (a loaded machine's start-ups, steal time), not N ops.
# Others (page faults, context switches, misses) may truly be about 0 per op.
NECESSARILY_POSITIVE = ("cycles", "instructions", "perf::TASK-CLOCK", "perf_real_time")
REPEATS, QUICK_REPEATS = 2, 1
MIN_N, MAX_N = 1000, 200_000_000


def launcher_path():
    return os.path.join(toolchain.build_dir(), "harness", "deferbench-count")


def _scaled(event):
    if event.get("status") != "counted" or not event.get("running"):
        return None
    return event["value"] * event["enabled"] / event["running"]


def _counted(launcher, binary, case, n, cwd, env, timeout):
    """([event entries], wall ns of the n ops) of one run of n ops: the events
    over the whole process, the wall time as Go printed it for its timed loop."""
    with tempfile.TemporaryDirectory(prefix="deferbench-go-perf-") as tmp:
        out = os.path.join(tmp, "counts.json")
        cpu = cpu_turns.suite_cpu()
        proc = interrupts.run(cpu_turns.on(cpu, [launcher, f"--out={out}", "--", binary,
                                                 "-test.run=NONE", f"-test.bench={case.pattern}",
                                                 f"-test.benchtime={n}x", "-test.count=1"]),
                              cwd=cwd, env=env, timeout=timeout)
        if proc.returncode != 0:
            tail = " | ".join((proc.stdout + proc.stderr).strip().splitlines()[-3:])
            raise RuntimeError(f"{case.name}: counted run failed: {tail}")
        with open(out) as f:
            events = json.load(f)["events"]
    timed = [r for r in parse.parse(proc.stdout, f"{case.name}'s counted run")
             if r.iterations == n]
    if len(timed) != 1:
        raise RuntimeError(f"{case.name}: expected one result of {n} ops in its counted run, "
                           f"found {len(timed)}")
    return events, timed[0].metrics["ns/op"] * n


def _iterations(ns_per_op, target_s):
    if not ns_per_op or math.isnan(ns_per_op):
        return MIN_N
    return int(min(MAX_N, max(MIN_N, round(target_s * 1e9 / ns_per_op))))


def _per_op(first, second, n):
    """{event: per op} of an N and a 2N run, for the events counted in both,
    and perf_real_time from their wall times."""
    (events_n, wall_n), (events_2n, wall_2n) = first, second
    values = {}
    for a, b in zip(events_n, events_2n):
        if _scaled(a) is not None and _scaled(b) is not None:
            values[a["name"]] = (_scaled(b) - _scaled(a)) / n
    values["perf_real_time"] = (wall_2n - wall_n) / n
    return values


def measure(binaries, ns_per_op, cwd, env, timeout, quick):
    """({case: {event: per op}}, [event statuses], None) for every built case;
    ({}, [], the reason) when the launcher is missing."""
    launcher = launcher_path()
    if not os.access(launcher, os.X_OK):
        return {}, [], f"{launcher} is missing (make build-suites builds it)"
    per_case, statuses = {}, None
    for case in instructions.CASES:
        binary = binaries.get(case.binary)
        if not binary or not os.path.exists(binary) or case.name not in ns_per_op:
            continue
        n = _iterations(ns_per_op[case.name], QUICK_TARGET_S if quick else TARGET_S)
        counted = []
        for _ in range(QUICK_REPEATS if quick else REPEATS):
            first = _counted(launcher, binary, case, n, cwd, env, timeout)
            second = _counted(launcher, binary, case, 2 * n, cwd, env, timeout)
            statuses = statuses or [{k: e[k] for k in ("name", "status", "reason")}
                                    for e in first[0]]
            counted.append(_per_op(first, second, n))
        # An event enters only when every pair counted it: a median over some of them
        # would be a different figure under the same name.
        names = set.intersection(*(set(p) for p in counted))
        values = {k: statistics.median(p[k] for p in counted) for k in sorted(names)}
        for k in NECESSARILY_POSITIVE:
            if values.get(k, 1) <= 0:
                values.setdefault("perf_not_measured", {})[k] = (
                    f"{values.pop(k):.3g} per op from {len(counted)} N/2N pair(s): the runs' "
                    "noise exceeded N ops' worth")
        values["perf_iterations"] = n
        values["perf_pairs"] = len(counted)
        per_case[case.name] = values
    return per_case, statuses or [], None


def median_ns(entries):
    """{benchmark: median ns/op} of go.json's entries so far."""
    times = {}
    for e in entries:
        if not e.get("error_occurred") and "real_time" in e and e.get("run_type") != "aggregate":
            times.setdefault(e["name"], []).append(e["real_time"])
    return {name: statistics.median(v) for name, v in times.items()}
