"""Reading suite JSON files (Google Benchmark's format) back.

Google Benchmark writes one entry per repetition ("run_type": "iteration")
and, per benchmark, aggregates (median, mean, stddev, cv). Times are kept
with their unit; everything here returns nanoseconds.
"""

import json
import os
import re
from dataclasses import dataclass, field

from ..errors import UserError

TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}

# Cases renamed since earlier runs were written, per suite: {old: new}. A run
# is read under today's names, so that old and new runs line up in histories,
# machine comparisons and reports. The C++ scope guard was called open_coded,
# after a Go mechanism it does not model (it is C++'s floor for it).
RENAMED = {"defer_cost": {"open_coded": "scope_guard"},
           "stack": {"open_coded": "scope_guard"}}


def suite_of(path):
    """The suite a results file belongs to: defer_cost for defer_cost.json,
    defer_cost.callgrind.json and defer_cost.pairs.json."""
    return os.path.basename(path).split(".")[0]


def current_name(suite, name):
    """`name` as today's suite calls its case: a renamed case (RENAMED) gets
    its new name, also as the first part of a longer name (open_coded/8MiB)."""
    case, slash, rest = name.partition("/")
    return RENAMED.get(suite, {}).get(case, case) + slash + rest


def current_entry(suite, entry):
    """A raw benchmark entry of `suite` with its names as today's (its name,
    run_name and strategy, where it has them)."""
    renamed = {k: current_name(suite, entry[k]) for k in ("name", "run_name", "strategy")
               if isinstance(entry.get(k), str)}
    return {**entry, **renamed} if renamed else entry


def _current_cases(suite, raw):
    """The context's case descriptions (analysis/cases.py) under today's names."""
    try:
        entries = json.loads(raw) if isinstance(raw, str) else raw
        renamed = [{**e, "name": current_name(suite, e["name"]),
                    "pair": current_name(suite, e.get("pair", ""))} for e in entries]
    except (ValueError, TypeError, KeyError, AttributeError):
        return raw  # cases.from_context says what is wrong with it
    return json.dumps(renamed) if isinstance(raw, str) else renamed


def natural_key(name):
    """A sort key that puts ndefers/2 before ndefers/10."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]

@dataclass
class Benchmark:
    name: str
    repetitions: list = field(default_factory=list)  # the iteration entries
    aggregates: dict = field(default_factory=dict)   # aggregate_name -> entry

    def times_ns(self, key="real_time"):
        return [e[key] * TO_NS[e.get("time_unit", "ns")] for e in self.repetitions]

    def counter(self, key):
        """Per-repetition values of a user counter; empty when not counted."""
        return [e[key] for e in self.repetitions if key in e]


@dataclass
class SuiteResult:
    path: str
    context: dict
    benchmarks: dict  # name -> Benchmark, in file order
    # Instructions per op from <suite>.callgrind.json beside it, when the run
    # counted them (COUNTERS=callgrind); callgrind names carry the fixed
    # iteration count ("call/iterations:100000"), stripped here.
    instructions: dict = field(default_factory=dict)


def load(path):
    """Loads a suite JSON file; a bad file is a UserError naming it."""
    try:
        with open(path) as f:
            data = json.load(f)
    except FileNotFoundError as e:
        raise UserError(f"{path}: missing") from e
    except json.JSONDecodeError as e:
        raise UserError(f"{path}: malformed JSON at line {e.lineno}: {e.msg}") from e
    if not isinstance(data, dict) or not isinstance(data.get("benchmarks"), list):
        raise UserError(f"{path}: not a Google Benchmark JSON file (no 'benchmarks' list)")
    suite = suite_of(path)
    benchmarks = {}
    for entry in data["benchmarks"]:
        if not isinstance(entry, dict) or "name" not in entry:
            raise UserError(f"{path}: a benchmark entry has no name")
        entry = current_entry(suite, entry)
        name = entry.get("run_name", entry["name"])
        b = benchmarks.setdefault(name, Benchmark(name))
        if entry.get("run_type") == "aggregate":
            b.aggregates[entry.get("aggregate_name", "")] = entry
        elif not entry.get("error_occurred"):
            b.repetitions.append(entry)
    context = dict(data.get("context") or {})
    if "cases" in context:
        context["cases"] = _current_cases(suite, context["cases"])
    return SuiteResult(os.path.abspath(path), context, benchmarks, _load_instructions(path))


def _load_instructions(suite_path):
    path = suite_path.removesuffix(".json") + ".callgrind.json"
    return instruction_counts(path) if os.path.exists(path) else {}


def instruction_counts(path):
    """{case: instructions per op} of a <suite>.callgrind.json. A count marked
    exact: false (a Go case the scheduler disturbed) is no count: left out."""
    try:
        with open(path) as f:
            entries = json.load(f)["benchmarks"]
        suite = suite_of(path)
        return {current_name(suite, e["name"].split("/iterations:")[0]):
                float(e["instructions_per_op"]) for e in entries if e.get("exact", True)}
    except FileNotFoundError as e:
        raise UserError(f"{path}: missing") from e
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
        raise UserError(f"{path}: not a deferbench callgrind file ({e})") from e
