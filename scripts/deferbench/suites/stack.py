"""The stack suite's end-of-run summary (claims A6, A7): per strategy and
stack size, the depth reached, bytes per frame, whether the repetitions
agree, how the attempts ended, and the comparison with Go.

The target: every C++ strategy uses fewer bytes per frame than Go does for
the same mechanism on this machine, which the go suite measures (each
strategy's go_counterpart in the suite's list of cases pairs them). Until Go
has run here, as when this suite's own summary prints, the comparison is with the article's arithmetic, quoted: Go's
stack doubles, so the last usable size below its 1 GB limit is 512 MiB, and
512 MiB / 4,793,476 defers is 112 bytes per frame.

Rows (computing) are separate from lines (printing) so a report can reuse
the rows."""

import json
import math
import statistics
from collections import Counter
from dataclasses import dataclass, field

from ..analysis import cases, results
from ..text import number
# Article A's figures (A6, A7), quoted in claims.py.
from ..analysis.claims import GO_ARTICLE_BYTES_PER_FRAME, GO_ARTICLE_DEPTH
from ..run.suite import Suite

# The floor: a frame with no defer in it. Every other strategy's target is
# fewer bytes per frame than Go's.
FLOOR = "call"


@dataclass
class StackRow:
    case: str                  # "<strategy>/<size>"
    strategy: str
    stack_bytes: int
    attempts: int
    outcomes: Counter = field(default_factory=Counter)
    depths: list = field(default_factory=list)          # of the attempts that overflowed
    bytes_per_frame: float = math.nan                   # median over the overflows
    overflow_ms: float = math.nan                       # median time to overflow
    peak_rss_bytes: float = math.nan                    # median peak RSS of the child
    details: list = field(default_factory=list)         # outcome details, deduplicated
    go_here: float = math.nan                           # Go's bytes per frame, same mechanism, here
    go_counterpart: str = ""                            # the go suite's recursion it comes from

    @property
    def depth(self):
        return statistics.median(self.depths) if self.depths else math.nan

    @property
    def depth_spread(self):
        """Largest minus smallest depth among the overflows (0: exact)."""
        return max(self.depths) - min(self.depths) if self.depths else None

    @property
    def clean(self):
        """Every attempt overflowed, all at one depth."""
        return self.outcomes.get("overflow", 0) == self.attempts and self.depth_spread == 0

    @property
    def go_reference(self):
        """(Go's bytes per frame to beat, where it comes from)."""
        if not math.isnan(self.go_here):
            return self.go_here, f"Go here, {self.go_counterpart}"
        return GO_ARTICLE_BYTES_PER_FRAME, "article A (no Go run here)"

    @property
    def vs_go(self):
        return self.bytes_per_frame / self.go_reference[0]

    @property
    def meets_target(self):
        """Below Go's bytes per frame; None for the floor or without a figure."""
        if self.strategy == FLOOR or math.isnan(self.bytes_per_frame):
            return None
        return self.bytes_per_frame < self.go_reference[0]


def _entries(suite):
    """Every attempt, including those that failed (results.load drops them)."""
    with open(suite.path) as f:
        entries = [e for e in json.load(f)["benchmarks"] if e.get("run_type") == "iteration"]
    # older runs named some strategies otherwise (results.RENAMED)
    return [results.current_entry(results.suite_of(suite.path), e) for e in entries]


def stack_rows(suite, go_per_frame=None):
    """Rows of the suite; go_per_frame maps a go suite case (the strategies'
    go_counterpart) to Go's measured bytes per frame on this machine."""
    go_per_frame = go_per_frame or {}
    counterparts = {c.name: c.go_counterpart for c in cases.listed(suite)}
    by_case = {}
    for e in _entries(suite):
        by_case.setdefault(e.get("run_name", e["name"]), []).append(e)
    rows = []
    for name, entries in by_case.items():
        first = entries[0]
        strategy = first.get("strategy", name.split("/")[0])
        counterpart = counterparts.get(strategy, "")
        row = StackRow(case=name, strategy=strategy,
                       stack_bytes=int(first.get("stack_bytes", 0)), attempts=len(entries),
                       go_here=go_per_frame.get(counterpart, math.nan),
                       go_counterpart=counterpart)
        for e in entries:
            row.outcomes[e.get("outcome", "unknown")] += 1
            detail = e.get("outcome_detail")
            if detail and detail not in row.details:
                row.details.append(detail)
        overflowed = [e for e in entries if e.get("outcome") == "overflow"]
        row.depths = [int(e["depth"]) for e in overflowed]
        if overflowed:
            row.bytes_per_frame = statistics.median(e["bytes_per_frame"] for e in overflowed)
            row.overflow_ms = statistics.median(e["real_time"] for e in overflowed) / 1e6
            rss = [e["peak_rss_bytes"] for e in overflowed if "peak_rss_bytes" in e]
            if rss:
                row.peak_rss_bytes = statistics.median(rss)
        rows.append(row)
    return rows


