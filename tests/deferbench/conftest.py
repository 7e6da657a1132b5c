"""Shared fixtures: where the build is, and how to run the command line."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "tests", "fixtures")


@pytest.fixture(scope="session")
def build_dir():
    path = os.environ.get("DEFERBENCH_BUILD_DIR", os.path.join(ROOT, "build"))
    assert os.path.exists(os.path.join(path, "suites", "defer_cost", "defer_cost")), \
        f"no suite binaries under {path}: run `make build` (make test does)"
    return path


@pytest.fixture
def deferbench(request):
    """Runs `python -m deferbench ARGS`; returns the CompletedProcess. Only
    `bench` needs the build (then it is required)."""
    def run(*args, check_exit=None):
        env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "scripts"))
        # The gate reads CI to choose what it compares with; a test that means
        # CI says so (regress's own tests), whatever runs the tests.
        env.pop("CI", None)
        argv = [sys.executable, "-m", "deferbench", *args]
        if args and args[0] == "bench" and "--build-dir" not in args:
            argv += ["--build-dir", request.getfixturevalue("build_dir")]
        if args and args[0] == "bench" and "--site" not in args:
            # The site of the test's own results, never the working tree's build/site.
            argv += ["--site", str(request.getfixturevalue("tmp_path") / "site")]
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT)
        if check_exit is not None:
            assert proc.returncode == check_exit, proc.stdout + proc.stderr
        return proc
    return run
