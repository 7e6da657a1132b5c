"""The rules of defer that are behaviour, not cost (claims R1, R5, R6),
observed by Go itself in every run: goref/cmd/defersemantics runs each
experiment once and prints the events in the order they happened; this
module turns them into go.json entries (semantics/<experiment>) and the
claims table compares them with the rules. The program takes milliseconds.
"""

import json

from . import children as go_children

# The experiments the program prints, as go.json names.
EXPERIMENTS = ("lifo", "eager_args", "panic", "function_scope")


def _entry(name, wall_s):
    return {"name": name, "run_name": name, "run_type": "iteration", "repetitions": 1,
            "repetition_index": 0, "threads": 1, "iterations": 1,
            "real_time": wall_s * 1e3, "time_unit": "ms",
            "go_program": "goref/cmd/defersemantics"}


def parse(stdout, wall_s=0.0):
    """The entries from the program's JSON; an experiment missing from it
    becomes an entry with its error."""
    try:
        observed = json.loads(stdout)
    except ValueError:
        observed = None
    out = []
    for experiment in EXPERIMENTS:
        entry = _entry(f"semantics/{experiment}", wall_s)
        seen = observed.get(experiment) if isinstance(observed, dict) else None
        if not isinstance(seen, dict) or not isinstance(seen.get("events"), list):
            entry.update(error_occurred=True,
                         error_message="defersemantics printed no observation for "
                                       f"{experiment}")
        else:
            entry.update({k: v for k, v in seen.items() if k in (
                "events", "at_defer", "received", "at_return", "panicked", "recovered")})
        out.append(entry)
    return out


def entries(binary, timeout_s):
    """Runs the program once; its observations as go.json entries."""
    child = go_children.run([binary], timeout_s=timeout_s)
    if child.exit_code != 0 or child.timed_out:
        reason = f"defersemantics: {go_children.describe_end(child)}"
        last = (child.stderr.strip().splitlines() or [""])[-1]
        return [dict(_entry(f"semantics/{e}", child.wall_s), error_occurred=True,
                     error_message=reason + (f": {last}" if last else ""))
                for e in EXPERIMENTS]
    return parse(child.stdout, child.wall_s)
