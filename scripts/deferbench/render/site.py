"""The site: one self-contained index.html over every machine and run of a
results folder, written into a folder git does not track (build/site).

It lists each machine and its runs (full, QUICK and partial told apart), links
each run's report and the comparisons in its folder, draws per machine the
history of the headline ratios (each kind of defer over the plain call of the
same program, with its interval, commits on the axis, change points ringed),
and the cross-machine comparison of the newest full runs. The charts are
inline SVG, so the page loads from disk with nothing else.
"""

import html
import io
import math
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from .. import atomic  # noqa: E402
from ..analysis import machine_comparison, machine_runs, paired, report_data  # noqa: E402
from ..errors import UserError  # noqa: E402
from ..run import folder  # noqa: E402
from . import plots  # noqa: E402

INDEX = "index.html"

# The headline ratios drawn over time: (label, suite, with the defer, without),
# each pair one program. goref's open_coded and chain_stack are in every run
# the Go suite made; defer1 (the runtime's body) in the newer ones.
SERIES = [("C++ scope_guard / call", "defer_cost", "scope_guard", "call"),
          ("C++ chain_stack / call", "defer_cost", "chain_stack", "call"),
          ("Go open_coded / call (goref)", "go", "defer_cost/open_coded", "defer_cost/call"),
          ("Go chain_stack / call (goref)", "go", "defer_cost/chain_stack", "defer_cost/call"),
          ("Go defer1 / defer1_call (runtime's body)", "go", "defer_cost/defer1",
           "defer_cost/defer1_call"),
          ("Go defer1 / defer1_call, noopendefer", "go", "defer_cost/defer1/noopendefer",
           "defer_cost/defer1_call/noopendefer")]
COLORS = ("#d62728", "#ff9896", "#1f77b4", "#aec7e8", "#17becf", "#9edae5")


def _runs(machine_dir):
    """Every run folder of a machine that loads, oldest first (by start, then id)."""
    out = []
    for name in os.listdir(machine_dir):
        path = os.path.join(machine_dir, name)
        if os.path.isfile(os.path.join(path, folder.MANIFEST)):
            try:
                out.append(folder.load(path))
            except UserError:
                continue  # a broken folder has nothing to list
    return sorted(out, key=lambda r: r.order)


def kind(run):
    if run.partial:
        return f"partial ({run.status})"
    return "QUICK" if run.quick else "full"


def commit(run):
    return (run.commit or "?") + ("+dirty" if (run.manifest.get("git") or {}).get("dirty") else "")


def history_figure(machine_id, runs):
    """The headline ratios over one machine's complete runs; a full run whose
    interval does not overlap the previous full run's is a change point.
    QUICK runs are hollow: shown, never a change point."""
    runs = [r for r in runs if not r.partial]
    if not runs:
        return None
    fig, ax = plt.subplots(figsize=(10, 3.6))
    xs = range(len(runs))
    labelled = set()
    for (label, suite, subject, reference), color in zip(SERIES, COLORS):
        previous = None
        for x, run in zip(xs, runs):
            found = report_data.ratio(run, suite, subject, reference)
            ratio, interval = found.value, found.interval
            if math.isnan(ratio):
                continue
            quick = kind(run) == "QUICK"
            low, high = interval or (ratio, ratio)
            ax.errorbar([x], [ratio], yerr=[[ratio - low], [high - ratio]], fmt="o",
                        color=color, mfc="white" if quick else color, capsize=3,
                        label=None if label in labelled else label)
            labelled.add(label)
            if not quick and interval:
                if previous and not paired.overlap(previous, interval):
                    ax.plot(x, ratio, "o", ms=15, mfc="none", mec="red", mew=1.5)
                previous = interval
    if not labelled:
        plt.close(fig)
        return None
    ax.plot([], [], "o", ms=10, mfc="none", mec="red", label="change point")
    ax.plot([], [], "o", mfc="white", mec="gray", label="QUICK run (no change points)")
    ax.set_xticks(list(xs), [f"{r.run_id}\n{commit(r)}" for r in runs], rotation=30,
                  ha="right", fontsize=7)
    ax.set_ylabel("ratio to the plain call (95% interval)")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))  # beside, over no point
    ax.set_title(f"{machine_id}: headline ratios per run (commit under each)", fontsize=10,
                 loc="left")
    return fig


def _svg(fig):
    buf = io.StringIO()
    with plt.rc_context({"svg.hashsalt": "deferbench"}):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]


def _figure(fig, caption, alt):
    e = html.escape
    return (f"<figure role='img' aria-label='{e(alt)}'>{_svg(fig)}"
            f"<figcaption>{e(caption)}</figcaption></figure>")


def _href(out_dir, path):
    return os.path.relpath(os.path.abspath(path), os.path.abspath(out_dir))


