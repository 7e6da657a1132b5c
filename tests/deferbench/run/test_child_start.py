"""A signal that reaches the run while a child process is being started: it
is held until the child is in hand, then ends the run with the child killed
and waited for (and a suite's partial output gone), never leaving the child
behind. Every way the run starts a child goes through interrupts.popen."""

import signal
import subprocess
import threading

import pytest

from deferbench.run import interrupts, progress, runner
from deferbench.suites.go import children as go_children


class RecordedPopen(subprocess.Popen):
    """A real child, recorded; where `interrupt` is set, the run's handler is
    called as the signal would call it between the fork and Popen's return."""
    started = []
    interrupt = False

    def __init__(self, cmd, **kwargs):
        super().__init__(cmd, **kwargs)
        type(self).started.append(self)
        if type(self).interrupt:
            interrupts.handle(signal.SIGINT, None)


@pytest.fixture
def recorded(monkeypatch):
    monkeypatch.setattr(RecordedPopen, "started", [])
    monkeypatch.setattr(RecordedPopen, "interrupt", False)
    monkeypatch.setattr(interrupts.subprocess, "Popen", RecordedPopen)
    return RecordedPopen.started


@pytest.fixture
def signal_while_starting(recorded, monkeypatch):
    monkeypatch.setattr(RecordedPopen, "interrupt", True)
    return recorded


def _killed(started):
    (child,) = started
    return child.returncode == -signal.SIGKILL


def test_a_signal_while_a_suite_process_starts_stops_it_and_its_output(
        tmp_path, signal_while_starting):
    partial = tmp_path / "suite.json.partial"
    partial.write_text("what the child had begun")
    with pytest.raises(runner.Interrupted) as raised:
        runner._run_child(["sleep", "30"], str(partial), [], None)
    assert raised.value.signum == signal.SIGINT
    assert _killed(signal_while_starting), "the child was killed and waited for"
    assert not partial.exists()


@pytest.mark.parametrize("start", [
    lambda: interrupts.run(["sleep", "30"], timeout=60),            # Go's binaries, callgrind
    lambda: go_children.run(["sleep", "30"], timeout_s=60),         # Go's measured children
], ids=["run", "go-children"])
def test_a_signal_while_any_child_starts_kills_it_before_the_run_ends(
        signal_while_starting, start):
    with pytest.raises(interrupts.Interrupted):
        start()
    assert _killed(signal_while_starting)


class ThreadInterruptedAsItStarts(threading.Thread):
    def start(self):
        interrupts.handle(signal.SIGINT, None)


class TimerInterruptedAsItStarts(threading.Timer):
    def start(self):
        interrupts.handle(signal.SIGINT, None)


def test_a_signal_while_a_suite_process_readers_start_stops_it(tmp_path, recorded,
                                                                monkeypatch):
    # After Popen has returned, before the Stream that could stop the child exists.
    monkeypatch.setattr(progress.threading, "Thread", ThreadInterruptedAsItStarts)
    partial = tmp_path / "suite.json.partial"
    with pytest.raises(runner.Interrupted):
        runner._run_child(["sleep", "30"], str(partial), [], None)
    assert _killed(recorded)


def test_a_signal_while_a_go_childs_timer_starts_kills_the_child(recorded, monkeypatch):
    monkeypatch.setattr(go_children.threading, "Timer", TimerInterruptedAsItStarts)
    with pytest.raises(interrupts.Interrupted):
        go_children.run(["sleep", "30"], timeout_s=60)
    assert _killed(recorded)


def test_a_signal_while_a_child_fails_to_start_still_ends_the_run(monkeypatch):
    def start_then_fail(cmd, **kwargs):
        interrupts.handle(signal.SIGTERM, None)
        raise OSError("the binary could not be run")
    monkeypatch.setattr(interrupts.subprocess, "Popen", start_then_fail)
    with pytest.raises(interrupts.Interrupted) as raised:
        interrupts.popen(["true"])
    assert raised.value.signum == signal.SIGTERM


def test_outside_a_start_the_signal_ends_the_run_at_once():
    with pytest.raises(interrupts.Interrupted):
        interrupts.handle(signal.SIGINT, None)


def test_run_is_subprocess_run_with_both_streams_as_text():
    done = interrupts.run(["sh", "-c", "echo out; echo err >&2; exit 3"])
    assert (done.returncode, done.stdout, done.stderr) == (3, "out\n", "err\n")


def test_a_child_past_its_time_limit_is_killed_before_the_error_goes_on(monkeypatch):
    started = []
    real_popen = interrupts.popen
    monkeypatch.setattr(interrupts, "popen",
                        lambda *a, **k: started.append(real_popen(*a, **k)) or started[-1])
    with pytest.raises(subprocess.TimeoutExpired):
        interrupts.run(["sleep", "30"], timeout=0.2)
    assert _killed(started)
