"""The runner's last console line: where a run's time went, from the figures
its manifest records (given here, so nothing depends on how long anything took)."""

from deferbench.run import runner


def test_the_times_line_names_the_build_checks_each_suite_the_report_and_the_total():
    times = {"build_s": 12.4, "checks_s": 2.2, "report_s": 4.0, "total_s": 495.0}
    suites = {"defer_cost": {"status": "ok", "seconds": 10.0, "step_seconds": 16.2},
              "fd": {"status": "failed", "seconds": 0.2, "step_seconds": 0.3},
              "go": {"status": "skipped", "seconds": 0.1, "step_seconds": 360.4}}
    assert runner.times_line(times, suites) == (
        "deferbench: times: build 12 s, checks 2 s, defer_cost 16 s, fd <1 s, go 360 s, "
        "report 4 s; total 495 s")


def test_without_makes_start_the_line_has_no_build():
    times = {"build_s": None, "checks_s": 1.0, "report_s": 3.0, "total_s": 20.0}
    line = runner.times_line(times, {"stack": {"step_seconds": 16.0}})
    assert line == "deferbench: times: checks 1 s, stack 16 s, report 3 s; total 20 s"
