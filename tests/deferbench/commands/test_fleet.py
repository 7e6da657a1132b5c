"""fleet (make fleet-local): run folders found at any depth are filed under the
machine their manifests give, with a site over all of them; bad input writes nothing."""

import os
import re
import shutil
import subprocess

from conftest import FIXTURES, ROOT
from deferbench.run import folder, machine_identity

MACHINES = os.path.join(FIXTURES, "machines")
VM_RUN = os.path.join(FIXTURES, "runs", "vm-fixture", "compare_base.fixture")


def _artifacts(tmp_path):
    """Two runners' downloaded artifacts: run folders at different depths."""
    x86 = tmp_path / "artifacts" / "bench-x86-64" / "some" / "depth"
    arm = tmp_path / "artifacts" / "bench-arm64"
    for name in ("host_a_run1.fixture", "host_a_run2.fixture"):
        shutil.copytree(os.path.join(MACHINES, name), x86 / name)
    shutil.copytree(os.path.join(MACHINES, "host_b_run1.fixture"), arm / "host_b_run1.fixture")
    shutil.copytree(VM_RUN, arm / "vm")
    return tmp_path / "artifacts"


def _expected():
    """{machine id: {run ids}} as the manifests give them."""
    out = {}
    runs = [os.path.join(MACHINES, n) for n in ("host_a_run1.fixture", "host_a_run2.fixture",
                                                "host_b_run1.fixture")] + [VM_RUN]
    for path in runs:
        manifest = folder.read_json(os.path.join(path, folder.MANIFEST))
        out.setdefault(machine_identity.run_machine_id(manifest, path), set()).add(
            manifest["run_id"])
    return out


def test_runs_are_filed_by_machine_and_the_site_names_every_machine(deferbench, tmp_path):
    out = tmp_path / "fleet"
    proc = deferbench("fleet", str(_artifacts(tmp_path)), "--out", str(out), check_exit=0)
    expected = _expected()
    # Host b was cloned from host a's disk image and recorded host a's id: its own
    # hardware files it apart.
    assert len(expected) == 3
    got = {m: set(os.listdir(out / "results" / m)) for m in os.listdir(out / "results")}
    assert got == expected
    assert f"fleet: 3 machines, 4 runs; site: {out / 'index.html'}" in proc.stdout
    page = (out / "index.html").read_text()
    for machine in expected:
        assert f"<h2 id='{machine}'>" in page
    assert "Bar chart comparing 3 machines" in page
    # Links are relative and resolve inside the folder: it can be published as it is.
    for href in re.findall(r"href='([^'#]+)'", page):
        assert not os.path.isabs(href) and (out / href).resolve().is_relative_to(out.resolve())


def test_gathering_again_replaces_the_tree_whole(deferbench, tmp_path):
    out = tmp_path / "fleet"
    artifacts = _artifacts(tmp_path)
    deferbench("fleet", str(artifacts), "--out", str(out), check_exit=0)
    shutil.rmtree(artifacts / "bench-arm64")
    proc = deferbench("fleet", str(artifacts), "--out", str(out), check_exit=0)
    assert "fleet: 1 machines, 2 runs" in proc.stdout
    assert len(os.listdir(out / "results")) == 1
    assert sorted(os.listdir(tmp_path)) == ["artifacts", "fleet"], "no temporary left"


def test_bad_input_is_one_line_and_leaves_the_previous_tree(deferbench, tmp_path):
    out = tmp_path / "fleet"
    deferbench("fleet", str(_artifacts(tmp_path)), "--out", str(out), check_exit=0)
    before = sorted(os.listdir(out / "results"))
    empty = tmp_path / "empty"
    empty.mkdir()
    for args, needle in (([str(tmp_path / "absent")], "no such folder"),
                         ([str(empty)], "no run folder"),
                         ([str(out / "results")], "inside the output folder")):
        proc = deferbench("fleet", *args, "--out", str(out), check_exit=2)
        assert proc.stdout == "" and len(proc.stderr.splitlines()) == 1, proc.stderr
        assert needle in proc.stderr
        assert sorted(os.listdir(out / "results")) == before
    assert sorted(os.listdir(tmp_path)) == ["artifacts", "empty", "fleet"]


def test_two_different_runs_claiming_one_place_are_refused_and_nothing_is_written(
        deferbench, tmp_path):
    a, b = tmp_path / "a" / "run", tmp_path / "b" / "run"
    shutil.copytree(os.path.join(MACHINES, "host_a_run1.fixture"), a)
    shutil.copytree(os.path.join(MACHINES, "host_a_run1.fixture"), b)
    (b / "defer_cost.json").write_text((b / "defer_cost.json").read_text() + "\n")
    proc = deferbench("fleet", str(tmp_path / "a"), str(tmp_path / "b"),
                      "--out", str(tmp_path / "fleet"), check_exit=2)
    assert "holds another run" in proc.stderr
    assert sorted(os.listdir(tmp_path)) == ["a", "b"]


def test_make_fleet_local_gathers_the_committed_runs_with_every_machine_charted(tmp_path):
    """Over results/ as committed: every machine with a full run is in the chart
    across machines, and every machine has its section."""
    results = os.path.join(ROOT, "results")
    machines = sorted(m for m in os.listdir(results) if os.path.isdir(os.path.join(results, m)))
    proc = subprocess.run(["make", "-s", "fleet-local", f"FLEET_DIR={tmp_path / 'site'}",
                           f"BUILD_DIR={tmp_path / 'build'}"],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    page = (tmp_path / "site" / "index.html").read_text()
    for m in machines:
        assert f"<h2 id='{m}'>" in page
    assert f"Bar chart comparing {len(machines)} machines" in page
