"""Reading `go test -bench` output, and turning it into Google Benchmark's JSON
entries.

Go prints configuration lines ("goos: linux", "pkg: runtime", ...) and one
line per benchmark run:

    BenchmarkDefer-2   85619198   12.31 ns/op   0 B/op   0 allocs/op

the name, "-P" when GOMAXPROCS is not 1, the iteration count, then value and
unit pairs. With -count N a benchmark has N lines, one per repetition. Go
measures wall-clock time only, so the entries have real_time and no cpu_time.
"""

import re
from dataclasses import dataclass, field

from ...errors import UserError

_RESULT = re.compile(r"^(Benchmark\S*?)(?:-(\d+))?\s+(\d+)\s+(\S.*)$")
_CONFIG = re.compile(r"^([a-z][a-zA-Z0-9_-]*):\s+(.*)$")

# Go's standard units and the field each becomes in an entry.
_FIELDS = {"ns/op": "real_time", "B/op": "bytes_per_op", "allocs/op": "allocs_per_op",
           "MB/s": "mb_per_s"}


@dataclass
class GoResult:
    name: str           # as Go prints it, without the -P suffix
    procs: int          # GOMAXPROCS during the run
    iterations: int
    metrics: dict       # unit -> value, in Go's order
    config: dict = field(default_factory=dict)  # goos, goarch, pkg, cpu in force


def parse(text, source="go test output"):
    """The benchmark results in text, in order. A failed benchmark or a
    malformed result line is a UserError naming the line."""
    config, out = {}, []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.rstrip()
        if line.startswith("--- FAIL") or line == "FAIL" or line.startswith("FAIL\t"):
            raise UserError(f"{source}:{number}: a Go benchmark failed: {line}")
        m = _CONFIG.match(line)
        if m and not line.startswith("Benchmark"):
            config[m.group(1)] = m.group(2)
            continue
        if not line.startswith("Benchmark"):
            continue
        m = _RESULT.match(line)
        if not m:
            continue  # a benchmark's own log line, not a result
        words = m.group(4).split()
        if len(words) % 2:
            raise UserError(f"{source}:{number}: expected value-unit pairs: {line!r}")
        metrics = {}
        for value, unit in zip(words[::2], words[1::2]):
            try:
                metrics[unit] = float(value)
            except ValueError:
                raise UserError(f"{source}:{number}: {value!r} is not a number: {line!r}") \
                    from None
        if "ns/op" not in metrics:
            raise UserError(f"{source}:{number}: no ns/op: {line!r}")
        out.append(GoResult(m.group(1), int(m.group(2) or 1), int(m.group(3)), metrics,
                            dict(config)))
    return out


def _field(unit):
    return _FIELDS.get(unit) or re.sub(r"[^A-Za-z0-9]+", "_", unit).strip("_")


def to_entries(results, name_of):
    """Google Benchmark iteration entries, one per result: name_of(result)
    gives deferbench's name, or None to leave the result out. Repetitions
    are numbered in the order Go ran them."""
    named = [(name_of(r), r) for r in results]
    named = [(n, r) for n, r in named if n is not None]
    counts = {}
    for n, _ in named:
        counts[n] = counts.get(n, 0) + 1
    seen, entries = {}, []
    for n, r in named:
        index = seen.get(n, 0)
        seen[n] = index + 1
        entry = {"name": n, "run_name": n, "run_type": "iteration",
                 "repetitions": counts[n], "repetition_index": index, "threads": 1,
                 "iterations": r.iterations}
        for unit, value in r.metrics.items():
            entry[_field(unit)] = value
        entry["time_unit"] = "ns"
        entry["go_benchmark"] = r.name
        entry["go_procs"] = r.procs
        entries.append(entry)
    return entries
