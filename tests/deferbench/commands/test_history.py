"""history: a benchmark's medians over runs in time order, with change points."""

import numpy as np
import pytest

from deferbench.analysis import history
from deferbench.commands import history as history_command
from deferbench.errors import UserError
from runcopies import BASE, copy_run


def test_a_step_in_noisy_medians_is_found_where_it_starts():
    rng = np.random.default_rng(7)
    medians = list(10 + rng.normal(0, 0.2, 12)) + list(11 + rng.normal(0, 0.2, 12))
    assert history.change_points(medians) == [12]


def test_noise_alone_has_no_change_point():
    rng = np.random.default_rng(11)
    for _ in range(20):
        assert history.change_points(list(10 + rng.normal(0, 0.3, 30))) == []


def test_a_deterministic_series_marks_each_step():
    assert history.change_points([16.0] * 4 + [17.0] * 4 + [16.0] * 4) == [4, 8]
    assert history.change_points([16.0] * 10) == []


def test_series_reads_runs_in_time_order_and_marks_the_shift(tmp_path):
    machine = tmp_path / "vm-fixture"  # the fixture runs' machine id
    machine.mkdir()
    # Folder names in reverse of their start times: order must come from the manifest.
    for k in range(8):
        copy_run(BASE, machine / f"run{9 - k}", started=f"2026-01-0{k + 1}T00:00:00+00:00",
                 shift=("scope_guard", 1.0 + 0.004 * (k % 2)) if k < 4 else ("scope_guard", 1.3))
    copy_run(BASE, machine / "broken", manifest_changes={("status",): "interrupted"})
    s = history.series(str(tmp_path), "vm-fixture", "defer_cost", "scope_guard")
    assert [p.run_id for p in s.points] == [f"run{9 - k}" for k in range(8)]
    assert [i for i, p in enumerate(s.points) if p.change is not None] == [4]
    assert s.points[4].change == pytest.approx(0.3, rel=0.01)
    assert "<- change point +29.7%" in "\n".join(history_command.lines(s))


def test_an_unknown_machine_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="no runs for machine"):
        history.series(str(tmp_path), "nope", "defer_cost", "call")


def test_a_run_of_another_machine_filed_here_is_left_out_and_named(tmp_path, deferbench):
    machine = tmp_path / "vm-fixture"
    copy_run(BASE, machine / "run1", started="2026-01-01T00:00:00+00:00")
    copy_run(BASE, machine / "run2", started="2026-01-02T00:00:00+00:00",
             manifest_changes={("machine_id",): "elsewhere"})
    s = history.series(str(tmp_path), "vm-fixture", "defer_cost", "scope_guard")
    assert [p.run_id for p in s.points] == ["run1"]
    assert s.left_out == [(str(machine / "run2"), "elsewhere")]
    proc = deferbench("history", "scope_guard", "--results-dir", str(tmp_path), "--machine",
                      "vm-fixture", check_exit=0)
    assert "run2 was made on elsewhere, not vm-fixture" in proc.stderr


def test_a_name_no_run_has_is_refused_naming_the_suite_that_has_it(deferbench, tmp_path):
    from runcopies import BASE, copy_run
    copy_run(BASE, tmp_path / "results" / "vm-fixture" / "r1")
    proc = deferbench("history", "nope", "--results-dir", str(tmp_path / "results"),
                      "--machine", "vm-fixture", check_exit=2)
    assert proc.stderr.count("\n") == 1 and "no complete run of vm-fixture has defer_cost/nope" \
        in proc.stderr
    wrong_suite = deferbench("history", "call", "--suite", "cliffs", "--results-dir",
                             str(tmp_path / "results"), "--machine", "vm-fixture", check_exit=2)
    assert "call is in defer_cost: say SUITE=defer_cost" in wrong_suite.stderr
