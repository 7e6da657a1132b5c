"""Instructions per op of Go's benchmarks under callgrind, exactly.

Each case runs its compiled test binary twice under valgrind's callgrind,
with -test.benchtime=Nx and 2Nx, counting only inside the function that holds
the benchmark's loop (--toggle-collect): the runtime's other threads and the
testing package stay out. Go's harness runs every benchmark once with b.N = 1
before the N it was asked for, so both counts hold that one extra op and the
same start-up; their difference is exactly N ops' worth, and over N it is the
instructions per op (run/callgrind.py's per_op, the same N / 2N rule as the
C++ suites'). GODEBUG=asyncpreemptoff=1: callgrind aborts on the preemption
signal otherwise. GODEBUG=cpu.rdtscp=off: where the CPU advertises RDTSCP
(AMD Zen 5 does) Go's runtime.cputicks uses it, and valgrind 3.19 cannot
decode it and kills the program before main; off, Go takes its RDTSC path.
cputicks runs outside the counted function, so no count moves. The environment is the fixed one of the C++ counts, so a
user's environment, path or CPU features move no count.

Unlike a C++ case, a Go benchmark shares its thread with whatever goroutine the
scheduler runs there, and under valgrind's slowness the scheduler does: some
counts then carry other work. Each count is taken REPEATS times (up to
MOST_REPEATS while they are not clean) and the least kept; a case whose least
count did not come up twice (for N and for 2N), or whose ops differ by other
than a whole number of instructions, is marked exact: false and read as no
count (analysis/results.py). goref runs every loop on a stack grown
beforehand (goref/internal/grownstack): callgrind loses a function's return
when the goroutine's stack is copied under it, and the cases with many records
in their frame (chain_stack, cliff 2 past 8 defers) used to be copied in their
first op and never counted exactly. On the 2-core VMs this was written on,
every case came out exact run after run but those that allocate per op (cliff
1's defer in a loop, cliff 3), whose counts take in the allocator's occasional
trips to the heap. A count can also take in a preemption: the runtime's
monitor marks a goroutine that has run for 10 ms, its next function call
detours through the scheduler (which may run another goroutine there, the
heap scavenger say) and starts that function again, and the extra counts then
decide. Valgrind's slowness and a busy machine stretch a count's wall time, so
the chance grows with the loop's length: at N = 1000 cliff 1's helper (ten
calls per op) was preempted in 3 of 4 2N counts with Go 1.24 beside a loaded
machine's other work, and the gate stopped on it; at N = 100 none of 12 were,
with the same instructions per op (739 with Go 1.24, 758 with Go 1.19), since
every op of a loop runs the same instructions. Hence N = 100.
"""

import os
import shutil
import tempfile
from dataclasses import dataclass

from ...run import callgrind, interrupts

ITERATIONS = 100
REPEATS = 4
MOST_REPEATS = 6
GO_ENVIRONMENT = {"GODEBUG": "asyncpreemptoff=1,cpu.rdtscp=off", "GOMAXPROCS": "1", "GOGC": "off"}


@dataclass(frozen=True)
class Case:
    name: str       # deferbench's name (as in go.json)
    binary: str     # key of the compiled test binary (suite._build)
    pattern: str    # -test.bench
    toggle: str     # the function whose calls are counted: the one with the b.N loop


# The closures Go names in order of appearance in the benchmark's source
# (goref/*/..._test.go): BenchmarkCliffs.func1 is its first b.Run, and so on.
_CLIFFS = {"loop/defer_in_loop": "func1", "loop/helper": "func2", "loop/plain": "func3",
           **{f"ndefers/{n}": "func4" for n in range(1, 13)},
           "closure/capturing": "func5", "closure/plain_call": "func6"}

def bench_pattern(top, sub):
    """-test.bench for exactly one sub-benchmark. Go splits the pattern at each
    slash and matches level by level, so every level is anchored on its own:
    ^ndefers/1$ alone would also run ndefers/11 (levels ^ndefers and 1$)."""
    return "/".join(f"^{part}$" for part in [top, *sub.split("/")])


