import os

import pytest

from deferbench.analysis import results
from deferbench.errors import UserError

from conftest import FIXTURES


def test_malformed_json_names_the_file_and_the_line():
    path = os.path.join(FIXTURES, "malformed_suite.fixture.json")
    with pytest.raises(UserError) as e:
        results.load(path)
    assert "malformed_suite.fixture.json" in str(e.value) and "line" in str(e.value)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(UserError, match="missing"):
        results.load(str(tmp_path / "nope.json"))


def test_json_without_benchmarks_is_refused(tmp_path):
    p = tmp_path / "x.json"
    p.write_text('{"context": {}}')
    with pytest.raises(UserError, match="not a Google Benchmark JSON"):
        results.load(str(p))


# --------------------------------------------------------------------------- renamed cases

OLDER_RUN = os.path.join(FIXTURES, "report_runs", "fixture-a", "quick.fixture")


def test_an_older_run_is_read_under_todays_case_names():
    """The fixture was made when the scope guard was named open_coded: its
    times, its paired entries and its stack suite's strategies all come back
    as scope_guard, and the list of its cases is the one its binary had."""
    from deferbench.analysis import cases
    from deferbench.suites import stack
    suite = results.load(os.path.join(OLDER_RUN, "defer_cost.json"))
    assert "scope_guard" in suite.benchmarks and "open_coded" not in suite.benchmarks
    assert suite.benchmarks["scope_guard"].repetitions
    assert [c.name for c in cases.listed(suite)][:3] == ["call", "scope_guard",
                                                         "open_coded_bits"]
    rows = stack.stack_rows(results.load(os.path.join(OLDER_RUN, "stack.json")))
    strategies = {r.strategy for r in rows}
    assert "scope_guard" in strategies and "open_coded" not in strategies
    assert all(r.case.split("/")[0] == r.strategy for r in rows)
    go = results.load(os.path.join(OLDER_RUN, "go.json"))
    assert "defer_cost/open_coded" in go.benchmarks, "Go's own names are not renamed"


def test_a_described_case_list_with_an_old_name_is_read_renamed(tmp_path):
    import json
    from deferbench.analysis import cases
    data = json.loads(open(os.path.join(OLDER_RUN, "defer_cost.json")).read())
    data["context"]["cases"] = json.dumps([
        {"name": "call", "kind": "reference", "mechanism": "", "go_counterpart":
         "defer_cost/call", "claims": "A3", "pair": "", "omits": ""},
        {"name": "open_coded", "kind": "floor", "mechanism": "", "go_counterpart":
         "defer_cost/open_coded", "claims": "A2", "pair": "call", "omits": ""}])
    (tmp_path / "defer_cost.json").write_text(json.dumps(data))
    described = cases.of_suite(results.load(str(tmp_path / "defer_cost.json")))
    assert [(c.name, c.go_counterpart) for c in described] == [
        ("call", "defer_cost/call"), ("scope_guard", "defer_cost/open_coded")]


def test_a_baseline_recorded_before_a_rename_gates_the_renamed_case(tmp_path):
    import json
    from deferbench.analysis import gate
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps({"suites": {"defer_cost": {"call": 17.0, "open_coded": 17.0},
                                           "go": {"defer_cost/open_coded": 54.0}}}))
    suites = gate.load_baseline(str(path))["suites"]
    assert suites == {"defer_cost": {"call": 17.0, "scope_guard": 17.0},
                      "go": {"defer_cost/open_coded": 54.0}}


def test_a_baseline_whose_suites_hold_no_cases_is_one_clear_error(tmp_path):
    import json
    from deferbench.analysis import gate
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps({"suites": {"defer_cost": [17.0]}}))
    with pytest.raises(UserError, match="baseline.json: not a deferbench baseline"):
        gate.load_baseline(str(path))
