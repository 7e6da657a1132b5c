"""What a suite is to the runner: how it runs, how long, and what it reports.

Three kinds of suite, one results shape (Google Benchmark's JSON):
  gbench   a Google Benchmark binary (suites/<name>/ in the source tree); the
           runner passes --benchmark_out and the repetition settings.
  program  a binary that measures whole processes (stack, fd) and writes
           Google Benchmark-shaped JSON itself (harness/program_suite.h): the
           runner passes --out=PATH, and --quick for a short run; options reach
           it through the environment (STACK_SIZES=, FD_N=, ...), the suite's
           `environment` normalizing those the project parses (FD_N=, FD_SYSTEM=),
           and --check-options checks them, and the --out, before a run folder exists.
  python   a function called with (out_path, quick, run_dir) that writes the
           JSON (the Go reference); when it writes nothing it returns the line
           that says why. With TOOLCHAINS= it is called again with
           toolchain=<another release's go>.
Each suite module (deferbench.suites.<name>) defines its SUITE; run/registry.py
lists them.
"""

from dataclasses import dataclass
from typing import Callable, Optional


@dataclass(frozen=True)
class RunSettings:
    repetitions: int
    min_time_s: float
    interleave: bool  # random interleaving: drift hits every case alike
    pairs: object = None  # analysis/paired.Series, for suites with pairs


@dataclass(frozen=True)
class Suite:
    name: str
    claims: str             # the claim ids it measures (analysis/claims.py)
    kind: str               # "gbench", "program" or "python"
    binary: str = ""        # gbench and program: the binary, relative to the build folder
    run: Optional[Callable] = None   # python: (out_path, quick, run_dir) -> reason or None
    # python: checks the suite's options (from the environment) before anything is
    # created, raising UserError; program suites check theirs with --check-options.
    check: Optional[Callable] = None
    # program: (environ) -> {variable: value, or None to unset} for the suite's
    # process: its settings checked in inputs.py's grammar (a UserError before
    # anything is created) and passed on in the form the binary parses.
    environment: Optional[Callable] = None
    full: RunSettings = RunSettings(repetitions=1, min_time_s=0, interleave=False)
    quick: RunSettings = RunSettings(repetitions=1, min_time_s=0, interleave=False)
    summary: Optional[Callable] = None  # SuiteResult -> its summary (the run's summary.txt)
    brief: Optional[Callable] = None    # SuiteResult -> its lines on the console (default: summary)
    # gbench suites under callgrind: iterations per case (a case may divide
    # it, see harness/registry.h); fixed, so instruction counts repeat.
    callgrind_iterations: int = 100_000
    # python suites under callgrind: () -> {case: entry} (run/callgrind.py's per_op
    # entries), counted from what the suite's run built.
    count_instructions: Optional[Callable] = None
    # Cases measured interleaved with a reference (analysis/paired.py): the
    # ratios that claims and targets read.
    # A tuple, or a function of the suite's JSON context that returns one (for
    # a suite whose binary lists its own pairs: analysis/cases.py).
    pairs: object = ()
    # The language whose toolchain decides the suite's figures ("C++" or "Go"):
    # TOOLCHAINS= runs it once more with each other compiler or release. ""
    # for the suites that measure the machine and its limits (stack, fd).
    per_toolchain: str = ""

    def pairs_for(self, context):
        return tuple(self.pairs(context)) if callable(self.pairs) else tuple(self.pairs)

    def settings(self, quick):
        return self.quick if quick else self.full

    def summary_lines(self, suite_result):
        return self.summary(suite_result) if self.summary else []

    def brief_lines(self, suite_result):
        return self.brief(suite_result) if self.brief else self.summary_lines(suite_result)
