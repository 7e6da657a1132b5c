"""The gate: exact instruction counts, a build with injected instructions fails it,
an unchanged build passes it (A/A), and a toolchain without baseline is never a
silent pass."""

import json
import os
import subprocess

import pytest

from conftest import ROOT
from deferbench.run import callgrind
from deferbench.analysis import gate
from deferbench.commands import regress
from deferbench.errors import UserError

needs_valgrind = pytest.mark.skipif(not callgrind.available(), reason="valgrind not installed")


def test_growth_beyond_the_tolerance_regresses_and_at_it_does_not():
    old = {"s": {"a": 100.0, "b": 100.0, "c": 100.0, "gone": 5.0}}
    new = {"s": {"a": 101.0, "b": 101.01, "c": 98.0, "added": 7.0}}
    rows = {r.case: r.status for r in gate.compare(old, new, tolerance=0.01)}
    assert rows == {"a": gate.WITHIN, "b": gate.REGRESSED, "c": gate.IMPROVED,
                    "gone": gate.MISSING, "added": gate.NEW_CASE}
    assert {gate.REGRESSED, gate.MISSING} == gate.FAILING


def test_the_smallest_slowdown_caught_is_one_instruction_above_one_percent():
    assert gate.smallest_caught(17) == 1     # +5.9%
    assert gate.smallest_caught(99) == 1     # +1.01%
    assert gate.smallest_caught(100) == 2    # +1% is within the tolerance
    assert gate.smallest_caught(210) == 3    # +1.4%; 2 would be 0.95%
    assert gate.smallest_caught(210, tolerance=0.0) == 1


def test_one_instruction_is_caught_in_every_committed_case_under_100():
    """What the README promises of the 1% default, checked on the baselines in the tree."""
    paths = [os.path.join(regress.BASELINES_DIR, f) for f in os.listdir(regress.BASELINES_DIR)
             if f.endswith(".json")]
    assert paths, "the tree has a committed baseline"
    small = [(path, case, value) for path in paths
             for cases in gate.load_baseline(path)["suites"].values()
             for case, value in cases.items() if value < 100]
    assert len(small) >= 10
    assert [c for c in small if gate.smallest_caught(c[2]) != 1] == []


@pytest.mark.parametrize("text, fraction", [(None, 0.01), ("1", 0.01), ("0.5%", 0.005),
                                            ("0", 0.0)])
def test_tolerance_is_a_percentage(text, fraction):
    assert regress.parse_tolerance(text) == pytest.approx(fraction)


@pytest.mark.parametrize("text", ["abc", "-1", "100"])
def test_a_bad_tolerance_is_refused(text):
    with pytest.raises(UserError, match="TOLERANCE"):
        regress.parse_tolerance(text)


def test_the_key_names_compiler_arch_build_type_flags_and_libraries():
    t = {"compiler": "GNU 12.2.0", "arch": "x86_64", "build_type": "Release",
         "cxx_flags": "-O2 -DNDEBUG", "google_benchmark": "1.7.1", "libc": "glibc 2.36"}
    key = gate.toolchain_key(t)
    assert key.startswith("gnu-12.2.0_x86-64_release_flags-") and key.endswith(
        "_gbench-1.7.1_glibc-2.36")
    assert gate.toolchain_key(dict(t, cxx_flags="-O3 -DNDEBUG")) != key


@needs_valgrind
def test_a_a_the_same_build_counts_the_same_and_passes_the_committed_baseline(build_dir):
    first, second = gate.measure(build_dir), gate.measure(build_dir)
    assert first.counts == second.counts, "callgrind counts are exact"
    baseline = gate.load_baseline(gate.baseline_path(regress.BASELINES_DIR, first.key))
    if baseline is None:
        pytest.skip(f"no committed baseline for toolchain {first.key}")
    rows = gate.compare(baseline["suites"], first.counts)
    assert [r for r in rows if r.status != gate.WITHIN] == []
    assert all(r.delta == 0 for r in rows), "an unchanged tree gives the baseline exactly"


