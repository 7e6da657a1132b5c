"""runner.run_pairs: every ratio gets all of the series' processes, a steady
one as much as a noisy one; an early stop on a narrow interval let a ratio
go while the machine happened to be steady."""

import json
import sys
from types import SimpleNamespace

from deferbench.analysis import paired
from deferbench.run import runner

# A stand-in for a suite binary's --pairs mode: for each pair asked for, the
# pairs it was told to time; `steady` at exactly 2x in every chunk of every
# process, `noisy` at a ratio that moves from one process to the next (its
# layout seed). Every start is logged.
FAKE_SUITE = """#!{python}
import json, random, sys
args = dict(a[2:].split("=", 1) for a in sys.argv[1:] if a.startswith("--") and "=" in a)
with open({log!r}, "a") as f:
    f.write(args["pairs"] + "\\n")
rng = random.Random(int(args["layout-seed"]))
pairs = []
for spec in args["pairs"].split(","):
    subject, reference = spec.split(":")
    n = int(args["pairs-count"])
    ratio = 2.0 if subject == "steady" else 1.0 + rng.random()
    pairs.append({{"subject": subject, "reference": reference, "chunk_ns": 1e6,
                   "subject_iterations": 1000, "reference_iterations": 1000,
                   "subject_ns_per_op": [ratio] * n, "reference_ns_per_op": [1.0] * n,
                   "disturbed": [""] * n}})
with open(args["pairs-out"], "w") as f:
    json.dump({{"context": {{"layout": args["layout-seed"]}}, "pairs": pairs}}, f)
"""


def test_every_ratio_gets_every_process_however_narrow_its_interval(tmp_path):
    log = tmp_path / "starts"
    binary = tmp_path / "suite"
    binary.write_text(FAKE_SUITE.format(python=sys.executable, log=str(log)))
    binary.chmod(0o755)
    series = paired.Series(pairs_per_process=3, processes=8)
    settings = SimpleNamespace(pairs=series)
    pairs = [paired.Pair("steady", "call"), paired.Pair("noisy", "call")]
    suite = SimpleNamespace(name="fake", quick=None, pairs_for=lambda context: pairs)
    suite_json = tmp_path / "fake.json"
    suite_json.write_text(json.dumps({"context": {}, "benchmarks": []}))

    figures = runner.run_pairs(str(binary), suite, settings, str(suite_json), str(tmp_path), [])

    assert figures["processes"] == 8
    assert log.read_text().splitlines() == ["steady:call,noisy:call"] * 8
    data = json.loads(suite_json.read_text())
    entries = {e["run_name"]: e for e in data["benchmarks"]}
    steady = entries["steady"]
    assert steady["ratio_ci_low"] == steady["ratio_ci_high"] == 2.0   # narrow from the start
    for e in entries.values():
        assert (e["processes"], e["pairs"]) == (8, 24)
    assert data["context"]["paired_series"] == {"pairs_per_process": 3, "processes": 8,
                                                "quick": False}
    assert (tmp_path / "fake.pairs.json").exists()
    assert not (tmp_path / "fake.pairs.json.partial").exists()
