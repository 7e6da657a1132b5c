"""Where a results folder's site goes when no --site names it: build/site for
the project's own results/, and <results folder>-site for any other, so that
a run into another folder never replaces the index of results/ (whose
reports link it). Without matplotlib: commands import it for their defaults."""

import os


def default_site(results_dir, build_dir="build"):
    if os.path.abspath(results_dir) == os.path.abspath("results"):
        return os.path.join(build_dir, "site")
    return os.path.abspath(results_dir).rstrip(os.sep) + "-site"
