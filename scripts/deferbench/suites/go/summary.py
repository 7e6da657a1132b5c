"""The Go suite's end-of-run summary: each Go figure measured here beside the
article's. Rows are computed first (go_rows), then printed (go_lines).

The article figures are quotes (analysis/claims.py), never measurements.
"""

import math
from dataclasses import dataclass

from ...analysis import claims, paired, stats
from . import pairs as go_pairs

# Article figures the Go suite compares with, beyond claims.ARTICLE_NS.
ARTICLE = {
    "B3": (claims.ARTICLE_LOOP["loop/defer_in_loop"][0], "ns/op", "240 B/op, 10 allocs/op"),
    "B4": (claims.ARTICLE_LOOP["loop/helper"][0], "ns/op", "0 B/op, 0 allocs/op"),
    "A7": (claims.GO_ARTICLE_DEPTH, "defers", "512 MiB / depth = 112 B per frame"),
}
MIB = 2**20


@dataclass
class GoRow:
    claim: str
    case: str
    unit: str
    median: float     # nan when not measured
    spread: float     # coefficient of variation, nan when one value
    detail: str       # allocations, strategy, bytes per frame...
    article: str


def _values(suite, case, key):
    b = suite.benchmarks.get(case)
    if b is None:
        return []
    return b.times_ns() if key == "real_time" else b.counter(key)


def _median(values):
    return stats.median(values) if values else math.nan


def _detail(suite, case):
    b = suite.benchmarks.get(case)
    if b is None or not b.repetitions:
        return "not measured"
    first = b.repetitions[0]
    parts = []
    if "bytes_per_op" in first:
        parts.append(f"{_median(b.counter('bytes_per_op')):.0f} B/op, "
                     f"{_median(b.counter('allocs_per_op')):.0f} allocs/op")
    if "defer_strategy" in first:
        parts.append(first["defer_strategy"])
    return "; ".join(parts)


def _ns_row(suite, claim, case, article):
    values = _values(suite, case, "real_time")
    return GoRow(claim, case, "ns/op", _median(values),
                 stats.cv(values) if len(values) > 1 else math.nan,
                 _detail(suite, case), article)


def go_rows(suite):
    def article(mechanism):
        return f"{claims.ARTICLE_NS[mechanism][0]} ns"
    rows = [
        _ns_row(suite, "A1", "runtime/BenchmarkDefer/noopendefer",
                article("defer_cost/chain_stack")),
        _ns_row(suite, "A1", "defer_cost/chain_stack", article("defer_cost/chain_stack")),
        _ns_row(suite, "A2", "runtime/BenchmarkDefer", article("defer_cost/open_coded")),
        _ns_row(suite, "A2", "defer_cost/open_coded", article("defer_cost/open_coded")),
        _ns_row(suite, "A3", "defer_cost/call", article("defer_cost/call")),
        _ns_row(suite, "-", "defer_cost/chain_heap", "about 50 ns (Go 1.12)"),
    ]
    for claim, case in (("B3", "cliffs/loop/defer_in_loop"), ("B4", "cliffs/loop/helper")):
        figure, unit, more = ARTICLE[claim]
        rows.append(_ns_row(suite, claim, case, f"{figure} {unit}, {more}"))
    rows.append(_ns_row(suite, "-", "cliffs/loop/plain", ""))
    for n in (8, 9):
        rows.append(_ns_row(suite, "B5", f"cliffs/ndefers/{n}",
                            "open-coded" if n == 8 else "stack-allocated, all of them"))
    for case in ("cliffs/closure/capturing", "cliffs/closure/plain_call"):
        row = _ns_row(suite, "B6", case, "3 allocs per item" if "capturing" in case else "")
        b = suite.benchmarks.get(case)
        if b and b.repetitions and "heap_escapes" in b.repetitions[0]:
            row.detail += f"; {b.repetitions[0]['heap_escapes']}"
        rows.append(row)
    figure, unit, more = ARTICLE["A7"]
    for case in ("stack/open_coded", "stack/chain_stack", "stack/chain_heap", "stack/plain"):
        depths = _values(suite, case, "depth")
        per_frame = _values(suite, case, "bytes_per_frame")
        stack = _values(suite, case, "stack_bytes")
        detail = (f"{_median(per_frame):.0f} B per frame of a {_median(stack) / 2**20:.0f} MiB "
                  f"stack" if per_frame else _detail(suite, case))
        if depths and len(set(depths)) > 1:
            detail += f"; depths differ: {min(depths)}..{max(depths)}"
        rows.append(GoRow("A7", case, "defers", _median(depths), math.nan, detail,
                          f"{figure:,} {unit} ({more})" if case == "stack/open_coded" else ""))
    fd = sorted((b for n, b in suite.benchmarks.items()
                 if n.startswith("fd/") and n[3:].isdigit() and b.repetitions),
                key=lambda b: b.repetitions[0]["files"])
    for b in fd[-1:]:
        n = b.repetitions[0]["files"]
        rows.append(GoRow(
            claims.ARTICLE_RUNS.get(n, {}).get("claim", "-"), b.name, "ms",
            _median(b.times_ns()) / 1e6, stats.cv(b.times_ns()),
            f"real descriptors, {_median(b.counter('max_rss_bytes')) / MIB:.0f} MiB RSS, "
            f"{_median(b.counter('vm_peak_bytes')) / MIB:.0f} MiB virtual, "
            f"{_median(b.counter('ns_per_file')):.0f} ns per file", _fd_article(n)))
    rows += [_fd_estimate_row(suite, n) for n in sorted(claims.ARTICLE_RUNS)
             if f"fd/{n}" not in suite.benchmarks or not suite.benchmarks[f"fd/{n}"].repetitions]
    return [r for r in rows if r is not None]


