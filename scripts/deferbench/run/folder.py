"""A run folder read back for a report: the manifest and every suite file
that is there, complete or not.

Unlike comparison.load_run (complete runs only), a report takes what a run
has: an interrupted or still running run is reported as partial, with the
suites that did not finish named. What is there must be sound: a missing
folder or manifest, malformed JSON, or a suite the manifest calls "ok" whose
file is gone is a UserError naming the file and the problem.
"""

import json
import os
from dataclasses import dataclass, field

from . import machine_identity, results, runs
from .errors import UserError


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
    def run_id(self):
        return self.manifest.get("run_id") or os.path.basename(os.path.normpath(self.path))

    @property
    def machine_id(self):
        return machine_identity.run_machine_id(self.manifest, self.path)

    @property
    def machine_label(self):
        return machine_identity.label(machine_identity.of_manifest(self.manifest, self.path))

    def suite(self, name):
        return self.suites.get(name)

    def entries(self, suite):
        """Every iteration entry of a suite, the failed ones included."""
        return [e for e in self.raw.get(suite, []) if e.get("run_type", "iteration") == "iteration"]


def read_json(path):
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
    manifest_path = os.path.join(path, runs.MANIFEST)
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
        run.raw[name] = read_json(suite_path)["benchmarks"]
    return run
