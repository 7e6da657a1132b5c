"""Machine ids tell hosts apart, even hosts cloned from one disk image, and
keep one id per host; refile moves runs under the id their manifests give."""

import json
import os
import shutil

import pytest

from conftest import FIXTURES
from deferbench.run import machine_identity
from deferbench.commands import refile as refile_command
from deferbench.run import folder
from deferbench.errors import UserError

MACHINES = os.path.join(FIXTURES, "machines")
HOST_A1, HOST_A2, HOST_B = (os.path.join(MACHINES, f"{n}.fixture")
                            for n in ("host_a_run1", "host_a_run2", "host_b_run1"))


def _id(path):
    return folder.load(path).machine_id


def test_hosts_that_share_a_machine_id_file_get_different_ids():
    # Both fixtures were filed under one id by the rule that hashed /etc/machine-id.
    assert json.load(open(os.path.join(HOST_A1, "manifest.json")))["machine_id"] == \
        json.load(open(os.path.join(HOST_B, "manifest.json")))["machine_id"]
    assert _id(HOST_A1) != _id(HOST_B)


def test_one_hosts_runs_keep_one_id():
    assert _id(HOST_A1) == _id(HOST_A2)
    assert _id(HOST_A1).startswith("intel-xeon-2c-")


def test_labels_name_what_a_reader_recognises():
    assert folder.load(HOST_A1).machine_label == \
        "Intel Xeon Processor @ 2.50GHz, 2 cores, L3 35.75 MiB, VM"
    assert folder.load(HOST_B).machine_label == "Intel Xeon Processor, 2 cores, L3 300 MiB, VM"


def _cpu():
    with open(os.path.join(MACHINES, "cpuinfo_host_c.fixture.txt")) as f:
        return machine_identity.cpuinfo_fields(f.read())


def test_the_identity_comes_from_the_cpu_caches_cores_memory_and_vm():
    caches = ["L1d 48K", "L1i 64K", "L2 2048K", "L3 491520K"]
    fields = machine_identity.identity(_cpu(), caches, 2, 25_276_514_304, "x86_64")
    assert (fields["vendor"], fields["family"], fields["model"], fields["stepping"]) == \
        ("GenuineIntel", "6", "167", "1")
    assert {"avx2", "avx512f", "erms"} <= set(fields["flags"]) <= \
        set(machine_identity.FLAGS_THAT_MATTER)
    assert fields["memory_band_gib"] == 32 and fields["virtual"] is True
    same = machine_identity.identity(_cpu(), caches, 2, 25_324_732_416, "x86_64")
    assert machine_identity.machine_id(same) == machine_identity.machine_id(fields), \
        "a few MiB of memory more is the same machine"
    for other in (machine_identity.identity(_cpu(), caches, 4, 25_276_514_304, "x86_64"),
                  machine_identity.identity(_cpu(), caches[:3] + ["L3 307200K"], 2,
                                            25_276_514_304, "x86_64"),
                  machine_identity.identity(dict(_cpu(), stepping="2"), caches, 2,
                                            25_276_514_304, "x86_64"),
                  machine_identity.identity(dict(_cpu(), flags="fpu sse2 hypervisor"), caches, 2,
                                            25_276_514_304, "x86_64")):
        assert machine_identity.machine_id(other) != machine_identity.machine_id(fields)


def test_a_machine_override_is_the_runs_id():
    manifest = {"machine_id": "ci-runner", "machine_id_source": machine_identity.OVERRIDE,
                "machine": {"cpu_model": "x"}, "suites": {}}
    assert machine_identity.run_machine_id(manifest, "/nonexistent") == "ci-runner"


@pytest.fixture
def misfiled(tmp_path):
    """A results folder where both hosts' runs sit under the old shared id."""
    results = tmp_path / "results"
    for src, run_id in ((HOST_A1, "20261122T144129Z"), (HOST_A2, "20261122T155654Z"),
                        (HOST_B, "20261201T090219Z")):
        shutil.copytree(src, results / "intel-xeon-2c-003596" / run_id)
    return results


def _tree(root):
    out = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            path = os.path.join(dirpath, f)
            with open(path, "rb") as fh:
                out[os.path.relpath(path, root)] = (fh.read(), os.stat(path).st_mtime_ns)
    return out


def test_refile_moves_each_run_under_its_machine_and_twice_is_once(misfiled, deferbench):
    before = _tree(misfiled)
    first = deferbench("refile", "--results-dir", str(misfiled), check_exit=0)
    assert "3 moved" in first.stdout
    machines = sorted(os.listdir(misfiled))
    assert machines == sorted({_id(HOST_A1), _id(HOST_B)})
    assert sorted(os.listdir(misfiled / _id(HOST_A1))) == ["20261122T144129Z", "20261122T155654Z"]
    # Moved, never rewritten: the same bytes and the same modification times.
    after = _tree(misfiled)
    assert sorted(after.values()) == sorted(before.values())
    second = deferbench("refile", "--results-dir", str(misfiled), check_exit=0)
    assert second.stdout.strip() == "refile: 3 in place"
    assert _tree(misfiled) == after