@pytest.fixture(scope="module")
def injected_build(tmp_path_factory):
    """Every gated suite built with DEFERBENCH_INJECT_SLOWDOWN=1: one nop more
    per op in defer_cost's open_coded, nothing else changed."""
    path = tmp_path_factory.mktemp("build-injected")
    targets = [os.path.basename(s.binary) for s in gate.gbench_suites()]
    for cmd in (["cmake", "-S", ROOT, "-B", str(path), "-DCMAKE_BUILD_TYPE=Release",
                 "-DDEFERBENCH_INJECT_SLOWDOWN=1"],
                ["cmake", "--build", str(path), "-j2", "--target", *targets]):
        proc = subprocess.run(cmd, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return str(path)


@needs_valgrind
def test_one_injected_instruction_fails_the_gate_naming_the_case(deferbench, build_dir,
                                                                  injected_build, tmp_path):
    baselines = tmp_path / "baselines"
    deferbench("baseline", "--only", "C++",
        "--build-dir", build_dir, "--baselines-dir", str(baselines),
               check_exit=0)
    proc = deferbench("regress", "--only", "C++", "--build-dir", injected_build, "--baselines-dir",
                      str(baselines), "--out", str(tmp_path / "report"), check_exit=1)
    regressions = [l for l in proc.stdout.splitlines() if l.startswith("REGRESSION")]
    assert len(regressions) == 1
    assert regressions[0].startswith("REGRESSION: defer_cost/open_coded: ")
    report = json.loads((tmp_path / "report" / "regress.json").read_text())
    (row,) = [c for c in report["cases"] if c["status"] == gate.REGRESSED]
    assert row["delta"] == 1.0, "exactly the injected nop"
    assert report["passed"] is False


@needs_valgrind
def test_no_baseline_is_recorded_from_an_injected_build(deferbench, injected_build, tmp_path):
    proc = deferbench("baseline", "--only", "C++", "--build-dir", injected_build, "--baselines-dir",
                      str(tmp_path), check_exit=2)
    assert "injected slowdown" in proc.stderr
    assert list(tmp_path.iterdir()) == []


@needs_valgrind
def test_a_toolchain_without_baseline_warns_that_nothing_was_checked(deferbench, tmp_path):
    proc = deferbench("regress", "--only", "C++", "--baselines-dir", str(tmp_path), check_exit=0)
    assert "NOTHING WAS CHECKED" in proc.stderr and "make baseline" in proc.stderr
    assert "passed" not in proc.stdout
    deferbench("regress", "--only", "C++",
        "--baselines-dir", str(tmp_path), "--require-baseline", check_exit=1)


@needs_valgrind
def test_baseline_says_what_changed_and_leaves_an_unchanged_file_alone(deferbench, build_dir,
                                                                       tmp_path):
    created = deferbench("baseline", "--only", "C++",
        "--baselines-dir", str(tmp_path), check_exit=0)
    assert "added    defer_cost/open_coded" in created.stdout
    (path,) = tmp_path.iterdir()
    data = json.loads(path.read_text())
    data["suites"]["defer_cost"]["call"] += 2
    path.write_text(json.dumps(data))
    updated = deferbench("baseline", "--only", "C++",
        "--baselines-dir", str(tmp_path), check_exit=0)
    assert "changed  defer_cost/call" in updated.stdout
    before = path.stat().st_mtime_ns
    again = deferbench("baseline", "--only", "C++", "--baselines-dir", str(tmp_path), check_exit=0)
    assert "unchanged" in again.stdout and path.stat().st_mtime_ns == before


@needs_valgrind
def test_the_go_side_catches_an_instruction_injected_in_a_goref_case(build_dir):
    """goref built with its test hook (one increment more per open-coded op)
    against the committed Go baseline: that case alone regresses."""
    normal = gate.measure_go(build_dir)
    if normal is None:
        pytest.skip("no Go toolchain")
    baseline = gate.load_baseline(gate.baseline_path(regress.BASELINES_DIR, normal.key))
    assert baseline is not None, f"the tree has a Go baseline for {normal.key}"
    assert [r for r in gate.compare(baseline["suites"], normal.counts)
            if r.status in gate.FAILING] == [], "a normal build passes"
    injected = gate.measure_go(build_dir, inject=True)
    rows = gate.compare(baseline["suites"], injected.counts)
    (row,) = [r for r in rows if r.status in gate.FAILING]
    assert (row.suite, row.case, row.status) == ("go", "defer_cost/open_coded", gate.REGRESSED)
    assert 1 <= row.delta <= 3, "an increment: a load, an add and a store at most"
    assert injected.injected() == {"go": f"-tags {gate.GO_INJECT_TAG}"}
