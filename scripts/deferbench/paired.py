"""Paired ratios: a case timed interleaved with its reference, with an interval.

The suite binary's --pairs mode (harness/paired.h) times each case and its
reference in alternating chunks of about 1 ms, ABBA, in one process on one CPU,
drops the pairs the system disturbed (counted by reason), and writes each kept
pair's ns per op. Here each pair gives a ratio, subject / reference (times a
scale: ndefers/9 over ndefers/8 per defer is x 8/9), and the figure is their
median with a distribution-free 95% interval: the order statistics of the
sorted ratios whose ranks come from the binomial distribution
(scipy.stats.binom), which holds whatever the ratios' distribution.

What the interval covers: the noise of this run, that is how well the median
of these pairs is known. A neighbour that shares the core can change the ratio
itself (two loops use a busy core differently); runs made at other moments can
then differ by more than their intervals, and the report shows them as such.

The figures join the suite's Google Benchmark JSON as one aggregate entry per
case (aggregate_name "paired") with the fields ratio, ratio_ci_low,
ratio_ci_high, reference, pairs_kept, pairs_dropped (and per reason),
median_ns, min_ns and reference_median_ns.
"""

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

CONFIDENCE = 0.95
AGGREGATE = "paired"


@dataclass(frozen=True)
class Pair:
    """A case, the case it is compared with, and the factor on their ratio."""
    subject: str
    reference: str
    scale: float = 1.0


def median_interval(values, confidence=CONFIDENCE):
    """(low, high): the distribution-free interval of the median of `values`.

    With n values, the number below the median is Binomial(n, 1/2); the
    interval runs from the j-th to the (n - j + 1)-th smallest, j the largest
    rank whose tail probability stays within (1 - confidence) / 2.
    """
    x = np.sort(np.asarray(values, float))
    n = len(x)
    if n == 0:
        return math.nan, math.nan
    j = int(stats.binom.ppf((1 - confidence) / 2, n, 0.5))
    if j < 1:  # too few values for this confidence: the whole range
        return float(x[0]), float(x[-1])
    return float(x[j - 1]), float(x[n - j])


def entry(pair, data, time_unit="ns"):
    """The suite JSON entry of one pair's data (run_pairs's per-pair object)."""
    s = np.asarray(data["subject_ns_per_op"], float)
    r = np.asarray(data["reference_ns_per_op"], float)
    ratios = s / r * pair.scale
    dropped = data["dropped"]
    kept = len(ratios)
    low, high = median_interval(ratios)
    median_ns = float(np.median(s)) if kept else math.nan
    return {
        "name": f"{pair.subject}_{AGGREGATE}", "run_name": pair.subject,
        "run_type": "aggregate", "aggregate_name": AGGREGATE, "aggregate_unit": "time",
        "repetitions": kept, "threads": 1, "iterations": int(data["subject_iterations"]),
        "real_time": median_ns, "cpu_time": median_ns, "time_unit": time_unit,
        "ratio": float(np.median(ratios)) if kept else math.nan,
        "ratio_ci_low": low, "ratio_ci_high": high, "ratio_scale": pair.scale,
        "reference": pair.reference, "pairs": int(data["pairs"]), "pairs_kept": kept,
        "pairs_dropped": int(sum(dropped.values())),
        **{f"dropped_{reason}": int(n) for reason, n in sorted(dropped.items())},
        "median_ns": median_ns, "min_ns": float(s.min()) if kept else math.nan,
        "reference_median_ns": float(np.median(r)) if kept else math.nan,
        "reference_iterations": int(data["reference_iterations"]),
    }


def entries(pairs, output):
    """Suite JSON entries for every pair in a --pairs output document."""
    by_names = {(p["subject"], p["reference"]): p for p in output["pairs"]}
    missing = [f"{p.subject}:{p.reference}" for p in pairs
               if (p.subject, p.reference) not in by_names]
    if missing:
        raise RuntimeError(f"the paired output lacks {', '.join(missing)}")
    return [entry(pair, by_names[(pair.subject, pair.reference)]) for pair in pairs]


def pairs_argument(pairs):
    return "--pairs=" + ",".join(f"{p.subject}:{p.reference}" for p in pairs)
