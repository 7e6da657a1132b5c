"""The fd suite's end-of-run summary (claims A8-A10): the limits that bound N,
then per N and strategy the time per file, its gap to the plain open/close
floor, memory per file and the process's peaks, against article A's figures
and deferbench's targets. Rows are computed first (pure functions over the
loaded results), then rendered as lines.

Memory per file is the slope of the child's peak RSS over N (least squares
over every measured repetition): Linux reads RSS from per-CPU counters, which
puts a constant offset into any one reading, and a slope cancels it.
A projection to an N the limits stopped is labelled as one, with its fit."""

import json
import math
from dataclasses import dataclass, field


from .. import inputs
from ..text import number
from ..analysis import paired, stats
from ..analysis.claims import (ARTICLE_FILE_MAX, ARTICLE_RUNS, GO_BYTES_PER_FILE, TARGET_CHAIN_BYTES, TARGET_GAP,
                               TARGET_GAP_FROM_N, TARGET_GAP_STRATEGIES)
from ..run import cpu_turns
from ..run.suite import Suite

FLOOR = "plain"
STRATEGIES = ["plain", "guards", "chain", "open_frame_in_loop"]
RECORDS_ONLY = "chain_records_only"
# The kernel half alone: open and close in batches below the limits (no defer).
KERNEL = "kernel_batches"
# The strategies the memory target is for: the chain, with files and without.
CHAIN_STRATEGIES = ("chain", RECORDS_ONLY)
MB = 1024 * 1024


@dataclass
class Row:
    strategy: str
    n: int
    origin: str
    reps: int
    ns_per_file: float      # wall
    cv: float
    cpu_ns_per_file: float  # the process's CPU clock: its own work, what the gap uses
    cpu_cv: float
    user_ns: float
    sys_ns: float
    heap_bytes: float
    peak_rss: float
    peak_vm: float
    gap_ns: float = math.nan   # to the floor's median at the same N
    gap: float = math.nan      # as a fraction of the floor: the median paired ratio - 1
    gap_low: float = math.nan  # its 95% interval (nan: too few pairs for one)
    gap_high: float = math.nan

    @property
    def gap_verdict(self):
        """'ok' when the gap's whole interval is within the target, 'MISSED' when
        wholly above, 'undecided' when it straddles it or has no interval; None
        where the target does not apply."""
        if self.strategy not in TARGET_GAP_STRATEGIES or self.n < TARGET_GAP_FROM_N \
                or math.isnan(self.gap):
            return None
        return paired.interval_verdict(self.gap_low, self.gap_high, -math.inf, TARGET_GAP)

    def gap_text(self):
        """'+3.6% [+1.2%, +5.9%]', or the gap alone without an interval."""
        if math.isnan(self.gap_low):
            return f"{self.gap:+.1%} (too few pairs for an interval)"
        return f"{self.gap:+.1%} [{self.gap_low:+.1%}, {self.gap_high:+.1%}]"


# Linux >= 6.2 reads RSS from per-CPU counters with an offset of up to some
# hundred kB, so a slope over N resolves tens of bytes per file only when N
# spans this much; below it the slope is shown but decides nothing.
SLOPE_SPAN_FOR_TARGET = 100_000


@dataclass
class Slope:
    strategy: str
    bytes_per_file: float
    ns: list = field(default_factory=list)
    heap_bytes_per_file: float = math.nan  # operator new's bytes at the largest N: exact

    @property
    def resolves_target(self):
        return max(self.ns) - min(self.ns) >= SLOPE_SPAN_FOR_TARGET

    @property
    def meets_target(self):
        """The chain's memory target, on the slope when N spans enough, else on
        the exact heap bytes; None for other strategies."""
        if self.strategy not in CHAIN_STRATEGIES:
            return None
        figure = self.bytes_per_file if self.resolves_target else self.heap_bytes_per_file
        return None if math.isnan(figure) else figure <= TARGET_CHAIN_BYTES

    def target_text(self):
        """What the memory target was judged on, in words."""
        if self.resolves_target:
            return f"RSS slope {self.bytes_per_file:.1f} B over N = {min(self.ns):,}..{max(self.ns):,}"
        return (f"operator new {self.heap_bytes_per_file:.1f} B at N = {max(self.ns):,} (the RSS "
                f"slope, {self.bytes_per_file:.1f} B, spans too few files to resolve it)")


