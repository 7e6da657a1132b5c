"""Per-run charts, drawn with matplotlib (Agg) from report_data's structures.

Each function draws one idea into a Figure and returns it, or None when the
run has nothing for it; save() writes it as PNG and SVG. Article figures are
drawn as markers labelled "article", never as measurements. Every figure with
an uncertainty draws it (repetitions, their range, or a spread), and each
chart's caption (PER_RUN) says which; the caption is also the image's alt
text in the report, after the chart's title.
"""

import math
import os
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from .. import atomic  # noqa: E402
from . import forked  # noqa: E402
from ..analysis import claims, report_data, stats, toolchain_axis  # noqa: E402

GO_COLOR, CPP_COLOR, ARTICLE_COLOR = "#1f77b4", "#d62728", "black"
# The fd suite's C++ strategies, each its own colour, none of them Go's.
FD_COLORS = {"guards": "#2ca02c", "chain": "#d62728", "open_frame_in_loop": "#ff7f0e",
             "plain": "black"}
FD_OTHER = ("#9467bd", "#8c564b", "#e377c2", "#7f7f7f")


def save(fig, folder, name, dpi=110):
    """Writes <name>.png and <name>.svg; returns the PNG's path."""
    os.makedirs(folder, exist_ok=True)
    png = os.path.join(folder, f"{name}.png")
    # No date and fixed element ids: the same data draws the same bytes, so a
    # redrawn chart that did not change leaves git's tree clean.
    # Each file whole or not at all: matplotlib writes a temporary file, renamed
    # when complete (atomic.writing), so a full disk never leaves half a chart.
    try:
        with plt.rc_context({"svg.hashsalt": "deferbench"}):
            with atomic.writing(png) as tmp:
                fig.savefig(tmp, format="png", dpi=dpi, bbox_inches="tight",
                            metadata={"Software": None})
            with atomic.writing(os.path.join(folder, f"{name}.svg")) as tmp:
                fig.savefig(tmp, format="svg", bbox_inches="tight", metadata={"Date": None})
    finally:
        plt.close(fig)
    return png


def _title(fig, ax, title, run):
    """The axes' title at its top left, and the run above the whole figure at
    its right: over neither a tick label nor another panel's title."""
    ax.set_title(title, fontsize=11, loc="left")
    fig.text(0.99, 1.0, f"{run.machine_id} / {run.run_id}{' (PARTIAL)' if run.partial else ''}",
             fontsize=7, color="gray", ha="right", va="bottom")


def defer_cost(run):
    """ns/op per strategy, C++ and Go side by side, every repetition shown."""
    costs = report_data.defer_costs(run)
    if not costs:
        return None
    fig, ax = plt.subplots(figsize=(9, 4.5))
    width = 0.38
    for i, c in enumerate(costs):
        for offset, m, color in ((-width / 2, c.cpp, CPP_COLOR), (width / 2, c.go, GO_COLOR)):
            if not m.measured:
                continue
            ax.bar(i + offset, m.median, width, color=color, alpha=0.55)
            ax.plot([i + offset] * len(m.values), m.values, "o", ms=3, color=color)
        if not math.isnan(c.article_ns):
            ax.plot(i, c.article_ns, marker="D", ms=8, mfc="none", mec=ARTICLE_COLOR, mew=1.5)
    ax.set_xticks(range(len(costs)), [c.strategy for c in costs], rotation=20, ha="right")
    ax.set_ylabel("ns per op (bar: median; dots: repetitions)")
    ax.plot([], [], "s", color=CPP_COLOR, alpha=0.55, label="C++ here")
    ax.plot([], [], "s", color=GO_COLOR, alpha=0.55, label="Go here (goref)")
    ax.plot([], [], "D", mfc="none", mec=ARTICLE_COLOR, label="article (Go 1.14)")
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    _title(fig, ax, "Cost of one defer per strategy", run)
    return fig


def _range(values, per):
    """(median, below, above) of values / per, for an error bar of their range."""
    v = [x / per for x in values]
    mid = stats.median(v)
    return mid, mid - min(v), max(v) - mid


