"""The end-of-run summary: each case's median, spread, ratio to `call`, the
article's figure and deferbench's target. Computing (rows) is separate from
printing (lines), so the report can reuse the rows."""

import math
from dataclasses import dataclass

from ..text import number
from ..analysis import cases, claims, paired, stats
from ..run.suite import RunSettings, Suite


def case_order(suite):
    """The cases in the binary's order (analysis/cases.py): the file's own
    order is shuffled when repetitions are interleaved."""
    return [c.name for c in cases.listed(suite)]

# defer_cost's cases that measure the harness itself, not a strategy.
COUNTERS_OFF_PREFIX = "counters_off/"


def counter_overhead(suite):
    """(median of call with counters / without, spread of each) or None."""
    on, off = suite.benchmarks.get("call"), suite.benchmarks.get(COUNTERS_OFF_PREFIX + "call")
    if on is None or off is None or not on.repetitions or not off.repetitions:
        return None
    return (stats.median(on.times_ns()) / stats.median(off.times_ns()),
            stats.cv(on.times_ns()), stats.cv(off.times_ns()))


@dataclass
class CostRow:
    case: str
    median_ns: float
    cv: float
    ratio: float           # to `call`'s median in the same run
    allocs_per_op: float   # nan when not recorded
    article_ns: float      # nan when the article has no figure
    article_claim: str
    target_ratio: float    # nan when there is no target
    cv_applies: bool       # the spread target holds for non-allocating cases
    instructions: float    # per op, from callgrind; nan when not counted
    paired: dict = None    # the case's paired entry (paired.py), when the run has one
    article_ratio: float = math.nan  # the article's ratio to its plain call (A4), if any

    @property
    def interval(self):
        """(low, high) of the paired ratio; None without one."""
        if not self.paired:
            return None
        return self.paired["ratio_ci_low"], self.paired["ratio_ci_high"]

    @property
    def best_ratio(self):
        """The paired ratio where the run has it, else the ratio of the medians."""
        return self.paired["ratio"] if self.paired else self.ratio

    @property
    def ratio_verdict(self):
        """'ok', 'MISSED' or 'undecided' (the interval straddles the target); None
        without a target. Without a paired ratio, the ratio of medians decides."""
        if math.isnan(self.target_ratio):
            return None
        if self.interval is None:
            return "ok" if self.ratio <= self.target_ratio else "MISSED"
        return paired.interval_verdict(*self.interval, -math.inf, self.target_ratio)

    @property
    def meets_ratio(self):
        verdict = self.ratio_verdict
        return None if verdict is None else verdict == "ok"

    @property
    def interval_width(self):
        """The 95% interval's width as a fraction of the ratio; nan without one."""
        if self.interval is None or not self.paired["ratio"]:
            return math.nan
        low, high = self.interval
        return (high - low) / self.paired["ratio"]

    @property
    def stable(self):
        """A trusted figure: a paired ratio's interval within TARGET_INTERVAL of it, or
        (without pairs) the repetitions' spread within TARGET_CV for a case that
        does not allocate."""
        if self.paired:
            return self.interval_width <= claims.TARGET_INTERVAL
        return not self.cv_applies or (not math.isnan(self.cv) and self.cv <= claims.TARGET_CV)


def defer_cost_rows(suite):
    """Rows for the defer_cost suite; empty when `call` did not run."""
    call = suite.benchmarks.get("call")
    if call is None or not call.repetitions:
        return []
    call_median = stats.median(call.times_ns())
    listed = {c.name: c for c in cases.listed(suite)}
    rows = []
    for name, b in suite.benchmarks.items():
        times = b.times_ns()
        if not times or name.startswith(COUNTERS_OFF_PREFIX):
            continue
        allocs = b.counter("allocs_per_op")
        described = listed.get(name)
        mechanism = described.go_counterpart if described else None
        article = claims.ARTICLE_NS.get(mechanism, (math.nan, ""))
        allocs_median = stats.median(allocs) if allocs else math.nan
        rows.append(CostRow(
            case=name,
            median_ns=stats.median(times),
            cv=stats.cv(times),
            ratio=stats.median(times) / call_median,
            allocs_per_op=allocs_median,
            article_ns=article[0],
            article_claim=article[1],
            article_ratio=claims.ARTICLE_RATIO.get(mechanism, math.nan),
            target_ratio=described.target_ratio if described else math.nan,
            cv_applies=not math.isnan(allocs_median) and allocs_median == 0,
            instructions=suite.instructions.get(name, math.nan),
            paired=paired.usable(b.aggregates.get(paired.AGGREGATE)),
        ))
    rank = {name: i for i, name in enumerate(case_order(suite))}
    return sorted(rows, key=lambda r: rank.get(r.case, len(rank)))