@dataclass
class Projection:
    strategy: str
    n: int
    wall_s: float
    rss_bytes: float
    fit: str


def _entries(suite, strategy):
    """Measured repetitions of a strategy, by N."""
    by_n = {}
    for b in suite.benchmarks.values():
        for e in b.repetitions:
            if e.get("strategy") == strategy:
                by_n.setdefault(int(e["files"]), []).append(e)
    return dict(sorted(by_n.items()))


def rows(suite):
    out = []
    for strategy in STRATEGIES + [RECORDS_ONLY, KERNEL]:
        for n, reps in _entries(suite, strategy).items():
            med = lambda key: stats.median([e[key] for e in reps])  # noqa: E731
            times = [e["real_time"] for e in reps]
            cpu = [e["cpu_time"] for e in reps]
            out.append(Row(strategy, n, reps[0].get("n_origin", ""), len(reps),
                           stats.median(times), stats.cv(times), med("cpu_time"), stats.cv(cpu),
                           med("user_ns_per_file"),
                           med("sys_ns_per_file"), med("heap_bytes_per_file"),
                           med("peak_rss_bytes"), med("peak_vm_bytes")))
    # The gap is taken on CPU time: on a loaded machine the wall time of a
    # child that was descheduled says more about the load than about it. It is
    # paired: each repetition runs every strategy back to back (in rotated
    # order), so a strategy's repetition k over plain's repetition k is one
    # pair, and drift between repetitions cancels; every child is a process of
    # its own, so each pair is an independent unit.
    floor = {(int(e["files"]), e.get("repetition_index")): e["cpu_time"]
             for e in _all_entries(suite, FLOOR)}
    floor_median = {r.n: r.cpu_ns_per_file for r in out if r.strategy == FLOOR}
    for r in out:
        if r.strategy in (FLOOR, RECORDS_ONLY, KERNEL) or r.n not in floor_median:
            continue
        ratios = [e["cpu_time"] / floor[key] for e in _entries(suite, r.strategy).get(r.n, [])
                  if (key := (r.n, e.get("repetition_index"))) in floor and floor[key] > 0]
        r.gap_ns = r.cpu_ns_per_file - floor_median[r.n]
        if ratios:
            low, high = paired.median_interval(ratios)
            r.gap, r.gap_low, r.gap_high = stats.median(ratios) - 1, low - 1, high - 1
    return out


def _all_entries(suite, strategy):
    return [e for reps in _entries(suite, strategy).values() for e in reps]


def _fit(xs, ys):
    from scipy.stats import linregress  # imported where used: see the package's docstring
    fit = linregress(xs, ys)
    return fit.slope, fit.intercept, fit.rvalue ** 2


def rss_slopes(suite):
    """Marginal user-space bytes per file: slope of peak RSS over N."""
    out = []
    for strategy in STRATEGIES + [RECORDS_ONLY]:
        by_n = _entries(suite, strategy)
        if len(by_n) < 2:
            continue
        xs = [n for n, reps in by_n.items() for _ in reps]
        ys = [e["peak_rss_bytes"] for reps in by_n.values() for e in reps]
        largest = by_n[max(by_n)]
        heap = stats.median([e["heap_bytes_per_file"] for e in largest]) \
            if all("heap_bytes_per_file" in e for e in largest) else math.nan
        out.append(Slope(strategy, _fit(xs, ys)[0], list(by_n), heap))
    return out