def test_refile_imports_a_run_from_another_folder_once(tmp_path, deferbench):
    results = tmp_path / "results"
    results.mkdir()
    outside = tmp_path / "shared" / "runs" / "second-host"
    shutil.copytree(HOST_B, outside / "20261201T090219Z")
    deferbench("refile", "--results-dir", str(results), "--from", str(tmp_path / "shared"),
               check_exit=0)
    assert os.listdir(results / _id(HOST_B)) == ["20261201T090219Z"]
    again = deferbench("refile", "--results-dir", str(results), "--from",
                       str(tmp_path / "shared"), check_exit=0)
    assert "1 already there" in again.stdout and "1 in place" in again.stdout


def test_refile_refuses_to_put_a_run_where_another_is(misfiled, tmp_path):
    target = misfiled / _id(HOST_B) / "20261201T090219Z"
    shutil.copytree(HOST_A1, target)  # a different run under that name
    args = type("Args", (), {"results_dir": str(misfiled), "source": None})
    with pytest.raises(UserError, match="holds another run"):
        refile_command.run(args)


# Two AMD hosts of different generations whose model names read alike: this
# one's /proc/cpuinfo (a Zen 5 VM whose sysfs shows no cache folders), and
# the Zen 4 host's identity as its committed run recorded it.
ZEN4_RUN = os.path.join(os.path.dirname(os.path.dirname(FIXTURES)), "results",
                        "amd-epyc-2c-f92d3a", "20261204T151029Z")


def _zen5():
    with open(os.path.join(MACHINES, "cpuinfo_amd_zen5_vm.fixture.txt")) as f:
        cpu = machine_identity.cpuinfo_fields(f.read())
    return cpu, machine_identity.identity(cpu, [], 2, 34_000_000_000, "x86_64")


def test_a_host_with_no_readable_caches_is_named_by_generation_family_and_cpuinfo():
    cpu, fields = _zen5()
    assert cpu["cache size"] == "1024 KB"
    assert machine_identity.microarchitecture(fields) == "Zen 5"
    assert machine_identity.label(fields, cpu["cache size"]) == \
        "AMD EPYC (Zen 5, family 26 model 2 stepping 1), 2 cores, cache 1024 KB, VM"
    assert machine_identity.label(fields) == \
        "AMD EPYC (Zen 5, family 26 model 2 stepping 1), 2 cores, VM"


def test_two_amd_generations_that_read_alike_get_different_labels_and_pages():
    _, zen5 = _zen5()
    zen4_run = folder.load(ZEN4_RUN)
    assert zen4_run.machine_label == "AMD EPYC (Zen 4), 2 cores, L3 32 MiB, VM"
    assert machine_identity.label(zen5) != zen4_run.machine_label
    zen4 = dict(zen4_run.machine_details)
    assert zen4["microarchitecture"] == "Zen 4"
    assert zen4["vendor, family, model, stepping"] == "AuthenticAMD, 25, 17, 1"
    assert dict(machine_identity.details(zen5, "1024 KB"))["caches"].startswith("not readable")


def test_labels_leave_the_ids_as_they_were():
    # The label reads more fields; the id hashes the same ones as before.
    manifest = folder.read_json(os.path.join(ZEN4_RUN, "manifest.json"))
    assert machine_identity.run_machine_id(manifest, ZEN4_RUN) == "amd-epyc-2c-f92d3a"


def test_a_model_the_table_does_not_know_gets_no_name():
    # Family 6 model 167 is what a hypervisor showed of an AMX-capable Xeon:
    # no real part has both, so no name is better than a wrong one.
    caches = ["L1d 48K", "L1i 64K", "L2 2048K", "L3 491520K"]
    fields = machine_identity.identity(_cpu(), caches, 2, 25_276_514_304, "x86_64")
    assert machine_identity.microarchitecture(fields) is None
    assert machine_identity.label(fields) == "Intel Xeon Processor, 2 cores, L3 480 MiB, VM"
    for family, model, name in ((25, 1, "Zen 3"), (25, 0x21, "Zen 3"), (25, 0x61, "Zen 4"),
                                (23, 0x31, "Zen 2"), (26, 0x44, "Zen 5")):
        amd = dict(fields, vendor="AuthenticAMD", family=str(family), model=str(model))
        assert machine_identity.microarchitecture(amd) == name
    assert machine_identity.microarchitecture(dict(fields, family=None)) is None
