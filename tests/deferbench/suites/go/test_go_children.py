"""A measured child of the Go suite: its own exit status and output, and no
core file allowed, whatever the run's own limit."""

import resource

import pytest

from deferbench.suites.go import children


@pytest.fixture
def core_files_allowed():
    """The run's soft core limit raised to its hard one (often 0 by default)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))
    yield
    resource.setrlimit(resource.RLIMIT_CORE, (soft, hard))


def test_the_child_runs_with_no_core_file_allowed_and_its_own_status(core_files_allowed):
    result = children.run(["sh", "-c", "ulimit -c; echo out-of-$0 >&2; exit 3"], timeout_s=30)
    assert (result.exit_code, result.timed_out) == (3, False)
    assert (result.stdout, result.stderr) == ("0\n", "out-of-sh\n")