def projections(suite):
    """Linear projections of wall time and peak RSS to the N not measured."""
    missing = sorted({int(m["files"]) for m in suite.context.get("not_measured", [])})
    out = []
    if not missing:
        return out
    for strategy in STRATEGIES:
        by_n = _entries(suite, strategy)
        if len(by_n) < 2:
            continue
        ns = list(by_n)
        wall = [stats.median([e["wall_s"] for e in reps]) for reps in by_n.values()]
        rss = [stats.median([e["peak_rss_bytes"] for e in reps]) for reps in by_n.values()]
        b, a, r2 = _fit(ns, wall)
        rb, ra, _ = _fit(ns, rss)
        fit = (f"least-squares line through the medians at N = {', '.join(map(str, ns))}: "
               f"wall = {a * 1e3:.2f} ms + {b * 1e9:.0f} ns x N (r^2 = {r2:.3f})")
        for n in missing:
            out.append(Projection(strategy, n, a + b * n, ra + rb * n, fit))
    return out


@dataclass
class Estimate:
    n: int
    user_s: float       # chain_records_only: the user-space half
    kernel_s: float     # kernel_batches: the kernel half
    rss_bytes: float    # the user-space half's peak RSS and virtual size
    vm_bytes: float
    real_s: float = math.nan  # the chain's real run at N, where the limits allowed it

    @property
    def wall_s(self):
        return self.user_s + self.kernel_s


def estimates(table):
    """Per N with both halves measured: their sum, an estimate of the chain's
    run at N (the real run beside it where it exists)."""
    at = {(r.strategy, r.n): r for r in table}
    out = []
    for (strategy, n), records in sorted(at.items(), key=lambda kv: kv[0][1]):
        kernel = at.get((KERNEL, n))
        if strategy != RECORDS_ONLY or kernel is None:
            continue
        chain = at.get(("chain", n))
        out.append(Estimate(n, records.ns_per_file * n / 1e9, kernel.ns_per_file * n / 1e9,
                            records.peak_rss, records.peak_vm,
                            chain.ns_per_file * n / 1e9 if chain else math.nan))
    return out


def limit_lines(context):
    lim = context.get("limits", {})
    get = lambda k: lim.get(k, "unreadable")  # noqa: E731
    cap = lambda k: {True: "yes", False: "no"}.get(lim.get(k), "unknown")  # noqa: E731
    return [
        f"  RLIMIT_NOFILE soft {get('rlimit_nofile_soft')}, hard {get('rlimit_nofile_hard')}; "
        f"fs.nr_open {get('nr_open')}; CAP_SYS_RESOURCE {cap('cap_sys_resource')}",
        f"  fs.file-max {get('file_max')} ({get('files_in_use')} in use; article: "
        f"{ARTICLE_FILE_MAX}); CAP_SYS_ADMIN {cap('cap_sys_admin')} "
        f"(exempt from file-max)",
        f"  {get('fd_dir')}: {get('free_inodes')} free inodes, "
        f"{number(lim.get('free_bytes', math.nan) / 2**30, '.1f')} GiB free; largest N here "
        f"{get('largest_n')} ({get('headroom')} descriptors kept for the harness)",
    ]


def system_line(suite):
    """What FD_SYSTEM=1 showed, in one line; None when it did not run."""
    with open(suite.path) as f:
        entries = [e for e in json.load(f)["benchmarks"] if e.get("strategy") == "system"]
    if not entries:
        return None
    e = entries[0]
    seen = ("ENFILE, as article A's comparison with fs.file-max predicts" if e.get("enfile")
            else f"no ENFILE ({e.get('error_message', 'stopped early')})")
    return (f"FD_SYSTEM=1: {e['processes']} processes opened {e['files_opened']:,} files of "
            f"fs.file-max {e['file_max']:,} ({e['files_in_use_before']:,} in use before; "
            f"file-nr peaked at {e['files_in_use_peak']:,}) in {e['wall_s']:.1f} s, then "
            f"{seen}; every process exited")


