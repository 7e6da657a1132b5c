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
