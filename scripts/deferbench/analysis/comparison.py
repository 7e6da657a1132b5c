"""Comparing two runs, benchmark by benchmark: the computing half of `compare`.

Pure functions over loaded run folders; they return data (Row, Comparison),
never text. commands/compare.py prints it.

The statistics, and why:
- Change: the ratio new median / base median of the repetitions. Its 95%
  confidence interval is a percentile bootstrap (scipy.stats.bootstrap,
  independent resampling of each run, fixed seed so a comparison is
  repeatable). Medians and the percentile method, not BCa: a handful of
  repetitions with outliers is the normal case here, and BCa's jackknife
  misbehaves on such small samples with many equal medians.
- Significance: a two-sided Mann-Whitney U test (scipy.stats.mannwhitneyu)
  of the two runs' repetitions, no assumption of normality. The p-values of
  one family (times; counters) are corrected with Holm-Bonferroni for the
  number of benchmarks compared (holm() below: Debian's scipy 1.10 has no
  false_discovery_control, and statsmodels is not a dependency for ten lines).
- Verdict: slower (or faster) when the corrected p-value is below ALPHA and
  the change is at least MIN_CHANGE. A significance test alone flags any
  persistent shift, and on a shared VM two runs of one binary differ by a few
  percent: that is the machine, not the code (asv uses the same two-part
  rule, with a factor of 1.1).
- Exact figures: a counter with the same value in every repetition of both
  runs (allocations per op, callgrind's instructions per op) has no noise to
  test against: any difference is a change, and it is reported as such.
- Too few repetitions: the smallest p-value a Mann-Whitney test can give with
  n and m repetitions is 2 / C(n+m, n). When that is above the corrected
  threshold, no difference can be called significant: the row gets no verdict
  (not comparable, `?`), and the comparison says how many repetitions would do.
- A figure that did not change is never a change: an exact figure is a change
  only when it moved by at least EXACT_MIN_CHANGE (a ratio of stack bytes per
  frame moves in the sixth digit when the depth moves by a frame).
- Order: suites in the registry's order, benchmarks in natural order
  (ndefers/2 before ndefers/10), so two comparisons read alike.
"""

import math
import warnings
from dataclasses import dataclass, field

import numpy as np

from . import results


ALPHA = 0.05                 # family-wise error rate, after Holm's correction
MIN_CHANGE = 0.05            # |ratio - 1| below this is never a verdict of change
CONFIDENCE = 0.95            # of the bootstrap interval of the ratio
BOOTSTRAP_RESAMPLES = 4999
BOOTSTRAP_SEED = 20200601    # fixed: the same inputs give the same interval
MIN_REPETITIONS = 2          # fewer: not compared, marked not comparable
EXACT_MIN_CHANGE = 0.0005     # exact figures closer than this (0.05%, below the printed 0.1%) are equal
CALLGRIND_METRIC = "instructions (callgrind)"

SLOWER, FASTER, SAME, NOT_COMPARABLE = "slower", "faster", "no significant change", \
    "not comparable"

# Counters where a larger figure is better; every other counter is a cost.
HIGHER_IS_BETTER = {"IPC", "depth"}
# Fields of a repetition that are bookkeeping, not figures to compare.
NOT_COUNTERS = {"iterations", "real_time", "cpu_time", "repetitions", "repetition_index",
                "threads", "family_index", "per_family_instance_index",
                "perf_running_fraction", "perf_iterations", "perf_pairs"}

# What a run folder must identify for two runs to be comparable.
IDENTITY = (("compiler", ("toolchain", "cxx")), ("build type", ("build", "type")))


@dataclass
class Row:
    suite: str
    benchmark: str
    metric: str              # "real_time", a counter name, or "instructions (callgrind)"
    base_median: float
    new_median: float
    base_n: int
    new_n: int
    ratio: float             # new / base; nan when base is 0
    ci: tuple = (math.nan, math.nan)
    p_value: float = math.nan        # Mann-Whitney, before correction
    p_adjusted: float = math.nan     # Holm-corrected within its family
    exact: bool = False
    verdict: str = SAME
    note: str = ""

    @property
    def change(self):
        return self.ratio - 1


