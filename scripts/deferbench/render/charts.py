"""Per-run charts, drawn with matplotlib (Agg) from report_data's structures.

Each function draws one idea into a Figure and returns it, or None when the
run has nothing for it; save() writes it as PNG and SVG. Article figures are
drawn as markers labelled "article", never as measurements.
"""

import math
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from .. import atomic  # noqa: E402
from ..analysis import claims, report_data  # noqa: E402

GO_COLOR, CPP_COLOR, ARTICLE_COLOR = "#1f77b4", "#d62728", "black"


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
    ax.set_title(title, fontsize=11)
    fig.text(0.99, -0.01, f"{run.machine_id} / {run.run_id}"
             f"{' (PARTIAL)' if run.partial else ''}", ha="right", va="top",
             fontsize=7, color="gray")


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


def cliff2(run):
    """ns per defer against the number of defers in one frame, the step at 9 marked."""
    data = report_data.cliffs(run)
    cpp = sorted((data["cpp"] or {}).get("ndefers", []), key=lambda r: r["defers"])
    go = data["go_ndefers"]
    if not cpp and not go:
        return None
    fig, ax = plt.subplots(figsize=(8, 4.5))
    if cpp:
        ax.plot([r["defers"] for r in cpp], [r["ns"] / r["defers"] for r in cpp], "o-",
                color=CPP_COLOR, label="C++ here (OpenFrame)")
    if go:
        ax.plot([n for n, _, _ in go], [ns / n for n, ns, _ in go], "s-", color=GO_COLOR,
                label="Go here")
    ax.axvline(claims.MAX_OPEN_DEFERS + 0.5, color="gray", ls="--")
    ax.text(claims.MAX_OPEN_DEFERS + 0.6, ax.get_ylim()[1] * 0.95,
            "9th defer: all leave\nopen-coding (R2, B5)", va="top", fontsize=8)
    ax.set_xlabel("defers in one function")
    ax.set_ylabel("ns per defer (median)")
    ax.set_xticks(range(1, 13))
    ax.set_ylim(bottom=0)
    handles, labels = ax.get_legend_handles_labels()
    # Where callgrind counted them, instructions per defer: the C++ step at 9
    # that timings on a noisy machine can blur.
    counted = [r for r in cpp if r["instructions"] == r["instructions"]]  # not NaN
    if counted:
        ax2 = ax.twinx()
        ax2.plot([r["defers"] for r in counted],
                 [r["instructions"] / r["defers"] for r in counted], "^:",
                 color=CPP_COLOR, alpha=0.6, label="C++ instructions per defer (callgrind)")
        ax2.set_ylabel("instructions per defer (callgrind)")
        ax2.set_ylim(bottom=0)
        h2, l2 = ax2.get_legend_handles_labels()
        handles, labels = handles + h2, labels + l2
    ax.legend(handles, labels, fontsize=8, loc="upper left")
    ax.grid(alpha=0.3)
    _title(fig, ax, "Cliff 2: the ninth defer", run)
    return fig


def fd_sweep(run):
    """Time per file and peak RSS against N, the plain open/close floor drawn."""
    sec = report_data.fd(run)
    if not sec.rows and not sec.go_rows:
        return None
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.3))
    by = {}
    for r in sec.rows:
        by.setdefault(r.strategy, []).append(r)
    for strategy, rs in by.items():
        rs.sort(key=lambda r: r.n)
        style = dict(color="black", lw=2.2, ls="--") if strategy == "plain" else {}
        label = f"{strategy} (floor: no defer)" if strategy == "plain" else strategy
        ax1.plot([r.n for r in rs], [r.ns_per_file for r in rs], marker="o", label=label, **style)
        ax2.plot([r.n for r in rs], [r.peak_rss / 2**20 for r in rs], marker="o", label=label,
                 **style)
    for prefix, marker in (("fd/plain/", "x"), ("fd/", "s")):
        pts = sorted((n, ns, rss) for name, n, ns, rss, _ in sec.go_rows
                     if name.startswith(prefix) and (prefix != "fd/" or "/plain/" not in name))
        if pts:
            lbl = "Go, no defer" if "plain" in prefix else "Go, defer Close"
            ax1.plot([p[0] for p in pts], [p[1] for p in pts], marker + ":", color=GO_COLOR,
                     label=lbl)
            ax2.plot([p[0] for p in pts], [p[2] / 2**20 for p in pts], marker + ":",
                     color=GO_COLOR, label=lbl)
    hard = sec.limits.get("rlimit_nofile_hard")
    for ax in (ax1, ax2):
        ax.set_xscale("log")
        ax.set_xlabel("N files open at once")
        ax.grid(alpha=0.3)
        if hard:
            ax.axvline(hard, color="gray", ls=":")
            ax.text(hard, ax.get_ylim()[1], f" RLIMIT_NOFILE {hard}", fontsize=7, va="top")
    ax1.set_ylabel("wall ns per file (median)")
    ax2.set_ylabel("peak RSS of the process (MiB)")
    ax1.legend(fontsize=7)
    ax1.set_title("fd sweep: time per file", fontsize=11)
    _title(fig, ax2, "fd sweep: peak RSS", run)
    return fig


