"""SIGINT and SIGTERM that Python would drop, sent again.

The handlers of SIGINT and SIGTERM (the process's first one, in __main__, and
the bench and regress commands' own) raise an exception that carries `signum`,
wherever Python happens to be. Inside a weakref callback (importlib's module
locks have one, and a run imports modules as it goes) or a __del__, an
exception cannot propagate: Python prints "Exception ignored" and carries on,
and the signal is lost (a SIGTERM there once left that traceback in a run's
output instead of ending the run).

As sys.unraisablehook, send_again has a helper thread send the same signal to
the main thread once this one lets go of the interpreter, so that it is raised
at a place that can raise it, or ends a blocking wait as the first one would
have. Anything else unraisable goes to the hook there was before.
"""

import _thread
import signal
import sys


def send_again(unraisable, previous=sys.unraisablehook):
    signum = getattr(unraisable.exc_value, "signum", None)
    if signum is None:
        previous(unraisable)
        return
    # Signals are handled in the main thread only, so this is the main thread.
    main = _thread.get_ident()
    while True:
        try:
            _thread.start_new_thread(signal.pthread_kill, (main, signum))
            return
        except BaseException as e:
            # The helper was quick, and its signal was raised here, where it
            # would be lost again: send it once more.
            signum = getattr(e, "signum", None)
            if signum is None:  # no thread can start (the interpreter is ending)
                return