def lines(suite):
    out = ["fd: N files, one deferred close each, read one, return (claims A8-A10); "
           "medians of the repetitions, each in a child process of its own",
           "limits:"] + limit_lines(suite.context)
    table = rows(suite)
    if not table:
        out.append("fd: nothing was measured")
    else:
        out.append(f"  {'strategy':<20}{'N':>8}{'wall/file':>10}{'cpu/file':>9}{'spread':>8}"
                   f"{'gap to floor (cpu)':>22}  {'heap B/f':>8}{'peak RSS':>10}"
                   f"{'peak VM':>9}")
        unstable = []
        for r in table:
            gap = "" if math.isnan(r.gap) else f"{r.gap_ns:+.0f} ns {r.gap * 100:+.1f}%"
            if r.gap_verdict is not None:
                gap += {"ok": " ok", "MISSED": " MISS", "undecided": " ?"}[r.gap_verdict]
            mark = "!" if not math.isnan(r.cpu_cv) and r.cpu_cv > TARGET_GAP else " "
            if mark == "!":
                unstable.append(f"{r.strategy}/{r.n}")
            out.append(
                f"{mark} {r.strategy:<20}{r.n:>8}{number(r.ns_per_file, '.0f'):>7} ns"
                f"{number(r.cpu_ns_per_file, '.0f'):>6} ns{number(r.cpu_cv * 100, '.1f'):>7}%"
                f"{gap:>22}  {number(r.heap_bytes, '.1f'):>8}{r.peak_rss / MB:>8.1f}MB"
                f"{r.peak_vm / MB:>7.1f}MB")
        out.append(f"  target: defer machinery <= {TARGET_GAP:.0%} above `{FLOOR}` in CPU time "
                   f"per file from N = {TARGET_GAP_FROM_N} for {' and '.join(TARGET_GAP_STRATEGIES)} "
                   "(ok / MISS above, ? where the paired interval straddles it); open_frame_in_loop, Go's heap record per file, has no "
                   "verdict; spread is of the CPU time")
        if unstable:
            out.append(f"! spread above {TARGET_GAP:.0%} for {', '.join(unstable)}: a gap "
                       "smaller than the spread is not significant; run on a quiet machine "
                       "(no other load; each repetition's children already run pinned to "
                       "one CPU) or without --quick")
    slopes = rss_slopes(suite)
    if slopes:
        out.append("user-space memory per file (slope of peak RSS over N; not the kernel's "
                   "struct file):")
        for s in slopes:
            target = ""
            if s.meets_target is not None:
                target = (f"  target <= {TARGET_CHAIN_BYTES} B: "
                          f"{'ok' if s.meets_target else 'MISSED'} on {s.target_text()}; "
                          f"Go about {GO_BYTES_PER_FILE} B/file at 250k (deferbench's estimate)")
            out.append(f"  {s.strategy:<20}{s.bytes_per_file:>7.1f} B/file over N = "
                       f"{', '.join(map(str, s.ns))}{target}")
    system = system_line(suite)
    if system:
        out.append(system)
    for m in suite.context.get("not_measured", []):
        art = ARTICLE_RUNS.get(int(m["files"]))
        note = (f" (article {art['claim']}: {art['wall']}, {art['rss_mb']} MB RSS, "
                f"{art['vm_mb']} MB virtual)") if art else ""
        out.append(f"N={m['files']} not measured{note}: {m['reason']}")
    halves = estimates(table)
    if halves:
        out.append("ESTIMATE, the sum of two measured halves (chain_records_only: the user-space "
                   "half; kernel_batches: open and close in batches below the limits):")
        for h in halves:
            real = "" if math.isnan(h.real_s) else f"; the real chain run {h.real_s:.3f} s"
            out.append(f"  N={h.n:>8}: {h.user_s:.3f} s + {h.kernel_s:.3f} s = ~{h.wall_s:.3f} s; "
                       f"records' peak RSS {h.rss_bytes / MB:.1f} MiB, virtual "
                       f"{h.vm_bytes / MB:.1f} MiB{real}")
    projected = projections(suite)
    if projected:
        out.append("PROJECTION, not a measurement (a straight line through the measured N; "
                   "the kernel's fd table and caches may bend it):")
        fits = {}
        for p in projected:
            fits.setdefault(p.strategy, p.fit)
            out.append(f"  {p.strategy:<20}{p.n:>8}: ~{p.wall_s:.2f} s, "
                       f"~{p.rss_bytes / MB:.0f} MB peak RSS")
        for strategy, fit in fits.items():
            out.append(f"  fit {strategy}: {fit}")
    return out


