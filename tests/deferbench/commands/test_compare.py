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
    new = copy_run(BASE, tmp_path / "slower", shift=("scope_guard", 1.5))
    c = _compare(BASE, new)
    assert _flagged(c) == [("scope_guard", "real_time", comparison.SLOWER)]
    row = next(r for r in c.times if r.benchmark == "scope_guard")
    assert row.ratio == pytest.approx(1.5)
    assert row.ci[0] > 1.0 and row.p_adjusted < comparison.ALPHA


def test_a_faster_run_is_flagged_faster(tmp_path):
    new = copy_run(BASE, tmp_path / "faster", shift=("chain_heap", 0.6))
    assert _flagged(_compare(BASE, new)) == [("chain_heap", "real_time", comparison.FASTER)]


def test_a_shift_below_the_minimum_change_is_not_a_verdict(tmp_path):
    new = copy_run(BASE, tmp_path / "small", shift=("scope_guard", 1.02))
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
    assert [r for r in data["times"]
            if r["verdict"] not in (comparison.SAME, comparison.NOT_COMPARABLE)] == []
    assert [r for r in data["counters"] if r["exact"] and r["verdict"] != comparison.SAME] == []
    assert "have no verdict (?): with 3 and 3 repetitions" in proc.stdout
    # No verdict at all rather than a warning followed by verdicts.
    assert {r["mark"] for r in data["times"]} <= {"?", "="}


def test_the_command_writes_markdown_and_json_beside_the_new_run_and_never_overwrites(
        deferbench, tmp_path):
    new = copy_run(BASE, tmp_path / "new", shift=("call", 1.5))
    proc = deferbench("compare", BASE, new, check_exit=0)
    md = os.path.join(new, "compare-20261122T133330Z.md")
    assert "+  defer_cost/call" in proc.stdout
    assert "| + | defer_cost/call |" in open(md).read()
    data = json.loads(open(md[:-3] + ".json").read())
    assert data["times"][0]["benchmark"] and data["settings"]["alpha"] == comparison.ALPHA
    again = deferbench("compare", BASE, new, check_exit=0)
    assert os.path.exists(md) and os.path.exists(md[:-3] + "-2.md")
    assert f"wrote {md[:-3]}-2.md" in again.stdout
    assert open(md).read() == open(md[:-3] + "-2.md").read().replace(
        md[:-3] + "-2", md[:-3])
    taken = deferbench("compare", BASE, new, "--out", md[:-3], check_exit=2)
    assert "exists" in taken.stderr and taken.stderr.count("\n") == 1


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
    ("missing", "no such run folder"),
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


def test_nothing_leaks_from_numpy_and_an_unchanged_figure_is_never_marked(deferbench, tmp_path):
    """Zeros in a counter (a ratio 0/0) and figures equal in both runs: no
    warning on stderr, and no + or - on a figure that did not move."""
    new = copy_run(RERUN, tmp_path / "new")
    proc = deferbench("compare", BASE, new, check_exit=0)
    assert proc.stderr == "" and "warning" not in proc.stdout.lower()
    data = json.loads(open(os.path.join(new, "compare-20261122T133330Z.json")).read())
    for row in data["times"] + data["counters"]:
        if row["base_median"] == row["new_median"]:
            assert row["mark"] in ("=", "?"), row


def test_rows_come_in_the_registry_order_of_suites_and_natural_order_of_names():
    from deferbench.analysis import results
    # The orders themselves, on names whose file order and text order are both wrong.
    assert comparison.suite_order(["go", "zz_unknown", "cliffs", "fd", "defer_cost"]) == \
        ["defer_cost", "cliffs", "fd", "go", "zz_unknown"]
    assert sorted(["ndefers/10", "ndefers/9", "call", "ndefers/2"], key=results.natural_key) == \
        ["call", "ndefers/2", "ndefers/9", "ndefers/10"]
    # And the comparison applies them.
    c = _compare(BASE, RERUN)
    assert [r.suite for r in c.times] == comparison.suite_order([r.suite for r in c.times])
    names = [r.benchmark for r in c.times]
    assert names == sorted(names, key=results.natural_key)


def test_each_group_of_times_has_one_unit():
    from deferbench.commands import compare
    rows = [comparison.Row("s", f"g/{i}", "real_time", v, v, 3, 3, 1.0)
            for i, v in enumerate([3.0, 50_000.0, 2_000_000.0])]
    cells = compare._grouped_cells(rows, False)
    assert {c[2].split()[-1] for c in cells} == {"us"}
    assert cells[0][2] == "0.00 us" and cells[2][2] == "2,000.00 us"


def test_bare_compare_takes_this_machines_two_newest_runs_of_one_kind(deferbench, tmp_path):
    results = tmp_path / "results" / "m1"
    copy_run(BASE, results / "r1", started="2026-11-22T10:00:00+00:00",
             manifest_changes={("machine_id",): "m1"})
    copy_run(RERUN, results / "r2", started="2026-11-22T11:00:00+00:00",
             manifest_changes={("machine_id",): "m1"})
    copy_run(RERUN, results / "r3", started="2026-11-22T12:00:00+00:00",
             manifest_changes={("machine_id",): "m1", ("options", "quick"): True})
    proc = deferbench("compare", "--results-dir", str(tmp_path / "results"), "--machine", "m1",
                      check_exit=0)
    assert proc.stdout.startswith("compare: base r1 -> new r2")
    assert os.path.exists(results / "r2" / "compare-r1.md")
    (results / "r1" / "manifest.json").unlink()
    alone = deferbench("compare", "--results-dir", str(tmp_path / "results"), "--machine", "m1",
                       check_exit=2)
    assert "fewer than two complete runs of one kind" in alone.stderr
    assert alone.stderr.count("\n") == 1


def test_a_run_with_itself_and_runs_of_two_kinds_are_said_before_the_table(deferbench, tmp_path):
    itself = deferbench("compare", BASE, BASE, "--out", str(tmp_path / "a"), check_exit=0)
    assert "is compared with itself" in itself.stdout.split("benchmark")[0]
    quick = copy_run(RERUN, tmp_path / "q", manifest_changes={("options", "quick"): True})
    kinds = deferbench("compare", BASE, quick, "--out", str(tmp_path / "b"), check_exit=0)
    assert "a full run against a QUICK run" in kinds.stdout.split("benchmark")[0]


def test_a_run_id_stands_for_its_folder(deferbench, tmp_path):
    results = tmp_path / "results"
    copy_run(BASE, results / "m" / "base-run")
    copy_run(RERUN, results / "m" / "new-run")
    proc = deferbench("compare", "base-run", "new-run", "--results-dir", str(results),
                      check_exit=0)
    assert "compare: base base-run -> new new-run" in proc.stdout
    export = deferbench("export", "new-run", "--results-dir", str(results), "--format", "csv",
                        check_exit=0)
    assert export.stdout.startswith("machine_id,")
