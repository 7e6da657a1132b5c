"""The gate's counts are a property of the binary alone.

Everything a user's CI can change is changed here, one thing at a time, and
every gated case must count exactly the same instructions per op in all of
them: the suite binaries started from a short and a very long checkout path,
with extra environment of 64 KiB, with address-space randomisation on and off,
with glibc's CPU dispatch masked two other ways (standing in for two CPUs), and
each case run alone instead of within its suite.
"""

import os
import re
import shutil

import pytest

from deferbench.run import callgrind
from deferbench.analysis import gate

pytestmark = pytest.mark.skipif(not callgrind.available(), reason="valgrind not installed")

# Two CPUs that differ where glibc dispatches: one without AVX-512, one
# without anything above SSE4.1 and without fast string instructions.
CPU_WITHOUT_AVX512 = "-AVX512F,-AVX512CD,-AVX512BW,-AVX512DQ,-AVX512VL"
CPU_WITHOUT_AVX = "-AVX,-AVX2,-AVX512F,-SSE4_2,-POPCNT,-ERMS,-FSRM,-Fast_Rep_String"


def copy_suites(build_dir, dest):
    """The gated suite binaries copied under dest/, as a build folder."""
    for suite in gate.gbench_suites():
        target = os.path.join(dest, suite.binary)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(os.path.join(build_dir, suite.binary), target)
    return dest


@pytest.fixture(scope="module")
def checkouts(build_dir, tmp_path_factory):
    """Two 'checkouts' of the same build: paths of about 20 and 300 characters."""
    short = copy_suites(build_dir, str(tmp_path_factory.mktemp("s")))
    deep = os.path.join(str(tmp_path_factory.mktemp("deep")),
                        *[f"level-{i:02d}-of-a-deeply-nested-ci-workspace" for i in range(8)])
    assert len(deep) > len(short) + 250
    return short, copy_suites(build_dir, deep)


@pytest.fixture(scope="module")
def reference(checkouts):
    return gate.measure(checkouts[0]).counts


# A compiler may unroll a measured loop: GCC 14 runs two of defer_cost's ops per
# pass, so a true count can be half an instruction per op (GCC 12: whole). Loops
# are unrolled by a power of two, so the loop's own work is a whole number of
# instructions per this many ops; work done once that leaked into one of the N
# and 2N runs would instead show as some instructions over N.
OPS_PER_UNROLLED_PASS = 4


def test_every_count_is_a_whole_number_of_instructions_per_unrolled_pass(reference):
    """N and 2N iterations on fresh threads leave nothing but the loop's own work."""
    for suite, cases in reference.items():
        for case, value in cases.items():
            per_pass = value * OPS_PER_UNROLLED_PASS
            assert per_pass == int(per_pass), f"{suite}/{case}: {value} instructions/op"


@pytest.mark.parametrize("name, setting, which", [
    ("a checkout path 300 characters long", callgrind.Setting(), 1),
    ("64 KiB more environment", callgrind.Setting(extra_environment={"PAD": "x" * 65536}), 0),
    ("address-space randomisation on", callgrind.Setting(randomise_layout=True), 0),
    ("glibc dispatching for a CPU without AVX-512",
     callgrind.Setting(hwcaps=CPU_WITHOUT_AVX512), 0),
    ("glibc dispatching for a CPU without AVX",
     callgrind.Setting(hwcaps=CPU_WITHOUT_AVX), 1),
])
def test_counts_do_not_move_with(name, setting, which, checkouts, reference):
    assert gate.measure(checkouts[which], setting=setting).counts == reference, name


def test_each_case_alone_counts_what_it_counts_within_its_suite(checkouts, reference):
    build = checkouts[1]
    for suite in gate.gbench_suites():
        for case, value in reference[suite.name].items():
            alone = callgrind.count(os.path.join(build, suite.binary),
                                    suite.callgrind_iterations,
                                    [f"--benchmark_filter=^{re.escape(case)}/iterations:"])
            assert list(alone) == [case]
            assert alone[case]["instructions_per_op"] == value, f"{suite.name}/{case}"


def test_the_callers_environment_does_not_reach_the_counted_process(monkeypatch):
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.tcache_count=0")
    environment = callgrind.DEFAULT_SETTING.environment()
    assert "tcache_count" not in environment["GLIBC_TUNABLES"]
    assert set(environment) == {"PATH", "LC_ALL", "LD_BIND_NOW", "GLIBC_TUNABLES"}
