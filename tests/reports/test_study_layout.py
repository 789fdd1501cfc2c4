"""Reports know no study: the layout (grid axes, configurations) comes from the run file, or for a file
written before it had one, from ``--study``. A study with other parameter names renders its grid and
both kinds of plot, and nothing on the page names the heart study or its models."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from page_parts import plot_marks
from report_fixtures import SYNTHETIC_MLP_RUN

from regcheck.files.runfile import run_from_document
from regcheck.frontends.cli import main
from regcheck.reports.console import grid_tables
from regcheck.reports.grids import Grid, run_grids
from regcheck.reports.markdown import run_markdown

N_TEST = 40
HEART_WORDS = re.compile(r"heart|logreg|mlp|logistic|penalty|\bl[12]\b|\b61\b", re.IGNORECASE)
AXES = [
    {"model": "forest", "title": "Forest: accuracy by depth and trees", "rows": "depth", "columns": "trees",
     "row_label": "max depth", "plot": "lines"},
    {"model": "boost", "title": "Boosting: correct predictions by rate and rounds", "rows": "rate",
     "columns": "rounds", "plot": "heatmap"},
]  # fmt: skip
STUDY_FILE = """
from regcheck.engine.study import GridAxes, Model, Setting, Study

class Forest(Model):
    name = "forest"
    def configurations(self):
        return [Setting("forest", {"depth": d, "trees": t}) for d in (2, 8) for t in (10, 100, 1000)]
    def fit(self, config, data, seed):
        raise NotImplementedError("the report needs no fit")

class Boost(Model):
    name = "boost"
    def configurations(self):
        return [Setting("boost", {"rate": r, "rounds": n}) for r in (0.1, 0.3) for n in (50, 200)]
    def fit(self, config, data, seed):
        raise NotImplementedError("the report needs no fit")

class Trees(Study):
    name = "trees"
    def models(self):
        return [Forest(), Boost()]
    def load(self, data_path):
        raise NotImplementedError("the report needs no data")
    def grid_axes(self):
        return [GridAxes("forest", "Forest: accuracy by depth and trees", "depth", "trees", "max depth", "lines"),
                GridAxes("boost", "Boosting: correct predictions by rate and rounds", "rate", "rounds")]

