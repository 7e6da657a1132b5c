"""Perf events per op of Go's benchmarks from an N and a 2N run: a figure to
which every op adds is kept only when the difference is above zero; below,
it is the runs' noise, left out with what it read, and the summary says how
many benchmarks were."""

import json

import pytest

from deferbench.analysis import results
from deferbench.suites.go import instructions, perf
from deferbench.suites.go import summary as go_summary

CASE = instructions.CASES[0]


def _event(name, value):
    return {"name": name, "status": "counted", "reason": "", "value": value,
            "enabled": 1.0, "running": 1.0}


# Per run of n ops: whole-process counts, as the launcher reports them, and
# the wall time of the timed loop, as Go prints it. The 2N run's task-clock
# came out below the N run's, as a start-up stalled on a loaded machine does.
RUNS = {
    1000: ([_event("instructions", 5_000_000), _event("perf::TASK-CLOCK", 9_000_000),
            _event("perf::PAGE-FAULTS", 210)], 2_000.0),
    2000: ([_event("instructions", 5_009_000), _event("perf::TASK-CLOCK", 8_000_000),
            _event("perf::PAGE-FAULTS", 209)], 4_100.0),
}


@pytest.fixture
def counted(monkeypatch, tmp_path):
    binary = tmp_path / CASE.binary
    binary.write_text("")
    monkeypatch.setattr(perf, "launcher_path", lambda: "/bin/true")
    monkeypatch.setattr(perf, "_counted", lambda launcher, b, case, n, *rest: RUNS[n])
    monkeypatch.setattr(perf, "_iterations", lambda ns_per_op, target_s: 1000)
    per_case, _, missing = perf.measure({CASE.binary: str(binary)}, {CASE.name: 1.0},
                                        str(tmp_path), {}, 60, quick=True)
    assert missing is None
    return per_case[CASE.name]


def test_a_positive_difference_is_the_figure_per_op(counted):
    assert counted["instructions"] == 9.0
    assert counted["perf_real_time"] == 2.1


def test_a_difference_at_or_below_zero_of_what_every_op_adds_to_is_left_out(counted):
    assert "perf::TASK-CLOCK" not in counted
    assert list(counted["perf_not_measured"]) == ["perf::TASK-CLOCK"]
    assert counted["perf_not_measured"]["perf::TASK-CLOCK"].startswith("-1e+03 per op")


def test_an_event_that_may_be_zero_per_op_keeps_its_small_negative_figure(counted):
    assert counted["perf::PAGE-FAULTS"] == -0.001


def _go_json(tmp_path, entries):
    path = tmp_path / "go.json"
    path.write_text(json.dumps({"context": {"deferbench_suite": "go"}, "benchmarks": [
        dict(name=name, run_name=name, run_type="iteration", repetitions=1,
             repetition_index=0, iterations=1, real_time=1.0, time_unit="ns", **fields)
        for name, fields in entries.items()]}))
    return results.load(str(path))


def test_the_summary_says_how_many_benchmarks_were_left_out(tmp_path):
    suite = _go_json(tmp_path, {
        "a": {"perf::TASK-CLOCK": 1.05, "perf_real_time": 1.0},
        "b": {"perf_real_time": 2.0, "perf_not_measured": {"perf::TASK-CLOCK": "-1.03 ..."}}})
    first, left_out = go_summary.task_clock_line(suite)
    assert "1 of 1 benchmarks within 10%" in first
    assert "1 benchmark(s) left out" in left_out


def test_with_every_benchmark_left_out_no_ratio_is_printed(tmp_path):
    suite = _go_json(tmp_path, {
        "b": {"perf_real_time": 2.0, "perf_not_measured": {"perf::TASK-CLOCK": "-1.03 ..."}}})
    (line,) = go_summary.task_clock_line(suite)
    assert "1 benchmark(s) left out" in line and "within" not in line
