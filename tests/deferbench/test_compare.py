"""compare: a shifted distribution is flagged, A/A comparisons are not, bad input is one line."""

import json
import math
import os

import pytest

from deferbench.analysis import comparison
from deferbench.run import folder
from runcopies import BASE, RERUN, copy_run


def _compare(base, new, **kw):
    return comparison.compare_runs(folder.load_complete(base), folder.load_complete(new), **kw)


def _flagged(c):
    return [(r.benchmark, r.metric, r.verdict) for r in c.times + c.counters
            if r.verdict != comparison.SAME]


def test_holm_multiplies_the_kth_smallest_by_m_minus_k_plus_one():
    adjusted = comparison.holm([0.01, 0.04, 0.03, 0.005])
    assert adjusted == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert math.isnan(comparison.holm([0.01, float("nan")])[1])
    assert comparison.holm([0.01, float("nan")])[0] == pytest.approx(0.01), "untested: not in m"


def test_the_smallest_mann_whitney_p_value_limits_small_runs():
    assert comparison.smallest_p(3, 3) == pytest.approx(0.1)
    assert comparison.smallest_p(12, 12) < 1e-6


def test_a_shifted_distribution_is_flagged_slower_and_nothing_else(tmp_path):
    new = copy_run(BASE, tmp_path / "slower", shift=("open_coded", 1.5))
    c = _compare(BASE, new)
    assert _flagged(c) == [("open_coded", "real_time", comparison.SLOWER)]
    row = next(r for r in c.times if r.benchmark == "open_coded")
    assert row.ratio == pytest.approx(1.5)
    assert row.ci[0] > 1.0 and row.p_adjusted < comparison.ALPHA


def test_a_faster_run_is_flagged_faster(tmp_path):
    new = copy_run(BASE, tmp_path / "faster", shift=("chain_heap", 0.6))
    assert _flagged(_compare(BASE, new)) == [("chain_heap", "real_time", comparison.FASTER)]


def test_a_shift_below_the_minimum_change_is_not_a_verdict(tmp_path):
    new = copy_run(BASE, tmp_path / "small", shift=("open_coded", 1.02))
    assert _flagged(_compare(BASE, new)) == []


def test_a_run_compared_with_itself_flags_nothing():
    c = _compare(BASE, BASE)
    assert len(c.times) == 7 and c.counters
    assert _flagged(c) == []
    assert not c.warnings


def test_two_stored_runs_of_the_same_binary_flag_nothing():
    # Two full runs, 30 s apart, on the quiet VM (see the report for a pair
    # that was not quiet): times move a few percent, counters not at all.
    c = _compare(BASE, RERUN)
    assert len(c.times) == 7
    assert _flagged(c) == []


def test_two_quick_runs_of_the_same_binary_flag_nothing_and_say_why(deferbench, tmp_path):
    for _ in range(2):
        deferbench("bench", "--quick", "--suites", "defer_cost", "--machine", "aa",
                   "--results-dir", str(tmp_path / "r"), check_exit=0)
    first, second = sorted((tmp_path / "r" / "aa").iterdir())
    proc = deferbench("compare", str(first), str(second), "--out", str(tmp_path / "aa"),
                      check_exit=0)
    data = json.loads((tmp_path / "aa.json").read_text())
    assert [r for r in data["times"] if r["verdict"] != comparison.SAME] == []
    assert [r for r in data["counters"] if r["exact"] and r["verdict"] != comparison.SAME] == []
    assert "too few repetitions to trust (times): with 3 and 3 repetitions" in proc.stdout


def test_the_command_writes_markdown_and_json_beside_the_new_run_and_never_overwrites(
        deferbench, tmp_path):
    new = copy_run(BASE, tmp_path / "new", shift=("call", 1.5))
    proc = deferbench("compare", BASE, new, check_exit=0)
    md = os.path.join(new, "compare-20261122T133330Z.md")
    assert "+  defer_cost/call" in proc.stdout
    assert "| + | defer_cost/call |" in open(md).read()
    data = json.loads(open(md[:-3] + ".json").read())
    assert data["times"][0]["benchmark"] and data["settings"]["alpha"] == comparison.ALPHA
    again = deferbench("compare", BASE, new, check_exit=2)
    assert "exists" in again.stderr and again.stderr.count("\n") == 1


def test_runs_of_different_machines_need_the_flag_and_say_so(deferbench, tmp_path):
    other = copy_run(BASE, tmp_path / "other", manifest_changes={("machine_id",): "elsewhere"})
    refused = deferbench("compare", BASE, other, "--out", str(tmp_path / "x"), check_exit=2)
    assert "different machines" in refused.stderr and "--allow-different" in refused.stderr
    assert not (tmp_path / "x.md").exists()
    allowed = deferbench("compare", BASE, other, "--allow-different", "--out",
                         str(tmp_path / "y"), check_exit=0)
    assert allowed.stdout.startswith("WARNING: different machine: vm-fixture vs elsewhere")
    assert (tmp_path / "y.md").read_text().count("**Different machine**") == 1


@pytest.mark.parametrize("damage, expected", [
    ("missing", "not a run folder"),
    ("running", "run is 'running', not 'complete'"),
    ("malformed", "defer_cost.json: malformed JSON"),
])
def test_bad_input_is_one_line_naming_the_file(deferbench, tmp_path, damage, expected):
    new = str(tmp_path / "no-such-run")
    if damage != "missing":
        new = copy_run(BASE, tmp_path / "bad", manifest_changes={("status",): "running"}
                       if damage == "running" else None)
        if damage == "malformed":
            with open(os.path.join(new, "defer_cost.json"), "w") as f:
                f.write('{"benchmarks": [')
    proc = deferbench("compare", BASE, new, "--out", str(tmp_path / "out"), check_exit=2)
    assert expected in proc.stderr
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert not (tmp_path / "out.md").exists()
