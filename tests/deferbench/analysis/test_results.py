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
