"""go_parse: real `go test -bench` output into Google Benchmark entries."""

import os

import pytest

from conftest import FIXTURES
from deferbench.suites.go import parse as go_parse
from deferbench.errors import UserError


def _fixture(name):
    with open(os.path.join(FIXTURES, name)) as f:
        return f.read()


def test_every_result_line_is_read_with_its_package():
    results = go_parse.parse(_fixture("go_bench_output.fixture.txt"))
    runtime = [r for r in results if r.config["pkg"] == "runtime"]
    cliffs = [r for r in results if r.config["pkg"] == "deferbench/goref/cliffs"]
    assert [r.name for r in runtime] == ["BenchmarkDefer"] * 3
    assert len(cliffs) == 17 * 3
    assert {r.procs for r in results} == {2}
    first = runtime[0]
    assert first.iterations == 9708658
    assert first.metrics == {"ns/op": 12.14, "B/op": 0.0, "allocs/op": 0.0}
    loop = next(r for r in cliffs if r.name == "BenchmarkCliffs/loop/defer_in_loop")
    assert loop.metrics["peak_open"] == 10.0 and loop.metrics["allocs/op"] == 10.0


def test_sub_benchmark_names_keep_their_numbers():
    names = {r.name for r in go_parse.parse(_fixture("go_bench_output.fixture.txt"))}
    assert "BenchmarkCliffs/ndefers/12" in names and "BenchmarkCliffs/ndefers/1" in names


def test_gomaxprocs_1_has_no_suffix():
    results = go_parse.parse(_fixture("go_bench_maxprocs1.fixture.txt"))
    assert [r.name for r in results][:2] == ["BenchmarkDeferCost/call",
                                             "BenchmarkDeferCost/open_coded"]
    assert {r.procs for r in results} == {1}


def test_entries_number_the_repetitions_and_keep_go_units():
    results = go_parse.parse(_fixture("go_bench_output.fixture.txt"))
    entries = go_parse.to_entries(
        results, lambda r: "cliffs/" + r.name.split("/", 1)[1] if "/" in r.name else None)
    loop = [e for e in entries if e["name"] == "cliffs/loop/defer_in_loop"]
    assert [e["repetition_index"] for e in loop] == [0, 1, 2]
    assert all(e["repetitions"] == 3 and e["run_type"] == "iteration" for e in loop)
    assert loop[0]["real_time"] == 2939.0 and loop[0]["time_unit"] == "ns"
    assert loop[0]["bytes_per_op"] == 240.0 and loop[0]["allocs_per_op"] == 10.0
    assert loop[0]["peak_open"] == 10.0
    assert "cpu_time" not in loop[0], "Go measures wall time only"
    assert not any(e["name"].startswith("runtime") for e in entries), "None leaves it out"


def test_a_failed_benchmark_is_an_error_naming_the_line():
    text = "goos: linux\n--- FAIL: BenchmarkX\n    x_test.go:9: boom\nFAIL\n"
    with pytest.raises(UserError, match=r":2: a Go benchmark failed"):
        go_parse.parse(text, "out.txt")


def test_a_result_without_pairs_is_an_error():
    with pytest.raises(UserError, match="value-unit pairs"):
        go_parse.parse("BenchmarkX-2   100   12.5 ns/op   7\n")
