"""export's dashboard formats: one figure per benchmark, the median of its
repetitions as the run's JSON gives them, and callgrind's counts beside it;
bad input is one line and writes nothing."""

import json
import os
import statistics

from deferbench.analysis import results
from runcopies import BASE


def _today(case):
    """The fixture is an older run: its cases are exported under today's names."""
    return results.current_name("defer_cost", case)


def _repetitions():
    """{case: [real_time ns]} read straight from the fixture's Google Benchmark JSON."""
    with open(os.path.join(BASE, "defer_cost.json")) as f:
        data = json.load(f)
    assert {e.get("time_unit", "ns") for e in data["benchmarks"]} == {"ns"}
    out = {}
    for e in data["benchmarks"]:
        if e.get("run_type", "iteration") == "iteration" and not e.get("error_occurred"):
            out.setdefault(_today(e["run_name"]), []).append(e["real_time"])
    return out


def _instructions():
    with open(os.path.join(BASE, "defer_cost.callgrind.json")) as f:
        return {_today(b["name"]): b["instructions_per_op"] for b in json.load(f)["benchmarks"]}


def test_github_action_benchmark_gets_each_benchmarks_median_and_its_instructions(
        deferbench, tmp_path):
    out = tmp_path / "gab.json"
    deferbench("export", BASE, "--format", "github-action-benchmark", "--out", str(out),
               check_exit=0)
    entries = json.loads(out.read_text())
    times = {e["name"]: e for e in entries if e["unit"] == "ns/op"}
    counts = {e["name"]: e["value"] for e in entries if e["unit"] == "instructions/op"}
    reps = _repetitions()
    assert set(times) == {f"defer_cost/{c}" for c in reps}
    for case, ns in reps.items():
        e = times[f"defer_cost/{case}"]
        assert e["value"] == round(statistics.median(ns), 4)
        assert e["range"] == f"{round(min(ns), 4)} to {round(max(ns), 4)}"
        assert f"median of {len(ns)} repetitions" in e["extra"]
        assert set(e) <= {"name", "unit", "value", "range", "extra"}
    assert counts == {f"defer_cost/{c} (instructions)": v for c, v in _instructions().items()
                      if c in reps}


def test_bencher_metric_format_keys_latency_by_benchmark(deferbench):
    proc = deferbench("export", BASE, "--format", "bencher", check_exit=0)
    bmf = json.loads(proc.stdout)
    reps, counted = _repetitions(), _instructions()
    assert set(bmf) == {f"defer_cost/{c}" for c in reps}
    for case, ns in reps.items():
        m = bmf[f"defer_cost/{case}"]
        assert m["latency"] == {"value": round(statistics.median(ns), 4),
                                "lower_value": round(min(ns), 4),
                                "upper_value": round(max(ns), 4)}
        assert m.get("instructions") == ({"value": counted[case]} if case in counted else None)


def test_an_unknown_format_is_one_line_and_writes_nothing(deferbench, tmp_path):
    out = tmp_path / "x.json"
    proc = deferbench("export", BASE, "--format", "prometheus", "--out", str(out), check_exit=2)
    assert len(proc.stderr.splitlines()) == 1 and "github-action-benchmark" in proc.stderr
    assert not out.exists()