CASES = [
    Case("runtime/BenchmarkDefer", "runtime.test", "^BenchmarkDefer$",
         "runtime_test.BenchmarkDefer"),
    Case("runtime/BenchmarkDefer/noopendefer", "runtime-noopendefer.test", "^BenchmarkDefer$",
         "runtime_test.BenchmarkDefer"),
    *[Case(f"defer_cost/{c}", "defercost.test", bench_pattern("BenchmarkDeferCost", c),
           "deferbench/goref/defercost.BenchmarkDeferCost.func1")
      for c in ("call", "open_coded", "chain_stack", "chain_heap", "defer1", "defer1_call")],
    *[Case(f"cliffs/{name}", "cliffs.test", bench_pattern("BenchmarkCliffs", name),
           f"deferbench/goref/cliffs.BenchmarkCliffs.{closure}")
      for name, closure in _CLIFFS.items()],
]


def _counted(binary, case, iterations, cwd, setting):
    """Instructions counted in one run of `iterations` ops."""
    total = callgrind.total_instructions(dump(binary, case, iterations, cwd, setting))
    if not total:
        raise RuntimeError(f"callgrind counted nothing for {case.name}: is {case.toggle} "
                           "the function with its b.N loop?")
    return total


def dump(binary, case, iterations, cwd, setting=callgrind.DEFAULT_SETTING):
    """callgrind's dump of one run of `iterations` ops, counted inside the
    function that holds the loop: its text, which names every function run there."""
    prefix = [] if setting.randomise_layout else list(callgrind.no_randomisation_prefix())
    with tempfile.TemporaryDirectory(prefix="deferbench-go-callgrind-") as tmp:
        out = os.path.join(tmp, "callgrind.out")
        cmd = prefix + [shutil.which("valgrind"), "--tool=callgrind", "--collect-atstart=no",
                        f"--toggle-collect={case.toggle}", f"--callgrind-out-file={out}",
                        binary, "-test.run=NONE", f"-test.bench={case.pattern}",
                        f"-test.benchtime={iterations}x", "-test.count=1"]
        env = {**setting.environment(), **GO_ENVIRONMENT}
        proc = interrupts.run(cmd, cwd=cwd, env=env)
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            raise RuntimeError(f"callgrind run of {case.name} failed: {last}")
        with open(out) as f:
            return f.read()


def _exact(counts, iterations):
    """Whether the least counts are clean: each came up more than once, and
    their difference is a whole number of instructions per op (every op of a
    benchmark's loop runs the same instructions; what a detour left behind,
    such as a preempted function's prologue run again, is a few more)."""
    least = {n: min(c) for n, c in counts.items()}
    return (all(c.count(least[n]) > 1 for n, c in counts.items())
            and (least[2 * iterations] - least[iterations]) % iterations == 0)


def count(binaries, cwd, iterations=ITERATIONS, setting=callgrind.DEFAULT_SETTING,
          cases=CASES, repeats=REPEATS, most=MOST_REPEATS):
    """{case: entry} for every case whose binary was built (per_op's entries)."""
    found = {}
    for case in cases:
        binary = binaries.get(case.binary)
        if not binary or not os.path.exists(binary):
            continue
        # The least of a few counts of each: the goroutines the scheduler runs on
        # the counted thread only ever add instructions to a count. While the
        # least are not clean (_exact), a count more of each, up to `most`.
        counts = {n: [_counted(binary, case, n, cwd, setting) for _ in range(repeats)]
                  for n in (iterations, 2 * iterations)}
        while not _exact(counts, iterations) and len(counts[iterations]) < most:
            for n, c in counts.items():
                c.append(_counted(binary, case, n, cwd, setting))
        entry = callgrind.per_op(case.name, {n: min(c) for n, c in counts.items()})
        entry["exact"] = _exact(counts, iterations)
        entry["counts"] = {str(n): c for n, c in counts.items()}
        found[case.name] = entry
    return found
