"""The regression gate's computing half: instructions per op, baselines, verdicts.

Wall time on a shared machine moves by several percent from run to run; the
number of instructions a benchmark's loop executes does not. The gate counts
them under valgrind's callgrind (callgrind.py: N and 2N iterations on fresh
threads, only the loop counted, in an environment the gate fixes), so the same
binary gives the same figure wherever it runs: any checkout path, environment,
case order or x86-64 CPU. It compares them with a baseline kept in the
repository. A count that moves without a code change is a bug of the gate;
tests/deferbench/analysis/test_gate_invariance.py perturbs what a user's CI can change.

A baseline is only meaningful for the toolchain that produced it: another
compiler, flags, build type, Google Benchmark or C library emits or runs
other instructions. Each toolchain has its own file,
regress/baselines/<toolchain key>.json, the key built by toolchain_key().

Counting is callgrind's here. A machine whose PMU counts `instructions`
could gate on those too, but perf counts carry interrupt and skid noise of a
few instructions per loop; callgrind's are exact, so the gate uses callgrind
wherever valgrind runs.
"""

import hashlib
import json
import os
import platform
import re
import subprocess
import tempfile
from dataclasses import dataclass

from . import results
from ..run import callgrind, machine, registry
from ..errors import UserError

DEFAULT_TOLERANCE = 0.01   # a case fails when its instructions/op grow by more than this
SCHEMA = 1
INJECTED_CONTEXT = "deferbench_injected_slowdown"  # set by test builds only

class GateError(UserError):
    """The gate could not measure one of its sides (exit 1, one line)."""


REGRESSED, IMPROVED, WITHIN, NEW_CASE, MISSING = \
    "regressed", "improved", "within tolerance", "no baseline", "missing"
FAILING = {REGRESSED, MISSING}


@dataclass
class Measurement:
    toolchain: dict     # what the key derives from
    counts: dict        # suite -> {case: instructions per op}
    context: dict       # suite -> the suite binary's Google Benchmark context
    iterations: object  # per suite {name: n}, or one n for all
    side: str = "C++"   # "C++": the Google Benchmark suites; "Go": the go suite's cases
    other: str = ""     # TOOLCHAINS=: the key of the other toolchain measured ("" for a default)

    @property
    def key(self):
        return toolchain_key(self.toolchain) if self.side == "C++" else go_key(self.toolchain)

    def injected(self):
        """Suites built with an injected slowdown (test builds)."""
        return {s: c[INJECTED_CONTEXT] for s, c in self.context.items()
                if c.get(INJECTED_CONTEXT)}


@dataclass
class GateRow:
    suite: str
    case: str
    old: float          # baseline instructions/op; None for a new case
    new: float          # measured; None for a missing case
    status: str

    @property
    def delta(self):
        return None if self.old is None or self.new is None else self.new - self.old

    @property
    def relative(self):
        return None if self.delta is None or not self.old else self.delta / self.old


def _slug(text):
    return re.sub(r"[^a-z0-9.]+", "-", str(text).lower()).strip("-") or "unknown"


def _package_version(package):
    """Upstream version of a Debian package (no epoch, no Debian revision)."""
    version = machine.package_version(package)
    return re.sub(r"^\d+:|-[^-]*$", "", version) if version else None


def google_benchmark_version():
    version = _package_version("libbenchmark-dev")
    if version:
        return version
    try:
        out = subprocess.run(["pkg-config", "--modversion", "benchmark"],
                             capture_output=True, text=True, timeout=20)
        return out.stdout.strip() or None if out.returncode == 0 else None
    except (OSError, subprocess.TimeoutExpired):
        return None


def describe_toolchain(context):
    """The toolchain fields that decide the instructions a suite executes.

    Compiler, build type and flags come from the suite binary itself (its
    Google Benchmark context), so they describe what was built, not what a
    cache file says.
    """
    libc, libc_version = platform.libc_ver()
    return {
        "compiler": context.get("deferbench_compiler") or "unknown",
        "arch": platform.machine(),
        "build_type": context.get("deferbench_build_type") or "unknown",
        "cxx_flags": " ".join((context.get("deferbench_cxx_flags") or "").split()),
        "google_benchmark": google_benchmark_version() or "unknown",
        "libc": f"{libc} {libc_version}".strip() or "unknown",
    }


