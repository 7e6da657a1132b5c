"""Charts across machines and over time, drawn from run folders alone: the
charts, their names and which runs stand for a machine are described in the
plots command's help (commands/plots.py).
"""

import math
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from . import charts  # noqa: E402
from ..analysis import claims, history, machine_runs, results  # noqa: E402
from ..analysis.machine_comparison import (CASES, RATIO_INTERVAL, instruction_table,  # noqa: E402
                                           machine_table, ns_ranges)
from ..errors import UserError  # noqa: E402


def _present(table, ratio):
    """The cases some machine measured (its ratio, or its ns/op), in CASES order:
    a paired ratio needs no timed repetitions of its own."""
    column = 2 if ratio else 1
    return [i for i in range(len(CASES))
            if any(not math.isnan(cells[i][column]) for _, cells in table)]


def draw_machines(table, ratio, ranges=None):
    """Grouped bars per case and machine: ratios with their interval, or ns/op
    medians with the range of the repetitions (`ranges`, machine_comparison)."""
    idx = _present(table, ratio)
    if not idx:
        return None
    fig, ax = plt.subplots(figsize=(max(8, 0.9 * len(idx) + 3), 4.8))
    width = 0.8 / max(1, len(table))
    for k, (label, cells) in enumerate(table):
        xs = [i + (k - (len(table) - 1) / 2) * width for i in range(len(idx))]
        ys = [cells[j][2 if ratio else 1] for j in idx]
        ax.bar(xs, [0 if math.isnan(y) else y for y in ys], width, label=label, alpha=0.8)
        if not ratio and ranges:
            spans = [ranges[label][j] for j in idx]
            err = [[0 if math.isnan(y) else y - lo for y, (lo, _) in zip(ys, spans)],
                   [0 if math.isnan(y) else hi - y for y, (_, hi) in zip(ys, spans)]]
            ax.errorbar(xs, [0 if math.isnan(y) else y for y in ys], yerr=err, fmt="none",
                        ecolor="black", elinewidth=0.8, capsize=2)
        if ratio:
            lows = [cells[j][3][0] for j in idx]
            highs = [cells[j][3][1] for j in idx]
            err = [[max(0, y - lo) if not math.isnan(lo) else 0 for y, lo in zip(ys, lows)],
                   [max(0, hi - y) if not math.isnan(hi) else 0 for y, hi in zip(ys, highs)]]
            ax.errorbar(xs, [0 if math.isnan(y) else y for y in ys], yerr=err, fmt="none",
                        ecolor="black", elinewidth=0.8, capsize=2)
        for x, y in zip(xs, ys):
            if math.isnan(y):
                ax.text(x, 0, "n/a", ha="center", va="bottom", fontsize=6, rotation=90)
    names = [table[0][1][j][0] for j in idx]
    if ratio:
        ax.axhline(1.0, color="gray", lw=1)
        for pos, j in enumerate(idx):
            article_case = CASES[j][4]
            art = claims.ARTICLE_RATIO.get(article_case) if article_case else None
            if art:
                ax.plot(pos, art, "D", mfc="none", mec="black", ms=8)
        ax.plot([], [], "D", mfc="none", mec="black", label="article's ratio (Go 1.14)")
        ax.set_ylabel("ratio to the machine's own plain call (x)")
        ax.set_title(f"Defer cost relative to a plain call, per machine\n(error bars: "
                     f"{RATIO_INTERVAL})", fontsize=10)
    else:
        ax.set_ylabel("ns per op (median; bars: range of the repetitions)")
        ax.set_title("Defer cost per machine (absolute)", fontsize=11)
    ax.set_xticks(range(len(idx)), names, rotation=25, ha="right", fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def draw_instructions(table):
    """Grouped bars of instructions per op; a case whose machines disagree is marked."""
    if not table:
        return None
    cases = sorted(dict.fromkeys(k for _, counts in table for k in counts), key=results.natural_key)
    fig, ax = plt.subplots(figsize=(max(9, 0.45 * len(cases) + 3), 4.8))
    width = 0.8 / len(table)
    for k, (label, counts) in enumerate(table):
        xs = [i + (k - (len(table) - 1) / 2) * width for i in range(len(cases))]
        ax.bar(xs, [counts.get(c, math.nan) for c in cases], width, label=label, alpha=0.8)
    for i, c in enumerate(cases):
        values = {counts[c] for _, counts in table if c in counts}
        if len(values) > 1:
            ax.annotate("differ", (i, max(values)), textcoords="offset points", xytext=(0, 4),
                        ha="center", fontsize=7, color="red")
    ax.set_yscale("log")
    ax.set_ylabel("instructions per op (callgrind, exact)")
    ax.set_title("Instructions per op, per machine: one toolchain should count alike",
                 fontsize=11)
    ax.set_xticks(range(len(cases)), cases, rotation=60, ha="right", fontsize=7)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=7)
    return fig


def draw_history(series_list, suite, bench):
    """One line per machine; change points ringed and labelled with their step."""
    series_list = [s for s in series_list if s.points]
    if not series_list:
        return None
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for s in series_list:
        xs = list(range(len(s.points)))
        line, = ax.plot(xs, [p.median for p in s.points], "-", label=s.machine_id)
        for x, p in zip(xs, s.points):
            ax.errorbar([x], [p.median], yerr=[[p.median - p.low], [p.high - p.median]],
                        fmt="o", color=line.get_color(), capsize=2,
                        mfc="white" if p.quick else line.get_color())
        for x, p in zip(xs, s.points):
            if p.change is not None:
                ax.plot(x, p.median, "o", ms=14, mfc="none", mec="red", mew=2)
                ax.annotate(f"{p.change * 100:+.1f}%", (x, p.median), textcoords="offset points",
                            xytext=(6, 8), color="red", fontsize=8)
    longest = max(series_list, key=lambda s: len(s.points))
    ax.set_xticks(range(len(longest.points)), [p.run_id for p in longest.points], rotation=30,
                  ha="right", fontsize=7)
    ax.plot([], [], "o", ms=10, mfc="none", mec="red", label="change point")
    ax.plot([], [], "o", mfc="white", mec="gray", label="QUICK run")
    ax.set_xlabel("run (oldest first)")
    ax.set_ylabel("ns per op (median; bars: range of the repetitions)")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(f"History of {suite}/{bench}", fontsize=11)
    return fig


def draw(results_dir, run_paths, out, history_benches, suite, dpi=110):
    """Draws every chart; returns the PNG paths written."""
    selected = machine_runs.named(run_paths) if run_paths else \
        machine_runs.newest_per_machine(results_dir)
    written = []
    table = machine_table(selected)
    ranges = ns_ranges(selected)
    for name, ratio in (("machines_ns_per_op", False), ("machines_ratio_to_call", True)):
        fig = draw_machines(table, ratio, ranges)
        if fig is not None:
            written.append(charts.save(fig, out, name, dpi))
    fig = draw_instructions(instruction_table(selected))
    if fig is not None:
        written.append(charts.save(fig, out, "machines_instructions", dpi))
    if os.path.isdir(results_dir):
        machines = sorted({r.machine_id for r in selected.values()})
        for bench in history_benches:
            series_list = []
            for m in machines:
                try:
                    series_list.append(history.series(results_dir, m, suite, bench))
                except UserError:
                    continue
            fig = draw_history(series_list, suite, bench)
            if fig is not None:
                safe = bench.replace("/", "_")
                written.append(charts.save(fig, out, f"history_{safe}", dpi))
    return written