study = Trees()
"""


def _record(model: str, params: dict[str, Any], seed: int, n_correct: int) -> dict[str, Any]:
    config_id = "-".join([model, *(f"{key}_{value}" for key, value in params.items())])
    return {"model": model, "config_id": config_id, "params": params, "seed": seed, "n_test": N_TEST,
            "n_correct": n_correct, "accuracy": n_correct / N_TEST, "predictions": [1] * n_correct + [0] * (N_TEST - n_correct),
            "probabilities": None, "test_rows": list(range(N_TEST)), "true_labels": [1] * N_TEST,
            "fit_seconds": 0.01}  # fmt: skip


def _verdict(record: dict[str, Any], status: str = "held") -> dict[str, Any]:
    return {"model": record["model"], "config_id": record["config_id"], "status": status, "rule": "exact", "reason": "r"}


def trees_document() -> dict[str, Any]:
    """A run of another study, by hand: forest (one seed, a fit that raised), boost (three seeds), knn (no axes)."""
    forest = [_record("forest", {"depth": d, "trees": t}, 7, n) for d, t, n in
              [(2, 10, 30), (2, 100, 32), (2, 1000, 33), (8, 10, 34), (8, 100, 36)]]  # fmt: skip
    boost = [_record("boost", {"rate": r, "rounds": n}, seed, 28 + seed + int(10 * r))
             for r in (0.1, 0.3) for n in (50, 200) for seed in (0, 1, 2)]  # fmt: skip
    knn = [_record("knn", {"k": k}, 0, 25 + k) for k in (3, 5)]
    raised = {"model": "forest", "config_id": "forest-depth_8-trees_1000", "status": "error", "rule": "none",
              "reason": "the fit raised", "detail": "ValueError: boom"}  # fmt: skip
    verdicts = [_verdict(r) for r in forest] + [raised]
    verdicts += [_verdict(r) for r in boost if r["seed"] == 0] + [_verdict(r) for r in knn]
    configurations = {r["config_id"]: r["params"] for r in forest + boost + knn}
    configurations[raised["config_id"]] = {"depth": 8, "trees": 1000}
    return {"schema_version": 1, "kind": "regcheck.run", "study": "trees", "records": forest + boost + knn, "verdicts": verdicts,
            "published": {"forest-depth_2-trees_100": 0.8}, "published_decimals": {"forest": 2},
            "grids": AXES, "configurations": configurations}  # fmt: skip


def grids_of(document: dict[str, Any]) -> dict[str, Grid]:
    return {grid.model: grid for grid in run_grids(run_from_document(document, "run.json"))}


def cells(grid: Grid) -> dict[str, list[str]]:
    return {label: [cell.text for cell in row] for label, row in grid.rows}


def test_a_grid_is_laid_out_on_the_studys_axes_whatever_its_parameters_are_called() -> None:
    grids = grids_of(trees_document())
    forest, boost = grids["forest"], grids["boost"]
    assert (forest.corner, forest.columns, forest.plot) == ("max depth \\ trees", ("10", "100", "1000"), "lines")
    assert cells(forest) == {
        "2": ["0.75 (30/40) held", "0.80 (32/40) held", "0.82 (33/40) held"],
        "8": ["0.85 (34/40) held", "0.90 (36/40) held", "error"],
    }
    assert forest.note == "accuracy (correct/test) and verdict; all equal the published table to 2 decimals"
    assert (boost.corner, boost.columns, boost.plot) == ("rate \\ rounds", ("50", "200"), "heatmap")
    assert cells(boost) == {"0.1": ["29 30 31 held"] * 2, "0.3": ["31 32 33 held"] * 2}
    assert boost.note == "correct predictions out of 40 for seeds 0, 1, 2, then the verdict"


def test_a_model_without_axes_is_a_plain_table_of_its_configurations() -> None:
    knn = grids_of(trees_document())["knn"]
    assert (knn.plot, knn.corner, knn.columns) == (None, "configuration", ("parameters", "result"))
    assert cells(knn) == {"knn-k_3": ["k=3", "0.70 (28/40) held"], "knn-k_5": ["k=5", "0.75 (30/40) held"]}


def test_a_published_value_that_differs_is_shown_beside_the_obtained_one() -> None:
    document = trees_document()
    document["published"] = {"forest-depth_2-trees_100": 0.81}
    forest = grids_of(document)["forest"]
    assert cells(forest)["2"][1] == "0.80 (32/40) held [published 0.81]"
    assert forest.note == "accuracy (correct/test) and verdict"


def test_configurations_the_axes_cannot_tell_apart_are_named_not_dropped() -> None:
    document = trees_document()
    extra = _record("forest", {"depth": 2, "trees": 10, "criterion": "entropy"}, 7, 31)
    document["records"].append(extra)
    document["verdicts"].append(_verdict(extra))
    document["configurations"][extra["config_id"]] = extra["params"]
    assert grids_of(document)["forest"].note.endswith(f"; not on these axes: {extra['config_id']}")


def test_the_report_of_another_study_has_its_grid_both_plots_and_no_heart_word(tmp_path: Path) -> None:
    run_file, html, markdown = tmp_path / "run.json", tmp_path / "report.html", tmp_path / "report.md"
    run_file.write_text(json.dumps(trees_document()), encoding="utf-8")
    code = main(["report", str(run_file), "--html", str(html), "--markdown", str(markdown)])
    page = html.read_text(encoding="utf-8")
    assert code == 1  # the forest fit that raised
    # 5 points and 1 published ring; 4 cells and 12 seed dots
    assert {name: len(marks) for name, marks in plot_marks(page).items()} == {
        "forest-accuracy-vs-trees": 6, "boost-heatmap": 16,
    }  # fmt: skip
    assert "<h2>Forest: accuracy by depth and trees</h2>" in page and "<h2>knn: each configuration</h2>" in page
    assert ">Test accuracy against trees, one line per max depth</text>" in page and ">trees (log scale)</text>" in page
    assert '<td class="error">error</td>' in page and '<td class="">k=5</td>' in page
    text = markdown.read_text(encoding="utf-8")
    assert "| 0.1 | 29 30 31 held | 29 30 31 held |" in text
    run = run_from_document(trees_document(), "run.json")
    for output in (page, text, "\n".join(grid_tables(run)), run_markdown(run)):
        assert HEART_WORDS.search(output) is None, HEART_WORDS.search(output)


def test_a_lines_plot_takes_a_linear_or_an_evenly_spaced_axis_where_a_log_axis_does_not_fit() -> None:
    from regcheck.reports.grid_plots import lines_svg

    document = trees_document()
    for record in document["records"]:
        if record["model"] == "forest":
            record["params"]["trees"] = {10: 1, 100: 2, 1000: 3}[record["params"]["trees"]]
    document["configurations"]["forest-depth_8-trees_1000"]["trees"] = 3
    linear = lines_svg(grids_of(document)["forest"])
    assert ">trees</text>" in linear and "log scale" not in linear
    for record in document["records"]:
        if record["model"] == "forest":
            record["params"]["trees"] = f"size {record['params']['trees']}"
    document["configurations"]["forest-depth_8-trees_1000"]["trees"] = "size 3"
    spaced = grids_of(document)["forest"]
    assert spaced.columns == ("size 1", "size 2", "size 3")
    assert len(plot_marks(lines_svg(spaced))["forest-accuracy-vs-trees"]) == 6


def test_a_run_file_carries_the_layout_of_the_models_it_ran(logreg_run: dict[str, Any]) -> None:
    assert logreg_run["study"] == "heart"
    assert [axes["model"] for axes in logreg_run["grids"]] == ["logreg"]
    assert logreg_run["configurations"]["logreg-l1-C0.1"] == {"penalty": "l1", "C": 0.1, "solver": "liblinear"}
    assert len(logreg_run["configurations"]) == 6


def test_a_configuration_that_raised_keeps_its_place_in_the_grid(logreg_run: dict[str, Any]) -> None:
    document = json.loads(json.dumps(logreg_run))
    document["records"] = [r for r in document["records"] if r["config_id"] != "logreg-l1-C0.1"]
    next(v for v in document["verdicts"] if v["config_id"] == "logreg-l1-C0.1").update(status="error", rule="none")
    assert cells(grids_of(document)["logreg"])["L1"] == ["0.48 (29/61) held", "0.48 (29/61) held", "error"]


def test_an_older_run_file_is_laid_out_by_the_default_study(tmp_path: Path) -> None:
    assert "grids" not in json.loads(SYNTHETIC_MLP_RUN.read_text(encoding="utf-8"))
    for study in ([], ["--study", "heart"]):
        html = tmp_path / "report.html"
        assert main(["report", str(SYNTHETIC_MLP_RUN), *study, "--html", str(html)]) == 0
        assert {name: len(marks) for name, marks in plot_marks(html.read_text(encoding="utf-8")).items()} == {"mlp-heatmap": 63}


def test_an_older_run_file_of_one_model_says_which_of_its_studys_models_it_lacks(
    logreg_run: dict[str, Any], tmp_path: Path
) -> None:
    older = {key: value for key, value in logreg_run.items() if key not in ("study", "grids", "configurations")}
    run_file, html = tmp_path / "older.json", tmp_path / "report.html"
    run_file.write_text(json.dumps(older), encoding="utf-8")
    assert main(["report", str(run_file), "--html", str(html)]) == 0
    page = html.read_text(encoding="utf-8")
    assert list(plot_marks(page)) == ["logreg-accuracy-vs-C"]
    assert "No mlp results in the run file (run &#x27;regcheck run --model mlp --json PATH&#x27;)." in page


def test_study_names_the_layout_of_an_older_run_file_of_a_study_outside_the_package(tmp_path: Path) -> None:
    (tmp_path / "trees_study.py").write_text(STUDY_FILE, encoding="utf-8")
    older = {key: value for key, value in trees_document().items() if key not in ("study", "grids", "configurations")}
    run_file, html = tmp_path / "older.json", tmp_path / "report.html"
    run_file.write_text(json.dumps(older), encoding="utf-8")
    reference = f"{tmp_path / 'trees_study.py'}:study"
    assert main(["report", str(run_file), "--study", reference, "--html", str(html)]) == 1
    page = html.read_text(encoding="utf-8")
    assert {name: len(marks) for name, marks in plot_marks(page).items()} == {
        "forest-accuracy-vs-trees": 6, "boost-heatmap": 16,
    }  # fmt: skip
    assert '<td class="error">error</td>' in page  # placed by the study's configurations


def test_a_study_that_cannot_be_loaded_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    html = tmp_path / "report.html"
    code = main(["report", str(SYNTHETIC_MLP_RUN), "--study", "no_such_module:study", "--html", str(html)])
    err = capsys.readouterr().err
    assert code == 2 and not html.exists()
    assert (
        err.startswith("regcheck: error: --study no_such_module:study: cannot import no_such_module (") and err.count("\n") == 1
    )


def test_the_console_prints_grids_on_axes_and_leaves_a_model_without_axes_to_the_verdict_table() -> None:
    tables = grid_tables(run_from_document(trees_document(), "run.json"))
    assert [table.splitlines()[0] for table in tables] == [
        "Forest: accuracy by depth and trees", "Boosting: correct predictions by rate and rounds",
    ]  # fmt: skip
