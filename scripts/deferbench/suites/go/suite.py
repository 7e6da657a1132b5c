"""Suite `go`: the articles' experiments run with the Go toolchain.

What it runs, all into one Google Benchmark-shaped JSON file (go.json):
  runtime/BenchmarkDefer              article A's command (A5), as shipped
  runtime/BenchmarkDefer/noopendefer  the same with -gcflags=runtime=-d=noopendefer,
                                      the normal (stack record) defer of A1
  defer_cost/<case>, cliffs/<case>    deferbench's own Go benchmarks (goref/)
  stack/<case>                        func f() { defer f() } to the overflow (A6, A7)
  semantics/<experiment>              the order defers ran in, their arguments, a panic,
                                      a defer in a block (R1, R5, R6): cmd/defersemantics
  fd/<N>, fd/plain/<N>                N files, a deferred Close each (A9, A10)
  fd/nofd/<N>, fd/kernel/<N>          its two halves at any N: the user-space half (no
                                      descriptors) and open+close in batches; their sum
                                      estimates fd/<N> where the limits stop it
  <name>_paired                       the ratios of pairs.py, with analysis/paired.py's fields
Beside it in the run folder: the raw pairs (go.pairs.json), the raw `go test` text for benchstat
(go_bench*.txt) and the compiler's diagnostics (go_defer_diagnostics.txt,
go_escape_analysis.txt). Every Go build keeps its cache under <build>/go.

Without Go on PATH it writes nothing and says how to install it. Options
from the environment: FD_N= (the fd sweep), FD_DIR= (where the files go),
FD_FILES= (a folder of files to use and leave, which make bench shares with the
C++ fd suite).
"""

import concurrent.futures
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass

from ... import atomic
from . import diagnostics as go_diagnostics, fd as go_fd, pairs as go_pairs, parse as go_parse
from . import perf as go_perf, semantics as go_semantics, stack as go_stack, summary
from . import toolchain as go_toolchain
from .. import fd as fd_suite
from ...run import interrupts
from ...run.suite import Suite


@dataclass(frozen=True)
class Settings:
    count: int              # -count: repetitions of each Go benchmark
    benchtime: str          # -benchtime of the runtime's BenchmarkDefer (the article's: 1s)
    own_benchtime: str      # -benchtime of goref's own benchmarks
    stack_repetitions: int
    max_stack: int          # debug.SetMaxStack for the recursion, 0: the runtime's 1e9
    fd_repetitions: int
    timeout_s: int          # bound on each child and each benchmark binary
    pairs: int              # paired chunks per ratio (pairs.py)


# The ratios come from the interleaved pairs (pairs.py), which need no long
# sweeps: the sweeps give each benchmark's ns/op, allocations and spread, for
# which a few short repetitions do: three (at five, the sweeps took 21 s of the
# suite's 91 on a 2-core VM; at three, 11 s).
# One child per recursion case at the runtime's 1 GB limit, as the C++ stack
# suite has one attempt per strategy at 1 GiB: the depth is exact (a counter
# every frame adds to, and the runtime's own stack bounds), a quick run shows
# each case's two children agreeing at 100 MB, and a second child at 1 GB
# only repeats a count at some 8 s of the run (two took 17 s on a 2-core VM).
FULL = Settings(count=3, benchtime="250ms", own_benchtime="50ms", stack_repetitions=1,
                max_stack=0, fd_repetitions=5, timeout_s=600, pairs=go_pairs.FULL_PAIRS)
# QUICK: a 100 MB stack limit (the last stack is 64 MiB), labelled in the entries.
QUICK = Settings(count=3, benchtime="100ms", own_benchtime="50ms", stack_repetitions=2,
                 max_stack=100_000_000, fd_repetitions=2, timeout_s=300,
                 pairs=go_pairs.QUICK_PAIRS)

RUNTIME_BENCH = "BenchmarkDefer$"
NOOPENDEFER = "-gcflags=runtime=-d=noopendefer"

# Own benchmarks: Go's top-level name -> deferbench's name prefix.
PREFIXES = {"BenchmarkDeferCost/": "defer_cost/", "BenchmarkCliffs/": "cliffs/"}