def fd_summary(suite):
    """The suite's end-of-run summary (its SUITE's summary)."""
    return lines(suite)


def fd_brief(suite):
    """The console's lines: how far N got and why, the gap targets and the
    chain's memory per file."""
    limits = suite.context.get("limits", {})
    not_measured = [str(m["files"]) for m in suite.context.get("not_measured", [])]
    unreal = {int(n) for n in not_measured}
    halves = [e for e in estimates(rows(suite)) if e.n in unreal]
    lines = [f"fd: largest N with real descriptors {max(suite.context.get('measured_n') or [0]):,}"
             f" (RLIMIT_NOFILE {limits.get('rlimit_nofile_hard', '?')})"
             + (f"; N = {', '.join(not_measured)} not measured (the limits; see the summary)"
                if not_measured and not halves else "")]
    if halves:
        lines.append("  above it, an estimate (chain records alone + open/close in batches, "
                     "each measured at N): " + "; ".join(
                         f"{e.n:,} files {e.wall_s:.2f} s, {e.rss_bytes / 2**20:.0f} MiB RSS"
                         for e in halves))
    gaps = [r for r in rows(suite) if r.gap_verdict is not None]
    if gaps and all(math.isnan(r.gap_low) for r in gaps):
        lines.append(f"  gap to plain (target <= {TARGET_GAP:.0%}): undecided, too few pairs for "
                     "an interval: " + ", ".join(f"{r.strategy}/{r.n} {r.gap:+.1%}" for r in gaps))
    elif gaps:
        lines.append(f"  gap to plain (target <= {TARGET_GAP:.0%}): " + ", ".join(
            f"{r.strategy}/{r.n} {r.gap_text()} {r.gap_verdict}" for r in gaps))
    chain = next((s for s in rss_slopes(suite) if s.strategy == "chain"), None)
    if chain:
        lines.append(f"  chain's memory: {chain.bytes_per_file:.1f} B/file (target <= "
                     f"{TARGET_CHAIN_BYTES} B)")
    return lines


# FD_N's default, the C++ suite's too (kDefaultSweep in suites/fd/sweep.h).
DEFAULT_SWEEP = [1_000, 10_000, 100_000, 250_000, 700_000]
# Larger than any nr_open Linux accepts (it caps it near 2^30): a count above
# this is a typo, not a request (kMaxRequest in suites/fd/sweep.h).
MAX_REQUEST = 1 << 31


def sweep(text):
    """FD_N, read as every suite reads it (the count grammar of inputs.py):
    the counts, sorted and distinct, or the default when empty or unset."""
    return inputs.counts("FD_N", text, maximum=MAX_REQUEST,
                         too_large="is larger than any Linux lets one process open"
                         ) or list(DEFAULT_SWEEP)


def environment(environ):
    """FD_N and FD_SYSTEM for the suite's binary, checked in the project's
    grammar and handed on in the plain form its own parser reads (integers;
    1 or 0), so that `make bench` accepts what the Go suite accepts; and
    FD_CPU_TURNS, the CPU of each repetition: the CPUs in turn as the paired
    series take them (run/cpu_turns.py), so that the gap's pairs, a
    repetition each, are not all made on one CPU (suites/fd/cpu_turns.h says
    how far ten repetitions reach)."""
    out = {"FD_CPU_TURNS": ",".join(map(str, cpu_turns.cycle(cpu_turns.usable())))}
    if (environ.get("FD_N") or "").strip():
        out["FD_N"] = inputs.plain(sweep(environ["FD_N"]))
    else:
        out["FD_N"] = None  # empty means the default: the binary's own when unset
    system = environ.get("FD_SYSTEM")
    out["FD_SYSTEM"] = None if system is None else (
        "1" if inputs.switch("FD_SYSTEM", system) else "0")
    return out


SUITE = Suite("fd", "A8-A10", "program", binary="suites/fd/fd", summary=fd_summary,
              brief=fd_brief, environment=environment)
