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
