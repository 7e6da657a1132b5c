"""The figures that compare machines, computed from run folders alone: each
machine's ratios to its own plain call (with an interval), and callgrind's
instructions per op. plots.py draws them; the report tabulates them.
"""

import math
import os

from . import cases, claims, comparison, machine_runs, report_data
from ..errors import UserError

# (suite, benchmark, label, the plain call of the same program, the Go
# mechanism whose ratio in claims.ARTICLE_RATIO it is drawn beside) compared
# across machines: the C++ cases that every run has measured (the oldest runs'
# list), then Go's. A ratio is always within one program: Go's runtime
# benchmark has no defer-free twin, so its ratios are goref's copy of its body
# (defer1) over that copy without the defer.
CASES = [("defer_cost", c.name, f"C++ {c.name}", "call",
          c.go_counterpart if c.go_counterpart in claims.ARTICLE_RATIO else None)
         for c in cases.LEGACY["defer_cost"] if c.kind != "harness"] + [
    ("go", "defer_cost/call", "Go call (goref)", "defer_cost/call", None),
    ("go", "defer_cost/open_coded", "Go open_coded (goref)", "defer_cost/call",
     "defer_cost/open_coded"),
    ("go", "defer_cost/chain_stack", "Go chain_stack (goref)", "defer_cost/call",
     "defer_cost/chain_stack"),
    ("go", "defer_cost/defer1", "Go open-coded (runtime's body)", "defer_cost/defer1_call",
     "defer_cost/open_coded"),
    ("go", "defer_cost/defer1/noopendefer", "Go normal (runtime's body, noopendefer)",
     "defer_cost/defer1_call/noopendefer", "defer_cost/chain_stack"),
]
# What the ratio's error bar is, for the caption: the paired interval where the
# run measured the ratio paired (paired.py), else one resampled from the
# repetitions (comparison.ratio_interval).
RATIO_INTERVAL = ("95% interval: paired where the run has it, else bootstrapped "
                  "over the repetitions")


def machine_label(key, run):
    """The chart's name of a machine: its hardware, then the id that files its runs."""
    return f"{run.machine_label}\n({key})"


def others(run):
    """{machine id: RunFolder}: the newest complete full run of every other machine
    in the results folder that holds `run` (results/<machine>/<run>/)."""
    results_dir = os.path.dirname(os.path.dirname(os.path.abspath(run.path)))
    try:
        chosen = machine_runs.newest_per_machine(results_dir)
    except UserError:
        return {}
    return {k: r for k, r in chosen.items() if k != run.machine_id}


# The cases the report's comparison shows: the strategies the claims are about.
REPORT_CASES = ("C++ scope_guard", "C++ chain_stack", "C++ chain_heap_pooled",
                "Go open-coded (runtime's body)", "Go normal (runtime's body, noopendefer)")


def report_rows(run):
    """(header, rows): this run beside the newest run of each other machine."""
    selected = {run.machine_id: run, **others(run)}
    table = machine_table(selected)
    counts = dict(instruction_table(selected))
    own_counts = counts.get(table[0][0])
    header = ["machine", "run"] + [f"{c} / call" for c in REPORT_CASES] + \
        ["instructions/op (callgrind)"]
    rows = []
    for (label, cells), r in zip(table, selected.values()):
        by_case = {c[0]: c for c in cells}
        row = [label.replace("\n", " "), r.run_id + (" (this run)" if r is run else "")]
        for case in REPORT_CASES:
            _, _, ratio, (low, high) = by_case[case]
            row.append("-" if math.isnan(ratio) else f"{ratio:.2f}x" + (
                "" if math.isnan(low) else f" [{low:.2f}, {high:.2f}]"))
        mine = counts.get(label)
        if mine is None or own_counts is None:
            row.append("not counted")
        elif r is run:
            row.append(f"{len(mine)} cases")
        else:
            common = [k for k in mine if k in own_counts]
            same = sum(mine[k] == own_counts[k] for k in common)
            row.append(f"{same} of {len(common)} equal to this run's")
        rows.append(row)
    return header, rows



def machine_table(selected):
    """[(label, [(case label, median ns, ratio to its own plain call, (low, high))])],
    computed only."""
    out = []
    for key, run in selected.items():
        cells = []
        for suite, bench, case, reference, _ in CASES:
            m = report_data.measure(run, suite, bench)
            plain = report_data.measure(run, suite, reference)
            found = report_data.ratio(run, suite, bench, reference)
            interval = found.interval or (math.nan, math.nan)
            if found.how == "medians" and len(m.values) > 1 and len(plain.values) > 1:
                interval = comparison.ratio_interval(plain.values, m.values)
            cells.append((case, m.median, found.value, interval))
        out.append((machine_label(key, run), cells))
    return out


def ns_ranges(selected):
    """{machine label: [(lowest, highest) ns/op of the repetitions] in CASES order}."""
    out = {}
    for key, run in selected.items():
        spans = []
        for suite, bench, *_ in CASES:
            values = report_data.measure(run, suite, bench).values
            spans.append((min(values), max(values)) if values else (math.nan, math.nan))
        out[machine_label(key, run)] = spans
    return out


def instruction_table(selected):
    """[(label, {suite/case: instructions per op})] of the runs that counted them."""
    out = []
    for key, run in selected.items():
        counts = {f"{name}/{case}": value for name, suite in run.suites.items()
                  for case, value in suite.instructions.items()}
        if counts:
            out.append((machine_label(key, run), counts))
    return out


