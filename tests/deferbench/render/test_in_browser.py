"""A run's report and the site's index as a person sees them: rendered by
headless Chromium (Debian's chromium, which `make test` installs) in a laptop's
1366x768 window, from disk, with no network.

What a reader needs holds: the report's answer block is wholly on the first
screen, every link resolves (files, and anchors within and across pages), no
image is broken, nothing is fetched from the network. A screenshot of each
page's first screen is kept under the test output folder (its path printed).
"""

import html.parser
import json
import os
import shutil
import subprocess
from urllib.parse import unquote, urlsplit

import pytest

from conftest import FIXTURES
from deferbench import inputs
from deferbench.render import report, site

WIDTH, HEIGHT = 1366, 768
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
RESULTS = os.path.join(FIXTURES, "report_runs")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not inputs.switch("DEFERBENCH_REQUIRE_CHROMIUM",
                                            os.environ.get("DEFERBENCH_REQUIRE_CHROMIUM")),
    reason="chromium is not installed (make test installs it and requires it)")

# Appended to a copy of the page beside it (same folder, so the same links):
# measures what the window shows once everything has loaded, into the DOM,
# where --dump-dom prints it.
PROBE = """<script>
window.addEventListener("load", () => {
  const box = (id) => { const e = document.getElementById(id);
                        return e ? e.getBoundingClientRect().toJSON() : null; };
  const images = [...document.images].map(i => i.complete && i.naturalWidth > 0);
  const out = {width: innerWidth, height: innerHeight, answer: box("answer"),
               contents: box("contents"), images: images.length,
               broken: images.filter(ok => !ok).length,
               svgs: document.querySelectorAll("svg").length};
  const pre = document.createElement("pre");
  pre.id = "deferbench-probe";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"""


def chromium(*args):
    assert CHROMIUM, "chromium is not installed (scripts/setup.sh --tests installs it)"
    # --no-sandbox: the tests run as root in CI; nothing here is untrusted.
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--hide-scrollbars", f"--window-size={WIDTH},{HEIGHT}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def probe(page):
    copy = os.path.join(os.path.dirname(page), "probe-" + os.path.basename(page))
    with open(page) as f:
        text = f.read()
    with open(copy, "w") as f:
        f.write(text.replace("</body>", PROBE + "</body>"))
    try:
        proc = chromium("--virtual-time-budget=10000", "--dump-dom", f"file://{copy}")
    finally:
        os.unlink(copy)
    start = proc.stdout.find('<pre id="deferbench-probe">')
    assert start >= 0, f"the probe did not run: {proc.stderr[-500:]}"
    body = proc.stdout[start:].split(">", 1)[1].split("</pre>", 1)[0]
    return json.loads(html.unescape(body))


def screenshot(page, name):
    out = os.path.join(os.environ.get("DEFERBENCH_TEST_OUTPUT") or
                       os.path.join(os.environ.get("DEFERBENCH_BUILD_DIR", "build"),
                                    "test-output"), name)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    proc = chromium(f"--screenshot={out}", f"file://{page}")
    assert os.path.getsize(out) > 10_000, proc.stderr[-500:]
    print(f"first screen of {page}: {out}")
    return out


class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        for key in ("href", "src"):
            if attrs.get(key):
                self.refs.append((tag, attrs[key]))


def parsed(path):
    p = Links()
    with open(path) as f:
        p.feed(f.read())
    return p


def unresolved(page):
    """The links and sources of a page that lead nowhere, or off the machine."""
    here = parsed(page)
    bad = []
    for tag, ref in here.refs:
        if ref.startswith("data:"):
            continue
        url = urlsplit(ref)
        if url.scheme or url.netloc:
            bad.append(f"{ref}: leaves the disk")
            continue
        target = os.path.normpath(os.path.join(os.path.dirname(page), unquote(url.path))) \
            if url.path else page
        if not os.path.exists(target):
            bad.append(f"{ref}: no such file")
        elif url.fragment and target.endswith(".html") and \
                url.fragment not in (here if target == page else parsed(target)).ids:
            bad.append(f"{ref}: no element with that id")
    return bad


@pytest.fixture
def published(tmp_path):
    """Both fixture machines' runs in a results folder, the site built over them and
    a report of each that links it (as `make bench` leaves them)."""
    results = tmp_path / "results"
    shutil.copytree(RESULTS, results)
    out = tmp_path / "build" / "site"
    # In make bench's order: each report links the index written after it.
    pages = [report.build(os.path.join(results, m, "quick.fixture"), dpi=40,
                          site_index=str(out / site.INDEX), index_written=True)[1]
             for m in ("fixture-a", "fixture-b")]
    index = site.build(str(results), str(out))
    return index, pages


def test_the_first_screen_of_a_report_holds_its_answer(published):
    _, pages = published
    for page in pages:
        seen = probe(page)
        # The window is a laptop's; what it shows of the page (innerHeight) is less.
        assert seen["width"] == WIDTH and seen["height"] <= HEIGHT
        answer = seen["answer"]
        assert answer and answer["top"] >= 0 and answer["bottom"] <= seen["height"], seen
        assert answer["width"] > WIDTH / 2  # a block a reader sees, not a sliver
        assert seen["contents"]["top"] < seen["height"]  # the contents list starts on it too
        assert seen["images"] >= 1 and seen["broken"] == 0, seen
        screenshot(page, f"report-{os.path.basename(os.path.dirname(os.path.dirname(page)))}"
                         "-first-screen.png")


def test_every_link_of_the_reports_and_the_index_resolves(published):
    index, pages = published
    for page in [index, *pages]:
        assert unresolved(page) == [], page
    refs = [ref for _, ref in parsed(pages[0]).refs]
    assert any(ref.endswith("site/index.html") for ref in refs)  # the report links the index
    linked = {os.path.normpath(os.path.join(os.path.dirname(index), ref))
              for _, ref in parsed(index).refs if ref.endswith("report.html")}
    assert set(pages) <= linked  # the index links every run's report


def test_the_index_loads_from_disk_with_its_charts(published):
    index, _ = published
    seen = probe(index)
    assert seen["broken"] == 0 and seen["svgs"] >= 2, seen  # a history per machine, inline
    text = open(index).read()  # nothing off the disk: unresolved() checks every href and src
    assert "fixture-a" in text and "fixture-b" in text and "QUICK" in text
    screenshot(index, "index-first-screen.png")