CSS = ("body{font-family:sans-serif;max-width:1200px;margin:auto;padding:0 1em}"
       "h1{font-size:1.4em}h2{font-size:1.2em}table{border-collapse:collapse;font-size:0.9em}"
       "td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}"
       "th{background:#eee}.QUICK{color:#666}.partial{color:#b00}"
       "figure{margin:1em 0}figure svg{max-width:100%;height:auto}"
       "figcaption{font-size:0.85em}")


def render(results_dir, out_dir):
    """The page's HTML."""
    e = html.escape
    machines = sorted(m for m in os.listdir(results_dir)
                      if os.path.isdir(os.path.join(results_dir, m)))
    by_machine = {m: _runs(os.path.join(results_dir, m)) for m in machines}
    by_machine = {m: runs for m, runs in by_machine.items() if runs}
    if not by_machine:
        raise UserError(f"{results_dir}: no run folder to list (run `make bench` first)")
    total = sum(len(r) for r in by_machine.values())
    parts = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
             "<title>deferbench: every machine and run</title>",
             f"<style>{CSS}</style></head><body>",
             "<h1>deferbench: every machine and run</h1>",
             f"<p id='summary'>{len(by_machine)} machines, {total} runs under "
             f"{e(os.path.abspath(results_dir))}. Full runs stand for their machine; QUICK "
             "runs are smoke tests, listed and drawn hollow, never compared.</p>",
             "<nav>Contents: " + " · ".join(
                 f"<a href='#{e(m)}'>{e(m)}</a>" for m in by_machine) +
             " · <a href='#machines'>across machines</a></nav>",
             "<table><tr><th>machine</th><th>hardware</th><th>full runs</th>"
             "<th>QUICK runs</th><th>newest full run</th></tr>"]
    for m, runs in by_machine.items():
        full = [r for r in runs if kind(r) == "full"]
        newest = full[-1] if full else None
        link = (f"<a href='{e(_href(out_dir, os.path.join(newest.path, 'report.html')))}'>"
                f"{e(newest.run_id)}</a>" if newest else "none")
        parts.append(f"<tr><td><a href='#{e(m)}'>{e(m)}</a></td>"
                     f"<td>{e(runs[-1].machine_label)}</td><td>{len(full)}</td>"
                     f"<td>{sum(kind(r) == 'QUICK' for r in runs)}</td><td>{link}</td></tr>")
    parts.append("</table>")
    for m, runs in by_machine.items():
        parts.append(f"<h2 id='{e(m)}'>{e(m)}</h2>")
        # What tells this machine from the others, from its newest run's manifest.
        parts.append(f"<p class='hardware'><b>{e(runs[-1].machine_label)}</b>: " + "; ".join(
            f"{e(what)} {e(value)}" for what, value in runs[-1].machine_details) + "</p>")
        fig = history_figure(m, runs)
        if fig is not None:
            parts.append(_figure(
                fig, "Each kind of defer over the plain call of the same program, per run, "
                     "with its 95% interval where the run paired them (a point without bars is "
                     "a ratio of medians); QUICK runs hollow; a red ring marks a full run whose "
                     "interval does not overlap the previous full run's.",
                f"History chart of the headline ratios of {m} over "
                f"{sum(not r.partial for r in runs)} complete runs"))
        parts.append("<table><tr><th>run</th><th>kind</th><th>commit</th><th>suites</th>"
                     "<th>comparisons</th></tr>")
        for r in reversed(runs):
            page = os.path.join(r.path, "report.html")
            name = (f"<a href='{e(_href(out_dir, page))}'>{e(r.run_id)}</a>"
                    if os.path.isfile(page) else f"{e(r.run_id)} (no report)")
            comps = " ".join(f"<a href='{e(_href(out_dir, os.path.join(r.path, c)))}'>{e(c)}</a>"
                             for c in r.comparisons)
            k = kind(r)
            parts.append(f"<tr class='{e(k.split()[0])}'><td>{name}</td><td>{e(k)}</td>"
                         f"<td>{e(commit(r))}</td><td>{e(', '.join(sorted(r.suites)))}</td>"
                         f"<td>{comps or '-'}</td></tr>")
        parts.append("</table>")
    parts.append("<h2 id='machines'>Across machines</h2>")
    try:
        newest = machine_runs.newest_per_machine(results_dir)
    except UserError:
        newest = {}
    fig = plots.draw_machines(machine_comparison.machine_table(newest), True) if newest else None
    if fig is not None:
        parts.append(_figure(
            fig, "The newest full run of each machine: each kind of defer over its own plain "
                 f"call, error bars the {machine_comparison.RATIO_INTERVAL}; diamonds the "
                 "article's ratios.",
            f"Bar chart comparing {len(newest)} machines' ratios to a plain call"))
    else:
        parts.append("<p>No machine has a complete full run yet.</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def build(results_dir, out_dir):
    """Writes out_dir/index.html; returns its path."""
    if not os.path.isdir(results_dir):
        raise UserError(f"{results_dir}: no such results folder")
    page = render(results_dir, out_dir)
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, INDEX)
    atomic.write_text(path, page)
    return path