def defer_cost_lines(rows, quick=False):
    """The summary table as lines of text."""
    if not rows:
        return ["defer_cost: no result for `call`, so no ratios"]
    counted = any(not math.isnan(r.instructions) for r in rows)
    with_pairs = any(r.paired for r in rows)
    lines = [
        "defer_cost: one defer per strategy, ns/op (median of the repetitions; "
        + ("paired ratio to `call` with its 95% interval)" if with_pairs else
           "ratio to `call` in this run)"),
        f"  {'case':<20}{'median':>10}{'spread':>9}"
        + (f"{'paired ratio [95%]':>25}" if with_pairs else f"{'ratio':>8}")
        + f"  {'target':<17}{'allocs/op':>9}{'  instr/op' if counted else ''}   article (Go)",
    ]
    unstable = []
    for r in rows:
        if r.ratio_verdict is None:
            target = ""
        else:
            target = f"<={r.target_ratio:.2f} {r.ratio_verdict}"
        mark = " " if r.stable else "!"
        if not r.stable:
            unstable.append(r.case)
        if not with_pairs:
            ratio_cell = f"{number(r.ratio, '.2f'):>7}x"
        elif r.paired:
            low, high = r.interval
            ratio_cell = f"{r.paired['ratio']:>9.3f}x [{low:.3f}, {high:.3f}]"
        elif r.case == "call":
            ratio_cell = f"{'1.000x (reference)':>25}"
        else:
            ratio_cell = f"{'-':>25}"
        article = "" if math.isnan(r.article_ns) else f"{r.article_ns:.1f} ns ({r.article_claim})"
        if not math.isnan(r.article_ratio):
            article += f", {r.article_ratio:.2f}x"
        lines.append(
            f"{mark} {r.case:<20}{number(r.median_ns, '.2f'):>7} ns{number(r.cv * 100, '.1f'):>8}%"
            f"{ratio_cell}  {target:<17}{number(r.allocs_per_op, '.2f'):>9}"
            f"{number(r.instructions, '10.1f') if counted else ''}   {article}")
    if counted:
        lines.append("  instr/op: instructions per op counted by callgrind (deterministic)")
        lines += floor_lines(rows)
    if with_pairs:
        kept = [r.paired for r in rows if r.paired]
        dropped = sum(p["pairs_dropped"] for p in kept)
        processes = kept[0].get("processes")
        unit = (f"the median of {processes} processes' ratios, each the median of its "
                f"interleaved pairs of ~1 ms chunks (ABBA; {kept[0]['pairs']} pairs in all, "
                "each process in a layout of its own)" if kept[0].get("interval_unit") == "process"
                else f"the median of {kept[0]['pairs']} interleaved pairs of ~1 ms chunks (ABBA)")
        lines.append(f"  paired: each ratio is {unit}; {dropped} pair(s) dropped in all as "
                     "disturbed (context switch, CPU migration, outlier); the interval spans "
                     f"this run's processes, in {kept[0].get('interval_blocks', processes)} blocks "
                     "of consecutive ones"
                     + (f", on {kept[0]['cpus']} CPUs in turn" if kept[0].get("cpus", 1) > 1
                        else "")
                     + ("; a QUICK run has fewer, so wider intervals" if quick else ""))
    if unstable and with_pairs:
        lines.append(
            f"! a 95% interval wider than {claims.TARGET_INTERVAL:.0%} of its ratio for "
            f"{', '.join(unstable)}: its processes disagree (layout, CPUs that differ, or a "
            "noisy machine); run again, or compare instruction counts (COUNTERS=callgrind)")
    elif unstable:
        lines.append(
            f"! spread above {claims.TARGET_CV:.0%} for {', '.join(unstable)}: the machine was "
            "noisy (a VM's neighbours, other load, frequency changes; the suite already "
            "runs pinned to one CPU); close other programs, or run again and compare "
            "ratios and instruction counts (COUNTERS=callgrind) rather than times")
    return lines


