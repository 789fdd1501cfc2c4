"""``regcheck matrix`` on real run files: made by ``regcheck run --model logreg --json``, then edited per column."""

from __future__ import annotations

import configparser
import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from regcheck.frontends.cli import main
from regcheck.matrix.table import environment_differences

ROOT = Path(__file__).resolve().parents[2]
COMMITTED_BASELINES = ROOT / "baselines"
BASELINES = COMMITTED_BASELINES  # replaced, for every test, by the fixture below


@pytest.fixture(scope="module")
def baselines(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed baselines, the logistic outcomes replaced by this machine's own run.

    The committed logistic baselines can differ from this machine's run in the last bits of a
    double (numpy's BLAS picks its kernel by CPU), which the exact rule allows; these tests are
    about the matrix's marks, so the reference column must be bit-identical to this machine's run.
    """
    folder = tmp_path_factory.mktemp("baselines") / "baselines"
    shutil.copytree(COMMITTED_BASELINES, folder)
    run_path = folder.parent / "here.json"
    assert main(["run", "--model", "logreg", "--baselines", str(folder), "--json", str(run_path)]) == 0
    for record in json.loads(run_path.read_text(encoding="utf-8"))["records"]:
        path = folder / "heart" / "logreg" / f"{record['config_id']}.json"
        baseline = json.loads(path.read_text(encoding="utf-8"))
        transient = ("fit_seconds", "environment", "dataset")
        outcome = {key: value for key, value in record.items() if key not in transient and value is not None}
        baseline["profiles"][0]["seeds"][str(record["seed"])] = outcome
        path.write_text(json.dumps(baseline, indent=1) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(autouse=True)
def _reference_blessed_here(baselines: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(__import__(__name__), "BASELINES", baselines, raising=False)


@pytest.fixture(scope="module")
def logreg_run(tmp_path_factory: pytest.TempPathFactory, baselines: Path) -> dict[str, Any]:
    """One real run of the logistic half (a fraction of a second), as the document it wrote."""
    path = tmp_path_factory.mktemp("run") / "reference.json"
    code = main(["run", "--model", "logreg", "--baselines", str(baselines), "--json", str(path)])
    assert code == 0
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def write_column(folder: Path, name: str, document: dict[str, Any]) -> Path:
    path = folder / f"{name}.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def record_of(document: dict[str, Any], config_id: str) -> dict[str, Any]:
    return next(record for record in document["records"] if record["config_id"] == config_id)


def run_matrix(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["matrix", "--baselines", str(BASELINES), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def load_matrix(tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    target = tmp_path / "matrix-out.json"
    code, _, err = run_matrix(capsys, *args, "--json", str(target))
    assert code in (0, 1), err
    document: dict[str, Any] = json.loads(target.read_text(encoding="utf-8"))
    return document


def test_unchanged_reruns_are_identical_to_the_baselines_in_every_cell(
    tmp_path: Path, logreg_run: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    write_column(tmp_path, "envA", logreg_run)
    write_column(tmp_path, "envB", logreg_run)
    code, out, _ = run_matrix(capsys, str(tmp_path))
    assert code == 0
    assert "6 configurations x 3 environments; reference: baselines" in out
    assert "logreg-l2-C0.01   54         54= exact  54= exact  -" in out
    assert "nowhere: every cell is identical to the reference, bit for bit" in out


def test_coefficient_nudged_by_1e_12_is_marked_last_bits_while_n_correct_is_unchanged(
    tmp_path: Path, logreg_run: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    nudged = copy.deepcopy(logreg_run)
    record_of(nudged, "logreg-l2-C0.01")["coefficients"][3] += 1e-12
    write_column(tmp_path, "envA", logreg_run)
    write_column(tmp_path, "envB", nudged)
    document = load_matrix(tmp_path, capsys, str(tmp_path / "envA.json"), str(tmp_path / "envB.json"))
    row = next(row for row in document["rows"] if row["config_id"] == "logreg-l2-C0.01")
    cell = row["cells"]["envB"]
    assert row["first_differing_column"] == "envB"
    assert row["cells"]["envA"]["mark"] == "identical"
    assert cell["mark"] == "last-bits"
    assert cell["n_correct"] == [54]
    assert cell["first_difference"]["field"] == "coefficients"
    assert cell["first_difference"]["index"] == 3
    assert cell["first_difference"]["within_tolerance"] is True
    assert cell["first_difference"]["abs_difference"] == pytest.approx(1e-12, rel=1e-3)
    _, out, _ = run_matrix(capsys, str(tmp_path / "envA.json"), str(tmp_path / "envB.json"))
    assert "54~ exact" in out
    assert "envB: coefficients up to 1e-12" in out


def test_coefficient_moved_beyond_tolerance_is_marked_values(
    tmp_path: Path, logreg_run: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    moved = copy.deepcopy(logreg_run)
    record_of(moved, "logreg-l1-C0.1")["coefficients"][1] *= 1.01
    write_column(tmp_path, "envB", moved)
    document = load_matrix(tmp_path, capsys, str(tmp_path))
    cell = next(row for row in document["rows"] if row["config_id"] == "logreg-l1-C0.1")["cells"]["envB"]
    assert cell["mark"] == "values"
    assert cell["first_difference"]["within_tolerance"] is False
    assert cell["largest_abs_difference"]["coefficients"] == pytest.approx(0.00306, rel=1e-2)


def test_flipped_prediction_is_marked_labels_and_first_differs_at_n_correct(
    tmp_path: Path, logreg_run: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    flipped = copy.deepcopy(logreg_run)
    record = record_of(flipped, "logreg-l1-C0.1")
    record["predictions"][0] = 1 - record["predictions"][0]
    record["n_correct"] -= 1
    record["accuracy"] = record["n_correct"] / record["n_test"]
    write_column(tmp_path, "envB", flipped)
    code, out, _ = run_matrix(capsys, str(tmp_path))
    assert code == 0  # the run file's own verdict said held; the mark reports the drift
    assert "52! exact" in out
    assert "logreg-l1-C0.1 in envB, seed 42: first differs in n_correct: 53 -> 52; mark labels" in out


def test_a_moved_verdict_in_any_column_makes_the_exit_code_1_and_shows_in_capitals(
    tmp_path: Path, logreg_run: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    moved = copy.deepcopy(logreg_run)
    next(v for v in moved["verdicts"] if v["config_id"] == "logreg-l2-C0.1")["status"] = "moved"
    write_column(tmp_path, "envB", moved)
    code, out, _ = run_matrix(capsys, str(tmp_path))
    assert code == 1
    assert "53= exact MOVED" in out


def test_package_versions_that_differ_between_two_columns_are_listed(
    tmp_path: Path, logreg_run: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    older = copy.deepcopy(logreg_run)
    for record in older["records"]:
        record["environment"]["packages"]["scikit-learn"] = "1.3.2"
        record["environment"]["packages"].pop("numpy")
    write_column(tmp_path, "new", logreg_run)
    write_column(tmp_path, "old", older)
    new_version = logreg_run["records"][0]["environment"]["packages"]["scikit-learn"]
    code, out, _ = run_matrix(capsys, str(tmp_path), "--reference", "new", "--compare", "new", "old")
    assert code == 0
    assert f"old: scikit-learn {new_version} -> 1.3.2; not installed here: numpy" in out
    assert "new vs old: 2 item(s) differ" in out
    assert f"packages.scikit-learn  {new_version}" in out


def test_a_run_file_can_be_the_reference_column(
    tmp_path: Path, logreg_run: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    nudged = copy.deepcopy(logreg_run)
    record_of(nudged, "logreg-l2-C0.1")["probabilities"][0] += 2e-16
    write_column(tmp_path, "a", logreg_run)
    write_column(tmp_path, "b", nudged)
    document = load_matrix(tmp_path, capsys, str(tmp_path), "--reference", "b")
    assert document["reference"] == "b"
    assert [column["name"] for column in document["columns"]] == ["b", "a"]
    assert [column["is_reference"] for column in document["columns"]] == [True, False]
    row = next(row for row in document["rows"] if row["config_id"] == "logreg-l2-C0.1")
    assert row["cells"]["b"]["mark"] == "reference"
    assert row["cells"]["a"]["mark"] == "last-bits"


def test_several_seeds_take_the_worst_mark_and_the_reference_shows_only_compared_seeds(
    tmp_path: Path, logreg_run: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    reference = copy.deepcopy(logreg_run)
    for seed in (7, 8):
        extra = copy.deepcopy(record_of(reference, "logreg-l1-C0.1"))
        extra["seed"] = seed
        reference["records"].append(extra)
    two_seeds = copy.deepcopy(reference)
    two_seeds["records"] = [r for r in two_seeds["records"] if r["seed"] != 8]
    flipped = next(r for r in two_seeds["records"] if r["config_id"] == "logreg-l1-C0.1" and r["seed"] == 7)
    flipped["predictions"][5] = 1 - flipped["predictions"][5]
    flipped["n_correct"] -= 1
    flipped["accuracy"] = flipped["n_correct"] / flipped["n_test"]
    write_column(tmp_path, "ref", reference)
    write_column(tmp_path, "run", two_seeds)
    document = load_matrix(tmp_path, capsys, str(tmp_path), "--reference", "ref")
    cells = next(row for row in document["rows"] if row["config_id"] == "logreg-l1-C0.1")["cells"]
    assert cells["ref"]["seeds"] == [7, 42]
    assert cells["run"]["n_correct"] == [52, 53]
    assert cells["run"]["mark"] == "labels"
    assert (cells["run"]["first_difference"]["seed"], cells["run"]["first_difference"]["field"]) == (7, "n_correct")
    _, out, _ = run_matrix(capsys, str(tmp_path), "--reference", "ref")
    assert "53/53  52/53! exact  run seed 7: n_correct 53 -> 52" in out


def test_json_document_has_the_documented_shape(
    tmp_path: Path, logreg_run: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    write_column(tmp_path, "envA", logreg_run)
    document = load_matrix(tmp_path, capsys, str(tmp_path))
    assert (document["kind"], document["schema_version"], document["reference"]) == ("regcheck.matrix.table", 1, "baselines")
    assert document["failed"] is False
    assert document["marks"]["last-bits"] == "~"
    column = document["columns"][1]
    assert set(column) == {
        "name",
        "source",
        "created",
        "is_reference",
        "environment",
        "differs_from_reference",
        "marks",
    }
    assert column["marks"] == {"identical": 6}
    assert [row["config_id"] for row in document["rows"]][:2] == ["logreg-l1-C0.001", "logreg-l1-C0.01"]
    cell = document["rows"][0]["cells"]["envA"]
    assert set(cell) == {"seeds", "n_correct", "metric", "values", "n_test", "status", "rule", "mark", "first_difference",
                         "largest_abs_difference"}  # fmt: skip
    assert (cell["metric"], cell["values"]) == ("n_correct", [29])
    assert (cell["seeds"], cell["status"], cell["rule"]) == ([42], "held", "exact")


def test_matrix_written_into_the_records_folder_is_not_read_back_as_a_column(
    tmp_path: Path, logreg_run: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    write_column(tmp_path, "envA", logreg_run)
    code, _, _ = run_matrix(capsys, str(tmp_path), "--json", str(tmp_path / "matrix.json"))
    assert code == 0
    code, out, _ = run_matrix(capsys, str(tmp_path))
    assert code == 0
    assert "6 configurations x 2 environments" in out


def test_markdown_output_is_a_table(tmp_path: Path, logreg_run: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    write_column(tmp_path, "envA", logreg_run)
    code, out, _ = run_matrix(capsys, str(tmp_path), "--markdown")
    assert code == 0
    assert "| configuration | baselines | envA | first differs in |" in out
    assert "| logreg-l1-C0.1 | 53 | 53= exact | - |" in out


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("make_input", "message"),
    [
        (lambda folder: folder / "nowhere", "nowhere: no such file or folder"),
        (lambda folder: folder, "no run files (*.json) in this folder"),
        (lambda folder: _write(folder / "broken.json", "{"), "broken.json: invalid JSON at line 1"),
        (lambda folder: _write(folder / "list.json", "[]"), "list.json: expected a JSON object"),
        (lambda folder: _write(folder / "other.json", '{"kind": "x"}'), "other.json: kind is 'x', expected 'regcheck.run'"),
        (
            lambda folder: _write(folder / "empty.json", '{"kind": "regcheck.run", "schema_version": 1, "records": []}'),
            "field records: expected a non-empty list",
        ),
        (
            lambda folder: _write(
                folder / "bad.json",
                '{"kind": "regcheck.run", "schema_version": 1, "records": [{"model": "logreg", "config_id": 3}]}',
            ),
            "missing field records[0].params; expected a field every result record has",
        ),
    ],
    ids=["missing", "empty-folder", "invalid-json", "not-an-object", "wrong-kind", "no-records", "bad-record"],
)
def test_bad_input_is_one_line_error_with_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make_input: Any, message: str
) -> None:
    code, out, err = run_matrix(capsys, str(make_input(tmp_path)))
    assert code == 2
    assert out == ""
    assert err.startswith("regcheck: error: ")
    assert message in err
    assert err.count("\n") == 1


def test_unknown_reference_column_and_duplicate_column_names_are_usage_errors(
    tmp_path: Path, logreg_run: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    first = write_column(tmp_path / "one", "env", logreg_run)
    second = write_column(tmp_path / "two", "env", logreg_run)
    code, _, err = run_matrix(capsys, str(first), str(second))
    assert (code, err.count("\n")) == (2, 1)
    assert "would both be column 'env'; rename one" in err
    code, _, err = run_matrix(capsys, str(first), "--reference", "nope")
    assert (code, err.count("\n")) == (2, 1)
    assert "--reference nope: no such column; the columns are baselines, env" in err
    code, _, err = main(["matrix", str(first), "--baselines", str(tmp_path / "none")]), "", capsys.readouterr().err
    assert code == 2
    assert "no such folder; pass --baselines DIR or --reference COLUMN" in err


def test_absent_package_differs_as_none() -> None:
    differences = environment_differences(
        {"python": "3.11.7", "packages": {"numpy": "2.4.6", "keras": "3.15.1"}},
        {"python": "3.11.7", "packages": {"numpy": "1.26.4", "jax": "0.10.2"}},
    )
    assert [(d.item, d.reference, d.value) for d in differences] == [
        ("packages.keras", "3.15.1", None),
        ("packages.numpy", "2.4.6", "1.26.4"),
        ("packages.jax", None, "0.10.2"),
    ]


def test_tox_ini_labels_cover_every_environment_and_each_writes_its_own_record() -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ROOT / "tox.ini", encoding="utf-8")
    environments = {name for line in parser["tox"]["env_list"].split() for name in line.split(",") if name}
    labels = {
        label.strip(): {env.strip() for env in envs.split(",")}
        for label, _, envs in (line.partition("=") for line in parser["tox"]["labels"].strip().splitlines())
    }
    assert {"python", "sklearn", "dl", "logreg", "tf", "backends"} <= set(labels)
    assert labels["python"] == {"py310", "py311", "py312", "py313"}
    assert labels["sklearn"] == {"sklearn13", "sklearn15", "sklearn17", "sklearn19"}
    assert set().union(*labels.values()) == environments
    assert "{env_name}.json" in parser["testenv"]["commands"]
    assert "{env_name}.json" in parser["dl"]["commands"]
    for name in labels["dl"]:
        assert parser[f"testenv:{name}"]["commands"].strip() == "{[dl]commands}"
    assert "REGCHECK_DATA_DIR" in parser["testenv"]["pass_env"].split()
