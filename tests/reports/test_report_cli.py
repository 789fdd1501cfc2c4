"""``regcheck report``: one self-contained page and a Markdown summary from a run, a matrix and benchmarks."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from page_parts import plot_marks
from report_fixtures import EXPECTED_PLOTS, SYNTHETIC_BENCHES, SYNTHETIC_MATRIX, with_moved

from regcheck.frontends.cli import main


def _report(tmp_path: Path, *arguments: str) -> tuple[int, Path]:
    html = tmp_path / "report.html"
    return main(["report", *arguments, "--html", str(html)]), html


def test_every_input_gives_its_plots_with_every_data_mark(whole_run_file: Path, tmp_path: Path) -> None:
    benches = [argument for path in SYNTHETIC_BENCHES for argument in ("--bench", str(path))]
    code, html = _report(tmp_path, str(whole_run_file), "--matrix", str(SYNTHETIC_MATRIX), *benches)
    assert code == 0
    marks = plot_marks(html.read_text(encoding="utf-8"))
    assert {name: len(found) for name, found in marks.items()} == EXPECTED_PLOTS


def test_the_page_fetches_nothing_when_viewed(whole_run_file: Path, tmp_path: Path) -> None:
    code, html = _report(tmp_path, str(whole_run_file), "--matrix", str(SYNTHETIC_MATRIX), "--bench",
                         str(SYNTHETIC_BENCHES[0]))  # fmt: skip
    page = html.read_text(encoding="utf-8")
    assert code == 0
    assert not re.search(r"\b(src|href)\s*=|url\(|@import|<script|<link", page, re.IGNORECASE)
    # The only address on the page is the SVG namespace, which names and never loads.
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) == {"http://www.w3.org/2000/svg"}


def test_sections_whose_input_is_absent_say_so(logreg_run_file: Path, tmp_path: Path) -> None:
    markdown = tmp_path / "report.md"
    code, html = _report(tmp_path, str(logreg_run_file), "--markdown", str(markdown))
    page = html.read_text(encoding="utf-8")
    assert code == 0
    assert list(plot_marks(page)) == ["logreg-accuracy-vs-C"]
    assert "mlp" not in page  # the run file lays out the model it ran; an older file: test_study_layout.py
    assert "No version matrix given: pass --matrix" in page
    assert "No benchmark runs given: pass --bench" in page
    text = markdown.read_text(encoding="utf-8")
    assert "No matrix given (`--matrix`)." in text and "No benchmark runs given (`--bench`)." in text


def test_benchmarks_alone_make_a_page_with_timings_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    markdown = tmp_path / "t.md"
    code, html = _report(tmp_path, "--bench", str(SYNTHETIC_BENCHES[0]), "--bench", str(SYNTHETIC_BENCHES[1]),
                         "--markdown", str(markdown))  # fmt: skip
    assert code == 0
    assert capsys.readouterr().out == f"report written to {html}\nreport written to {markdown}\n"
    assert sorted(plot_marks(html.read_text(encoding="utf-8"))) == ["timings-logreg", "timings-mlp"]
    row = "| mlp | mlp-l1_0.01-l2_0.001 fit | 10.4 s (416 ms) | 4.00 s (160 ms) | 0.38x |"
    assert row in markdown.read_text(encoding="utf-8")


def test_a_run_that_moved_exits_1_and_its_page_shows_the_field(logreg_run: dict[str, Any], tmp_path: Path) -> None:
    run_file = tmp_path / "moved.json"
    run_file.write_text(json.dumps(with_moved(logreg_run, "logreg-l2-C0.01")), encoding="utf-8")
    code, html = _report(tmp_path, str(run_file))
    page = html.read_text(encoding="utf-8")
    assert code == 1
    assert '<div class="summary failed"><b>FAILED:</b> 5 held, 1 moved, 0 errors' in page
    assert "<h3>logreg-l2-C0.01: moved</h3>" in page
    assert '<td class="moved">0.89 (54/61) moved</td>' in page


def test_nothing_to_report_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, html = _report(tmp_path)
    assert code == 2 and not html.exists()
    assert capsys.readouterr().err == (
        "regcheck: error: nothing to report: give a run file (regcheck run --json PATH), --matrix PATH or --bench PATH\n"
    )


@pytest.mark.parametrize(("content", "message"), [
    (None, "run file {path}: no such file"),
    ("{\"records\": [", "run file {path}: invalid JSON at line 1, column 14: Expecting value"),
    ("[1, 2]", "run file {path}: expected a JSON object written by 'regcheck run --json PATH'"),
    ('{"records": [{"model": "logreg"}], "verdicts": []}',
     "run file {path}: kind is None, expected 'regcheck.run' (regcheck run --json PATH)"),
    ('{"schema_version": 1, "kind": "regcheck.run", "records": [{"model": "logreg"}], "verdicts": []}',
     "run file {path}: missing field records[0].config_id; expected a field every result record has "
     "(regcheck run --json writes it)"),
], ids=["missing", "truncated", "not-an-object", "without-a-kind", "record-without-fields"])  # fmt: skip
def test_a_bad_run_file_exits_2_with_one_line_and_writes_nothing(
    content: str | None, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "run.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    code, html = _report(tmp_path, str(path))
    err = capsys.readouterr().err
    assert code == 2 and not html.exists()
    assert err.startswith("regcheck: error: ") and err.count("\n") == 1
    assert err == f"regcheck: error: {message.format(path=path)}\n"


def test_an_output_folder_that_does_not_exist_exits_2(logreg_run_file: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    target = tmp_path / "missing" / "report.html"
    code = main(["report", str(logreg_run_file), "--html", str(target)])
    assert code == 2
    assert capsys.readouterr().err == f"regcheck: error: --html {target}: folder {target.parent} does not exist\n"


def test_a_configuration_that_raised_is_shown_with_its_cause(logreg_run: dict[str, Any], tmp_path: Path) -> None:
    document = json.loads(json.dumps(logreg_run))
    document["verdicts"][2].update(status="error", rule="none", reason="the fit raised",
                                   detail="ValueError: solver failed (logreg.py:40)")  # fmt: skip
    run_file = tmp_path / "error.json"
    run_file.write_text(json.dumps(document), encoding="utf-8")
    markdown = tmp_path / "error.md"
    code, html = _report(tmp_path, str(run_file), "--markdown", str(markdown))
    assert code == 1
    assert "<p>tier none; the fit raised ValueError: solver failed (logreg.py:40)</p>" in html.read_text(encoding="utf-8")
    text = markdown.read_text(encoding="utf-8")
    assert text.startswith("### regcheck FAILED: 5 held, 0 moved, 1 errors\n")
    assert "- `logreg-l1-C0.1`: **error** (tier none; the fit raised) ValueError: solver failed (logreg.py:40)" in text


def test_text_from_the_inputs_is_escaped_never_markup(tmp_path: Path) -> None:
    document = json.loads(SYNTHETIC_BENCHES[0].read_text(encoding="utf-8"))
    document["machine_info"]["label"] = "<img src=x onerror=alert(1)>"
    document["benchmarks"][0]["extra_info"]["case"] = "</svg><script>alert(2)</script>"
    hostile = tmp_path / "hostile.json"
    hostile.write_text(json.dumps(document), encoding="utf-8")
    code, html = _report(tmp_path, "--bench", str(hostile))
    page = html.read_text(encoding="utf-8")
    assert code == 0
    assert "<img" not in page and "<script" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