@dataclass
class Comparison:
    base: object             # run.folder.RunFolder, complete
    new: object
    metric: str
    differences: list        # [(what, base value, new value)] of the identity
    times: list              # Rows of the time metric
    counters: list           # Rows of counters, exact ones included
    warnings: list = field(default_factory=list)
    alpha: float = ALPHA
    min_change: float = MIN_CHANGE


def _get(data, keys):
    for k in keys:
        data = data.get(k) if isinstance(data, dict) else None
    return data


def identity_differences(base, new):
    """[(what, base, new)] for machine, compiler and build type that differ."""
    out = []
    if base.machine_id != new.machine_id:
        out.append(("machine", base.machine_id, new.machine_id))
    for what, keys in IDENTITY:
        a, b = _get(base.manifest, keys), _get(new.manifest, keys)
        if a != b:
            out.append((what, a, b))
    return out


def holm(p_values):
    """Holm-Bonferroni adjusted p-values, in the input's order.

    The k-th smallest of m p-values is multiplied by (m - k + 1); adjusted
    values are made non-decreasing in that order and capped at 1. Rejecting
    every hypothesis whose adjusted value is below alpha keeps the chance of
    any false rejection in the family at most alpha, with no assumption about
    how the tests depend on each other. NaN (untested) entries are kept as NaN
    and do not count towards m.
    """
    p = np.asarray(p_values, dtype=float)
    tested = np.flatnonzero(~np.isnan(p))
    adjusted = np.full(p.shape, np.nan)
    m = len(tested)
    running = 0.0
    for rank, i in enumerate(tested[np.argsort(p[tested], kind="stable")]):
        running = max(running, min(1.0, (m - rank) * p[i]))
        adjusted[i] = running
    return adjusted.tolist()


def smallest_p(n, m):
    """The smallest two-sided p-value a Mann-Whitney test of n and m values can give."""
    return min(1.0, 2.0 / math.comb(n + m, n))


def _ratio_of_medians(base, new, axis=-1):
    return np.median(new, axis=axis) / np.median(base, axis=axis)


def ratio_interval(base, new):
    """Percentile bootstrap interval of median(new) / median(base)."""
    base, new = np.asarray(base, float), np.asarray(new, float)
    if np.median(base) == 0 or (np.ptp(base) == 0 and np.ptp(new) == 0):
        r = _ratio_of_medians(base, new) if np.median(base) else math.nan
        return (float(r), float(r))
    from scipy import stats  # imported where used: see the package's docstring
    res = stats.bootstrap((base, new), _ratio_of_medians, vectorized=True, paired=False,
                          confidence_level=CONFIDENCE, n_resamples=BOOTSTRAP_RESAMPLES,
                          method="percentile", random_state=np.random.default_rng(BOOTSTRAP_SEED))
    return (float(res.confidence_interval.low), float(res.confidence_interval.high))


def compare_samples(suite, benchmark, metric, base, new):
    """A Row for two samples; the verdict waits for the family's correction.

    A sample with zeros or NaN (a counter never counted) gives NaN figures,
    shown as n/a: the warnings numpy and scipy raise about it are not news."""
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        return _compare_samples(suite, benchmark, metric, base, new)


def _compare_samples(suite, benchmark, metric, base, new):
    base_med, new_med = float(np.median(base)), float(np.median(new))
    row = Row(suite, benchmark, metric, base_med, new_med, len(base), len(new),
              new_med / base_med if base_med else math.nan)
    if min(len(base), len(new)) < MIN_REPETITIONS:
        row.verdict = NOT_COMPARABLE
        row.note = f"{min(len(base), len(new))} repetition(s); needs {MIN_REPETITIONS}"
        return row
    if np.ptp(base) == 0 and np.ptp(new) == 0:
        row.exact = True
        row.ci = (row.ratio, row.ratio)
        return row
    row.ci = ratio_interval(base, new)
    from scipy import stats
    row.p_value = float(stats.mannwhitneyu(new, base, alternative="two-sided").pvalue)
    return row


def suite_order(names):
    """Suite names in the registry's order; unknown ones after, by name."""
    from ..run import registry
    known = list(registry.SUITES)
    return sorted(names, key=lambda n: (known.index(n) if n in known else len(known), n))


def exact_row(suite, benchmark, metric, base, new):
    """A Row for one deterministic figure per run (callgrind's counts)."""
    return Row(suite, benchmark, metric, base, new, 1, 1, new / base if base else math.nan,
               ci=(new / base if base else math.nan,) * 2, exact=True)


