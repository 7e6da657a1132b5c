"""scripts/distro-check's arguments: a release it does not know is refused in one
line, before anything is built, mounted or written. (The check itself builds a
Debian root and runs for many minutes: `make distro-check`, never `make test`.)"""

import os
import subprocess

import pytest

from conftest import ROOT

SCRIPT = os.path.join(ROOT, "scripts", "distro-check")


def _run(tmp_path, *args):
    cache = tmp_path / "cache"
    env = dict(os.environ, DEFERBENCH_DISTRO_CACHE=str(cache))
    proc = subprocess.run([SCRIPT, *args], capture_output=True, text=True, env=env, timeout=60)
    return proc, cache


@pytest.mark.parametrize("args, line", [
    (["sid"], "deferbench: DISTRO=sid: not a release distro-check knows; give one of: "
              "bookworm, trixie"),
    (["trixie; rm -rf /"], "deferbench: DISTRO=trixie; rm -rf /: not a release distro-check "
                           "knows; give one of: bookworm, trixie"),
    ([], "deferbench: make distro-check needs DISTRO=<release>; give one of: bookworm, trixie"),
])
def test_an_unknown_release_is_refused_in_one_line_and_nothing_is_made(tmp_path, args, line):
    proc, cache = _run(tmp_path, *args)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [line]
    assert proc.stdout == ""
    assert not cache.exists()
