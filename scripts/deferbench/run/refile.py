"""Filing run folders under the machine their manifests give, and importing
runs from elsewhere (the refile command).

Every run folder under a results folder (results/<machine-id>/<run-id>/) is moved to
results/<id>/<run-id>/, where <id> is the machine id its own manifest gives
(run/machine_identity.py): runs filed by an older rule, or by hand, join the history
of the machine they were made on. When importing, every run folder found under
the other folder (any depth) is copied in the same way. A run's files are never rewritten:
a folder is moved (rename) or copied whole under a temporary name, then renamed.
Running it again changes nothing. A run whose place is taken by a different run
is refused, naming both.
"""

import filecmp
import os
import shutil

from .. import atomic
from . import folder, machine_identity
from ..errors import UserError


def run_folders(root):
    """Every folder under root that holds a manifest, sorted; none below a run folder."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        if folder.MANIFEST in filenames:
            found.append(dirpath)
            dirnames[:] = []
        else:
            dirnames.sort()
    return sorted(found)


def _same_tree(a, b):
    cmp = filecmp.dircmp(a, b)
    if cmp.left_only or cmp.right_only or cmp.diff_files or cmp.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(a, b, cmp.common_files, shallow=False)
    return not mismatch and not errors and all(
        _same_tree(os.path.join(a, d), os.path.join(b, d)) for d in cmp.common_dirs)


def destination(results_dir, path):
    manifest = folder.read_json(os.path.join(path, folder.MANIFEST))
    run_id = manifest.get("run_id") or os.path.basename(os.path.normpath(path))
    machine = machine_identity.run_machine_id(manifest, path)
    return os.path.join(results_dir, machine, run_id)


def file_one(results_dir, path, copy):
    """('in place' | 'moved' | 'copied' | 'already there', destination); a clash is a
    UserError. A copy left under results by hand that duplicates a filed run stays where
    it is: deleting is not this command's business."""
    dest = destination(results_dir, path)
    if os.path.abspath(dest) == os.path.abspath(path):
        return "in place", dest
    if os.path.exists(dest):
        if _same_tree(path, dest):
            return "already there", dest
        raise UserError(f"{dest} holds another run than {path}; move one of them by hand")
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    if copy:
        tmp = os.path.join(os.path.dirname(dest), f".importing-{os.path.basename(dest)}")
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            # Contents only: a run copied from a read-only place is a run
            # like any other here, with the user's own permissions.
            shutil.copytree(path, tmp, copy_function=shutil.copyfile)
            for dirpath, _, _ in os.walk(tmp):
                os.chmod(dirpath, 0o777 & ~atomic.umask())
            os.rename(tmp, dest)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return "copied", dest
    os.rename(path, dest)
    old_machine = os.path.dirname(path)
    if not os.listdir(old_machine):
        os.rmdir(old_machine)
    return "moved", dest
