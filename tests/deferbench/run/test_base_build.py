"""The gate's base commit: checked out in a worktree that never outlives the
gate, with files older than the objects built from them before."""

import os
import signal
import subprocess
import threading
import time

import pytest

from conftest import ROOT
from deferbench.errors import UserError
from deferbench.run import base_build


def _git(*args):
    return subprocess.run(["git", "-C", ROOT, *args], capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.fixture
def head():
    return _git("rev-parse", "HEAD")


def _registered(path):
    return path in _git("worktree", "list", "--porcelain")


def test_a_revision_resolves_to_its_commit_and_a_bad_one_is_refused_naming_it(head):
    assert base_build.resolve("HEAD")[0] == head
    with pytest.raises(UserError, match=r"^BASE=HEAD~100000: not a commit of this repository"):
        base_build.resolve("HEAD~100000")


def test_the_checkout_has_the_commits_files_at_the_commits_time_and_is_removed(head, tmp_path):
    when = int(_git("log", "-1", "--format=%ct", head))
    with base_build.checkout(head, tmp_path) as src:
        assert _registered(src)
        assert os.path.getmtime(os.path.join(src, "CMakeLists.txt")) == when
        assert _git("-C", src, "rev-parse", "HEAD") == head
    assert not os.path.exists(src) and not _registered(src)


def test_an_error_or_an_interrupt_inside_removes_the_worktree(head, tmp_path):
    with pytest.raises(RuntimeError):
        with base_build.checkout(head, tmp_path) as src:
            raise RuntimeError("the base failed to build")
    assert not os.path.exists(src) and not _registered(src)
    with pytest.raises(SystemExit) as stopped:
        with base_build.checkout(head, tmp_path) as src:
            os.kill(os.getpid(), signal.SIGINT)
    assert stopped.value.code == 128 + signal.SIGINT
    assert not os.path.exists(src) and not _registered(src)


def _gone(pid, within_s=10.0):
    """Whether process `pid` has ended (a zombie has) within `within_s`."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


def test_an_interrupted_build_ends_its_whole_process_group(head, tmp_path):
    """As make and its compilers: a shell whose own child writes its pid."""
    pid_file = tmp_path / "grandchild"
    build = ["sh", "-c", f"sleep 300 & echo $! > {pid_file}.tmp && mv {pid_file}.tmp {pid_file};"
             " wait"]

    def interrupt_once_started():
        while not pid_file.exists():
            time.sleep(0.01)
        os.kill(os.getpid(), signal.SIGTERM)

    with pytest.raises(SystemExit) as stopped:
        with base_build.checkout(head, tmp_path):
            threading.Thread(target=interrupt_once_started, daemon=True).start()
            base_build._run_group(build, "the fixture's build")
    assert stopped.value.code == 128 + signal.SIGTERM
    assert _gone(int(pid_file.read_text()))


def test_a_worktree_left_by_a_killed_gate_is_replaced(head, tmp_path):
    stale = tmp_path / head / "src"
    stale.mkdir(parents=True)
    (stale / "left-over").write_text("")
    with base_build.checkout(head, tmp_path) as src:
        assert not os.path.exists(os.path.join(src, "left-over"))
    assert not os.path.exists(src)


def test_the_base_is_configured_as_this_build_was(tmp_path):
    (tmp_path / "CMakeCache.txt").write_text(
        "CMAKE_BUILD_TYPE:STRING=Release\nCMAKE_CXX_COMPILER:FILEPATH=/usr/bin/c++\n"
        "CMAKE_CXX_FLAGS:STRING=\nDEFERBENCH_INJECT_SLOWDOWN:STRING=1\n")
    assert base_build.cmake_settings(str(tmp_path)) == {
        "CMAKE_BUILD_TYPE": "Release", "CMAKE_CXX_COMPILER": "/usr/bin/c++"}
    with pytest.raises(UserError, match="no CMakeCache.txt"):
        base_build.cmake_settings(str(tmp_path / "nothing"))