# deferbench case -> (package folder in goref, function), for the compiler's
# diagnostics; a tuple of functions when the case's defers are spread over
# several (a per-item helper): its label then covers every defer of them.
FUNCTIONS = {
    "defer_cost/call": ("defercost", "Call"),
    "defer_cost/open_coded": ("defercost", "DeferOpenCoded"),
    "defer_cost/chain_stack": ("defercost", "DeferChainStack"),
    "defer_cost/chain_heap": ("defercost", "DeferChainHeap"),
    "cliffs/loop/defer_in_loop": ("cliffs", "LoopDeferInLoop"),
    "cliffs/loop/helper": ("cliffs", "loopItem"),
    "cliffs/loop/plain": ("cliffs", "LoopPlain"),
    "cliffs/closure/capturing": ("cliffs", "ClosureCapturing"),
    "cliffs/closure/plain_call": ("cliffs", "ClosurePlainCall"),
    "cliffs/closure/per_item": ("cliffs", "ClosurePerItem"),
    "cliffs/closure/per_item_10k": ("cliffs", "ClosurePerItem"),
    "cliffs/closure/per_item_plain_call": ("cliffs", "ClosurePerItemPlainCall"),
    "cliffs/fixes/none": ("cliffs", "FixesNone"),
    "cliffs/fixes/1": ("cliffs", ("Fixes1", "fix1Item")),
    "cliffs/fixes/2": ("cliffs", "Fixes2"),
    "cliffs/fixes/3": ("cliffs", "Fixes3"),
    "cliffs/fixes/all": ("cliffs", ("FixesAll", "fixAllItem")),
    **{f"cliffs/exits/{shape}": ("cliffs", f"exits{shape}") for shape in
       ("3x5", "5x3", "4x4", "2x8")},
    **{f"cliffs/ndefers/{n}": ("cliffs", f"nDefers{n}") for n in range(1, 13)},
    "stack/open_coded": ("cmd/deferstack", "viaDefer"),
    "stack/chain_heap": ("cmd/deferstack", "viaLoopDefer"),
    "stack/plain": ("cmd/deferstack", "viaCall"),
}


def _own_name(result):
    for prefix, ours in PREFIXES.items():
        if result.name.startswith(prefix):
            return ours + result.name[len(prefix):]
    return None


def _bench_args(settings, pattern, benchtime):
    return ["-test.run=NONE", f"-test.bench={pattern}", "-test.benchmem",
            f"-test.count={settings.count}", f"-test.benchtime={benchtime}"]


def _run_bench(go, binary, settings, pattern, raw_path, benchtime):
    """Runs a compiled test binary's benchmarks; keeps the raw text."""
    proc = interrupts.run([binary, *_bench_args(settings, pattern, benchtime)],
                          cwd=go.work_dir, env=go.env, timeout=settings.timeout_s)
    atomic.write_text(raw_path, proc.stdout)
    if proc.returncode != 0:
        tail = " | ".join((proc.stdout + proc.stderr).strip().splitlines()[-3:])
        raise RuntimeError(f"{os.path.basename(binary)} failed: {tail}")
    return go_parse.parse(proc.stdout, raw_path)


class _Phases:
    """Seconds spent in each phase, for the context, and said on the console."""

    def __init__(self):
        self.seconds = {}

    def __call__(self, name):
        phases = self

        class _Timer:
            def __enter__(self):
                self.start = time.monotonic()
                # Said as it starts (a step can take a minute), its time when done.
                print(f"  go  {name} ...", end="", flush=True)

            def __exit__(self, *exc):
                phases.seconds[name] = round(time.monotonic() - self.start, 2)
                print(f" {phases.seconds[name]:.0f} s" if exc[0] is None else " failed",
                      flush=True)
        return _Timer()


# The test binaries: (key, package, go test flags). The runtime's come from
# GOROOT (golang-src), goref's from its module; defercost-noopendefer holds
# defer1 and its twin with every defer of the package a stack record, the
# runtime's noopendefer build in a program that also has the plain call.
TEST_BINARIES = (
    ("runtime.test", "runtime", []),
    ("runtime-noopendefer.test", "runtime", [NOOPENDEFER]),
    ("defercost.test", "./defercost", []),
    ("defercost-noopendefer.test", "./defercost",
     ["-gcflags=deferbench/goref/defercost=-d=noopendefer"]),
    ("cliffs.test", "./cliffs", []),
)
# The runtime's own, built from GOROOT's sources (golang-src) when they are there.
RUNTIME_TESTS = ("runtime.test", "runtime-noopendefer.test")
# Those whose benchmarks instructions.CASES counts (the gate builds these).
COUNTED = (*RUNTIME_TESTS, "defercost.test", "cliffs.test")


