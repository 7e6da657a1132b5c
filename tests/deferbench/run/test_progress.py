"""The console's wrapping (run/progress.py)."""

from deferbench.run import progress


def test_a_wrapped_warning_keeps_its_mark_on_every_line():
    """How many lines a noisy machine's warnings take is counted apart from
    what every run prints: a warning's continuation must say it is one."""
    warning = "! " + " ".join(["the processes disagree"] * 20)
    lines = progress.fit([warning])
    assert len(lines) > 1
    assert all(line.startswith("!") for line in lines)
    assert " ".join(x.lstrip("! ") for x in lines) == warning[2:]


def test_wrapped_prose_is_indented_under_its_first_word_without_a_mark():
    prose = "  fd: " + " ".join(["files and their deferred closes"] * 10)
    lines = progress.fit([prose])
    assert len(lines) > 1 and all(len(x) <= progress.WRAP for x in lines)
    assert all(x.startswith("    ") and not x.lstrip().startswith("!") for x in lines[1:])


def test_finished_cases_share_lines_and_each_is_named_once(monkeypatch):
    said = []
    monkeypatch.setattr(progress, "say", said.append)
    cases = [f"ndefers/{n}" for n in range(1, 13)]
    lines = progress.CaseLines("cliffs", cases, repetitions=2)
    for rep in range(2):
        for c in cases:
            lines(f"{c}   {10.0 + rep:.1f} ns   9.0 ns   1000")
    assert 1 < len(said) < len(cases)
    assert all(len(x) <= 160 for x in said)
    named = [entry.split()[0] for x in said
             for entry in x.split("  ", 2)[2].rsplit("   ", 1)[0].split(", ")]
    assert named == cases
    assert "ndefers/1 10.50 ns" in said[0]
    assert said[-1].split("   ")[-1].startswith("12/12") and "left" not in said[-1]
    assert all("left" in x for x in said[:-1])
