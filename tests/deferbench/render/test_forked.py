import os

import pytest

from deferbench.render import forked


def test_results_come_back_in_the_items_order_from_other_processes():
    held = {"offset": 100}  # a closure over the caller's state: the workers inherit it
    out = forked.map_forked(lambda i: (i + held["offset"], os.getpid()), range(7), jobs=2)
    assert [value for value, _ in out] == list(range(100, 107))
    assert os.getpid() not in {pid for _, pid in out}


def test_one_job_runs_in_this_process():
    assert forked.map_forked(lambda i: os.getpid(), "ab", jobs=1) == [os.getpid()] * 2
    assert forked.map_forked(lambda i: i, []) == []


def test_a_workers_exception_is_raised_in_the_caller():
    def fails_on_three(i):
        if i == 3:
            raise ValueError("three")
        return i
    with pytest.raises(ValueError, match="three"):
        forked.map_forked(fails_on_three, range(5), jobs=2)
    assert forked._WORK is None


# A caller of map_forked whose first item sends SIGTERM to the whole process
# group, as a service manager stopping the run would; every item waits until
# the caller has stopped the map, so what ran does not depend on timing.
INTERRUPTED_CALLER = """
import os, signal, sys
from deferbench.render import forked
from deferbench.run import interrupts
marks = sys.argv[1]

def work(i):
    open(os.path.join(marks, str(i)), "w").close()
    if i == 0:
        os.killpg(os.getpgid(0), signal.SIGTERM)
    forked._WORK[2].wait(60)
    return i

with interrupts.ending_the_process("caller"):
    forked.map_forked(work, range(20), jobs=2)
"""


def test_an_interrupted_caller_stops_the_map_and_alone_says_so(tmp_path):
    import subprocess
    import sys
    from conftest import ROOT
    proc = subprocess.run([sys.executable, "-c", INTERRUPTED_CALLER, str(tmp_path)],
                          env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "scripts")),
                          capture_output=True, text=True, timeout=120, start_new_session=True)
    assert proc.returncode == 128 + 15, proc.stderr
    assert proc.stderr == "caller: interrupted by SIGTERM\n"  # not once more per worker
    # Only the items under way when it came: one per worker at most.
    marks = os.listdir(tmp_path)
    assert "0" in marks and set(marks) <= {"0", "1"}
