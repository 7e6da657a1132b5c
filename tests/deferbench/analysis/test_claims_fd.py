"""Claims A9 and A10 (N files, a deferred Close each): decided on Go's real run
at N where the limits allow it, else on the sum of Go's two measured halves,
labelled an estimate, never "not measurable" when a half was measured.

The Go entries are a real run of the go suite's fd part on the project's VM
(RLIMIT_NOFILE 20000): go_fd_halves.fixture.json, put into a copy of
fixture-a in place of its own fd entries."""

import json
import os
import shutil

import pytest

from deferbench.analysis import claims, claims_table
from deferbench.run import folder

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "fixtures")
RUN_A = os.path.join(FIXTURES, "report_runs", "fixture-a", "quick.fixture")
HALVES = os.path.join(FIXTURES, "go_fd_halves.fixture.json")


def _halves():
    with open(HALVES) as f:
        return json.load(f)["benchmarks"]


def _entry(name):
    return next(e for e in _halves() if e["name"] == name)


@pytest.fixture
def run_with_halves(tmp_path):
    def make(change=lambda entries: entries):
        path = tmp_path / "run"
        shutil.copytree(RUN_A, path)
        go_json = path / "go.json"
        data = json.loads(go_json.read_text())
        data["benchmarks"] = [e for e in data["benchmarks"] if not e["name"].startswith("fd/")]
        data["benchmarks"] += change(_halves())
        go_json.write_text(json.dumps(data))
        return folder.load(str(path))
    return make


def _rows(run):
    return {r.id: r for r in claims_table.rows(run)}


@pytest.mark.parametrize("cid,n", [("A9", 250_000), ("A10", 700_000)])
def test_beyond_the_limit_the_halves_decide_as_an_estimate(run_with_halves, cid, n):
    row = _rows(run_with_halves())[cid]
    assert row.verdict != claims.NOT_MEASURABLE
    f = row.go_fields
    assert f["real_descriptors"] is False and f["decided_on"] == claims_table.ESTIMATE
    user = _entry(f"fd/nofd/{n}")
    kernel = _entry(f"fd/kernel/{n}")
    assert f["user_space_time_s"] == pytest.approx(user["real_time"] / 1e3)
    assert f["kernel_open_close_ns_per_file"] == pytest.approx(kernel["ns_per_file"])
    assert f["kernel_time_s"] == pytest.approx(kernel["ns_per_file"] * n / 1e9)
    assert f["time_s"] == f["estimate_time_s"] == pytest.approx(
        f["user_space_time_s"] + f["kernel_time_s"])
    assert f["rss_mib"] == pytest.approx(user["max_rss_bytes"] / 2**20)
    assert f["vm_mib"] == pytest.approx(user["vm_peak_bytes"] / 2**20)
    assert f["rss_mb"] == pytest.approx(user["max_rss_bytes"] / 1e6)
    # The check of the method: where both ran (the largest N the limits allow).
    assert f["estimate_check_n"] == _entry("fd/19968")["files"]
    assert "estimate" in row.go and "MiB RSS" in row.go
    assert "decided on the estimate (sum of two measured halves)" in row.note
    assert "RLIMIT_NOFILE" in row.note
    assert f"goref/cmd/deferfd -mode nofd -n {n}" in row.programs


def test_the_verdict_follows_the_tolerances(run_with_halves):
    row = _rows(run_with_halves())["A10"]
    f, art = row.go_fields, claims.ARTICLE_RUNS[700_000]
    within = (1 / claims.TIME_TOLERANCE <= f["time_s"] / art["wall_s"] <= claims.TIME_TOLERANCE
              and 1 / claims.RSS_TOLERANCE <= f["rss_mib"] / art["rss_mb"] <= claims.RSS_TOLERANCE
              and 1 / claims.VM_TOLERANCE <= f["vm_mib"] / art["vm_mb"] <= claims.VM_TOLERANCE)
    assert row.verdict == (claims.REPRODUCED if within else claims.DIFFERS)


def test_a_real_run_at_n_decides_with_the_estimate_beside_it(run_with_halves):
    """As on a machine whose limits allow 250,000 descriptors: the real entry
    decides (here the user-space half's own figures, renamed, stand for it)."""
    def add_real(entries):
        real = dict(_entry("fd/nofd/250000"), name="fd/250000", run_name="fd/250000",
                    deferfd_mode="defer")
        return [e for e in entries if e["name"] != "fd/250000"] + [real]
    row = _rows(run_with_halves(add_real))["A9"]
    f = row.go_fields
    assert f["real_descriptors"] is True and f["decided_on"] == "real descriptors"
    assert f["time_s"] == f["real_time_s"] != f["estimate_time_s"]
    assert row.note.startswith("decided on real descriptors")
    assert "halves' estimate" in row.go


def test_the_cpp_analog_sums_its_records_with_a_kernel_half(run_with_halves):
    row = _rows(run_with_halves())["A9"]
    c = row.cpp_fields
    assert c["real_descriptors"] is False
    assert c["kernel_half_from"]  # the fd suite's own, or Go's fd/kernel where it has none
    assert c["estimate_time_s"] == pytest.approx(c["user_space_time_s"] + c["kernel_time_s"])
    assert "suites/fd/fd chain_records_only/250000" in row.programs


def test_without_any_half_the_limit_is_named(tmp_path):
    """fixture-a predates the halves: nothing at 250k was measured."""
    row = _rows(folder.load(RUN_A))["A9"]
    assert row.verdict == claims.NOT_MEASURABLE and "RLIMIT_NOFILE" in row.note
