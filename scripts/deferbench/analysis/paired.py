"""Paired ratios: a case timed interleaved with its reference, with an interval.

The suite binary's --pairs mode (harness/paired.h) times each case and its
reference in alternating chunks of about 1 ms, ABBA, in one process on one CPU,
and writes every pair's ns per op and what disturbed it; suites/go/pairs.py does the
same for Go's benchmarks with short runs of the test binaries. Here, for both:
  - a pair is dropped, and counted by reason, when the system disturbed it
    (a context switch or a CPU migration during a chunk) or when either chunk
    is an outlier, more than OUTLIER_FACTOR from its side's median chunk;
  - each kept pair gives a ratio, subject / reference (times a scale:
    ndefers/9 over ndefers/8 per defer is x 8/9);
  - the pairs of one process are not independent of each other: they share
    its address-space layout, its heap, the CPU's frequency and its
    neighbours while it ran, and a process's layout alone moves a ratio by a
    few percent (Mytkowicz et al. 2009). The process is the independent unit
    (Kalibera and Jones, "Rigorous benchmarking in reasonable time", 2013):
    each process gives one ratio, the median of its kept pairs, and the figure
    is the median of those. A Go pair is two processes of its own, so there
    every pair is a unit;
  - consecutive units are not independent either: the machine's state (what
    shares the core, the host's clocks) lasts seconds, and on a shared VM it
    moves a ratio by several percent in steps, so the processes of a few
    seconds move together. The interval therefore rests on blocks of BLOCK
    consecutive units in the order they ran (at least MIN_PAIRS blocks), one
    median each: the distribution-free 95% interval of the median of the
    blocks' medians, the order statistics whose ranks come from the binomial
    distribution (scipy.stats.binom), which holds whatever their distribution;
  - the blocks take the CPUs in turn (run/cpu_turns.py): a shared VM's
    virtual CPUs can differ for minutes, and a series on one of them would
    see one placement of the run.

What the interval covers: where another run made under the same conditions
lands, the spread between layouts and the machine's changes during the run
included. Seven runs in a row on a 2-core VM held two other runs' median in 91%
of (ratio, run) cases this way, against 74% for an interval over single
processes. The spread itself is reported (process_ratio_min, process_ratio_max).
A state that lasts the whole run still moves the ratio beyond it: three later
runs of the same binary, whose `call` loop ran at 1.25, 1.77 and 1.76 ns, held
72%; the report then shows runs that differ by more than their intervals.

The figures join the suite's Google Benchmark JSON as one aggregate entry per
case (aggregate_name "paired") with the fields ratio, ratio_ci_low,
ratio_ci_high, interval_unit, processes, interval_blocks, cpus, process_ratio_min,
process_ratio_max,
reference, pairs_kept, pairs_dropped (and per reason), median_ns, min_ns and
reference_median_ns.
"""

import math
import random
from dataclasses import dataclass

import numpy as np

from . import results

CONFIDENCE = 0.95
AGGREGATE = "paired"
OUTLIER_FACTOR = 3.0    # a chunk this far from its side's median, either way
# The fewest units (processes, or Go's pairs) with a 95% interval of their
# median: with n units the widest order-statistic interval, the whole range,
# covers it with probability 1 - 2 / 2^n, at least 95% from n = 6 on.
MIN_PAIRS = 6
# Consecutive units in a block: three rounds of a C++ suite's processes (30
# rounds took 12 to 18 s here), shorter than the stretches of several
# processes over which a shared machine's state was seen to hold.
BLOCK = 3


@dataclass(frozen=True)
class Series:
    """How many processes a paired measurement spreads its pairs over, and
    how many pairs each process times.

    Each process moves its stack and heap by amounts drawn at random
    (--layout-seed), so that the processes sample layouts rather than repeat
    one. Every ratio gets all the processes, however narrow its interval
    already is: a series that let a ratio go once its interval was narrow
    let it go while the machine happened to be steady, within seconds, and
    such an interval then missed the next run's ratio far more often than it
    claimed (optional stopping; docs/methods.md has the trios)."""
    pairs_per_process: int
    processes: int

    @property
    def pairs(self):
        return self.pairs_per_process * self.processes