def cliff2(run):
    """ns per defer against the number of defers in one frame (left) and, where
    callgrind counted them, instructions per defer (right), the step at 9 marked."""
    data = report_data.cliffs(run)
    cpp = sorted((data["cpp"] or {}).get("ndefers", []), key=lambda r: r["defers"])
    go = data["go_ndefers"]
    if not cpp and not go:
        return None
    counted_cpp = [r for r in cpp if r["instructions"] == r["instructions"]]  # not NaN
    go_counts = run.suite("go").instructions if run.suite("go") else {}
    counted_go = [(n, go_counts[f"cliffs/ndefers/{n}"]) for n, _, _ in go
                  if f"cliffs/ndefers/{n}" in go_counts]
    panels = 2 if counted_cpp or counted_go else 1
    fig, axes = plt.subplots(1, panels, figsize=(6 * panels, 4.5), squeeze=False)
    ax = axes[0][0]
    for rows, suite, marker, color, label in (
            ([(r["defers"], r["name"]) for r in cpp], "cliffs", "o-", CPP_COLOR,
             "C++ here (OpenFrame)"),
            ([(n, f"cliffs/ndefers/{n}") for n, _, _ in go], "go", "s-", GO_COLOR, "Go here")):
        points = [(n, _range(report_data.measure(run, suite, name).values, n))
                  for n, name in rows if report_data.measure(run, suite, name).measured]
        if points:
            ax.errorbar([n for n, _ in points], [m for _, (m, _, _) in points],
                        yerr=[[lo for _, (_, lo, _) in points], [hi for _, (_, _, hi) in points]],
                        fmt=marker, color=color, capsize=2, label=label)
    ax.set_ylabel("ns per defer (median; bars: range of repetitions)")
    panel_axes = [ax]
    if panels == 2:
        ax2 = axes[0][1]
        if counted_cpp:
            ax2.plot([r["defers"] for r in counted_cpp],
                     [r["instructions"] / r["defers"] for r in counted_cpp], "o-",
                     color=CPP_COLOR, label="C++ here")
        if counted_go:
            ax2.plot([n for n, _ in counted_go], [c / n for n, c in counted_go], "s-",
                     color=GO_COLOR, label="Go here (exact counts only)")
        ax2.set_ylabel("instructions per defer (callgrind, exact)")
        ax2.legend(fontsize=8, loc="upper left")
        panel_axes.append(ax2)
    for a in panel_axes:
        a.axvline(claims.MAX_OPEN_DEFERS + 0.5, color="gray", ls="--")
        a.set_xlabel("defers in one function")
        a.set_xticks(range(1, 13))
        a.set_ylim(bottom=0)
        a.grid(alpha=0.3)
    ax.text(claims.MAX_OPEN_DEFERS + 0.6, ax.get_ylim()[1] * 0.95,
            "9th defer: all leave\nopen-coding (R2, B5)", va="top", fontsize=8)
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title("Cliff 2: the ninth defer", fontsize=11, loc="left")
    _title(fig, panel_axes[-1], "instructions per defer" if panels == 2 else
           "Cliff 2: the ninth defer", run)
    return fig


def fd_sweep(run):
    """Time per file and peak RSS against N, both axes logarithmic (the
    strategies sit within a few percent of each other), the floor drawn."""
    sec = report_data.fd(run)
    if not sec.rows and not sec.go_rows:
        return None
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.6))
    by = {}
    for r in sec.rows:
        by.setdefault(r.strategy, []).append(r)
    others = iter(FD_OTHER)
    for strategy in sorted(by, key=lambda s: (s == "plain", s)):
        rs = sorted(by[strategy], key=lambda r: r.n)
        color = FD_COLORS.get(strategy) or next(others, "gray")
        style = dict(lw=2.2, ls="--") if strategy == "plain" else {}
        label = f"C++ {strategy}" + (" (floor: no defer)" if strategy == "plain" else "")
        ax1.errorbar([r.n for r in rs], [r.ns_per_file for r in rs],
                     yerr=[r.ns_per_file * (0 if math.isnan(r.cv) else r.cv) for r in rs],
                     marker="o", ms=4, capsize=2, color=color, label=label, **style)
        ax2.plot([r.n for r in rs], [r.peak_rss / 2**20 for r in rs], marker="o", ms=4,
                 color=color, label=label, **style)
    for prefix, marker in (("fd/plain/", "x"), ("fd/", "s")):
        pts = sorted((n, ns, rss) for name, n, ns, rss, _ in sec.go_rows
                     if name.startswith(prefix) and name[len(prefix):].isdigit())
        if pts:
            lbl = "Go, no defer" if "plain" in prefix else "Go, defer Close"
            ax1.plot([p[0] for p in pts], [p[1] for p in pts], marker + ":", color=GO_COLOR,
                     label=lbl)
            ax2.plot([p[0] for p in pts], [p[2] / 2**20 for p in pts], marker + ":",
                     color=GO_COLOR, label=lbl)
    hard = sec.limits.get("rlimit_nofile_hard")
    for ax in (ax1, ax2):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("N files open at once")
        ax.grid(alpha=0.3, which="both")
        if hard:
            ax.axvline(hard, color="gray", ls=":", label=f"RLIMIT_NOFILE hard limit ({hard:,})")
    ax1.set_ylabel("wall ns per file (median; bars: ±1 CV)")
    ax2.set_ylabel("peak RSS of the process (MiB)")
    ax1.set_title("fd sweep: time per file", fontsize=11, loc="left")
    _title(fig, ax2, "fd sweep: peak RSS", run)
    # One legend, below both panels and their axis labels, where no line runs.
    fig.tight_layout()
    handles, labels = ax1.get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=4, fontsize=8,
               bbox_to_anchor=(0.5, 0.0))
    return fig


