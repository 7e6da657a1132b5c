"""A function mapped over items in forked worker processes, one per CPU.

Rendering a matplotlib figure (layout, then PNG or SVG) is CPU-bound Python
that one interpreter runs on one core; a report's or a site's figures do not
depend on each other. The workers are forked, so each starts with whatever
the caller holds (the run, figures already built, matplotlib loaded) and only
an item's index and its result cross between processes: the function may be
a closure, the result must pickle. An exception in a worker is raised here.
"""

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

# (function, items) while a map runs: what a forked worker inherits.
_WORK = None


def _call(index):
    function, items = _WORK
    return function(items[index])


def map_forked(function, items, jobs=None):
    """[function(item) for item in items], computed in `jobs` forked workers
    (default: one per CPU this process may use), in this process when one
    would do."""
    items = list(items)
    jobs = min(len(items), jobs or len(os.sched_getaffinity(0)))
    if jobs <= 1:
        return [function(item) for item in items]
    global _WORK
    _WORK = (function, items)
    try:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            return list(pool.map(_call, range(len(items))))
    finally:
        _WORK = None
