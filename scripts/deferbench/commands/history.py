"""One benchmark over the runs of one machine, with change points marked.

The complete runs under results/<machine-id>/, oldest first: the benchmark's
median per run, and where its level moved (analysis/history.py says how).
"""

import sys

from ..errors import UserError
from ..run import machine


def add_arguments(p):
    p.add_argument("benchmark", help="the benchmark's name, e.g. scope_guard")
    p.add_argument("--suite", default="defer_cost", help="its suite (default: defer_cost)")
    p.add_argument("--results-dir", default="results", help="where run folders are")
    p.add_argument("--machine", default=None, help="machine id (default: this machine's)")
    p.add_argument("--metric", default="real_time",
                   help="real_time, cpu_time, a counter (allocs_per_op, ...) or "
                        "instructions (callgrind's figure; default: real_time)")


def lines(s):
    unit = " ns" if s.metric in ("real_time", "cpu_time") else ""
    out = [f"history: {s.suite}/{s.benchmark} {s.metric} on {s.machine_id}, "
           f"{len(s.points)} run(s), median of each run's repetitions"]
    for p in s.points:
        mark = f"   <- change point {p.change * 100:+.1f}%" if p.change is not None else ""
        out.append(f"  {p.run_id:<20} {p.started[:19]:<19}  {p.median:12.3f}{unit}"
                   f"  ({p.repetitions} reps){mark}")
    if not s.points:
        out.append("  (no complete run has this benchmark)")
    return out


def run(args):
    machine_id, _ = machine.machine_id(args.machine)
    from ..analysis import history
    s = history.series(args.results_dir, machine_id, args.suite, args.benchmark, args.metric)
    for path, other in s.left_out:
        print(f"history: note: {path} was made on {other}, not {machine_id}; it is left out "
              "(`make refile` files it under its machine)", file=sys.stderr)
    if not s.points:
        elsewhere = [x for x in history.suites_with(args.results_dir, machine_id, args.benchmark)
                     if x != args.suite]
        hint = (f"; {args.benchmark} is in {', '.join(elsewhere)}: say SUITE={elsewhere[0]}"
                if elsewhere else "; no run of this machine has a benchmark of that name")
        raise UserError(f"no complete run of {machine_id} has {args.suite}/{args.benchmark}"
                        + hint)
    print("\n".join(lines(s)))
    return 0