def _test_command(go, key, tags=()):
    """(go's arguments, the folder to run them in or None for goref's module,
    the binary's path) that compile one of TEST_BINARIES, with `tags` under a
    name of its own, so that a tagged build never replaces the suite's."""
    _, package, flags = next(t for t in TEST_BINARIES if t[0] == key)
    path = go.path(key.replace(".test", "".join(f"-{t}" for t in tags) + ".test"))
    tag_args = [f"-tags={','.join(tags)}"] if tags else []
    return (["test", "-c", "-o", path, *flags, *tag_args, package],
            go.work_dir if package == "runtime" else None, path)


def _test_binary(go, key, tags=()):
    """Compiles one of TEST_BINARIES (_test_command); returns its path."""
    args, cwd, path = _test_command(go, key, tags)
    go.check(args, cwd=cwd)
    return path


def _binaries(go):
    """{key: path} of everything _build compiles."""
    binaries = {key: go.path(key) for key, _, _ in TEST_BINARIES}
    binaries.update({name: go.path(name) for name in (
        "deferstack", "deferstack-noopendefer", "deferfd", "defersemantics")})
    return binaries


def _build_steps(go, have_runtime_src):
    """[(phase, [(go's arguments, folder or None), ...]), ...]: what _build
    compiles, no command depending on another's output."""
    binaries = _binaries(go)
    runtime = ([_test_command(go, key)[:2] for key in RUNTIME_TESTS]
               if have_runtime_src else [])
    goref = [_test_command(go, key)[:2]
             for key in ("defercost.test", "defercost-noopendefer.test", "cliffs.test")]
    goref += [(["build", "-o", binaries["deferstack"], "./cmd/deferstack"], None),
              (["build", "-o", binaries["deferstack-noopendefer"], "-gcflags=-d=noopendefer",
                "./cmd/deferstack"], None),
              (["build", "-o", binaries["deferfd"], "./cmd/deferfd"], None),
              (["build", "-o", binaries["defersemantics"], "./cmd/defersemantics"], None)]
    return [("compile runtime's tests, as shipped and with noopendefer", runtime),
            ("compile goref", goref)]


def _build(go, phases, have_runtime_src):
    for phase, commands in _build_steps(go, have_runtime_src):
        with phases(phase):
            for args, cwd in commands:
                go.check(args, cwd=cwd)
    return _binaries(go)


# make bench gives its prebuild and its run one token (the time make read the
# Makefile) in this variable; a run with the token of the prebuild that
# completed takes that prebuild's binaries instead of compiling them again.
PREBUILD_TOKEN = "DEFERBENCH_PREBUILD"
# In <build>/go: which make bench built the binaries, with which go.
PREBUILT = "prebuilt.json"


def _prebuilt_by(go, have_runtime_src):
    """What a prebuild of the same binaries records beside them, token aside."""
    return {"go": go.exe, "runtime_tests": have_runtime_src}


def prebuild(build, token=None):
    """Everything _build compiles, into Go's cache under `build`, saying
    nothing; a failure is left for the suite's own build to report. With
    `token`, a build that completed records it (PREBUILT) for the run."""
    go = go_toolchain.find(build)
    if go is None:
        return
    stamp = go.path(PREBUILT)
    try:
        have_runtime_src = os.path.exists(_runtime_test_source(go.goenv("GOROOT")["GOROOT"]))
        earlier = _stamp(go)
        if earlier is not None:
            os.unlink(stamp)
        # Side by side, go commands each compile the packages they share that
        # the cache lacks: cold, the build took 65 s two at a time against 57 s
        # one at a time. Once a prebuild with this go has completed, they only
        # hash, which goes faster side by side (4.2 s against 5.6-6.2 s).
        warm = earlier is not None and _prebuilt_by(go, have_runtime_src) == {
            key: value for key, value in earlier.items() if key != "token"}
        if not _build_quietly(go, have_runtime_src, len(os.sched_getaffinity(0)) if warm else 1):
            return
        if token:
            atomic.write_json(stamp, {"token": token, **_prebuilt_by(go, have_runtime_src)})
    except (RuntimeError, OSError, subprocess.SubprocessError, atomic.WriteError):
        pass


