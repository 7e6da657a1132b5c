"""Another commit of this repository, built here for the regression gate.

`make regress BASE=<rev>` (and, under CI, the previous commit where this
toolchain has no committed baseline) counts every case in <rev>'s code as well
as in the working tree's, with the same compiler, build type and flags on the
same machine: the difference is then the code's alone.

<rev> is checked out with `git worktree add` into <root>/<commit>/src and
removed again when the gate is done with it, also when the gate is interrupted
(SIGINT, SIGTERM: the build's processes are ended first). The build folder
beside it, <root>/<commit>/build, is kept, so that a second gate against the
same commit builds nothing: git writes the checked-out files with the time of
the checkout, which would make every object look out of date, so each file is
given the commit's time instead, and the objects built from it before stay
newer than it. The Go side's test binaries go to <root>/<commit>/go; Go's
build cache is the working tree's (Go keys it by content).
"""

import contextlib
import os
import shutil
import subprocess

from .. import SOURCE_DIR
from ..errors import UserError
from . import interrupts

# What the base is configured with, read from the working tree's build: the
# same compiler, build type and flags, so that both count one toolchain's code.
CMAKE_SETTINGS = ("CMAKE_BUILD_TYPE", "CMAKE_CXX_COMPILER", "CMAKE_CXX_FLAGS")


def _git(*args, cwd=SOURCE_DIR):
    return subprocess.run(["git", "-C", cwd, *args], capture_output=True, text=True)


def resolve(rev):
    """(commit id, its subject) of `rev`; UserError naming what is accepted."""
    proc = _git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    if proc.returncode != 0 or not proc.stdout.strip():
        raise UserError(f"BASE={rev}: not a commit of this repository; give a commit id, "
                        "branch or tag, e.g. BASE=HEAD~1 or BASE=main")
    commit = proc.stdout.strip()
    return commit, _git("log", "-1", "--format=%s", commit).stdout.strip()


def previous_commit():
    """HEAD~1's id, or None when HEAD has no parent (or there is no history)."""
    proc = _git("rev-parse", "--verify", "--quiet", "HEAD~1^{commit}")
    return proc.stdout.strip() if proc.returncode == 0 and proc.stdout.strip() else None


def cmake_settings(build_dir):
    """{name: value} of CMAKE_SETTINGS in build_dir's CMakeCache.txt (those set)."""
    found = {}
    try:
        with open(os.path.join(build_dir, "CMakeCache.txt")) as f:
            for line in f:
                name, _, value = line.rstrip("\n").partition("=")
                name = name.split(":", 1)[0]
                if name in CMAKE_SETTINGS and value:
                    found[name] = value
    except FileNotFoundError:
        raise UserError(f"{build_dir} has no CMakeCache.txt; build first (make build)") from None
    return found


def _remove_worktree(path):
    _git("worktree", "remove", "--force", path)
    if os.path.exists(path):  # not a registered worktree (a run killed with -9)
        shutil.rmtree(path, ignore_errors=True)
    _git("worktree", "prune")


def _set_commit_time(src, commit):
    when = int(_git("log", "-1", "--format=%ct", commit).stdout.strip())
    for folder, dirs, files in os.walk(src):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in files:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                os.utime(path, (when, when))


def _run_group(cmd, what):
    """Runs cmd in a process group of its own, ending the whole group (make and
    its compilers) when the gate is interrupted; RuntimeError with its last lines."""
    proc = interrupts.popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        out, _ = proc.communicate()
    except BaseException:
        interrupts.discard(proc)
        raise
    if proc.returncode != 0:
        tail = " | ".join(out.strip().splitlines()[-3:])
        raise RuntimeError(f"{what} failed: {tail}")


@contextlib.contextmanager
def checkout(commit, root):
    """Yields <root>/<commit>/src, `commit` checked out there as a detached
    worktree; removes the worktree afterwards, however the block ends."""
    src = os.path.join(os.path.abspath(root), commit, "src")
    os.makedirs(os.path.dirname(src), exist_ok=True)
    with interrupts.ending_the_process("regress", "; the base's worktree was removed"):
        if os.path.exists(src):  # left by a run that could not clean up
            _remove_worktree(src)
        try:
            proc = _git("worktree", "add", "--detach", "--quiet", src, commit)
            if proc.returncode != 0:
                raise RuntimeError(f"git worktree add {src} {commit[:12]} failed: "
                                f"{proc.stderr.strip().splitlines()[-1:]}")
            _set_commit_time(src, commit)
            yield src
        finally:
            _remove_worktree(src)


def build(src, build_dir, settings, targets, jobs, what="the base"):
    """Configures (once) and builds `targets` of the checkout `src` in build_dir."""
    if not os.path.exists(os.path.join(build_dir, "CMakeCache.txt")):
        _run_group(["cmake", "-S", src, "-B", build_dir,
                    *(f"-D{k}={v}" for k, v in settings.items())], f"configuring {what}")
    _run_group(["cmake", "--build", build_dir, "-j", str(jobs), "--target", *targets],
               f"building {what}")
    return build_dir
