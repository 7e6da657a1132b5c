"""The cliffs suite's end-of-run summary: each cliff beside its rewrite, with
the allocation counts and article B's figures (claims B3-B7, R2-R4).
Rows are computed first (cliff_rows), then rendered (cliffs_summary)."""

import math
import re

from ..analysis import paired, stats
from ..analysis.claims import ARTICLE_CLOSURE_ALLOCS_PER_ITEM, ARTICLE_LOOP
from ..run.suite import RunSettings, Suite


def _median(b, key=None):
    values = b.times_ns() if key is None else b.counter(key)
    return stats.median(values) if values else math.nan


def _label(b):
    return b.repetitions[0].get("label", "") if b.repetitions else ""


def cliff_rows(suite):
    """{cliff: [row dict]} from the suite's results."""
    rows = {"loop": [], "ndefers": [], "exits": [], "closure": []}
    for name, b in suite.benchmarks.items():
        family = name.split("/")[0]
        if family not in rows or not b.repetitions:
            continue
        row = {"name": name, "ns": _median(b), "allocs": _median(b, "allocs_per_op"),
               "bytes": _median(b, "bytes_per_op"), "peak_open": _median(b, "peak_open"),
               "label": _label(b), "instructions": suite.instructions.get(name, math.nan)}
        for key in ("items", "defers"):
            row[key] = _median(b, key)
        rows[family].append(row)
    for family in rows.values():  # the file's order is shuffled by interleaving
        family.sort(key=_natural_key)
    return rows


def _natural_key(row):
    """ndefers/2 before ndefers/10; a case before its items:1000 variant."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", row["name"])]


def _by_name(rows, name):
    return next((r for r in rows if r["name"] == name), None)


def _loop_lines(rows):
    lines = ["cliff 1, a defer in a loop over 10 items (B3, B4)",
             f"  {'case':<32}{'ns/op':>9}{'B/op':>7}{'allocs':>8}{'peak open':>11}"
             "   article B (Go)"]
    for r in rows:
        article = ARTICLE_LOOP.get(r["name"])
        note = f"{article[0]} ns, {article[1]} B, {article[2]} allocs" if article else ""
        lines.append(f"  {r['name']:<32}{r['ns']:>9.1f}{r['bytes']:>7.0f}{r['allocs']:>8.2f}"
                     f"{r['peak_open']:>11.0f}   {note}")
    slow, fast = _by_name(rows, "loop/defer_in_loop"), _by_name(rows, "loop/helper")
    if slow and fast:
        lines.append(f"  defer in the loop / helper: {slow['ns'] / fast['ns']:.2f}x here, "
                     f"{ARTICLE_LOOP['loop/defer_in_loop'][0] / ARTICLE_LOOP['loop/helper'][0]:.2f}x"
                     " in article B")
    return lines


def _ndefers_lines(rows, exits):
    rows = sorted(rows, key=lambda r: r["defers"])
    counted = any(not math.isnan(r["instructions"]) for r in rows)
    lines = ["cliff 2, n defers in one frame (B5, R2; R4 below)",
             f"  {'case':<14}{'ns/op':>9}{'ns/defer':>10}"
             f"{'  instr/defer' if counted else ''}   strategy (as -gcflags=-d=defer says)"]
    for r in rows + exits:
        instr = f"{r['instructions'] / r['defers']:>13.1f}" if counted else ""
        lines.append(f"  {r['name']:<14}{r['ns']:>9.1f}{r['ns'] / r['defers']:>10.2f}{instr}"
                     f"   {r['label']}")
    eight, nine = _by_name(rows, "ndefers/8"), _by_name(rows, "ndefers/9")
    if eight and nine:
        step = (nine["ns"] / 9) / (eight["ns"] / 8)
        line = f"  the 9th defer: ns per defer x{step:.2f} from 8 to 9 defers"
        if counted:
            line += (f"; instructions per defer x"
                     f"{(nine['instructions'] / 9) / (eight['instructions'] / 8):.2f} (callgrind)")
        lines.append(line)
    return lines


def _closure_lines(rows):
    lines = ["cliff 3, deferring a closure that captures the loop variable (B6, R5)",
             f"  {'case':<28}{'ns/op':>9}{'allocs/item':>13}{'B/item':>8}   what is allocated"]
    for r in rows:
        items = r["items"] if r["items"] and not math.isnan(r["items"]) else 1
        lines.append(f"  {r['name']:<28}{r['ns']:>9.1f}{r['allocs'] / items:>13.2f}"
                     f"{r['bytes'] / items:>8.0f}   {r['label']}")
    lines.append(f"  article B: {ARTICLE_CLOSURE_ALLOCS_PER_ITEM} allocations per iteration in Go "
                 "(the record, the closure, the captured variable)")
    return lines


def cliffs_summary(suite):
    """The suite's end-of-run summary (its SUITE's summary)."""
    rows = cliff_rows(suite)
    lines = ["cliffs: medians over the repetitions"]
    if rows["loop"]:
        lines += _loop_lines(rows["loop"])
    if rows["ndefers"] or rows["exits"]:
        lines += _ndefers_lines(rows["ndefers"], rows["exits"])
    if rows["closure"]:
        lines += _closure_lines(rows["closure"])
    return lines + paired.lines(
        suite, "cliffs, paired (interleaved ~1 ms chunks; median of the processes' ratios, 95% interval)",
        mark={"ndefers/9": "the 9th defer"})


def cliffs_brief(suite):
    """The console's lines: each cliff's figure, paired where the run has it."""
    rows = cliff_rows(suite)
    article_loop = ARTICLE_LOOP["loop/defer_in_loop"][0] / ARTICLE_LOOP["loop/helper"][0]
    lines = ["cliffs (each cliff against its rewrite, paired ratio [95%]):",
             f"  cliff 1, defer in a loop / helper:      "
             f"{paired.ratio_text(suite, 'loop/defer_in_loop')} per op "
             f"(article B: {article_loop:.2f}x)",
             f"  cliff 2, the 9th defer / the 8th:       "
             f"{paired.ratio_text(suite, 'ndefers/9')} per defer"]
    closure = _by_name(rows["closure"], "closure/capturing")
    if closure:
        items = closure["items"] if closure["items"] and not math.isnan(closure["items"]) else 1
        lines.append(f"  cliff 3, capturing closure / plain call: "
                     f"{paired.ratio_text(suite, 'closure/capturing')} per op, "
                     f"{closure['allocs'] / items:.2f} allocations per item "
                     f"(article B: {ARTICLE_CLOSURE_ALLOCS_PER_ITEM} in Go)")
    return lines


# Cliff 2's step per defer (ndefers/n over ndefers/(n-1), per defer); cliffs 1
# and 3 against their rewrites.
PAIRS = tuple(paired.Pair(f"ndefers/{n}", f"ndefers/{n - 1}", scale=(n - 1) / n)
              for n in range(2, 13)) + (
    paired.Pair("loop/defer_in_loop", "loop/helper"),
    paired.Pair("closure/capturing", "closure/plain_call"))

SUITE = Suite(
    "cliffs", "B3-B7, R1-R6", "gbench", binary="suites/cliffs/cliffs",
    full=RunSettings(repetitions=5, min_time_s=0.05, interleave=True, pairs=paired.FULL),
    quick=RunSettings(repetitions=2, min_time_s=0.01, interleave=False, pairs=paired.QUICK),
    summary=cliffs_summary, brief=cliffs_brief, callgrind_iterations=5_000, pairs=PAIRS,
    per_toolchain="C++")
