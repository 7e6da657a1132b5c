import json
import os
import stat

import pytest

from deferbench.run import folder
from deferbench.errors import UserError


def test_a_run_never_reuses_a_folder(tmp_path):
    first = folder.create(str(tmp_path), "m", run_id="20260101T000000Z")
    second = folder.create(str(tmp_path), "m", run_id="20260101T000000Z")
    assert first != second
    assert os.path.isdir(first) and os.path.isdir(second)


def test_an_unwritable_results_folder_is_refused(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
    if os.access(locked, os.W_OK):
        pytest.skip("running with privileges that ignore permissions")
    with pytest.raises(UserError, match="not writable"):
        folder.check_writable(str(locked))


def test_a_file_in_the_way_is_refused(tmp_path):
    blocker = tmp_path / "results"
    blocker.write_text("not a folder")
    with pytest.raises(UserError, match="results folder"):
        folder.check_writable(str(blocker / "inner"))


def test_the_manifest_is_saved_whole_after_each_change(tmp_path):
    m = folder.Manifest(str(tmp_path), {"status": "running"})
    m.suite_ended("defer_cost", status="ok")
    m.finish("complete")
    data = json.loads((tmp_path / "manifest.json").read_text())
    assert data["status"] == "complete"
    assert data["suites"]["defer_cost"]["status"] == "ok"
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"], "no temp files left"


def test_files_are_written_readable_as_the_umask_allows(tmp_path):
    from deferbench import atomic
    old = os.umask(0o022)
    try:
        atomic.write_json(str(tmp_path / "x.json"), {"a": 1})
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "x.json").st_mode) == 0o644
