"""One benchmark over the runs of one machine, with change points marked.

The run folders under results/<machine-id>/ are the history: series() reads
the complete ones, ordered by the time each started, and returns the
benchmark's median per run; change_points() marks where the level moved.
`make plots` draws the same series; `make history` prints it.

Change points: binary segmentation on the run medians. The noise between
runs, sigma, is estimated robustly from successive differences
(1.4826 * MAD(diff) / sqrt(2)), which a few level shifts barely move. The
split that maximises |mean(left) - mean(right)| / (sigma * sqrt(1/l + 1/r))
is a change point when that score exceeds CHANGE_SCORE and the means differ
by at least MIN_STEP; each side is then searched again. Sigma has a floor of
SIGMA_FLOOR times the series median, so a deterministic series (callgrind
counts) marks any real step and never divides by zero.
"""

import math
import os
from dataclasses import dataclass, field

import numpy as np

from . import machine_runs
from ..run import folder
from ..errors import UserError

CHANGE_SCORE = 4.0     # a split's z-like score must exceed this
MIN_STEP = 0.02        # and the levels must differ by 2% of the earlier one
SIGMA_FLOOR = 0.001    # noise is taken as at least 0.1% of the median
MIN_SEGMENT = 1        # runs on each side of a split


@dataclass
class Point:
    run_id: str
    started: str
    median: float
    repetitions: int
    change: float = None  # relative step from the previous level, at a change point
    low: float = None     # the range of the run's repetitions
    high: float = None
    quick: bool = False   # a QUICK run: fewer, shorter repetitions, marked as such


@dataclass
class Series:
    machine_id: str
    suite: str
    benchmark: str
    metric: str
    points: list = field(default_factory=list)
    # Run folders in this machine's folder that another machine made: left out.
    left_out: list = field(default_factory=list)


def _values(run, suite, benchmark, metric):
    if metric == "instructions":
        value = run.instructions(suite).get(benchmark)
        return [] if value is None else [value]
    b = run.suites.get(suite) and run.suites[suite].benchmarks.get(benchmark)
    if not b:
        return []
    return b.times_ns(metric) if metric in ("real_time", "cpu_time") else b.counter(metric)


def suites_with(results_dir, machine_id, benchmark):
    """The suites in which some complete run of the machine has `benchmark`."""
    found = set()
    for run in machine_runs.complete_runs(os.path.join(results_dir, machine_id)):
        if run.machine_id != machine_id:
            continue  # as series() leaves it out
        found |= {s for s, result in run.suites.items() if benchmark in result.benchmarks}
        found |= {s for s, result in run.suites.items() if benchmark in result.instructions}
    return sorted(found)


def series(results_dir, machine_id, suite, benchmark, metric="real_time"):
    """The benchmark's median per complete run of one machine, oldest first."""
    machine_dir = os.path.join(results_dir, machine_id)
    if not os.path.isdir(machine_dir):
        raise UserError(f"{machine_dir}: no runs for machine {machine_id!r}")
    points, left_out = [], []
    for name in sorted(os.listdir(machine_dir)):
        path = os.path.join(machine_dir, name)
        if not os.path.isfile(os.path.join(path, "manifest.json")):
            continue
        try:
            run = folder.load_complete(path)
        except UserError:
            continue  # incomplete or interrupted runs are not history
        if run.machine_id != machine_id:
            # Filed by hand, or by an older rule: never mixed into this history.
            left_out.append((path, run.machine_id))
            continue
        values = _values(run, suite, benchmark, metric)
        if values:
            points.append(Point(run.run_id, run.manifest.get("started", ""),
                                float(np.median(values)), len(values), low=min(values),
                                high=max(values),
                                quick=run.quick))
    points.sort(key=lambda p: (p.started, p.run_id))
    s = Series(machine_id, suite, benchmark, metric, points, left_out)
    mark_changes(s.points)
    return s


def noise(medians):
    """Robust run-to-run noise from successive differences."""
    m = np.asarray(medians, float)
    floor = SIGMA_FLOOR * abs(float(np.median(m))) if len(m) else 0.0
    if len(m) < 3:
        return max(floor, 1e-300)
    d = np.diff(m)
    mad = float(np.median(np.abs(d - np.median(d))))
    return max(1.4826 * mad / math.sqrt(2), floor, 1e-300)


def change_points(medians, sigma=None):
    """Indices i where a new level starts (medians[i] is the first of it)."""
    m = np.asarray(medians, float)
    sigma = noise(m) if sigma is None else sigma
    found = []

    def search(lo, hi):
        best, best_score = None, 0.0
        for i in range(lo + MIN_SEGMENT, hi - MIN_SEGMENT + 1):
            left, right = m[lo:i], m[i:hi]
            step = right.mean() - left.mean()
            score = abs(step) / (sigma * math.sqrt(1 / len(left) + 1 / len(right)))
            big = abs(step) >= MIN_STEP * abs(left.mean())
            if big and score > best_score:
                best, best_score = i, score
        if best is not None and best_score > CHANGE_SCORE:
            found.append(best)
            search(lo, best)
            search(best, hi)

    search(0, len(m))
    return sorted(found)


def mark_changes(points):
    """Sets each change point's relative step (segment mean to segment mean)."""
    medians = [p.median for p in points]
    cps = change_points(medians)
    bounds = [0] + cps + [len(points)]
    for k, i in enumerate(cps):
        before = np.mean(medians[bounds[k]:i])
        after = np.mean(medians[i:bounds[k + 2]])
        points[i].change = float(after / before - 1) if before else math.nan
    return cps
