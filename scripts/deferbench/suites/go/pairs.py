"""Paired ratios for Go's benchmarks, measured as the C++ ones are.

Go's benchmark loop has no hook for deferbench's chunks, so a chunk here is one
short run of a compiled test binary: `-test.bench=^Name$ -test.benchtime=<N>x`,
with N sized so that the run takes about CHUNK_S, and Go's own ns/op as the
chunk's figure (its start-up is not timed). The subject's and the reference's
chunks alternate in ABBA order, every child pinned to one CPU, the pairs
taking the CPUs in turn as the C++ suites' processes do (run/cpu_turns.py).
paired.py keeps the pairs and computes the ratio and its interval; a Go
process's own threads switch among themselves, so no pair is dropped for a
context switch here, only by the outlier rule.

The pairs: the runtime's BenchmarkDefer built with noopendefer (the stack
record of claim A1) against the same benchmark as shipped (open-coded);
goref's defer_cost cases against goref's call; and goref's copy of the
runtime's benchmark body (defer1) against its twin without the defer
(defer1_call), as shipped and in goref's noopendefer build; and cliff 2's
step, nine defers in a frame against eight, per defer. Each is one
program with and without the defer: a ratio to a plain call measured in
another program would hold the two programs' difference too.
"""

import os
from dataclasses import dataclass

from . import parse as go_parse
from .instructions import bench_pattern
from ...analysis import paired
from ...run import cpu_turns, interrupts

CHUNK_S = 0.02            # one chunk: long next to Go's timer, short next to drift
FULL_PAIRS, QUICK_PAIRS = 30, 20


@dataclass(frozen=True)
class Side:
    name: str       # deferbench's name of the benchmark
    binary: str     # key of the compiled test binary (go_suite._build)
    pattern: str    # -test.bench


def _runtime(suffix, binary):
    return Side(f"runtime/BenchmarkDefer{suffix}", binary, "^BenchmarkDefer$")


def _goref(case, build=""):
    binary = f"defercost{'-' + build if build else ''}.test"
    return Side(f"defer_cost/{case}{'/' + build if build else ''}", binary,
                bench_pattern("BenchmarkDeferCost", case))


def _cliff(case):
    return Side(f"cliffs/{case}", "cliffs.test", bench_pattern("BenchmarkCliffs", case))


PAIRS = [(_runtime("/noopendefer", "runtime-noopendefer.test"), _runtime("", "runtime.test"))] + [
    (_goref(case), _goref("call")) for case in ("open_coded", "chain_stack", "chain_heap")] + [
    (_goref("defer1", build), _goref("defer1_call", build)) for build in ("", "noopendefer")] + [
    # Cliff 2's step, per defer (x 8/9): the ninth defer turns every defer of
    # the frame into a stack record.
    (_cliff("ndefers/9"), _cliff("ndefers/8"))]
# The factor on a pair's ratio (paired.Pair.scale), per subject.
SCALES = {"cliffs/ndefers/9": 8 / 9}


def _ns_per_op(side, binaries, benchtime, cwd, env, timeout, cpu):
    proc = interrupts.run(
        cpu_turns.on(cpu, [binaries[side.binary], "-test.run=NONE", f"-test.bench={side.pattern}",
                           f"-test.benchtime={benchtime}", "-test.count=1"]),
        cwd=cwd, env=env, timeout=timeout)
    if proc.returncode != 0:
        tail = " | ".join((proc.stdout + proc.stderr).strip().splitlines()[-3:])
        raise RuntimeError(f"{side.name}: {os.path.basename(binaries[side.binary])} failed: {tail}")
    (result,) = go_parse.parse(proc.stdout, side.name)
    return result.metrics["ns/op"]


def _iterations(side, binaries, cwd, env, timeout, cpu):
    """N for a chunk of about CHUNK_S, from one run of a tenth of it."""
    ns = _ns_per_op(side, binaries, f"{CHUNK_S / 10 * 1000:g}ms", cwd, env, timeout, cpu)
    return max(1, round(CHUNK_S * 1e9 / max(ns, 1e-3)))


def measure(binaries, pairs, cwd, env, timeout):
    """(entries for go.json, raw data): every pair of PAIRS whose binaries exist."""
    entries, raw = [], []
    cpus = cpu_turns.usable()
    for subject, reference in PAIRS:
        if not all(os.path.exists(binaries.get(s.binary, "")) for s in (subject, reference)):
            continue
        ns = _iterations(subject, binaries, cwd, env, timeout, cpus[-1])
        nr = _iterations(reference, binaries, cwd, env, timeout, cpus[-1])
        s_times, r_times, pair_cpus = [], [], []
        for i in range(pairs):
            cpu = cpu_turns.for_unit(i, cpus)
            order = ((subject, ns, s_times), (reference, nr, r_times))
            for side, n, times in (order if i % 2 == 0 else order[::-1]):
                times.append(_ns_per_op(side, binaries, f"{n}x", cwd, env, timeout, cpu))
            pair_cpus.append(str(cpu))
        data = {"subject": subject.name, "reference": reference.name,
                "subject_iterations": ns, "reference_iterations": nr,
                "subject_ns_per_op": s_times, "reference_ns_per_op": r_times,
                "cpu": pair_cpus}
        raw.append(data)
        entries.append(paired.entry(
            paired.Pair(subject.name, reference.name, scale=SCALES.get(subject.name, 1.0)), data))
    return entries, {"context": {"chunk_s": CHUNK_S, "order": "ABBA", "cpus": cpus,
                                 "disturbance": "outlier rule only"}, "pairs": raw}
