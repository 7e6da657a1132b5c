"""A run's repetitions as text, benchstat's format or CSV: the formats are
described in the export command's help (commands/export.py).
"""

import csv
import io
import math

from ..analysis import results
from ..errors import UserError

FORMATS = ("benchstat", "csv")
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


def text(run, fmt):
    if fmt not in FORMATS:
        raise UserError(f"unknown export format {fmt!r}; accepted: {', '.join(FORMATS)}")
    return benchstat_text(run) if fmt == "benchstat" else csv_text(run)