def _fd_article(n):
    a = claims.ARTICLE_RUNS.get(n)
    return (f"{n // 1000}k files: {a['wall']}, ~{a['rss_mb']} MB RSS, ~{a['vm_mb']} MB virtual"
            if a else "")


def _fd_estimate_row(suite, n):
    """Where the limits kept real descriptors from N: the sum of the two
    halves measured at N (fd/nofd/N: the *os.File values and their deferred
    Close without descriptors; fd/kernel/N: open and close in batches),
    labelled as an estimate; None when a half is missing."""
    user = _values(suite, f"fd/nofd/{n}", "real_time")
    kernel = _values(suite, f"fd/kernel/{n}", "ns_per_file")
    if not user or not kernel:
        return None
    user_s, kernel_s = _median(user) / 1e9, _median(kernel) * n / 1e9
    return GoRow(
        claims.ARTICLE_RUNS[n]["claim"], f"fd/{n} (estimate)", "ms", (user_s + kernel_s) * 1e3,
        math.nan,
        f"the sum of two halves measured at N: user space {user_s:.2f} s "
        f"(fd/nofd, {_median(_values(suite, f'fd/nofd/{n}', 'max_rss_bytes')) / MIB:.0f} MiB "
        f"RSS, {_median(_values(suite, f'fd/nofd/{n}', 'vm_peak_bytes')) / MIB:.0f} MiB "
        f"virtual) + kernel {kernel_s:.2f} s (fd/kernel, open and close in batches)",
        _fd_article(n))


def go_lines(suite, rows):
    ctx = suite.context
    lines = [f"go: {ctx.get('go_version', 'Go')}, GOMAXPROCS {ctx.get('go_maxprocs', '?')}"
             f"{', QUICK' if ctx.get('quick') else ''}: Go here beside the articles "
             "(medians; spread = CV)",
             f"  {'claim':<6}{'case':<38}{'Go here':>14}{'spread':>8}   article / detail"]
    for r in rows:
        if math.isnan(r.median):
            value = "not measured"
        elif r.unit == "defers":
            value = f"{r.median:,.0f}"
        else:
            value = f"{r.median:.1f} {r.unit}"
        spread = "" if math.isnan(r.spread) else f"{r.spread * 100:.1f}%"
        tail = " | ".join(x for x in (r.article, r.detail) if x)
        lines.append(f"  {r.claim:<6}{r.case:<38}{value:>14}{spread:>8}   {tail}")
    skipped = [n for n, b in suite.benchmarks.items() if not b.repetitions]
    if skipped:
        lines.append(f"  not measured: {', '.join(skipped)} (reasons in go.json)")
    if ctx.get("quick"):
        lines.append("  QUICK: fewer repetitions, shorter -benchtime, and the recursion under a "
                     f"{ctx.get('stack_max_setting')}-byte SetMaxStack limit (not Go's 1 GB)")
    return lines


TASK_CLOCK = "perf::TASK-CLOCK"


def task_clock_line(suite):
    """perf::TASK-CLOCK per op over the wall time per op of the same counted
    runs, across the benchmarks: one interval measured two ways, which agree
    when the process ran on one CPU at a time and nothing took it off."""
    ratios, noise = {}, []
    for name, b in suite.benchmarks.items():
        first = b.repetitions[0] if b.repetitions else {}
        if first.get(TASK_CLOCK) and first.get("perf_real_time"):
            ratios[name] = first[TASK_CLOCK] / first["perf_real_time"]
        elif set(first.get("perf_not_measured", ())) & {TASK_CLOCK, "perf_real_time"}:
            noise.append(name)
    # Those whose N/2N difference was at or below zero (perf.NECESSARILY_POSITIVE).
    lines = [f"  {TASK_CLOCK} per op: {len(noise)} benchmark(s) left out, their runs' noise "
             f"above the ops' worth (perf_not_measured in go.json)"] if noise else []
    if not ratios:
        if noise:
            return lines
        reason = suite.context.get("go_perf_missing") or next(
            (e.get("reason") for e in suite.context.get("go_perf_events") or []
             if e.get("name") == TASK_CLOCK), None)
        return [f"  {TASK_CLOCK} per op: not counted ({reason or 'no counted runs'})"]
    low, high = min(ratios, key=ratios.get), max(ratios, key=ratios.get)
    within = sum(abs(r - 1) <= 0.10 for r in ratios.values())
    return [f"  {TASK_CLOCK} per op / wall ns per op of the same runs: {within} of "
            f"{len(ratios)} benchmarks within 10%; lowest {ratios[low]:.3f} ({low}), "
            f"highest {ratios[high]:.3f} ({high})"] + lines


def go_brief(suite):
    """The console's lines: Go's version and its paired ratios."""
    quick = "; QUICK: fewer pairs, wider intervals" if suite.context.get("quick") else ""
    return [f"go: {suite.context.get('go_version', 'go')}, each defer against its defer-free "
            f"twin, and cliff 2's step (paired ratio [95%]{quick}):"] + \
        paired.lines(suite, "", full_pairs=0)[1:]


def go_summary(suite):
    """The suite's end-of-run summary (its SUITE's summary)."""
    return go_lines(suite, go_rows(suite)) + task_clock_line(suite) + paired.lines(
        suite, "go, paired (short runs of the test binaries, interleaved; median, 95% interval)",
        full_pairs=go_pairs.FULL_PAIRS)
