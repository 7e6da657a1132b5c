"""Run folders: results/<machine-id>/<run-id>/, created once, never reused.

A run folder holds manifest.json (written first, updated as each suite ends,
so an interrupted run says how far it got) and one <suite>.json per suite
that finished. Every file is written whole (atomic.py).
"""

import datetime
import errno
import os

from . import atomic
from .errors import UserError

MANIFEST = "manifest.json"
SCHEMA = 1


def check_writable(results_dir):
    """Fails, before anything runs, when results_dir cannot take a run."""
    try:
        os.makedirs(results_dir, exist_ok=True)
    except OSError as e:
        raise UserError(f"results folder {results_dir!r} cannot be created: "
                        f"{e.strerror}; set RESULTS_DIR= to a writable folder") from e
    if not os.path.isdir(results_dir) or not os.access(results_dir, os.W_OK | os.X_OK):
        raise UserError(f"results folder {results_dir!r} is not writable; "
                        "set RESULTS_DIR= to a writable folder")


def new_run_id(now=None):
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return now.strftime("%Y%m%dT%H%M%SZ")


def create(results_dir, machine_id, run_id=None):
    """Creates a new, empty run folder and returns its path.

    mkdir is atomic and fails when the folder exists, so two runs started in
    the same second get distinct folders and no run replaces another.
    """
    base = run_id or new_run_id()
    machine_dir = os.path.join(results_dir, machine_id)
    os.makedirs(machine_dir, exist_ok=True)
    for attempt in range(1000):
        name = base if attempt == 0 else f"{base}-{attempt + 1}"
        path = os.path.join(machine_dir, name)
        try:
            os.mkdir(path)
            return path
        except FileExistsError:
            continue
        except OSError as e:
            if e.errno in (errno.EACCES, errno.EROFS, errno.EPERM):
                raise UserError(f"cannot create run folder {path!r}: {e.strerror}") from e
            raise
    raise UserError(f"too many runs named {base} under {machine_dir!r}")


class Manifest:
    """manifest.json of one run, saved whole after every change."""

    def __init__(self, run_dir, data):
        self.path = os.path.join(run_dir, MANIFEST)
        self.data = data
        self.data.setdefault("schema", SCHEMA)
        self.data.setdefault("suites", {})
        self.save()

    def save(self):
        atomic.write_json(self.path, self.data)

    def suite_ended(self, name, **fields):
        self.data["suites"][name] = fields
        self.save()

    def finish(self, status):
        self.data["status"] = status
        self.data["finished"] = datetime.datetime.now(datetime.timezone.utc).isoformat()
        self.save()
