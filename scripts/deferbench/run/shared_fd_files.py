"""One folder of files for the C++ fd suite and the go suite's file
descriptors, when a run has both.

Each suite would otherwise create its own 20,000 files (as many as
RLIMIT_NOFILE lets it open) and remove them: untimed, but seconds of a run
each, and far more where the filesystem is slow to hand out inodes (an ext4
without a journal spent 5-14 s of system time creating 20,000 files 40-100 s
after as many had been deleted, nearly all of it in the kernel's
recently_deleted check). Both suites name file k "k" and write "k\\n" in it;
FD_FILES tells each to add the files it lacks and leave the folder in place
(the C++ suite's binary documents it; make bench sets it). The folder is made
in FD_DIR (or the system's temporary folder) and removed when the run's
suites have ended, interrupted or not.
"""

import contextlib
import os
import shutil
import tempfile

from . import interrupts

# The suites that open these files; one alone makes and removes its own.
SHARING = {"fd", "go"}


@contextlib.contextmanager
def shared_folder(suite_names, env):
    """Inside the block, FD_FILES names the shared folder in `env` (the C++
    suites' environment) and in os.environ (the go suite runs in this
    process); yields the folder, or None where nothing is shared: a run
    without both suites, or a folder that cannot be made (each suite then
    makes its own, and says why if it cannot either). An FD_FILES the run
    inherited is not passed on: the folder is the run's to make and remove."""
    inherited = folder = None
    try:
        # Signals held while the folder is made: one made is one removed.
        with interrupts.blocked():
            inherited = os.environ.pop("FD_FILES", None)
            env.pop("FD_FILES", None)
            if SHARING <= set(suite_names):
                try:
                    folder = tempfile.mkdtemp(prefix="deferbench-fd-",
                                              dir=env.get("FD_DIR") or tempfile.gettempdir())
                except OSError:
                    folder = None
            if folder:
                env["FD_FILES"] = os.environ["FD_FILES"] = folder
        yield folder
    finally:
        with interrupts.blocked():  # a second Ctrl-C does not cut the clean-up short
            if folder:
                shutil.rmtree(folder, ignore_errors=True)
            env.pop("FD_FILES", None)
            os.environ.pop("FD_FILES", None)
            if inherited is not None:
                os.environ["FD_FILES"] = inherited
