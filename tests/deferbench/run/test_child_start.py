"""A signal that reaches the run while a suite process is being started: it
is held until the child is in hand, then ends the run with the child stopped
and its partial output gone, never leaving the child behind to write it."""

import signal

import pytest

from deferbench.run import progress, runner


class StreamThatIsInterruptedWhileStarting(progress.Stream):
    """A real child, with the run's signal handler called as the signal would
    call it between the fork and the end of the Stream's construction."""
    started = None

    def __init__(self, cmd, **kwargs):
        super().__init__(cmd, **kwargs)
        type(self).started = self
        runner._interrupt(signal.SIGINT, None)


def test_a_signal_while_the_child_starts_stops_the_child_and_its_output(tmp_path, monkeypatch):
    partial = tmp_path / "suite.json.partial"
    monkeypatch.setattr(progress, "Stream", StreamThatIsInterruptedWhileStarting)
    script = f"echo started > {partial}; exec sleep 30"
    with pytest.raises(runner.Interrupted) as raised:
        runner._run_child(["sh", "-c", script], str(partial), [], None)
    assert raised.value.signum == signal.SIGINT
    child = StreamThatIsInterruptedWhileStarting.started.proc
    assert child.poll() is not None, "the child was stopped and waited for"
    assert not partial.exists()


def test_a_signal_while_a_child_fails_to_start_still_ends_the_run(tmp_path, monkeypatch):
    def start_then_fail(cmd, **kwargs):
        runner._interrupt(signal.SIGTERM, None)
        raise OSError("the binary could not be run")
    monkeypatch.setattr(progress, "Stream", start_then_fail)
    with pytest.raises(runner.Interrupted) as raised:
        runner._run_child(["true"], str(tmp_path / "x.partial"), [], None)
    assert raised.value.signum == signal.SIGTERM


def test_outside_a_start_the_signal_ends_the_run_at_once():
    with pytest.raises(runner.Interrupted):
        runner._interrupt(signal.SIGINT, None)