def stack_frames(run):
    """Bytes per frame per strategy (left: comparable across stacks of any
    size) and the depth reached (right: it scales with the stack, whose size
    each row names), Go's article figure in the legend. Rows, not columns, so
    that each label reads on one line."""
    data = report_data.stack(run)
    cpp = [r for r in data["cpp"] if not math.isnan(r.bytes_per_frame)]
    if not cpp and not data["go"]:
        return None
    largest = max((r.stack_bytes for r in cpp), default=0)
    cpp = [r for r in cpp if r.stack_bytes == largest]
    labels = ([f"C++ {r.strategy} ({r.stack_bytes / 2**20:.0f} MiB stack)" for r in cpp] +
              [f"Go {c.split('/')[1]} ({s / 2**20:.0f} MiB stack)"
               for c, _, _, s, _ in data["go"]])
    bpf = [r.bytes_per_frame for r in cpp] + [g[2] for g in data["go"]]
    depth = [r.depth for r in cpp] + [g[1] for g in data["go"]]
    colors = [CPP_COLOR] * len(cpp) + [GO_COLOR] * len(data["go"])
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 0.38 * len(labels) + 1.6), sharey=True)
    rows = range(len(labels))
    ax1.barh(rows, bpf, color=colors, alpha=0.7)
    ax1.axvline(claims.GO_ARTICLE_BYTES_PER_FRAME, color=ARTICLE_COLOR, ls="--",
                label=f"article: {claims.GO_ARTICLE_BYTES_PER_FRAME:.0f} B/frame (Go 1.14)")
    ax1.legend(fontsize=8, loc="lower right")
    ax1.set_xlabel("stack bytes per frame")
    ax1.set_yticks(rows, labels, fontsize=8)
    ax1.invert_yaxis()
    ax2.barh(rows, depth, color=colors, alpha=0.7)
    ax2.set_xlabel("depth reached (frames)")
    for ax in (ax1, ax2):
        ax.grid(axis="x", alpha=0.3)
    ax1.set_title("Bytes per frame of recursion through defer", fontsize=11, loc="left")
    _title(fig, ax2, "Depth at the overflow (scales with the stack)", run)
    return fig