def _worse(row):
    """True when the new figure is worse: larger, except where larger is better."""
    larger = row.new_median > row.base_median
    return (not larger) if row.metric in HIGHER_IS_BETTER else larger


def decide(rows, alpha=ALPHA, min_change=MIN_CHANGE):
    """Corrects the family's p-values and sets each row's verdict, in place."""
    for row, adjusted in zip(rows, holm([r.p_value for r in rows])):
        row.p_adjusted = adjusted
        if row.verdict == NOT_COMPARABLE:
            continue
        if row.exact:
            same = row.new_median == row.base_median or abs(row.new_median - row.base_median) \
                < EXACT_MIN_CHANGE * max(abs(row.base_median), abs(row.new_median))
            row.verdict = SAME if same else (SLOWER if _worse(row) else FASTER)
            continue
        big_enough = math.isnan(row.ratio) or abs(row.change) >= min_change
        if adjusted < alpha and big_enough:
            row.verdict = SLOWER if _worse(row) else FASTER
        else:
            row.verdict = SAME
    return rows


def withhold_underpowered(rows, alpha, family):
    """Rows that could never reach significance get no verdict, in place
    (before decide); returns the line that says so, or None."""
    tested = [r for r in rows if not r.exact and r.verdict != NOT_COMPARABLE]
    if not tested:
        return None
    threshold = alpha / len(tested)  # Holm's threshold for the smallest p-value
    weak = [r for r in tested if smallest_p(r.base_n, r.new_n) >= threshold]
    if not weak:
        return None
    need = next(k for k in range(2, 100) if smallest_p(k, k) < threshold)
    for r in weak:
        r.verdict = NOT_COMPARABLE
        r.note = f"too few repetitions for a verdict (needs {need})"
    r = min(weak, key=lambda w: (w.base_n, w.new_n))
    return (f"{len(weak)} of {len(tested)} {family} have no verdict (?): with {r.base_n} and "
            f"{r.new_n} repetitions the smallest possible p-value is "
            f"{smallest_p(r.base_n, r.new_n):.3g}, not below {threshold:.3g} (alpha {alpha} / "
            f"{len(tested)}); {need} repetitions per benchmark (a full run) would decide")


def compare_runs(base, new, metric="real_time", alpha=ALPHA, min_change=MIN_CHANGE):
    """The Comparison of every benchmark present in both runs."""
    times, counters = [], []
    for suite in suite_order(set(base.suites) & set(new.suites)):
        b_suite, n_suite = base.suites[suite], new.suites[suite]
        for name in sorted(b_suite.benchmarks, key=results.natural_key):
            b = b_suite.benchmarks[name]
            n = n_suite.benchmarks.get(name)
            if n is None or not b.repetitions or not n.repetitions:
                continue
            times.append(compare_samples(suite, name, metric, b.times_ns(metric),
                                         n.times_ns(metric)))
            for key in _counter_keys(b, n):
                counters.append(compare_samples(suite, name, key, b.counter(key),
                                                n.counter(key)))
        b_cg, n_cg = base.instructions(suite), new.instructions(suite)
        for name in sorted(b_cg, key=results.natural_key):
            if name in n_cg:
                counters.append(exact_row(suite, name, CALLGRIND_METRIC, b_cg[name], n_cg[name]))
    notes = [w for w in (withhold_underpowered(times, alpha, "times"),
                         withhold_underpowered(counters, alpha, "counters")) if w]
    decide(times, alpha, min_change)
    decide(counters, alpha, min_change)
    only = sorted({(s, n) for s in base.suites for n in base.suites[s].benchmarks}
                  ^ {(s, n) for s in new.suites for n in new.suites[s].benchmarks})
    if only:
        notes.append("in one run only, not compared: "
                        + ", ".join(f"{s}/{n}" for s, n in only))
    return Comparison(base, new, metric, identity_differences(base, new), times, counters,
                      notes, alpha, min_change)


def _counter_keys(b, n):
    """Numeric counters present in every repetition of both benchmarks."""
    def keys(bench):
        common = None
        for e in bench.repetitions:
            numeric = {k for k, v in e.items()
                       if isinstance(v, (int, float)) and not isinstance(v, bool)}
            common = numeric if common is None else common & numeric
        return common or set()
    return sorted((keys(b) & keys(n)) - NOT_COUNTERS)
