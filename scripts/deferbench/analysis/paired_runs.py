"""A run's paired ratios beside the same machine's other runs.

Each paired interval covers the noise of its own run. Two runs whose intervals
do not overlap differ by more than that: the ratio itself moved, through a
neighbour that shared the core, another address-space layout, or a change of
code between the runs (their commits say which). The report lists them so that
a reader sees it rather than trusting one run.

Each C++ suite's manifest entry carries its binary's SHA-256 (the build is
reproducible), so the report can tell the two apart: a ratio that moved between
runs of the same binary was moved by the machine. Those runs also test the
interval itself: an interval that holds what it claims holds about 95 in 100 of
their ratios (same_binary_coverage).
"""

import os
from dataclasses import dataclass

from . import machine_runs, paired, report_data, results

OTHERS = 5   # the newest this many other complete full runs of the machine


@dataclass
class Figure:
    run_id: str
    commit: str
    ratio: float
    low: float
    high: float
    binary: str = ""    # the suite binary's SHA-256, where the run recorded it

    def overlaps(self, other):
        return paired.overlap((self.low, self.high), (other.low, other.high))

    def same_binary(self, other):
        return bool(self.binary) and self.binary == other.binary

    def holds(self, other):
        """Whether this figure's interval holds the other's ratio."""
        return self.low <= other.ratio <= self.high

    def text(self):
        return f"{self.ratio:.3f} [{self.low:.3f}, {self.high:.3f}]"


def _figure(run, suite, case, reference):
    e = report_data.paired_entry(run, suite, case, reference)
    if e is None:
        return None
    binary = ((run.manifest.get("suites") or {}).get(suite) or {}).get("binary_sha256") or ""
    return Figure(run.run_id, run.commit, e["ratio"], e["ratio_ci_low"], e["ratio_ci_high"],
                  binary)


def other_runs(run):
    """The machine's other complete full runs in the folder that holds `run`, newest first."""
    machine_dir = os.path.dirname(os.path.abspath(run.path))
    return [r for r in machine_runs.full_runs(machine_dir)
            if os.path.abspath(r.path) != os.path.abspath(run.path)
            and r.machine_id == run.machine_id][:OTHERS]


def rows(run):
    """[(suite/case, this run's Figure, [other runs' Figures], differing run ids)] for every
    paired ratio of this run that another run of the machine also measured."""
    others = other_runs(run)
    out = []
    for suite_name, suite in run.suites.items():
        for case, b in suite.benchmarks.items():
            entry = paired.usable(b.aggregates.get(paired.AGGREGATE))
            if entry is None:
                continue
            mine = _figure(run, suite_name, case, entry["reference"])
            theirs = [f for f in (_figure(o, suite_name, case, entry["reference"])
                                  for o in others) if f]
            if theirs:
                out.append((f"{suite_name}/{case}", mine, theirs,
                            [f.run_id for f in theirs if not f.overlaps(mine)]))
    return sorted(out, key=lambda row: results.natural_key(row[0]))


def same_binary_coverage(rows_):
    """(held, ratios, runs): of the other runs' ratios timed with the same
    suite binary as this run's, how many lie inside this run's 95% interval,
    out of how many, from how many runs."""
    held = total = 0
    runs = set()
    for _, mine, theirs, _ in rows_:
        for f in theirs:
            if mine.same_binary(f):
                total += 1
                held += mine.holds(f)
                runs.add(f.run_id)
    return held, total, len(runs)