def _build_quietly(go, have_runtime_src, jobs):
    """_build's commands, `jobs` at a time; True when all succeeded. Not
    through interrupts.run, whose hold on signals while a child starts is one
    flag for the whole process, not for threads: the prebuild is no run, and a
    Ctrl-C reaches these commands through make's process group."""
    commands = [c for _, step in _build_steps(go, have_runtime_src) for c in step]

    def compiled(command):
        args, cwd = command
        return subprocess.run([go.exe, *args], cwd=cwd or go.module_dir, env=go.env,
                              capture_output=True).returncode == 0

    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        return all(list(pool.map(compiled, commands)))


def _stamp(go):
    """What the last prebuild that completed recorded (PREBUILT), or None."""
    try:
        with open(go.path(PREBUILT)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _prebuilt(go, have_runtime_src):
    """True when this run's make bench compiled everything _build would, with
    this go, a moment ago: compiling again would only ask Go's cache (about
    5 s, most of it hashing the runtime tests' dependencies)."""
    token = os.environ.get(PREBUILD_TOKEN)
    return bool(token) and _stamp(go) == {"token": token, **_prebuilt_by(go, have_runtime_src)} \
        and all(os.path.exists(path) for key, path in _binaries(go).items()
                if have_runtime_src or key not in RUNTIME_TESTS)


def _runtime_test_source(goroot):
    """A file of the runtime's tests in GOROOT (Debian's golang-src has them)."""
    return os.path.join(goroot or "", "src", "runtime", "runtime_test.go")


def build_test_binaries(go, tags=()):
    """The test binaries whose benchmarks the gate counts (COUNTED), built with
    `tags` (a test build: -tags deferbench_inject)."""
    return {key: _test_binary(go, key, tags) for key in COUNTED}


def _diagnostics(go, run_dir):
    """Writes the compiler's diagnostics; returns per-case strategy and escapes."""
    packages = ["./defercost", "./cliffs", "./cmd/deferstack"]
    shipped = go.check(["build", "-gcflags=-d=defer", *packages]).stderr
    noopen = go.check(["build", "-o", os.devnull, "-gcflags=-d=noopendefer,defer",
                       "./cmd/deferstack"]).stderr
    escape = go.check(["build", "-gcflags=-m=2", *packages]).stderr
    atomic.write_text(os.path.join(run_dir, "go_defer_diagnostics.txt"),
                      f"$ go build -gcflags=-d=defer {' '.join(packages)}\n{shipped}\n"
                      f"$ go build -gcflags=-d=noopendefer,defer ./cmd/deferstack\n{noopen}")
    atomic.write_text(os.path.join(run_dir, "go_escape_analysis.txt"),
                      f"$ go build -gcflags=-m=2 {' '.join(packages)}\n{escape}")
    index = go_diagnostics.FunctionIndex(go_toolchain.MODULE_DIR)
    strategies = go_diagnostics.defer_strategies(shipped, index)
    strategies_noopen = go_diagnostics.defer_strategies(noopen, index)
    escapes = go_diagnostics.escapes(escape, index)
    per_case = {}
    for case, (package, names) in FUNCTIONS.items():
        keys = [(package, n) for n in ((names,) if isinstance(names, str) else names)]
        found = [s for k in keys for s in strategies.get(k, [])]
        fields = {}
        if found:
            fields["defer_strategy"] = go_diagnostics.summarise(found)
            fields["defer_statements"] = len(found)
        else:
            fields["defer_strategy"] = "no defer"
        escaped = sorted({e for k in keys for e in escapes.get(k, [])})
        if escaped:
            fields["heap_escapes"] = "; ".join(escaped)
        per_case[case] = fields
    stack_key = ("cmd/deferstack", "viaDefer")
    if stack_key in strategies_noopen:
        per_case["stack/chain_stack"] = {
            "defer_strategy": go_diagnostics.summarise(strategies_noopen[stack_key]),
            "defer_statements": len(strategies_noopen[stack_key])}
    return per_case


def _objdump(go, binary, symbol):
    """`go tool objdump -s symbol binary`, or None when it fails."""
    proc = go.run(["tool", "objdump", "-s", symbol, binary], cwd=go.work_dir)
    return proc.stdout if proc.returncode == 0 else None


def _runtime_strategy(go, binary):
    """defer1's strategy in a runtime test binary, from its machine code."""
    proc = go.run(["tool", "objdump", "-s", r"^runtime_test\.defer1$", binary], cwd=go.work_dir)
    return go_diagnostics.strategy_from_disassembly(proc.stdout) if proc.returncode == 0 else None


def _missing_runtime_entries(reason):
    return [{"name": n, "run_name": n, "run_type": "iteration", "repetitions": 1,
             "repetition_index": 0, "threads": 1, "iterations": 0, "time_unit": "ns",
             "error_occurred": True, "error_message": reason}
            for n in ("runtime/BenchmarkDefer", "runtime/BenchmarkDefer/noopendefer")]


def run(out_path, quick, run_dir, toolchain=None):
    """The suite's entry point (its SUITE's run): writes out_path, or nothing when
    Go is missing, and then returns the line that says so.

    `toolchain`, another Go release's go (TOOLCHAINS=), runs what the releases
    are compared on: the runtime's BenchmarkDefer in its two builds, goref's
    benchmarks with their allocations, the compiler's diagnostics and the
    paired ratios. The recursion, the rules, the file descriptors and the perf
    events are the default release's alone: they measure the machine and the
    runtime's limits more than the release's defer."""
    fd_sweep = fd_suite.sweep(os.environ.get("FD_N"))  # bad input: before anything
    go = go_toolchain.find(exe=toolchain)
    if go is None:
        print(go_toolchain.INSTALL_HINT, file=sys.stderr)
        return go_toolchain.INSTALL_HINT
    settings = QUICK if quick else FULL
    phases = _Phases()
    context = {"deferbench_suite": "go", "quick": quick, **go_toolchain.describe(go),
               "go_release_axis": toolchain is not None}
    runtime_src = _runtime_test_source(context["go_root"])
    have_runtime_src = os.path.exists(runtime_src)
    if toolchain is None and _prebuilt(go, have_runtime_src):
        with phases("compiled beside the C++ suites, before the run"):
            binaries = _binaries(go)
    else:
        binaries = _build(go, phases, have_runtime_src)
    with phases("compiler diagnostics (-d=defer, -m=2)"):
        per_case = _diagnostics(go, run_dir)

    entries = []
    with phases("runtime BenchmarkDefer, as shipped and with noopendefer"):
        if have_runtime_src:
            for variant, suffix, raw in (("runtime.test", "", "go_bench_runtime.txt"),
                                         ("runtime-noopendefer.test", "/noopendefer",
                                          "go_bench_runtime_noopendefer.txt")):
                results = _run_bench(go, binaries[variant], settings, RUNTIME_BENCH,
                                     os.path.join(run_dir, raw), settings.benchtime)
                found = go_parse.to_entries(
                    results, lambda r, s=suffix: f"runtime/{r.name}{s}"
                    if r.name == "BenchmarkDefer" else None)
                strategy = _runtime_strategy(go, binaries[variant])
                for e in found:
                    e["go_command"] = ("go test -run NONE -bench 'BenchmarkDefer$' -benchmem "
                                       f"{NOOPENDEFER + ' ' if suffix else ''}runtime")
                    if strategy:
                        e["defer_strategy"] = strategy  # from `go tool objdump` of defer1
                entries += found
                context.setdefault("go_maxprocs", results[0].procs if results else None)
                context.setdefault("go_cpu", results[0].config.get("cpu") if results else None)
        else:
            entries += _missing_runtime_entries(
                f"{runtime_src} is missing: the runtime's tests come with Debian's golang-src "
                "(apt-get install golang-src)")

    with phases("deferbench's Go benchmarks (defer_cost, cliffs)"):
        results = []
        for binary in ("defercost.test", "cliffs.test"):
            results += _run_bench(go, binaries[binary], settings, ".",
                                  os.path.join(run_dir, f"go_bench_{binary[:-5]}.txt"),
                                  settings.own_benchtime)
        own = go_parse.to_entries(results, _own_name)
        for e in own:
            e.update(per_case.get(e["name"], {}))
        entries += own
        if results:
            context["go_maxprocs"] = results[0].procs
            context.setdefault("go_cpu", results[0].config.get("cpu"))

    if toolchain is None:
        _perf_events(go, binaries, entries, context, settings, quick, phases)

    with phases("paired ratios: each with and without its defer, interleaved"):
        pairs, raw = go_pairs.measure(binaries, settings.pairs, go.work_dir, go.env,
                                      settings.timeout_s)
        entries += pairs
        atomic.write_json(os.path.join(run_dir, "go.pairs.json"), raw)

    if toolchain is None:
        entries += _runtime_limits(go, binaries, per_case, context, settings, fd_sweep, phases)
    context.update({
        "go_count": settings.count, "go_benchtime": settings.benchtime,
        "go_own_benchtime": settings.own_benchtime,
        "go_time_note": "Go's benchmarks measure wall time only: their entries have "
                        "real_time (ns/op) and no cpu_time",
        "go_raw_files": sorted(f for f in os.listdir(run_dir) if f.startswith("go_")),
        "go_defer_strategies": {e["name"]: e["defer_strategy"] for e in entries
                                if "defer_strategy" in e},
        "go_phase_seconds": phases.seconds,
    })
    atomic.write_json(out_path, {"context": context, "benchmarks": entries})
    return None


def _perf_events(go, binaries, entries, context, settings, quick, phases):
    """Each benchmark's perf events per op, into its entry."""
    with phases("perf events of each benchmark (N and 2N runs, counted by deferbench-count)"):
        counted, statuses, missing = go_perf.measure(
            binaries, go_perf.median_ns(entries), go.work_dir, go.env, settings.timeout_s, quick)
        for e in entries:
            e.update(counted.get(e["name"], {}))
        context["go_perf_events"] = statuses  # [] without the launcher; go_perf_missing says why
        if missing:
            context["go_perf_missing"] = missing
        context["go_perf_note"] = (
            "perf events per op from two runs of each test binary, N and 2N ops, under "
            "deferbench-count (the whole process, every thread); an event not counted is "
            "absent, its reason in go_perf_events")


def _runtime_limits(go, binaries, per_case, context, settings, fd_sweep, phases):
    """The recursion to the stack's limit, defer's rules, and the file
    descriptors: their entries; their settings into the context."""
    entries = []
    with phases("recursion through defer to the stack overflow"):
        stack = go_stack.entries(
            {"shipped": binaries["deferstack"], "noopendefer": binaries["deferstack-noopendefer"]},
            settings.stack_repetitions, settings.max_stack, settings.timeout_s, go.work_dir)
        frames = go_stack.frame_layout(lambda binary, symbol: _objdump(go, binary, symbol), {
            "shipped": binaries["deferstack"], "noopendefer": binaries["deferstack-noopendefer"]})
        for e in stack:
            e.update(per_case.get(e["name"], {}))
            e.update(frames.get(e["name"], {}))
        entries += stack

    with phases("defer's rules observed: order, arguments, panic, scope"):
        entries += go_semantics.entries(binaries["defersemantics"], settings.timeout_s)

    with phases("file descriptors"):
        fd, fd_context = go_fd.entries(binaries["deferfd"], fd_sweep, settings.fd_repetitions,
                                       settings.timeout_s)
        entries += fd
    context.update(fd_context)
    context["stack_max_setting"] = settings.max_stack or "runtime default (1e9 bytes)"
    return entries


def count_instructions(toolchain=None):
    """Instructions per op of the Go benchmarks (instructions.py), from the test
    binaries this suite's run built (with `toolchain`: another release's run)."""
    from . import instructions
    go = go_toolchain.find(exe=toolchain)
    binaries = {c.binary: go.path(c.binary) for c in instructions.CASES}
    return instructions.count(binaries, go.work_dir)


def check_options():
    """FD_N= as every suite reads it; a UserError before anything is created."""
    fd_suite.sweep(os.environ.get("FD_N"))


SUITE = Suite("go", "A1-A3, A5-A7, A9, A10, R1-R6, B3-B7", "python", run=run,
              check=check_options, summary=summary.go_summary, brief=summary.go_brief,
              count_instructions=count_instructions, per_toolchain="Go")