# 30 processes give 10 blocks (BLOCK); with 16 pairs each, a series of every
# ratio of a suite spans about 20 s on a 2-core VM, against 8 s for the ratios
# that an early stop at 12 processes of 24 pairs let go.
FULL = Series(pairs_per_process=16, processes=30)
QUICK = Series(pairs_per_process=6, processes=10)
# What the summaries call a full run's pairs per ratio.
FULL_PAIRS, QUICK_PAIRS = FULL.pairs, QUICK.pairs


@dataclass(frozen=True)
class Pair:
    """A case, the case it is compared with, and the factor on their ratio.

    chunk_ms and pairs_fraction are for a cost paid per chunk rather than per op
    (reading the perf counters around a loop): longer chunks, fewer of them."""
    subject: str
    reference: str
    scale: float = 1.0
    chunk_ms: float = 1.0
    pairs_fraction: float = 1.0

    def pairs_per_process(self, series):
        """Pairs in each process: a fraction of the series' for a pair with
        longer chunks, at least two (one ABBA cycle)."""
        return max(2, round(series.pairs_per_process * self.pairs_fraction))


def median_interval(values, confidence=CONFIDENCE):
    """(low, high): the distribution-free interval of the median of `values`.

    With n values, the number below the median is Binomial(n, 1/2); the
    interval runs from the j-th to the (n - j + 1)-th smallest, j the largest
    rank whose tail probability stays within (1 - confidence) / 2. Below
    MIN_PAIRS values no such rank exists (even the whole range covers the
    median less often than asked): (nan, nan), no interval, rather than one
    that claims more than it holds.
    """
    x = np.sort(np.asarray(values, float))
    n = len(x)
    if n < MIN_PAIRS:
        return math.nan, math.nan
    from scipy import stats  # imported where used: see the package's docstring
    j = int(stats.binom.ppf((1 - confidence) / 2, n, 0.5))
    if j < 1:
        return math.nan, math.nan
    return float(x[j - 1]), float(x[n - j])


def interval_verdict(low, high, lo_limit, hi_limit):
    """'ok' when [low, high] lies inside [lo_limit, hi_limit], 'MISSED' when it lies
    wholly outside, 'undecided' when it straddles a limit (or there is no interval)."""
    if lo_limit <= low and high <= hi_limit:
        return "ok"
    if high < lo_limit or low > hi_limit:
        return "MISSED"
    return "undecided"


def keep(data):
    """(mask of the pairs kept, {reason: pairs dropped}) of one pair's data."""
    s = np.asarray(data["subject_ns_per_op"], float)
    r = np.asarray(data["reference_ns_per_op"], float)
    disturbed = list(data.get("disturbed") or [""] * len(s))
    dropped = {"context_switch": 0, "cpu_migration": 0, "outlier": 0}
    mask = np.ones(len(s), bool)

    def outlier(x):
        med = np.median(x) if len(x) else math.nan
        return (x > med * OUTLIER_FACTOR) | (x < med / OUTLIER_FACTOR)
    far = outlier(s) | outlier(r)
    for i, why in enumerate(disturbed):
        reason = why or ("outlier" if far[i] else "")
        if reason:
            dropped[reason] = dropped.get(reason, 0) + 1
            mask[i] = False
    return mask, dropped


