"""Console output of a run: the study-shaped grids, the one-line summary, progress, and the Markdown files."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from report_fixtures import ROOT, merged_run, with_moved

from regcheck.files.runfile import run_from_document
from regcheck.frontends.cli import main
from regcheck.reports.console import grid_tables
from regcheck.reports.grids import Grid, run_grids
from regcheck.reports.markdown import run_markdown
from regcheck.reports.progress import Estimate, ProgressBar, format_duration
from regcheck.reports.summary import summary_line


def grid_of(document: dict[str, Any], model: str) -> Grid:
    return next(grid for grid in run_grids(run_from_document(document, "run.json")) if grid.model == model)


def test_logistic_grid_reads_like_the_published_table(logreg_run: dict[str, Any]) -> None:
    grid = grid_of(logreg_run, "logreg")
    assert grid.columns == ("0.001", "0.01", "0.1")
    assert [(label, [cell.text for cell in cells]) for label, cells in grid.rows] == [
        ("L1", ["0.48 (29/61) held", "0.48 (29/61) held", "0.87 (53/61) held"]),
        ("L2", ["0.87 (53/61) held", "0.89 (54/61) held", "0.87 (53/61) held"]),
    ]
    assert "all equal the published table to 2 decimals" in grid.note


def test_mlp_grid_writes_the_count_of_every_seed_like_facts(logreg_run: dict[str, Any]) -> None:
    grid = grid_of(merged_run(logreg_run), "mlp")
    cells = {label: [cell.text for cell in row] for label, row in grid.rows}
    assert grid.corner == "l1 \\ l2" and grid.columns == ("0.001", "0.01", "0.1")
    assert cells["0.01"][2] == "32 32 32 53 32 32 held"
    assert cells["0.1"] == ["32 x6 held"] * 3
    assert grid.note == "correct predictions out of 61 for seeds 0, 1, 2, 3, 4, 42, then the verdict"


def test_console_grids_are_aligned_text_tables(logreg_run: dict[str, Any]) -> None:
    tables = grid_tables(run_from_document(merged_run(logreg_run), "run.json"))
    assert len(tables) == 2
    logreg_lines = tables[0].splitlines()
    assert logreg_lines[1].split() == ["penalty", "\\", "C", "0.001", "0.01", "0.1"]
    assert logreg_lines[3].startswith("L1           0.48 (29/61) held  0.48 (29/61) held")


def test_summary_line_names_the_counts_the_tier_and_the_profile(logreg_run: dict[str, Any]) -> None:
    line = summary_line(run_from_document(merged_run(logreg_run), "run.json"))
    assert line.startswith("regcheck: 15 held, 0 moved, 0 errors | tier: logreg exact; mlp exact | profile: "
                           "logreg any environment; mlp backend=tensorflow, device=cpu, keras=3.15.1")  # fmt: skip


def test_summary_line_counts_a_moved_and_an_errored_configuration(logreg_run: dict[str, Any]) -> None:
    document = with_moved(logreg_run, "logreg-l2-C0.01")
    document["verdicts"][0].update(status="error", rule="none", detail="ValueError: boom (logreg.py:1)")
    line = summary_line(run_from_document(document, "run.json"))
    assert line.startswith("regcheck: 4 held, 1 moved, 1 errors | tier: logreg exact/none")


def test_progress_without_a_terminal_prints_one_line_per_configuration() -> None:
    stream = io.StringIO()
    bar = ProgressBar(stream, tty=False, workers=1)
    bar(1, 3, "mlp", "mlp-l1_0.001-l2_0.001", "held", started=0.0)
    bar(2, 3, "mlp", "mlp-l1_0.001-l2_0.01", "moved", started=0.0)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2 and "\r" not in stream.getvalue()
    assert lines[1].startswith("[2/3] mlp-l1_0.001-l2_0.01     moved    ")
    assert "elapsed, ~" in lines[1] and lines[1].endswith("left")


def test_progress_on_a_terminal_redraws_one_line_and_ends_it_when_done() -> None:
    stream = io.StringIO()
    bar = ProgressBar(stream, tty=True)
    for done in (1, 2, 3, 4):
        bar(done, 4, "logreg", f"logreg-l1-C{done}", "held", started=0.0)
    text = stream.getvalue()
    assert text.count("\r") == 4 and text.count("\n") == 1 and text.endswith("\n")
    assert "[############............] 2/4 logreg-l1-C2 held" in text
    assert "[########################] 4/4" in text


def test_an_interrupted_bar_is_ended_so_the_next_message_starts_a_line() -> None:
    stream = io.StringIO()
    bar = ProgressBar(stream, tty=True)
    bar(1, 9, "mlp", "mlp-l1_0.001-l2_0.001", "held", started=0.0)
    bar.close()
    assert stream.getvalue().endswith("\x1b[K\n")


def test_estimate_is_each_models_pace_times_its_configurations_left() -> None:
    estimate = Estimate({"logreg": 2, "mlp": 4}, started=0.0)
    estimate.record("logreg", now=0.1)
    estimate.record("logreg", now=0.2)
    assert estimate.left() is None  # no MLP fit has finished: nothing honest to say yet
    estimate.record("mlp", now=10.2)
    assert estimate.left() is None  # one finished configuration is start-up and a fit: no pace yet
    estimate.record("mlp", now=14.2)
    assert estimate.left() == pytest.approx(8.0)  # 4 s from the first to the second, 2 to go


def test_time_before_a_models_first_finished_configuration_is_not_its_pace() -> None:
    estimate = Estimate({"mlp": 9}, started=0.0)
    for now in (30.0, 33.0, 36.0):  # 30 s of imports and worker start-up, then 3 s per configuration
        estimate.record("mlp", now)
    assert estimate.left() == pytest.approx(18.0)


def test_a_finished_model_adds_nothing_to_the_time_left() -> None:
    estimate = Estimate({"logreg": 2, "mlp": 3}, started=0.0)
    for model, now in (("logreg", 0.1), ("logreg", 0.2), ("mlp", 5.0), ("mlp", 7.0)):
        estimate.record(model, now)
    assert estimate.left() == pytest.approx(2.0)


def test_a_pool_gives_no_estimate_until_a_wave_of_workers_and_one_more_have_finished() -> None:
    estimate = Estimate({"mlp": 9}, started=0.0, workers=2)
    estimate.record("mlp", now=8.0)
    estimate.record("mlp", now=8.2)  # both workers' first fits end together: 0.2 s is no pace
    assert estimate.left() is None
    estimate.record("mlp", now=12.0)
    assert estimate.left() == pytest.approx(12.0)  # (12 - 8) / 2 per configuration, 6 to go


def test_the_bar_says_estimating_while_the_first_wave_of_a_pool_finishes() -> None:
    stream = io.StringIO()
    bar = ProgressBar(stream, tty=False, plan={"mlp": 9}, workers=2)
    for done in (1, 2, 3):
        bar(done, 9, "mlp", f"mlp-{done}", "held", started=0.0)
    lines = stream.getvalue().splitlines()
    assert [line.endswith("elapsed, estimating") for line in lines] == [True, True, False]
    assert lines[2].endswith(" left")


def test_after_the_fast_model_the_bar_says_estimating_instead_of_a_misleading_time() -> None:
    stream = io.StringIO()
    bar = ProgressBar(stream, tty=False, plan={"logreg": 1, "mlp": 9})
    bar(1, 10, "logreg", "logreg-l1-C0.001", "held", started=0.0)
    assert stream.getvalue().rstrip().endswith("elapsed, estimating")


def test_durations_read_as_people_write_them() -> None:
    assert [format_duration(s) for s in (3.25, 42, 98, 4000)] == ["3.2 s", "42 s", "1 min 38 s", "1 h 06 min"]


def test_run_prints_the_grid_writes_markdown_and_appends_to_the_step_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    step_summary = tmp_path / "step-summary.md"
    step_summary.write_text("an earlier step's summary\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(step_summary))
    markdown = tmp_path / "summary.md"
    code = main(["run", "--model", "logreg", "--baselines", str(ROOT / "baselines"), "--markdown", str(markdown)])
    out, err = capsys.readouterr()
    assert code == 0
    assert "L2           0.87 (53/61) held  0.89 (54/61) held  0.87 (53/61) held" in out
    assert out.splitlines()[-1].startswith("regcheck: 6 held, 0 moved, 0 errors | tier: logreg exact | "
                                           "profile: logreg any environment | ")  # fmt: skip
    assert err.count("\n") == 6  # not a terminal under pytest: one progress line per configuration
    text = markdown.read_text(encoding="utf-8")
    assert text.startswith("### regcheck passed: 6 held, 0 moved, 0 errors\n")
    assert "| L1 | 0.48 (29/61) held | 0.48 (29/61) held | 0.87 (53/61) held |" in text
    assert step_summary.read_text(encoding="utf-8") == "an earlier step's summary\n" + text + "\n"


def test_run_with_a_markdown_path_in_a_missing_folder_exits_2_before_fitting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["run", "--model", "logreg", "--markdown", str(tmp_path / "nowhere" / "s.md")])
    _, err = capsys.readouterr()
    assert code == 2
    target = tmp_path / "nowhere" / "s.md"
    assert err == f"regcheck: error: --markdown {target}: folder {target.parent} does not exist\n"


def test_markdown_of_a_run_that_moved_says_failed_and_shows_the_field(logreg_run: dict[str, Any]) -> None:
    text = run_markdown(run_from_document(with_moved(logreg_run, "logreg-l2-C0.01"), "run.json"))
    assert text.startswith("### regcheck FAILED: 5 held, 1 moved, 0 errors\n")
    assert "| L2 | 0.87 (53/61) held | **0.89 (54/61) moved** | 0.87 (53/61) held |" in text
    assert "- `logreg-l2-C0.01`: **moved** (tier exact;" in text
    assert "  | n_correct | identical | 54 | 53 | -1 |" in text


def test_run_file_carries_what_the_reports_need(logreg_run: dict[str, Any]) -> None:
    assert logreg_run["kind"] == "regcheck.run"
    assert logreg_run["published"]["logreg-l2-C0.01"] == 0.89
    assert logreg_run["published_decimals"] == {"logreg": 2}
    assert logreg_run["profiles"] == {"logreg": {}}
    assert isinstance(logreg_run["seconds"], float)
    assert json.loads(json.dumps(logreg_run)) == logreg_run