def counters(run):
    """Counters per benchmark where counted: callgrind's instructions, else the PMU's."""
    tables = [t for t in report_data.counters(run) if t.rows]
    pick = None
    for t in tables:
        for col in ("instructions/op (callgrind)", "instructions/op", "allocs/op"):
            if col in t.columns:
                pick = (t, col) if pick is None or (pick[1] == "allocs/op" and col != pick[1]) \
                    else pick
                break
    if pick is None:
        return None
    t, col = pick
    i = t.columns.index(col)
    rows = [(n, v[i]) for n, v in t.rows if not math.isnan(v[i])]  # in name order already
    fig, ax = plt.subplots(figsize=(9, max(3, 0.28 * len(rows) + 1)))
    ax.barh(range(len(rows)), [v for _, v in rows], color=CPP_COLOR, alpha=0.7)
    ax.set_yticks(range(len(rows)), [n for n, _ in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(col)
    ax.grid(axis="x", alpha=0.3)
    _title(fig, ax, f"{t.suite}: {col} per benchmark", run)
    return fig


MECHANISM_COLORS = {"open-coded": "#2ca02c", "stack record": "#1f77b4",
                    "heap record": "#d62728"}


def _axis_panel(ax, cols, value, ylabel, title, connect):
    """One series per mechanism over the toolchains `cols`, joined by lines
    when they are a sequence (`connect`: Go's releases, not C++'s compilers);
    value(col, what) -> (y, low, high) or None; intervals as error bars."""
    for k, (what, _) in enumerate(toolchain_axis.DEFERS):
        xs, ys, lows, highs = [], [], [], []
        for i, col in enumerate(cols):
            point = value(col, what)
            if point is None or point[0] != point[0]:
                continue
            xs.append(i + (k - 1) * 0.08)
            ys.append(point[0])
            lows.append(point[0] - point[1])
            highs.append(point[2] - point[0])
        if xs:
            ax.errorbar(xs, ys, yerr=[lows, highs], marker="o", ms=4, capsize=3,
                        color=MECHANISM_COLORS[what], label=what,
                        linestyle="-" if connect else "none")
    for i, col in enumerate(cols):
        if col.article:
            ax.axvspan(i - 0.3, i + 0.3, color="0.92", zorder=0)
    ax.set_xticks(range(len(cols)), [c.label.replace(" (", "\n(") for c in cols], fontsize=7)
    ax.set_ylabel(ylabel, fontsize=8)
    ax.set_ylim(bottom=0)
    ax.set_title(title, fontsize=9, loc="left")
    ax.grid(axis="y", alpha=0.3)


def _ratio_point(col, what):
    r = col.ratios.get(what)
    if r is None:
        return None
    low, high = r.interval if r.interval else (r.value, r.value)
    return r.value, low, high


def _added_point(col, what):
    added = col.added.get(what)
    return None if added is None else (added, added, added)


def toolchains(run):
    """What a defer costs with each Go release (the article's Go 1.14 first) and
    each C++ compiler: paired ratio to the call, and instructions over it."""
    go, cpp = toolchain_axis.columns(run)
    rows = [(side, cols) for side, cols in (("Go", go), ("C++", cpp))
            if any(not c.article for c in cols)]
    if not rows:
        return None
    fig, axes = plt.subplots(len(rows), 2, figsize=(11, 3.6 * len(rows)), squeeze=False)
    for (side, cols), (left, right) in zip(rows, axes):
        by_release = side == "Go"
        _axis_panel(left, cols, _ratio_point, "ratio to the plain call",
                    f"{side}: one defer over a plain call, paired [95%]", by_release)
        _axis_panel(right, [c for c in cols if not c.article], _added_point,
                    "instructions over the plain call", f"{side}: instructions one defer adds",
                    by_release)
    axes[0][0].legend(fontsize=8)
    _title(fig, axes[0][0], axes[0][0].get_title(loc="left"), run)
    fig.tight_layout()
    return fig


@dataclass(frozen=True)
class Chart:
    path: str       # the PNG
    caption: str    # what is drawn, and which uncertainty
    alt: str        # the image's text for a reader who cannot see it


PER_RUN = {
    "defer_cost": (defer_cost, "Cost of one defer per strategy",
                   "ns per op per strategy, C++ (red) and Go (blue) side by side: bars are "
                   "medians, dots every repetition (the spread), hollow diamonds the "
                   "article's figure."),
    "cliff2_ndefers": (cliff2, "Cliff 2: the ninth defer",
                       "ns per defer against the number of defers in one function, with error "
                       "bars over the range of the repetitions; beside it, where callgrind "
                       "counted them, instructions per defer (exact, no error bar); the "
                       "dashed line is the step past 8 defers."),
    "fd_sweep": (fd_sweep, "fd sweep",
                 "wall ns per file (left, error bars ±1 coefficient of variation of the "
                 "repetitions) and peak RSS (right, one figure per N) against N files open "
                 "at once, both axes logarithmic; the dashed black line is the floor with no "
                 "defer, the dotted grey line the descriptor limit."),
    "stack_frames": (stack_frames, "Recursion through defer",
                     "stack bytes per frame (left) and depth reached (right) for each "
                     "strategy, each bar naming its stack size; medians of the repetitions "
                     "(each repetition's outcome is in the report's stack table); the dashed "
                     "line is the article's 112 B/frame."),
    "toolchains": (toolchains, "Across toolchains",
                   "each Go release (the articles' Go 1.14 first, a ratio of their ns) and "
                   "each C++ compiler of a TOOLCHAINS= run: left, one defer's paired ratio to "
                   "the plain call of its own program, with its 95% interval as error bars; "
                   "right, the instructions one defer adds under callgrind (exact, no "
                   "spread). Green: open-coded; blue: stack record; red: heap record."),
    "counters": (counters, "Counters per benchmark",
                 "one counter per benchmark in name order: callgrind's instructions per op "
                 "where counted (exact, no spread), else the PMU's instructions, else "
                 "allocations per op (medians of the repetitions)."),
}


def _draw(run, folder, name, dpi):
    """One chart of PER_RUN drawn and saved; its PNG's path, or None when the
    run has nothing for it."""
    fig = PER_RUN[name][0](run)
    return None if fig is None else save(fig, folder, f"chart_{name}", dpi)


def draw_all(run, folder, dpi=110, jobs=None):
    """Draws every per-run chart the run has data for; {name: Chart}.

    Laying out and rendering the figures is most of a report's time (some 7 s
    of 10 on a 2-core VM), and the charts do not depend on each other: they
    are drawn in `jobs` forked workers (forked.py; default one per CPU). The
    bytes written are the same either way."""
    names = list(PER_RUN)
    pngs = dict(zip(names, forked.map_forked(lambda name: _draw(run, folder, name, dpi),
                                             names, jobs)))
    out = {}
    for name, png in pngs.items():
        if png is not None:
            _, title, caption = PER_RUN[name]
            out[name] = Chart(png, f"{title}: {caption}", f"Chart, {title.lower()}: {caption}")
    return out
