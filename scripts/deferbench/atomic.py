"""Whole-file writes: a reader sees the old file or the new one, never half."""

import json
import os
import tempfile


def umask():
    """The process's umask (reading it means setting it: set back at once)."""
    current = os.umask(0)
    os.umask(current)
    return current


def write_text(path, text):
    """Writes text to path through a temporary file in the same folder."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
    try:
        # mkstemp makes the file private (0600); a result file is as readable
        # as any other file the user writes.
        os.chmod(tmp, 0o666 & ~umask())
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_json(path, data):
    write_text(path, json.dumps(data, indent=2, sort_keys=False) + "\n")
