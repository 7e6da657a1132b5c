"""The CPUs a paired series takes in turn: which take part, in what order, and
that a child really runs where it is put."""

import os
import subprocess

from deferbench.analysis.paired import BLOCK
from deferbench.run import cpu_turns


def fake_sysfs(root, core_types=None, capacities=None):
    """A /sys/devices with the hybrid PMUs' CPU lists and each CPU's capacity."""
    for name, cpus in (core_types or {}).items():
        (root / name).mkdir(parents=True)
        (root / name / "cpus").write_text(cpus + "\n")
    for cpu, capacity in (capacities or {}).items():
        folder = root / "system" / "cpu" / f"cpu{cpu}"
        folder.mkdir(parents=True)
        (folder / "cpu_capacity").write_text(f"{capacity}\n")
    return str(root)


def test_every_allowed_cpu_takes_part_where_all_are_alike(tmp_path):
    assert cpu_turns.usable({0, 1, 2, 3}, fake_sysfs(tmp_path)) == [0, 1, 2, 3]


def test_a_hybrid_parts_other_core_type_is_left_out(tmp_path):
    sysfs = fake_sysfs(tmp_path, core_types={"cpu_core": "0-3,8-9", "cpu_atom": "4-7"})
    assert cpu_turns.usable(set(range(10)), sysfs) == [0, 1, 2, 3, 8, 9]
    assert cpu_turns.usable(set(range(8)), sysfs) == [4, 5, 6, 7]


def test_cores_of_another_capacity_are_left_out(tmp_path):
    sysfs = fake_sysfs(tmp_path, capacities={0: 446, 1: 446, 2: 1024, 3: 1024})
    assert cpu_turns.usable({0, 1, 2, 3}, sysfs) == [2, 3]


def test_the_units_take_the_cpus_in_turn_a_block_each_starting_with_the_last():
    turns = [cpu_turns.for_unit(k, [0, 1, 2]) for k in range(4 * BLOCK)]
    assert turns == [2] * BLOCK + [1] * BLOCK + [0] * BLOCK + [2] * BLOCK
    assert cpu_turns.for_unit(0, [5]) == cpu_turns.for_unit(7, [5]) == 5


def test_a_cycle_is_one_round_of_the_turns_for_a_program_that_repeats_it():
    assert cpu_turns.cycle([0, 1]) == [1] * BLOCK + [0] * BLOCK
    assert cpu_turns.cycle([4]) == [4] * BLOCK
    cpus = [0, 1, 2]
    assert [cpu_turns.cycle(cpus)[k % (BLOCK * 3)] for k in range(20)] == \
        [cpu_turns.for_unit(k, cpus) for k in range(20)]


def test_a_child_runs_on_the_cpu_it_is_given():
    for cpu in cpu_turns.usable():
        out = subprocess.run(cpu_turns.on(cpu, ["grep", "Cpus_allowed_list", "/proc/self/status"]),
                             capture_output=True, text=True, check=True).stdout
        assert out.split()[-1] == str(cpu)
    assert cpu_turns.suite_cpu() == max(os.sched_getaffinity(0)) == cpu_turns.usable()[-1]