def _agreement(row):
    spread = row.depth_spread
    if spread is None:
        return "-"
    if len(row.depths) == 1:
        return "one attempt"
    if spread == 0:
        return f"exact x{len(row.depths)}"
    return f"differ by {spread} ({spread / max(row.depths):.2%})"


def stack_lines(rows, context=None):
    """The summary table as lines of text."""
    if not rows:
        return ["stack: no attempts recorded"]
    go = GO_ARTICLE_BYTES_PER_FRAME
    lines = [
        "stack: recursion through defer until the stack runs out (A6, A7); depth = frames "
        "entered, B/frame = stack size / depth",
        f"  {'case':<26}{'depth':>11}{'B/frame':>9}  {'agreement':<16}{'outcomes':<22}"
        f"{'to overflow':>12}{'peak RSS':>11}   target: fewer B/frame than Go",
    ]
    for r in rows:
        outcomes = ", ".join(f"{k} x{n}" for k, n in sorted(r.outcomes.items()))
        if r.strategy == FLOOR:
            verdict = "floor, no defer"
        elif r.meets_target is None:
            verdict = "-"
        else:
            figure, source = r.go_reference
            verdict = (f"{'below' if r.meets_target else 'not below'} {figure:.0f} ({source}): "
                       f"{'ok' if r.meets_target else 'MISSED'}")
        vs = "" if math.isnan(r.bytes_per_frame) or r.strategy == FLOOR else f"{r.vs_go:.2f}x  "
        rss_mib = r.peak_rss_bytes / 2**20
        mark = " " if r.clean else "!"
        lines.append(
            f"{mark} {r.case:<26}{number(r.depth, '.0f'):>11}{number(r.bytes_per_frame, '.1f'):>9}  "
            f"{_agreement(r):<16}{outcomes:<22}{number(r.overflow_ms, '.1f'):>9} ms"
            f"{number(rss_mib, '.0f'):>7} MiB"
            f"   {vs}{verdict}")
        for detail in r.details:
            lines.append(f"    {r.case}: {detail}")
    flagged = [r.case for r in rows if not r.clean]
    if flagged:
        lines.append(f"! not every attempt overflowed at one depth: {', '.join(flagged)}; see "
                     "the outcomes above (out_of_memory and killed are results, not bugs)")
    lines.append(
        f"Go (article A, quoted): 512 MiB / {GO_ARTICLE_DEPTH:,} defers = {go:.1f} B/frame. "
        "The target compares each strategy with Go measured on this machine, same "
        "mechanism, once the go suite has run (the run's report); until then with this.")
    if context and context.get("stack_sizes_source", "").startswith("quick default"):
        lines.append("quick run: sizes " + ",".join(context.get("stack_sizes", [])) +
                     " only (no 1GiB); set STACK_SIZES=8MiB,64MiB,1GiB to include Go's limit")
    return lines


def stack_summary(suite):
    """The suite's end-of-run summary (its SUITE's summary)."""
    return stack_lines(stack_rows(suite), suite.context)


def stack_brief(suite):
    """The console's lines: bytes per frame per strategy at the largest size,
    and whether every attempt overflowed with the depths agreeing."""
    rows = stack_rows(suite)
    if not rows:
        return ["stack: no attempt measured"]
    largest = max(r.stack_bytes for r in rows)
    top = [r for r in rows if r.stack_bytes == largest]
    overflowed = sum(r.outcomes.get("overflow", 0) for r in rows)
    attempts = sum(r.attempts for r in rows)
    agree = all(r.depth_spread == 0 for r in rows if r.depths)
    label = top[0].case.split("/")[-1]
    return [f"stack: {overflowed} of {attempts} attempts overflowed"
            f"{', depths agree' if agree else ', depths differ (see the summary)'}; "
            f"bytes per frame at {label}:",
            "  " + ", ".join(f"{r.strategy} {number(r.bytes_per_frame)}" for r in top)
            + f" (Go, article A: {GO_ARTICLE_BYTES_PER_FRAME:.0f})"]


SUITE = Suite("stack", "A6, A7", "program", binary="suites/stack/stack", summary=stack_summary,
              brief=stack_brief)
