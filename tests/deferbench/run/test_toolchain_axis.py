"""TOOLCHAINS=: the suites a toolchain decides run once more with each other
toolchain, into <run>/toolchains/<key>/, the manifest listing every toolchain
of the run, the report comparing them; a toolchain that cannot build is a
failure the report names, not a row that disappears."""

import argparse
import contextlib
import io
import json
import os

import pytest

from conftest import FIXTURES, ROOT
from deferbench.commands import bench
from deferbench.run import callgrind, folder, toolchain_axis, toolchains

T = toolchains.Toolchain
GCC = T("C++", "g++", "12.2.0", "/usr/bin/g++-12", True)
# Two compilers that are not here: one "builds" (into the default build, so
# that the test times nothing twice over a real compile), one fails.
BUILDS = T("C++", "clang++", "99.0.0", "/fixture/clang++-99", False)
FAILS = T("C++", "clang++", "98.0.0", "/fixture/clang++-98", False)


@pytest.fixture(scope="module")
def axis_run(tmp_path_factory):
    """(exit status, stdout, stderr, run folder) of one quick defer_cost run with
    TOOLCHAINS=clang-98,clang-99."""
    build_dir = os.environ.get("DEFERBENCH_BUILD_DIR", os.path.join(ROOT, "build"))
    tmp_path = tmp_path_factory.mktemp("axis")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(toolchains, "found_here", lambda: [GCC, FAILS, BUILDS])

        def build(axis, build_dir_, selected, jobs, who="deferbench"):
            assert [t.key for t in axis.others] == ["clang-98.0.0", "clang-99.0.0"]
            axis.failed[FAILS.key] = "building the suites with clang-98.0.0 failed: no compiler"
            axis.builds[BUILDS.key] = build_dir
        mp.setattr(toolchain_axis, "build", build)
        # Instructions are not what this test is about: no callgrind, no minutes.
        mp.setattr(callgrind, "available", lambda: False)
        p = argparse.ArgumentParser()
        bench.add_arguments(p)
        results = tmp_path / "results"
        args = p.parse_args(["--suites", "defer_cost", "--quick", "1",
                             "--toolchains", "clang-98,clang-99", "--results-dir", str(results),
                             "--build-dir", build_dir, "--machine", "axis-fixture",
                             "--site", str(tmp_path / "site")])
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = bench.run(args)
    (run_dir,) = (results / "axis-fixture").iterdir()
    return status, out.getvalue(), err.getvalue(), run_dir


def test_another_compiler_runs_into_its_folder_and_a_failed_build_is_named(axis_run):
    status, out, err, run_dir = axis_run
    assert "[toolchain 2/2] clang-99.0.0 (/fixture/clang++-99): defer_cost" in out
    assert "clang-98.0.0: defer_cost: failed: building the suites" in out
    assert "other toolchains " in out.splitlines()[-1], "the times line counts them"
    assert status == 1, "a toolchain's failed suite fails the run"
    assert "suites that failed: defer_cost (clang-98.0.0)" in err
    manifest = json.loads((run_dir / "manifest.json").read_text())
    listed = manifest["toolchains"]
    assert list(listed) == ["gcc-12.2.0", "clang-98.0.0", "clang-99.0.0"]
    assert listed["gcc-12.2.0"]["folder"] == "" and listed["gcc-12.2.0"]["default"]
    # Each other toolchain's folder has a manifest of its own, read back as a run.
    part = folder.load(str(run_dir / listed["clang-99.0.0"]["folder"]))
    assert part.manifest["part_of"] == {"run": os.path.join("..", ".."),
                                        "toolchain": "clang-99.0.0"}
    assert part.status == "complete" and part.run_id == manifest["run_id"]
    data = part.raw["defer_cost"]
    assert any(b["name"].endswith("_paired") for b in data), "paired there too"
    failed = folder.load(str(run_dir / listed["clang-98.0.0"]["folder"]))
    assert failed.status == "failed"
    assert "no compiler" in failed.not_run["defer_cost"]
    for path in run_dir.rglob("*"):
        if path.is_file():
            assert (path.parent / "manifest.json").exists(), path


def test_the_report_compares_the_toolchains_and_keeps_the_failed_one(axis_run):
    _, _, _, run_dir = axis_run
    report = (run_dir / "report.md").read_text()
    section = report.split("## Across toolchains", 1)[1].split("\n## ", 1)[0]
    rows = {line.split("|")[1].strip(): line for line in section.splitlines()
            if line.startswith("| ") and not line.startswith("| toolchain")}
    assert set(rows) >= {"gcc-12.2.0 (default)", "clang-99.0.0", "clang-98.0.0"}
    assert "x [" in rows["clang-99.0.0"], "its paired ratio with its interval"
    assert "not measured: defer_cost failed: building the suites" in rows["clang-98.0.0"]
    assert (run_dir / "chart_toolchains.png").exists()


def test_a_toolchain_not_here_is_refused_in_one_line_before_anything_is_written(
        deferbench, tmp_path):
    results = tmp_path / "results"
    proc = deferbench("bench", "--toolchains", "clang-99", "--results-dir", str(results),
                      "--check-inputs", check_exit=2)
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("deferbench: TOOLCHAINS=clang-99: no toolchain 'clang-99' here; "
                           "give `all` or a comma-separated list of these")
    assert not results.exists()


def test_a_release_that_failed_keeps_its_row_saying_why(tmp_path):
    """A Go release whose suite failed (a flag it no longer takes) is a row that
    says so, as wide as the table, beside the default's figures."""
    from runcopies import copy_run
    from deferbench.render import toolchain_section
    run_dir = tmp_path / "run"
    reason = "go test -c failed: flag provided but not defined: -d=noopendefer"
    copy_run(os.path.join(FIXTURES, "report_runs", "fixture-a", "quick.fixture"), run_dir,
             manifest_changes={("toolchains",): {
                 "go-1.19.8": {"language": "Go", "version": "1.19.8", "default": True,
                               "folder": ""},
                 "go-1.99.0": {"language": "Go", "version": "1.99.0", "default": False,
                               "folder": "toolchains/go-1.99.0"}}})
    part = run_dir / "toolchains" / "go-1.99.0"
    part.mkdir(parents=True)
    (part / "manifest.json").write_text(json.dumps({
        "status": "failed", "options": {"suites": ["go"]},
        "suites": {"go": {"status": "failed", "reason": reason}}}))
    tables = [b for b in toolchain_section.blocks(folder.load(str(run_dir)))
              if b[0] == "table"]
    assert len(tables) == 2, "the costs and the cliffs, no C++ table without a compiler"
    for _, header, rows in tables:
        assert all(len(row) == len(header) for row in rows)
        assert [row[0] for row in rows][-2:] == ["go-1.19.8 (default)", "go-1.99.0"]
        assert rows[-1][1] == f"not measured: go failed: {reason}"
    assert tables[1][2][0][1].startswith("holds: loop/helper open-coded")
