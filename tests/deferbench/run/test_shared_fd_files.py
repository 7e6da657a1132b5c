"""The folder of files that a run's fd and go suites share: made in FD_DIR
when the run has both, named to both through FD_FILES, and removed when the
block ends, also by an interrupt."""

import os
import signal
import time

import pytest

from deferbench.run import interrupts
from deferbench.run.shared_fd_files import shared_folder


@pytest.fixture(autouse=True)
def no_inherited_fd_files(monkeypatch):
    monkeypatch.delenv("FD_FILES", raising=False)


def test_a_run_with_both_suites_shares_one_folder_and_removes_it(tmp_path):
    env = {"FD_DIR": str(tmp_path)}
    with shared_folder(["defer_cost", "fd", "go"], env) as folder:
        assert os.path.dirname(folder) == str(tmp_path)
        assert env["FD_FILES"] == os.environ["FD_FILES"] == folder
        open(os.path.join(folder, "0"), "w").close()  # a suite's file
    assert os.listdir(tmp_path) == []
    assert "FD_FILES" not in env and "FD_FILES" not in os.environ


@pytest.mark.parametrize("suites", [["fd"], ["go"], ["defer_cost", "stack"]])
def test_one_suite_alone_makes_its_own(tmp_path, suites):
    env = {"FD_DIR": str(tmp_path)}
    with shared_folder(suites, env) as folder:
        assert folder is None and "FD_FILES" not in env and "FD_FILES" not in os.environ
    assert os.listdir(tmp_path) == []


def test_an_inherited_fd_files_is_not_passed_on_and_is_put_back(tmp_path, monkeypatch):
    mine = tmp_path / "mine"
    mine.mkdir()
    monkeypatch.setenv("FD_FILES", str(mine))
    env = {"FD_DIR": str(tmp_path), "FD_FILES": str(mine)}
    with shared_folder(["fd", "go"], env) as folder:
        assert folder != str(mine) and env["FD_FILES"] == os.environ["FD_FILES"] == folder
    with shared_folder(["fd"], env) as folder:
        assert folder is None and "FD_FILES" not in env and "FD_FILES" not in os.environ
    assert os.environ["FD_FILES"] == str(mine)
    assert sorted(os.listdir(tmp_path)) == ["mine"]


def test_a_folder_that_cannot_be_made_leaves_each_suite_its_own(tmp_path):
    env = {"FD_DIR": str(tmp_path / "absent")}
    with shared_folder(["fd", "go"], env) as folder:
        assert folder is None and "FD_FILES" not in env


def test_an_interrupt_removes_the_folder(tmp_path):
    env = {"FD_DIR": str(tmp_path)}
    with pytest.raises(interrupts.Interrupted):
        with interrupts.raised():
            with shared_folder(["fd", "go"], env) as folder:
                open(os.path.join(folder, "0"), "w").close()
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(60)  # the handler's Interrupted ends the sleep
    assert os.listdir(tmp_path) == []
