"""Run folders: results/<machine-id>/<run-id>/, created once, never reused,
and read back.

A run folder holds manifest.json (written first, updated as each suite ends,
so an interrupted run says how far it got) and one <suite>.json per suite
that finished. Every file is written whole (atomic.py).

Read back (load), a run is what it has: an interrupted or still running run
is partial, with the suites that did not finish named. What is there must be
sound: a missing folder or manifest, malformed JSON, or a suite the manifest
calls "ok" whose file is gone is a UserError naming the file and the problem.
"""

import datetime
import errno
import glob
import json
import os
from dataclasses import dataclass, field

from . import machine_identity
from .. import atomic
from ..analysis import results
from ..errors import UserError

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

    def try_finish(self, status):
        """finish(), for a run already ending on another error: None when the
        manifest was written, else the line that says why it could not be.

        On a disk too full for the whole-file write's temporary copy, the
        manifest is rewritten in place, in the blocks it already has: a
        manifest that says "running" of a run that ended would be a lie, and a
        crash in the middle of this last write leaves a file that does not
        parse, which every reader reports as such."""
        try:
            self.finish(status)
        except atomic.WriteError as e:
            try:
                self._overwrite_in_place()
            except OSError:
                return f"its manifest could not say so: {e}"
        return None

    def _overwrite_in_place(self):
        """Only within the space the file already holds: a write that needs a
        new block on a full disk would stop half-way."""
        data = (json.dumps(self.data, indent=2) + "\n").encode()
        fd = os.open(self.path, os.O_WRONLY)
        try:
            if len(data) > os.fstat(fd).st_blocks * 512:
                raise OSError(28, "no room for the manifest even in place")
            done = 0
            while done < len(data):
                done += os.write(fd, data[done:])
            os.ftruncate(fd, len(data))
            os.fsync(fd)
        finally:
            os.close(fd)


@dataclass
class RunFolder:
    path: str
    manifest: dict
    suites: dict                                  # name -> results.SuiteResult
    raw: dict = field(default_factory=dict)      # name -> every entry, failed ones too
    not_run: dict = field(default_factory=dict)  # name -> why it has no results

    @property
    def status(self):
        return self.manifest.get("status", "unknown")

    @property
    def partial(self):
        return self.status != "complete"

    @property
    def quick(self):
        return bool((self.manifest.get("options") or {}).get("quick"))

    @property
    def commit(self):
        """The commit measured, short; '' when the manifest does not say."""
        return ((self.manifest.get("git") or {}).get("commit") or "")[:8]

    @property
    def order(self):
        """Where the run stands among its machine's: by start, then id."""
        return (self.manifest.get("started") or "", self.run_id)

    @property
    def comparisons(self):
        """The comparisons `make compare` wrote into the folder (compare-*.md)."""
        return comparisons(self.path)

    @property
    def run_id(self):
        return self.manifest.get("run_id") or os.path.basename(os.path.normpath(self.path))

    @property
    def machine_id(self):
        return machine_identity.run_machine_id(self.manifest, self.path)

    @property
    def machine_label(self):
        return machine_identity.label(machine_identity.of_manifest(self.manifest, self.path),
                                      self.cpuinfo_cache)

    @property
    def cpuinfo_cache(self):
        """/proc/cpuinfo's cache size, where the run recorded it."""
        return (self.manifest.get("machine") or {}).get("cpuinfo_cache_size")

    @property
    def machine_details(self):
        return machine_identity.details(machine_identity.of_manifest(self.manifest, self.path),
                                        self.cpuinfo_cache)

    def suite(self, name):
        return self.suites.get(name)

    def instructions(self, name):
        """{case: instructions per op} the run counted for a suite under
        callgrind (results.SuiteResult reads them); {} when it did not."""
        s = self.suites.get(name)
        return s.instructions if s else {}

    def entries(self, suite):
        """Every iteration entry of a suite, the failed ones included."""
        return [e for e in self.raw.get(suite, []) if e.get("run_type", "iteration") == "iteration"]


def comparisons(path):
    return sorted(os.path.basename(p) for p in glob.glob(os.path.join(path, "compare-*.md")))


def order_of(path):
    """RunFolder.order of a run folder from its manifest alone (no suite file
    read); None when it has no readable manifest."""
    try:
        with open(os.path.join(path, MANIFEST)) as f:
            manifest = json.load(f)
    except (OSError, ValueError):
        return None
    return (manifest.get("started") or "",
            manifest.get("run_id") or os.path.basename(os.path.normpath(path)))


def locate(text, results_dir):
    """The run folder `text` names: a path, or a run id looked up under
    results_dir/<machine>/; a path that is neither is returned as it is, for
    load() to say what is wrong with it."""
    if os.path.isdir(text) or os.sep in text:
        return text
    found = sorted(os.path.join(results_dir, m, text) for m in
                   (os.listdir(results_dir) if os.path.isdir(results_dir) else [])
                   if os.path.isfile(os.path.join(results_dir, m, text, MANIFEST)))
    if len(found) > 1:
        raise UserError(f"run id {text} names {len(found)} runs under {results_dir} "
                        f"({', '.join(found)}); give the folder")
    return found[0] if found else text


def read_json(path):
    """The parsed JSON of a file; a UserError naming the file otherwise."""
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError as e:
        raise UserError(f"{path}: missing") from e
    except json.JSONDecodeError as e:
        raise UserError(f"{path}: malformed JSON at line {e.lineno}: {e.msg}") from e
    except OSError as e:
        raise UserError(f"{path}: cannot be read: {e.strerror}") from e


def load(path):
    """The run folder at path; a UserError naming the file otherwise."""
    if not os.path.isdir(path):
        raise UserError(f"{path}: no such run folder (expected results/<machine>/<run-id>/)")
    manifest_path = os.path.join(path, MANIFEST)
    if not os.path.exists(manifest_path):
        raise UserError(f"{manifest_path}: missing; {path} is not a deferbench run folder")
    manifest = read_json(manifest_path)
    if not isinstance(manifest, dict) or not isinstance(manifest.get("suites"), dict):
        raise UserError(f"{manifest_path}: not a deferbench manifest (no 'suites' object)")
    planned = (manifest.get("options") or {}).get("suites") or list(manifest["suites"])
    run = RunFolder(path, manifest, {})
    for name in dict.fromkeys([*planned, *manifest["suites"]]):
        outcome = manifest["suites"].get(name)
        if not isinstance(outcome, dict):
            run.not_run[name] = ("did not run: the run ended first" if run.partial
                                 else "not recorded in the manifest")
            continue
        if outcome.get("status") != "ok":
            run.not_run[name] = f"{outcome.get('status', 'unknown')}: {outcome.get('reason', '')}"
            continue
        file = outcome.get("file")
        if not file:
            raise UserError(f"{manifest_path}: suite {name!r} is 'ok' but names no file")
        suite_path = os.path.join(path, file)
        run.suites[name] = results.load(suite_path)
        run.raw[name] = [results.current_entry(name, e)
                         for e in read_json(suite_path)["benchmarks"]]
    return run


def load_complete(path):
    """The run folder at path, which must be complete (for comparisons)."""
    run = load(path)
    if run.status != "complete":
        raise UserError(f"{os.path.join(path, MANIFEST)}: run is {run.status!r}, not "
                        "'complete'; compare complete runs only")
    return run
