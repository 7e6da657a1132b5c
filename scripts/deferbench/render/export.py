"""A run's figures in the formats other tools read: benchstat's text and CSV
(every repetition), and, for dashboards, github-action-benchmark's
customSmallerIsBetter JSON and Bencher's metric format (one figure per benchmark:
the median of its repetitions, callgrind's instructions per op where counted).
The formats are described in the export command's help (commands/export.py).
"""

import csv
import io
import json
import math
import statistics

from ..analysis import results
from ..errors import UserError

FORMATS = ("benchstat", "csv", "github-action-benchmark", "bencher")
CSV_FIXED = ["machine_id", "run_id", "suite", "benchmark", "repetition_index", "iterations",
             "real_time_ns", "cpu_time_ns", "error_message"]


def _bench_name(suite, name):
    camel = "".join(part.capitalize() for part in suite.split("_"))
    return f"Benchmark{camel}/" + "".join("_" if c.isspace() else c for c in name)


def _ns(entry, key):
    if key not in entry:
        return math.nan
    return entry[key] * results.TO_NS.get(entry.get("time_unit", "ns"), 1.0)


def benchstat_text(run):
    mach = run.manifest.get("machine") or {}
    lines = ["goos: linux", f"goarch: {mach.get('arch', 'unknown')}",
             f"cpu: {mach.get('cpu_model', 'unknown')}"]
    for suite in run.suites:
        lines.append(f"pkg: deferbench/{suite}")
        for e in run.entries(suite):
            if e.get("error_occurred") or "real_time" not in e:
                continue
            procs = e.get("go_procs")
            name = _bench_name(suite, e.get("run_name", e["name"]))
            if procs and procs != 1:
                name += f"-{procs}"
            line = f"{name} {int(e.get('iterations', 1))} {_ns(e, 'real_time'):.4f} ns/op"
            if "bytes_per_op" in e and "allocs_per_op" in e:
                line += f" {e['bytes_per_op']:g} B/op {e['allocs_per_op']:g} allocs/op"
            lines.append(line)
    return "\n".join(lines) + "\n"


def csv_text(run):
    rows, extra = [], set()
    for suite in run.suites:
        for e in run.entries(suite):
            row = {"machine_id": run.machine_id, "run_id": run.run_id, "suite": suite,
                   "benchmark": e.get("run_name", e.get("name")),
                   "repetition_index": e.get("repetition_index", 0),
                   "iterations": e.get("iterations", ""),
                   "real_time_ns": _ns(e, "real_time"), "cpu_time_ns": _ns(e, "cpu_time"),
                   "error_message": e.get("error_message", "")}
            for k, v in e.items():
                if isinstance(v, (int, float)) and not isinstance(v, bool) and \
                        k not in ("real_time", "cpu_time", "iterations", "repetition_index",
                                  "repetitions", "threads", "family_index",
                                  "per_family_instance_index"):
                    row[k] = v
                    extra.add(k)
            rows.append(row)
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=CSV_FIXED + sorted(extra), lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if isinstance(v, float) and math.isnan(v) else v)
                    for k, v in r.items()})
    return out.getvalue()


def medians(run):
    """[(name, median ns/op, lowest, highest, repetitions, instructions per op or None)]
    per benchmark of every suite, named as in benchstat ("<suite>/<case>"); failed
    repetitions are left out, and a benchmark with none measured is left out."""
    out = []
    for suite in run.suites:
        times, order = {}, []
        for e in run.entries(suite):
            if e.get("error_occurred") or "real_time" not in e:
                continue
            name = e.get("run_name", e["name"])
            if name not in times:
                order.append(name)
            times.setdefault(name, []).append(_ns(e, "real_time"))
        counted = run.instructions(suite)
        for name in order:
            ns = times[name]
            out.append((f"{suite}/{name}", statistics.median(ns), min(ns), max(ns), len(ns),
                        counted.get(name)))
    return out


def _about(run, repetitions):
    return f"median of {repetitions} repetitions; machine {run.machine_id}; run {run.run_id}"


def github_action_benchmark_text(run):
    """customSmallerIsBetter: a JSON list of {name, unit, value, range, extra}."""
    entries = []
    for name, median, low, high, n, instructions in medians(run):
        entries.append({"name": name, "unit": "ns/op", "value": round(median, 4),
                        "range": f"{round(low, 4)} to {round(high, 4)}",
                        "extra": _about(run, n)})
        if instructions is not None:
            entries.append({"name": f"{name} (instructions)", "unit": "instructions/op",
                            "value": instructions, "extra": "callgrind; exact for this binary"})
    return json.dumps(entries, indent=1) + "\n"


def bencher_text(run):
    """Bencher Metric Format: {benchmark: {measure: {value, lower_value, upper_value}}};
    latency is Bencher's built-in measure in nanoseconds."""
    out = {}
    for name, median, low, high, _, instructions in medians(run):
        out[name] = {"latency": {"value": round(median, 4), "lower_value": round(low, 4),
                                 "upper_value": round(high, 4)}}
        if instructions is not None:
            out[name]["instructions"] = {"value": instructions}
    return json.dumps(out, indent=1) + "\n"


def text(run, fmt):
    if fmt not in FORMATS:
        raise UserError(f"unknown export format {fmt!r}; accepted: {', '.join(FORMATS)}")
    return {"benchstat": benchstat_text, "csv": csv_text,
            "github-action-benchmark": github_action_benchmark_text,
            "bencher": bencher_text}[fmt](run)