def floor_lines(rows):
    """A line when scope_guard, the floor of an open-coded defer, does not
    compile to `call`'s instructions: some compilers fold the guard away
    entirely (GCC 12 here), others do not (GCC 14), and then its ratio to
    `call` carries the difference."""
    counts = {r.case: r.instructions for r in rows}
    call, floor = counts.get("call", math.nan), counts.get("scope_guard", math.nan)
    if math.isnan(call) or math.isnan(floor) or call == floor:
        return []
    return [f"  scope_guard runs {floor:g} instr/op against call's {call:g}: this compiler does "
            "not reduce the scope guard to the plain call, so its ratio includes the "
            "difference"]


COUNTERS_ON = "counters_on/call"   # its paired entry: call with counters read / without



def counter_overhead_paired(suite):
    """(ratio, low, high, verdict) of the paired overhead; None without a figure."""
    b = suite.benchmarks.get(COUNTERS_ON)
    e = paired.usable(b.aggregates.get(paired.AGGREGATE)) if b else None
    if e is None:
        return None
    low, high = e["ratio_ci_low"], e["ratio_ci_high"]
    return e["ratio"], low, high, paired.interval_verdict(
        low, high, 1 - claims.COUNTER_OVERHEAD_TARGET, 1 + claims.COUNTER_OVERHEAD_TARGET)


def counter_overhead_unmeasured(suite):
    """Why the paired overhead has no figure, or None (measured, or not tried)."""
    b = suite.benchmarks.get(COUNTERS_ON)
    e = b.aggregates.get(paired.AGGREGATE) if b else None
    return paired.unmeasured_reason(e) if e and not paired.usable(e) else None


def counter_overhead_line(suite):
    on_instr = suite.instructions.get("call")
    off_instr = suite.instructions.get(COUNTERS_OFF_PREFIX + "call")
    instr = (f"; instructions per op {on_instr:.1f} with, {off_instr:.1f} without (callgrind)"
             if on_instr is not None and off_instr is not None else "")
    pair = counter_overhead_paired(suite)
    if pair is not None:
        ratio, low, high, verdict = pair
        return [f"counters: `call` with perf counters read / without = {ratio:.4f} "
                f"[{low:.4f}, {high:.4f}] paired (target within {claims.COUNTER_OVERHEAD_TARGET:.0%}: "
                f"{verdict}); they are read outside the timed loop{instr}"]
    overhead = counter_overhead(suite)
    if overhead is None:
        return []
    ratio, cv_on, cv_off = overhead
    unmeasured = counter_overhead_unmeasured(suite)
    verdict = "ok" if abs(ratio - 1) <= claims.COUNTER_OVERHEAD_TARGET else "MISSED"
    if abs(ratio - 1) > claims.COUNTER_OVERHEAD_TARGET and max(cv_on, cv_off) > claims.COUNTER_OVERHEAD_TARGET:
        verdict += (f" (the repetitions spread by {max(cv_on, cv_off):.0%}, more than the 1% "
                    "being checked: the figure is noise here)")
    return [f"counters: `call` with perf counters read / without = {ratio:.3f} "
            f"(medians of the repetitions{'; paired: ' + unmeasured if unmeasured else ''}; "
            f"target within {claims.COUNTER_OVERHEAD_TARGET:.0%}: {verdict}); they are read "
            f"outside the timed loop{instr}"]


def defer_cost_summary(suite):
    """The suite's end-of-run summary (its SUITE's summary)."""
    return defer_cost_lines(defer_cost_rows(suite), paired.is_quick(suite)) + \
        counter_overhead_line(suite)


# Read per chunk, the counters cost a few microseconds each time: chunks as
# long as 25 ms put that where Google Benchmark's loops of 0.25 s put it, near 0.
COUNTERS_PAIR = paired.Pair(COUNTERS_ON, "counters_off/call", chunk_ms=25, pairs_fraction=0.12)


def pairs(context):
    """Each case against the one its description names (the plain call), from
    the binary's own list of cases, and the counters' overhead (`call` with
    the perf counters read around each chunk against without)."""
    described = cases.from_context(context) or []
    return tuple(paired.Pair(c.name, c.pair) for c in described if c.pair) + (COUNTERS_PAIR,)

SUITE = Suite(
    "defer_cost", "A1-A4, B1", "gbench", binary="suites/defer_cost/defer_cost",
    full=RunSettings(repetitions=6, min_time_s=0.1, interleave=True, pairs=paired.FULL),
    quick=RunSettings(repetitions=3, min_time_s=0.02, interleave=False, pairs=paired.QUICK),
    summary=defer_cost_summary, pairs=pairs, per_toolchain="C++")
