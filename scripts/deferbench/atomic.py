"""Whole-file writes: a reader sees the old file or the new one, never half.

Every file deferbench writes goes through write(): into a temporary file in
the same folder, fsync, then a rename over the destination. A write that
fails removes the temporary file, leaves the earlier state as it was, and
raises WriteError, whose message is one line naming the file and the cause
(on a full disk: which filesystem, how much it had free and how much the
file needed).
"""

import errno
import json
import os
import shutil
import tempfile
from contextlib import contextmanager

from .errors import UserError


class WriteError(UserError):
    """A file could not be written; nothing of it was left behind."""


def umask():
    """The process's umask (reading it means setting it: set back at once)."""
    current = os.umask(0)
    os.umask(current)
    return current


def mount_point(path):
    """The mount point of the filesystem that holds path."""
    path = os.path.realpath(path)
    while not os.path.ismount(path):
        path = os.path.dirname(path)
    return path


def _size(n):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024


def describe(path, error, needed=None):
    """One line: the file, and why it could not be written."""
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        folder = os.path.dirname(os.path.abspath(path))
        free = shutil.disk_usage(folder).free if os.path.isdir(folder) else 0
        need = f", and it needed {_size(needed)}" if needed else ""
        return (f"cannot write {path}: the filesystem at {mount_point(folder)} is full "
                f"({_size(free)} free{need}); free some space and run again")
    reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    return f"cannot write {path}: {reason}"


@contextmanager
def writing(path):
    """Yields a temporary path beside `path` to write (by any means, matplotlib's
    savefig included); on leaving, fsyncs it and renames it onto `path`. On any
    failure, or an interrupt, the temporary file is removed and `path` is as it
    was; an OSError becomes one WriteError line."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp",
                                   dir=folder)
    except OSError as e:
        raise WriteError(describe(path, e)) from None
    os.close(fd)
    try:
        yield tmp
        # mkstemp makes the file private (0600); a result file is as readable
        # as any other file the user writes.
        os.chmod(tmp, 0o666 & ~umask())
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        _remove(tmp)
        needed = getattr(e, "deferbench_needed", None)
        raise WriteError(describe(path, e, needed)) from None
    except BaseException:
        _remove(tmp)
        raise


def _remove(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def write_bytes(path, data):
    """Writes data to path, whole or not at all."""
    with writing(path) as tmp:
        try:
            with open(tmp, "wb") as f:
                f.write(data)
                f.flush()
        except OSError as e:
            e.deferbench_needed = len(data)
            raise


def write_text(path, text):
    """Writes text to path, whole or not at all."""
    write_bytes(path, text.encode())


def write_json(path, data):
    write_text(path, json.dumps(data, indent=2, sort_keys=False) + "\n")