def blocks(units, size=BLOCK):
    """The medians of consecutive runs of `units` (in the order they ran):
    len // size blocks of them, but at least MIN_PAIRS blocks where there are
    that many units (fewer, each a block of its own)."""
    x = np.asarray(units, float)
    count = max(MIN_PAIRS, len(x) // size) if len(x) >= MIN_PAIRS else len(x)
    return [float(np.median(b)) for b in np.array_split(x, count)] if count else []


def process_ratios(ratios, processes):
    """The ratio of each process, the median of its pairs', in process order."""
    by_process = {}
    for ratio, process in zip(ratios, processes):
        by_process.setdefault(int(process), []).append(ratio)
    return [float(np.median(by_process[k])) for k in sorted(by_process)]


def entry(pair, data, time_unit="ns"):
    """The suite JSON entry of one pair's data (run_pairs's per-pair object).
    Without a `process` list each pair is a unit of its own (Go's pairs).
    With a `cpu` list (the CPU of each pair), `cpus` counts the CPUs its
    processes were pinned to."""
    mask, dropped = keep(data)
    s = np.asarray(data["subject_ns_per_op"], float)[mask]
    r = np.asarray(data["reference_ns_per_op"], float)[mask]
    ratios = s / r * pair.scale
    kept = len(ratios)
    process = np.asarray(data.get("process") or range(len(mask)))[mask]
    units = process_ratios(ratios, process)
    unit_blocks = blocks(units)
    low, high = median_interval(unit_blocks)
    median_ns = float(np.median(s)) if kept else math.nan
    return {
        "name": f"{pair.subject}_{AGGREGATE}", "run_name": pair.subject,
        "run_type": "aggregate", "aggregate_name": AGGREGATE, "aggregate_unit": "time",
        "repetitions": kept, "threads": 1,
        "iterations": int(np.median(np.atleast_1d(data["subject_iterations"]))),
        "real_time": median_ns, "cpu_time": median_ns, "time_unit": time_unit,
        "ratio": float(np.median(units)) if units else math.nan,
        "ratio_ci_low": low, "ratio_ci_high": high, "ratio_scale": pair.scale,
        "interval_unit": "process" if data.get("process") else "pair",
        "processes": len(units), "interval_blocks": len(unit_blocks),
        **({"cpus": len(set(data["cpu"]))} if data.get("cpu") else {}),
        "process_ratio_min": min(units) if units else math.nan,
        "process_ratio_max": max(units) if units else math.nan,
        "reference": pair.reference, "pairs": len(mask), "pairs_kept": kept,
        "pairs_dropped": int(sum(dropped.values())),
        **{f"dropped_{reason}": int(n) for reason, n in sorted(dropped.items())},
        "median_ns": median_ns, "min_ns": float(s.min()) if kept else math.nan,
        "reference_median_ns": float(np.median(r)) if kept else math.nan,
        "reference_iterations": int(np.median(np.atleast_1d(data["reference_iterations"]))),
    }


def entries(pairs, output):
    """Suite JSON entries for every pair in a --pairs output document."""
    by_names = {(p["subject"], p["reference"]): p for p in output["pairs"]}
    missing = [f"{p.subject}:{p.reference}" for p in pairs
               if (p.subject, p.reference) not in by_names]
    if missing:
        raise RuntimeError(f"the paired output lacks {', '.join(missing)}")
    return [entry(pair, by_names[(pair.subject, pair.reference)]) for pair in pairs]


def commands(pairs, series, rng=random.SystemRandom()):
    """The suite binary's argument lists for one process of each group of
    `pairs` (grouped by chunk length and pairs per process), each with a
    layout seed of its own."""
    groups = {}
    for p in pairs:
        groups.setdefault((p.chunk_ms, p.pairs_per_process(series)), []).append(p)
    return [["--pairs=" + ",".join(f"{p.subject}:{p.reference}" for p in group),
             f"--pairs-count={count}", f"--chunk-ms={chunk_ms:g}",
             f"--layout-seed={rng.randrange(1, 2**31)}"]
            for (chunk_ms, count), group in groups.items()]


def merge(outputs):
    """One --pairs document from several: each pair's chunks, process after
    process, with the index of the process each came from (`process`) and
    the CPU it ran on (`cpu`)."""
    merged = {"context": dict(outputs[0]["context"], processes=len(outputs),
                              layouts=[o["context"].get("layout") for o in outputs]),
              "pairs": []}
    by_names = {}
    for index, output in enumerate(outputs):
        for p in output["pairs"]:
            key = (p["subject"], p["reference"])
            if key not in by_names:
                by_names[key] = dict(p, subject_iterations=[], reference_iterations=[],
                                     subject_ns_per_op=[], reference_ns_per_op=[],
                                     disturbed=[], process=[], cpu=[])
                merged["pairs"].append(by_names[key])
            into = by_names[key]
            n = len(p["subject_ns_per_op"])
            for field in ("subject_ns_per_op", "reference_ns_per_op", "disturbed"):
                into[field] += p.get(field) or [""] * n
            into["process"] += [index] * n
            into["cpu"] += [output["context"].get("deferbench_cpu")] * n
            into["subject_iterations"].append(p["subject_iterations"])
            into["reference_iterations"].append(p["reference_iterations"])
    merged["context"].pop("layout", None)
    for p in merged["pairs"]:
        p["pairs"] = len(p["subject_ns_per_op"])
    return merged


def overlap(a, b):
    """Whether two intervals (low, high) share a point: two runs' ratios whose
    intervals do not differ by more than each run's own noise."""
    return a[0] <= b[1] and b[0] <= a[1]


def usable(entry):
    """The paired entry when it has a figure with its interval (at least
    MIN_PAIRS units with kept pairs), else None."""
    return entry if entry and entry.get("processes", entry.get("pairs_kept", 0)) >= MIN_PAIRS \
        and not math.isnan(entry.get("ratio_ci_low", math.nan)) else None


def unmeasured_reason(entry):
    """Why a paired entry has no figure: the pairs dropped, and for what."""
    reasons = ", ".join(f"{entry[k]} {k[len('dropped_'):].replace('_', ' ')}"
                        for k in sorted(entry) if k.startswith("dropped_") and entry[k]) or "none"
    if not entry.get("pairs_kept"):
        return f"not measured: all {entry['pairs']} pairs were dropped ({reasons})"
    if entry.get("interval_unit") == "process":
        return (f"not measured: {entry['pairs_kept']} of {entry['pairs']} pairs kept, from "
                f"{entry['processes']} processes, too few for a 95% interval (it needs "
                f"{MIN_PAIRS} processes; dropped: {reasons})")
    return (f"not measured: {entry['pairs_kept']} of {entry['pairs']} pairs kept, too few for "
            f"a 95% interval (it needs {MIN_PAIRS}; dropped: {reasons})")


def ratio_text(suite, subject):
    """'2.824x [2.801, 2.871]' for a subject's paired ratio, or why there is none."""
    b = suite.benchmarks.get(subject)
    e = b.aggregates.get(AGGREGATE) if b else None
    if not e:
        return "not paired in this run"
    if not usable(e):
        return unmeasured_reason(e)
    return f"{e['ratio']:.3f}x [{e['ratio_ci_low']:.3f}, {e['ratio_ci_high']:.3f}]"


def series_context(series, quick):
    """What the suite JSON's context says of the series that measured it."""
    return {"pairs_per_process": series.pairs_per_process,
            "processes": series.processes, "quick": quick}


def is_quick(suite, full_pairs=FULL_PAIRS):
    """Whether a suite's pairs came from a QUICK series: its context says so;
    a run made before it did, by its pairs per ratio (Go's: full_pairs)."""
    series = suite.context.get("paired_series")
    if series:
        return bool(series.get("quick"))
    first = next((b.aggregates[AGGREGATE] for b in suite.benchmarks.values()
                  if AGGREGATE in b.aggregates), None)
    return bool(first) and first["pairs"] < full_pairs


def lines(suite, title, mark=None, full_pairs=FULL_PAIRS):
    """A summary block of a suite's paired entries (results.SuiteResult): one line
    per ratio with its interval; `mark` adds a note to the named subjects."""
    entries = sorted((b.aggregates[AGGREGATE] for b in suite.benchmarks.values()
                      if AGGREGATE in b.aggregates), key=lambda e: results.natural_key(e["run_name"]))
    if not entries:
        return []
    width = max(len(e["run_name"]) for e in entries)
    ref_width = max(len(e["reference"]) for e in entries)
    out = [title]
    for e in entries:
        what = "per defer" if e.get("ratio_scale", 1) != 1 else "per op"
        note = f"  <- {mark[e['run_name']]}" if mark and e["run_name"] in mark else ""
        head = f"  {e['run_name']:<{width}} / {e['reference']:<{ref_width}} {what:<9}"
        if not usable(e):
            out.append(head + unmeasured_reason(e))
            continue
        units = (f", {e['processes']} processes ({e['process_ratio_min']:.3f} to "
                 f"{e['process_ratio_max']:.3f})" if e.get("interval_unit") == "process" else "")
        out.append(head + f"{e['ratio']:>8.3f}x [{e['ratio_ci_low']:.3f}, "
                   f"{e['ratio_ci_high']:.3f}]  {e['pairs_kept']} of {e['pairs']} pairs"
                   f"{units}{note}")
    if full_pairs and is_quick(suite, full_pairs):
        out.append(f"  ({entries[0]['pairs']} pairs, a QUICK run: its intervals are wider "
                   f"than a full run's give)")
    return out