def toolchain_key(t):
    """compiler_arch_buildtype_flags-HASH_gbench-V_libc-V: a file name.

    The flags enter as a short hash (they are long and full of spaces); the
    baseline file keeps them in full.
    """
    flags = hashlib.sha256(t["cxx_flags"].encode()).hexdigest()[:8]
    return "_".join([_slug(t["compiler"]), _slug(t["arch"]), _slug(t["build_type"]),
                     f"flags-{flags}", f"gbench-{_slug(t['google_benchmark'])}",
                     _slug(t["libc"])])


def go_key(t):
    """go-<version>_<GOARCH>: the Go side's baseline file name. The Go compiler
    and runtime decide its instructions; nothing of the C++ toolchain does."""
    return f"go-{_slug(t['go_version'])}_{_slug(t['goarch'])}"


# The Go cases the gate checks: those whose count is exact run after run
# (suites/go/instructions.py says why the others are not), on a loaded
# machine too. Cliff 2 past 8 defers counts exactly on a quiet one, but its
# counts run long enough under valgrind for the runtime to preempt them now and
# then, more often the busier the machine; the report shows them, the gate
# leaves them out.
GO_GATED = ("runtime/BenchmarkDefer", "runtime/BenchmarkDefer/noopendefer",
            "defer_cost/call", "defer_cost/open_coded", "defer_cost/chain_stack",
            "defer_cost/chain_heap", "cliffs/loop/helper", "cliffs/loop/plain",
            *(f"cliffs/ndefers/{n}" for n in range(1, 9)))
GO_INJECT_TAG = "deferbench_inject"  # goref's test hook: one increment more in its open_coded


def measure_go(build_dir, inject=False, module_dir=None, caches=None, exe=None):
    """Instructions per op of the gated Go cases, or None without Go. The test
    binaries are built for the gate (with goref's test hook when `inject`),
    from this tree's goref or `module_dir` (another commit's), with Go's caches
    in build_dir or `caches`, by the go on PATH or `exe` (another release)."""
    from ..suites.go import instructions, suite as go_suite, toolchain
    go = toolchain.find(os.path.abspath(build_dir), module_dir or toolchain.MODULE_DIR, caches,
                        exe=exe)
    if go is None:
        return None
    tags = (GO_INJECT_TAG,) if inject else ()
    binaries = go_suite.build_test_binaries(go, tags)
    cases = [c for c in instructions.CASES if c.name in GO_GATED]
    found = instructions.count(binaries, go.work_dir, cases=cases)
    for name in [n for n, e in found.items() if not e["exact"]]:  # once more, then a failure
        (again,) = instructions.count(binaries, go.work_dir,
                                      cases=[c for c in cases if c.name == name]).values()
        if not again["exact"]:
            raise RuntimeError(f"go: {name}'s instruction count did not repeat; "
                               "the gate needs an exact count")
        found[name] = again
    env = go.goenv("GOVERSION", "GOARCH")
    version, goarch = env["GOVERSION"].removeprefix("go"), env["GOARCH"]
    context = {"go": {INJECTED_CONTEXT: f"-tags {GO_INJECT_TAG}"} if inject else {}}
    return Measurement({"go_version": version, "goarch": goarch},
                       {"go": {n: e["instructions_per_op"] for n, e in found.items()}},
                       context, instructions.ITERATIONS, side="Go")


def _go_repeats():
    from ..suites.go import instructions
    return instructions.REPEATS


def iterations_text(iterations):
    """'100000' or 'defer_cost 100000, cliffs 5000' (a case may divide it)."""
    if isinstance(iterations, dict):
        return ", ".join(f"{name} {n}" for name, n in iterations.items())
    return str(iterations)


def gbench_suites():
    return [s for s in registry.SUITES.values() if s.kind == "gbench"]