def stack_frames(run):
    """Depth reached and bytes per frame per strategy, Go's article figure marked."""
    data = report_data.stack(run)
    cpp = [r for r in data["cpp"] if not math.isnan(r.bytes_per_frame)]
    if not cpp and not data["go"]:
        return None
    largest = max((r.stack_bytes for r in cpp), default=0)
    cpp = [r for r in cpp if r.stack_bytes == largest]
    labels = [f"C++ {r.strategy}" for r in cpp] + [f"Go {c.split('/')[1]}" for c, *_ in data["go"]]
    bpf = [r.bytes_per_frame for r in cpp] + [g[2] for g in data["go"]]
    depth = [r.depth for r in cpp] + [g[1] for g in data["go"]]
    colors = [CPP_COLOR] * len(cpp) + [GO_COLOR] * len(data["go"])
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.3))
    ax1.bar(range(len(bpf)), bpf, color=colors, alpha=0.7)
    ax1.axhline(claims.GO_ARTICLE_BYTES_PER_FRAME, color=ARTICLE_COLOR, ls="--")
    ax1.text(len(bpf) - 0.5, claims.GO_ARTICLE_BYTES_PER_FRAME,
             f"article: {claims.GO_ARTICLE_BYTES_PER_FRAME:.0f} B/frame (Go 1.14)",
             ha="right", va="bottom", fontsize=8)
    ax1.set_ylabel("stack bytes per frame")
    ax2.bar(range(len(depth)), depth, color=colors, alpha=0.7)
    ax2.set_ylabel("depth reached (frames)")
    sizes = sorted({f"{largest / 2**20:.0f} MiB (C++)"} if cpp else set()) + \
        sorted({f"{g[3] / 2**20:.0f} MiB (Go)" for g in data["go"]})
    for ax in (ax1, ax2):
        ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right", fontsize=8)
        ax.grid(axis="y", alpha=0.3)
    ax1.set_title("Bytes per frame of recursion through defer", fontsize=11)
    _title(fig, ax2, f"Depth at the overflow; stacks {', '.join(sizes)}", run)
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
    rows = [(n, v[i]) for n, v in t.rows if not math.isnan(v[i])]
    fig, ax = plt.subplots(figsize=(9, max(3, 0.28 * len(rows) + 1)))
    ax.barh(range(len(rows)), [v for _, v in rows], color=CPP_COLOR, alpha=0.7)
    ax.set_yticks(range(len(rows)), [n for n, _ in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(col)
    ax.grid(axis="x", alpha=0.3)
    _title(fig, ax, f"{t.suite}: {col} per benchmark", run)
    return fig


PER_RUN = {"defer_cost": defer_cost, "cliff2_ndefers": cliff2, "fd_sweep": fd_sweep,
           "stack_frames": stack_frames, "counters": counters}


def draw_all(run, folder, dpi=110):
    """Draws every per-run chart the run has data for; {name: png path}."""
    out = {}
    for name, draw in PER_RUN.items():
        fig = draw(run)
        if fig is not None:
            out[name] = save(fig, folder, f"chart_{name}", dpi)
    return out
