"""The HTML report rendered by a real browser: headless Chromium (Debian's ``chromium``) lays the page
out, a script injected into a copy of the page measures every plot and every data mark, and a screenshot
is taken. The page itself has no script; only this test's copy does."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any

import pytest
from report_fixtures import EXPECTED_PLOTS, SYNTHETIC_BENCHES, SYNTHETIC_MATRIX

from regcheck.frontends.cli import main

FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--hide-scrollbars", "--mute-audio",
    "--disable-dev-shm-usage",  # containers give /dev/shm 64 MB, too little for a renderer
)  # fmt: skip
# Runs in the page after layout: each plot's rendered size, and how many of its marks have a visible box.
MEASURE = """<script>
const plots = Array.from(document.querySelectorAll("svg.plot")).map((svg) => {
  const box = svg.getBoundingClientRect();
  const marks = Array.from(svg.querySelectorAll(".mark"));
  const drawn = marks.filter((mark) => { const b = mark.getBBox(); return b.width > 0 && b.height > 0; });
  const texts = Array.from(svg.querySelectorAll("text")).filter((t) => t.getComputedTextLength() > 0);
  return {name: svg.dataset.plot, width: box.width, height: box.height, marks: marks.length,
          drawn: drawn.length, texts: texts.length};
});
const out = document.createElement("pre");
out.id = "regcheck-measure";
out.textContent = JSON.stringify(plots);
document.body.appendChild(out);
</script>"""


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("chromium is missing under CI=true: .ci/run installs Debian's chromium before the tests")
    pytest.skip("chromium is not installed (Debian: apt-get install chromium); CI installs it and runs this test")


def run_chromium(page: Path, profile: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    command = [chromium(), *FLAGS, f"--user-data-dir={profile}", *arguments, page.as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


@pytest.fixture
def full_report(whole_run_file: Path, tmp_path: Path) -> Path:
    page = tmp_path / "report.html"
    benches = [argument for path in SYNTHETIC_BENCHES for argument in ("--bench", str(path))]
    code = main(["report", str(whole_run_file), "--matrix", str(SYNTHETIC_MATRIX), *benches, "--html", str(page)])
    assert code == 0
    return page


def measured(dom: str) -> list[dict[str, Any]]:
    match = re.search(r'<pre id="regcheck-measure">(.*?)</pre>', dom, re.DOTALL)
    assert match, "the measuring script did not run: the page did not load in chromium"
    result: list[dict[str, Any]] = json.loads(html.unescape(match.group(1)))
    return result


def test_every_plot_renders_in_headless_chromium_with_every_mark_visible(full_report: Path, tmp_path: Path) -> None:
    probe = tmp_path / "probe.html"
    probe.write_text(full_report.read_text(encoding="utf-8").replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    dom = run_chromium(probe, tmp_path / "profile", "--dump-dom").stdout
    plots = {plot["name"]: plot for plot in measured(dom)}
    assert {name: plot["marks"] for name, plot in plots.items()} == EXPECTED_PLOTS
    for name, plot in plots.items():
        assert plot["width"] > 200 and plot["height"] > 150, f"{name} is rendered {plot['width']}x{plot['height']}"
        assert plot["drawn"] == plot["marks"], f"{name}: {plot['marks'] - plot['drawn']} marks have an empty box"
        assert plot["texts"] >= 5, f"{name}: its axis labels and title did not render"


def test_the_screenshot_of_the_report_is_a_full_png(full_report: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    run_chromium(full_report, tmp_path / "profile", "--window-size=1200,2400", f"--screenshot={shot}")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1200, 2400)
    assert len(data) > 50_000, "a blank page compresses to a few kB; the plots make it larger"