def measure(build_dir, iterations=None, extra_args=(), setting=callgrind.DEFAULT_SETTING):
    """Instructions per op of every gbench suite, under callgrind.

    `iterations` overrides each suite's own callgrind_iterations (run/suite.py);
    `setting` how valgrind is started (tests vary it; the gate never does).
    """
    counts, contexts = {}, {}
    for suite in gbench_suites():
        binary = os.path.join(build_dir, suite.binary)
        if not os.access(binary, os.X_OK):
            raise UserError(f"suite binary {binary} is missing; build first (make build)")
        with tempfile.TemporaryDirectory(prefix="deferbench-gate-") as tmp:
            out = os.path.join(tmp, "context.json")
            cases = callgrind.count(binary, iterations or suite.callgrind_iterations, [
                f"--benchmark_out={out}", "--benchmark_out_format=json", *extra_args],
                setting=setting)
            with open(out) as f:
                contexts[suite.name] = json.load(f).get("context", {})
        # A base commit's binary may name a case as it was then (results.RENAMED).
        counts[suite.name] = {results.current_name(suite.name, name): c["instructions_per_op"]
                              for name, c in cases.items()}
    first = next(iter(contexts.values()), {})
    return Measurement(describe_toolchain(first), counts, contexts,
                       iterations or {s.name: s.callgrind_iterations for s in gbench_suites()})


def compare(baseline_counts, measured_counts, tolerance=DEFAULT_TOLERANCE):
    """GateRows for every case in either; a pure function of its inputs.

    A case regresses when new > old * (1 + tolerance), improves when
    new < old * (1 - tolerance). A case in the baseline that was not measured
    is missing (a failure: a renamed or deleted case would otherwise leave
    the gate without saying so); a measured case with no baseline is not
    gated, and says so.
    """
    rows = []
    for suite in sorted(set(baseline_counts) | set(measured_counts)):
        old_cases = baseline_counts.get(suite, {})
        new_cases = measured_counts.get(suite, {})
        for case in list(old_cases) + [c for c in new_cases if c not in old_cases]:
            old, new = old_cases.get(case), new_cases.get(case)
            if old is None:
                status = NEW_CASE
            elif new is None:
                status = MISSING
            elif new > old * (1 + tolerance):
                status = REGRESSED
            elif new < old * (1 - tolerance):
                status = IMPROVED
            else:
                status = WITHIN
            rows.append(GateRow(suite, case, old, new, status))
    return rows


def smallest_caught(old, tolerance=DEFAULT_TOLERANCE):
    """The fewest whole extra instructions per op that this gate flags for a case."""
    n = 1
    while old + n <= old * (1 + tolerance):
        n += 1
    return n


# ---- baseline files ----

def baseline_path(baselines_dir, key):
    return os.path.join(baselines_dir, f"{key}.json")


def load_baseline(path):
    """The baseline file's data, None when there is none; UserError when broken."""
    try:
        with open(path) as f:
            data = json.load(f)
    except FileNotFoundError:
        return None
    except json.JSONDecodeError as e:
        raise UserError(f"{path}: malformed JSON at line {e.lineno}: {e.msg}") from e
    if not isinstance(data, dict) or not isinstance(data.get("suites"), dict):
        raise UserError(f"{path}: not a deferbench baseline (no 'suites')")
    try:  # a baseline recorded before a case was renamed holds its old name
        data["suites"] = {suite: {results.current_name(suite, case): count
                                  for case, count in cases.items()}
                          for suite, cases in data["suites"].items()}
    except AttributeError:
        raise UserError(f"{path}: not a deferbench baseline ('suites' holds no cases)") from None
    return data


def baseline_data(m, recorded):
    return {
        "schema": SCHEMA,
        "toolchain_key": m.key,
        "toolchain": m.toolchain,
        "counting": {"method": "callgrind: (count(2N) - count(N)) / N, each run on a fresh "
                               "thread, environment fixed by the gate" if m.side == "C++" else
                               "callgrind: (count(2N) - count(N)) / N of -test.benchtime runs, "
                               f"counted inside the benchmark's loop function, least of "
                               f"{_go_repeats()}, environment fixed by the gate",
                     "iterations": m.iterations, "unit": "instructions per op"},
        "recorded": recorded,
        "suites": m.counts,
    }
