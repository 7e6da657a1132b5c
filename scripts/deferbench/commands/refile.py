"""File run folders under the machine their manifests give, and import runs from elsewhere.

    python -m deferbench refile [--results-dir results] [--from FOLDER]

Every run folder under --results-dir (results/<machine-id>/<run-id>/) is moved to
results/<id>/<run-id>/, where <id> is the machine id its own manifest gives
(run/machine_identity.py): runs filed by an older rule, or by hand, join the history
of the machine they were made on. With --from, every run folder found under
FOLDER (any depth) is copied in the same way. A run's files are never rewritten:
a folder is moved (rename) or copied whole under a temporary name, then renamed.
Running it again changes nothing. A run whose place is taken by a different run
is refused, naming both.
"""

import os

from ..errors import UserError
from ..run import refile


def add_arguments(p):
    p.add_argument("--results-dir", default="results", help="where run folders are")
    p.add_argument("--from", dest="source", default=None, metavar="FOLDER",
                   help="also import the run folders found under FOLDER")


def run(args):
    if args.source is not None and not os.path.isdir(args.source):
        raise UserError(f"--from {args.source}: no such folder")
    if not os.path.isdir(args.results_dir):
        raise UserError(f"{args.results_dir}: no such results folder")
    work = [(p, False) for p in refile.run_folders(args.results_dir)]
    if args.source is not None:
        work += [(p, True) for p in refile.run_folders(args.source)]
    counts = {}
    for path, copy in work:
        outcome, dest = refile.file_one(args.results_dir, path, copy)
        counts[outcome] = counts.get(outcome, 0) + 1
        if outcome != "in place":
            print(f"refile: {outcome}: {path} -> {dest}")
    summary = ", ".join(f"{n} {what}" for what, n in sorted(counts.items())) or "no run folders"
    print(f"refile: {summary}")
    return 0
