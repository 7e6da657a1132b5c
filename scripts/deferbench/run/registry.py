"""The suites deferbench knows, how each runs, and how long.

Three kinds of suite, one results shape (Google Benchmark's JSON):
  gbench   a Google Benchmark binary built from benchmarks/<name>.cc; the
           runner passes --benchmark_out and the repetition settings.
  program  a binary that measures whole processes (stack, fd) and writes
           Google Benchmark-shaped JSON itself: the runner passes --out=PATH,
           and --quick for a short run; options reach it through the
           environment (STACK_SIZES=, FD_N=, ...).
  python   a function in scripts/deferbench ("module:function") called with
           (out_path, quick, run_dir) that writes the JSON (the Go reference);
           when it writes nothing it returns the line that says why.
Each suite may name a summary function ("module:function") that turns the
loaded results into the lines printed at the end of the run.
"""

import importlib
from dataclasses import dataclass

from . import paired
from .errors import UserError


@dataclass(frozen=True)
class RunSettings:
    repetitions: int
    min_time_s: float
    interleave: bool  # random interleaving: drift hits every case alike
    pairs: int = 0    # paired chunks per case (paired.py), for suites with pairs


@dataclass(frozen=True)
class Suite:
    name: str
    claims: str             # the CLAIMS.md ids it measures
    kind: str               # "gbench", "program" or "python"
    target: str             # binary (relative to the build folder) or "module:function"
    full: RunSettings = RunSettings(repetitions=1, min_time_s=0, interleave=False)
    quick: RunSettings = RunSettings(repetitions=1, min_time_s=0, interleave=False)
    summary: str = ""       # "module:function" of its end-of-run summary
    # gbench suites under callgrind: iterations per case (a case may divide
    # it, see harness/registry.h); fixed, so instruction counts repeat.
    callgrind_iterations: int = 100_000
    # Cases measured interleaved with a reference (paired.py): the ratios
    # that claims and targets read.
    pairs: tuple = ()

    def settings(self, quick):
        return self.quick if quick else self.full

    def summary_lines(self, suite_result):
        return resolve(self.summary)(suite_result) if self.summary else []


def resolve(reference):
    """The function named by "module:function" inside this package."""
    module, function = reference.split(":")
    return getattr(importlib.import_module(f".{module}", __package__), function)


_QUICK = RunSettings(repetitions=3, min_time_s=0.02, interleave=False,
                     pairs=paired.QUICK_PAIRS)

# Every strategy against the plain call, and the counters' overhead (`call` with
# the perf counters read around each chunk against without); cliff 2's step per defer (ndefers/n
# over ndefers/(n-1), per defer); cliffs 1 and 3 against their rewrites.
DEFER_COST_PAIRS = tuple(paired.Pair(c, "call") for c in (
    "open_coded", "open_coded_bits", "chain_stack", "chain_heap", "chain_heap_pooled",
    "std_function_guard")) + (
    # Read per chunk, the counters cost a few microseconds each time: chunks as
    # long as 25 ms put that where Google Benchmark's loops of 0.25 s put it, near 0.
    paired.Pair("counters_on/call", "counters_off/call", chunk_ms=25, pairs_fraction=0.12),)
CLIFFS_PAIRS = tuple(paired.Pair(f"ndefers/{n}", f"ndefers/{n - 1}", scale=(n - 1) / n)
                     for n in range(2, 13)) + (
    paired.Pair("loop/defer_in_loop", "loop/helper"),
    paired.Pair("closure/capturing", "closure/plain_call"))

SUITES = {
    s.name: s
    for s in [
        Suite("defer_cost", "A1-A4, B1", "gbench", "benchmarks/defer_cost",
              full=RunSettings(repetitions=10, min_time_s=0.25, interleave=True,
                               pairs=paired.FULL_PAIRS),
              quick=_QUICK, summary="summary:defer_cost_summary", pairs=DEFER_COST_PAIRS),
        Suite("cliffs", "B3-B7, R2-R4", "gbench", "benchmarks/cliffs",
              full=RunSettings(repetitions=8, min_time_s=0.1, interleave=True,
                               pairs=paired.FULL_PAIRS),
              quick=RunSettings(repetitions=2, min_time_s=0.01, interleave=False,
                                pairs=paired.QUICK_PAIRS),
              summary="cliffs_summary:cliffs_summary", callgrind_iterations=5_000,
              pairs=CLIFFS_PAIRS),
        Suite("stack", "A6, A7", "program", "benchmarks/stack",
              summary="stack_summary:stack_summary"),
        Suite("fd", "A8-A10", "program", "benchmarks/fd", summary="fd_summary:fd_summary"),
        Suite("go", "A1-A3, A5-A7, A9, A10, B3-B6", "python", "go_suite:run",
              summary="go_summary:go_summary"),
    ]
}


def select(text):
    """The suites named in a comma-separated list, all of them when empty."""
    if not text:
        return list(SUITES.values())
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in SUITES]
    if unknown:
        raise UserError(
            f"unknown suite {', '.join(repr(n) for n in unknown)}; "
            f"known suites: {', '.join(SUITES)}")
    return [SUITES[n] for n in dict.fromkeys(names)]
