"""The README stays short and the documentation stays true: every link between
README.md and docs/ resolves, and every make variable the documentation names
exists (the Makefile reads it, or the code it runs reads it from the environment,
which make fills from its command line)."""

import glob
import os
import re

from conftest import ROOT

README = os.path.join(ROOT, "README.md")
DOCS = sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))
README_LIMIT = 12 * 1024


def _read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def documentation():
    """README.md and docs/*.md, as one text: what tests of the documented figures read."""
    return "\n".join(_read(p) for p in [README] + DOCS)


def test_the_readme_is_read_in_five_minutes_and_docs_hold_the_rest():
    assert os.path.getsize(README) <= README_LIMIT
    names = {os.path.basename(p) for p in DOCS}
    assert {"methods.md", "claims.md", "results.md", "ci.md", "troubleshooting.md"} <= names
    readme = _read(README)
    assert "    make bench\n    make test\n" in readme, "the quick start's two commands"
    for name in names:
        assert f"docs/{name}" in readme, f"the README links docs/{name}"


def _anchor(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to '-'."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_every_link_between_the_readme_and_docs_resolves():
    for path in [README] + DOCS:
        for target in re.findall(r"\]\(([^)\s]+)\)", _read(path)):
            if re.match(r"[a-z]+:", target):
                continue
            file, _, anchor = target.partition("#")
            dest = os.path.normpath(os.path.join(os.path.dirname(path), file)) if file else path
            assert os.path.exists(dest), f"{path}: {target}"
            if anchor:
                headings = re.findall(r"^#+ (.+)$", _read(dest), re.M)
                assert anchor in {_anchor(h) for h in headings}, f"{path}: {target}"


def _documented_make_variables():
    """NAME of every NAME=value in a `make ...` command the documentation shows, and
    of the option column of docs/options.md's table."""
    names = set()
    for path in [README] + DOCS:
        text = _read(path)
        commands = re.findall(r"`(make [^`\n]+)`", text) + \
            [line.strip() for line in text.splitlines()
             if line.startswith("    ") and line.strip().startswith(("make ", "CI=true make"))]
        for command in commands:
            after = command[command.index("make "):]
            names.update(re.findall(r"(?<![\w$.-])([A-Z][A-Z0-9_]*)=", after))
    options = _read(os.path.join(ROOT, "docs", "options.md"))
    for first_cell in re.findall(r"^\| (`[^|]+`) \|", options, re.M):
        names.update(re.findall(r"`([A-Z][A-Z0-9_]*)=", first_cell))
    return names


def _read_by_code(name):
    sources = [p for pattern in ("scripts/**/*.py", "scripts/*", "suites/**/*.cc",
                                 "harness/**/*.h", "harness/**/*.cc", "goref/**/*.go")
               for p in glob.glob(os.path.join(ROOT, pattern), recursive=True)
               if os.path.isfile(p)]
    pattern = re.compile(rf'"{name}"|\${{?{name}\b')
    return any(pattern.search(_read(p)) for p in sources)


def test_every_documented_make_variable_exists():
    makefile = _read(os.path.join(ROOT, "Makefile"))
    names = _documented_make_variables()
    # The ones this project's commands are known for: the scan finds them.
    assert {"QUICK", "SUITES", "RESULTS_DIR", "FROM", "FLEET_DIR", "TOLERANCE", "FD_N"} <= names
    missing = sorted(n for n in names
                     if f"$({n})" not in makefile and not _read_by_code(n))
    assert missing == []


def test_a_variable_nobody_reads_is_caught():
    assert not _read_by_code("NO_SUCH_VARIABLE")
    assert "$(NO_SUCH_VARIABLE)" not in _read(os.path.join(ROOT, "Makefile"))
