"""A signal whose handler runs inside a weakref callback (importlib's module
locks have one, and imports happen mid-run) or a __del__, where Python cannot
raise and prints "Exception ignored" instead: the signal still ends the
process, at the next place that can raise, with no traceback. Each script runs
in its own interpreter, with __main__'s handlers and unraisable hook."""

import os
import subprocess
import sys
import textwrap

from conftest import ROOT

# The callback raises SIGTERM and the handler runs inside it (raise_signal
# checks for signals before it returns), as a signal landing there would. The
# sleep is the run's blocking wait on a child: the signal sent again ends it.
LOST_IN_A_CALLBACK = textwrap.dedent("""
    import signal, sys, time, weakref
    from deferbench import __main__
    from deferbench.run import interrupts
    if sys.argv[1] == "run":
        signal.signal(signal.SIGTERM, interrupts.handle)

    class Thing:
        pass

    thing = Thing()
    ref = weakref.ref(thing, lambda r: signal.raise_signal(signal.SIGTERM))
    try:
        del thing
        time.sleep(60)
        print("went on")
    except interrupts.Interrupted as e:
        print("interrupted", e.signum)
""")

# As if the helper thread had sent its signal before send_again returned: it
# is raised inside the hook, where it would be lost, so the hook sends it again.
QUICK_HELPER = LOST_IN_A_CALLBACK.replace("try:", """\
import _thread
from deferbench import lost_signals

class QuickFirstHelper:
    started = 0
    get_ident = staticmethod(_thread.get_ident)

    def start_new_thread(self, function, args):
        type(self).started += 1
        if self.started == 1:
            function(*args)
        else:
            _thread.start_new_thread(function, args)

lost_signals._thread = QuickFirstHelper()
try:""", 1).replace('print("interrupted", e.signum)',
                    'print("interrupted", e.signum, "helpers", QuickFirstHelper.started)')

OTHER_UNRAISABLE = textwrap.dedent("""
    from deferbench import __main__

    class Thing:
        def __del__(self):
            raise ValueError("from __del__")

    Thing()
    print("went on")
""")


def _python(script, *args):
    return subprocess.run([sys.executable, "-c", script, *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=120,
                          env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "scripts")))


def test_during_a_run_the_signal_is_raised_after_the_callback():
    proc = _python(LOST_IN_A_CALLBACK, "run")
    assert (proc.stdout, proc.stderr) == ("interrupted 15\n", "")


def test_before_a_command_the_process_ends_with_one_line():
    proc = _python(LOST_IN_A_CALLBACK, "early")
    assert proc.returncode == 128 + 15
    assert (proc.stdout, proc.stderr) == \
        ("", "deferbench: interrupted by SIGTERM; nothing was created\n")


def test_a_signal_raised_inside_the_hook_is_sent_once_more():
    proc = _python(QUICK_HELPER, "run")
    assert (proc.stdout, proc.stderr) == ("interrupted 15 helpers 2\n", "")


def test_other_unraisable_exceptions_are_reported_as_before():
    proc = _python(OTHER_UNRAISABLE)
    assert proc.stdout == "went on\n"
    assert "Exception ignored" in proc.stderr and "ValueError: from __del__" in proc.stderr
