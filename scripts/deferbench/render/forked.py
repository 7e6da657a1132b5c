"""A function mapped over items in forked worker processes, one per CPU.

Rendering a matplotlib figure (layout, then PNG or SVG) is CPU-bound Python
that one interpreter runs on one core, and a report's charts do not depend
on each other. The workers are forked, so each starts with whatever
the caller holds (the run, figures already built, matplotlib loaded) and only
an item's index and its result cross between processes: the function may be
a closure, the result must pickle. An exception in a worker is raised here.

Interrupts belong to the caller: the workers ignore SIGINT and SIGTERM (a
forked copy of the caller's handlers would run the caller's clean-up, and
say so, once per worker). When the caller is interrupted, or a worker's call
fails, the items not yet begun are dropped and the calls under way finish,
their own clean-up included, before map_forked returns.
"""

import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor

from ..run import interrupts

_SIGNALS = {signal.SIGINT, signal.SIGTERM}

# (function, items, stopped) while a map runs: what a forked worker inherits.
_WORK = None


def _start_worker():
    # Forked with both signals blocked, so that none arrives before this.
    for s in _SIGNALS:
        signal.signal(s, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)


def _call(index):
    function, items, stopped = _WORK
    return None if stopped.is_set() else function(items[index])


def map_forked(function, items, jobs=None):
    """[function(item) for item in items], computed in `jobs` forked workers
    (default: one per CPU this process may use), in this process when one
    would do."""
    items = list(items)
    jobs = min(len(items), jobs or len(os.sched_getaffinity(0)))
    if jobs <= 1:
        return [function(item) for item in items]
    global _WORK
    context = multiprocessing.get_context("fork")
    _WORK = (function, items, context.Event())
    pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker)
    try:
        with interrupts.blocked():  # the workers are forked while map submits the items
            results = pool.map(_call, range(len(items)))
        return list(results)
    except BaseException:
        _WORK[2].set()  # a worker that takes another item skips it
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _WORK = None
