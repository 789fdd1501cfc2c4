"""Reading the report's inputs: run files, matrix files in the layouts 'regcheck matrix' may write, and
pytest-benchmark saved runs (one made here by pytest-benchmark itself)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from report_fixtures import REAL_MATRIX, SYNTHETIC_BENCHES, SYNTHETIC_MATRIX

from regcheck.errors import UsageError
from regcheck.files.benchmark import read_benchmarks
from regcheck.files.matrixfile import matrix_from_document, read_matrix
from regcheck.files.runfile import read_run

CELL = {"status": "moved", "tier": "band", "value": 0.852, "first_difference": True}


def test_a_run_file_from_regcheck_run_reads_back_every_record_and_verdict(logreg_run_file: Path) -> None:
    run = read_run(logreg_run_file)
    assert [v.config_id for v in run.verdicts] == [r.config_id for r in run.records]
    assert {v.tier for v in run.verdicts} == {"exact"} and len(run.records) == 6
    assert run.records[0].n_test == 61 and run.published["logreg-l1-C0.1"] == 0.87


@pytest.mark.parametrize("document", [
    {"cells": [{"config_id": "mlp-a", "environment": "jax", **CELL}]},
    {"cells": {"mlp-a": {"jax": CELL}}},
    {"table": {"mlp-a": {"jax": CELL}}},
    {"rows": [{"config_id": "mlp-a", "cells": {"jax": CELL}}]},
], ids=["cell-list", "cell-mapping", "table-mapping", "rows"])  # fmt: skip
def test_every_matrix_layout_reads_as_the_same_cell(document: dict[str, Any]) -> None:
    matrix = matrix_from_document(document, "matrix.json")
    assert matrix.configurations == ("mlp-a",) and matrix.environments == ("jax",)
    cell = matrix.cells[("mlp-a", "jax")]
    assert (cell.status, cell.tier, cell.value, cell.first_difference) == ("moved", "band", "0.852", True)


def test_matrix_versions_are_tabled_per_package_against_the_reference() -> None:
    matrix = read_matrix(SYNTHETIC_MATRIX)
    table = {package: (versions, flags) for package, versions, flags in matrix.version_table()}
    assert matrix.reference_name() == "baselines"
    assert matrix.environments == ("baselines", "sklearn13", "sklearn15", "sklearn19", "tf215", "jax")
    assert table["scikit-learn"] == (["1.9.1", "1.3.2", "1.5.2", "1.9.1", "1.9.1", "1.9.1"],
                                     [False, True, True, False, False, False])  # fmt: skip
    assert table["python"][0][1] == "3.10.13" and "pandas" not in table


def test_a_row_of_regcheck_matrix_outlines_only_the_column_where_it_first_differs() -> None:
    # The row shape documented in regcheck/matrix.py: every differing cell describes its first differing
    # field, the row names the first column that differs.
    differs = {"seed": 42, "field": "n_correct", "index": None, "reference": 54, "value": 53}
    row = {"config_id": "logreg-l2-C0.01", "model": "logreg", "first_differing_column": "sklearn13", "cells": {
        "baselines": {"seeds": [42], "n_correct": [54], "status": None, "rule": None, "mark": "reference"},
        "sklearn13": {"seeds": [42], "n_correct": [53], "status": "moved", "rule": "exact", "mark": "labels",
                      "first_difference": differs},
        "sklearn15": {"seeds": [42], "n_correct": [53], "status": "moved", "rule": "exact", "mark": "labels",
                      "first_difference": differs},
    }}  # fmt: skip
    document = {"kind": "regcheck.matrix.table", "reference": "baselines", "rows": [row],
                "columns": [{"name": name, "environment": {"python": "3.11.7", "packages": {}}}
                            for name in ("baselines", "sklearn13", "sklearn15")]}  # fmt: skip
    cells = matrix_from_document(document, "matrix.json").cells
    outlined = [cells[("logreg-l2-C0.01", name)].first_difference for name in ("baselines", "sklearn13", "sklearn15")]
    assert outlined == [False, True, False]
    reference, moved = cells[("logreg-l2-C0.01", "baselines")], cells[("logreg-l2-C0.01", "sklearn13")]
    assert (reference.status, reference.mark, reference.value) == ("reference", "reference", "54")
    assert (moved.status, moved.tier, moved.mark) == ("moved", "exact", "labels")
    assert moved.detail == "seed 42: first differs at n_correct: 54 -> 53"


def test_a_matrix_file_without_cells_is_rejected_naming_what_was_expected() -> None:
    expected = r"^matrix file m.json: no cells found \(expected 'rows' of \{config_id, cells\}"
    with pytest.raises(UsageError, match=expected):
        matrix_from_document({"environments": ["a"]}, "m.json")


def test_a_run_file_that_is_not_a_run_is_rejected_naming_the_fields(tmp_path: Path) -> None:
    path = tmp_path / "bench.json"
    path.write_text(json.dumps({"benchmarks": []}), encoding="utf-8")
    with pytest.raises(UsageError, match=r"kind is None, expected 'regcheck\.run'"):
        read_run(path)


def test_a_real_pytest_benchmark_saved_run_is_read_with_its_median_and_quartiles(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Under pytest-xdist this variable reaches the child, and pytest-benchmark then disables itself.
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    pytester.makepyfile(test_speed="""
        import pytest

        @pytest.mark.benchmark(group="logreg")
        @pytest.mark.parametrize("config", ["logreg-l1-C0.1"])
        def test_fit(benchmark, config):
            benchmark.extra_info["device"] = "cpu"
            benchmark.pedantic(sum, args=(range(100),), rounds=5, iterations=1)
    """)  # fmt: skip
    result = pytester.runpytest_subprocess("-p", "no:randomly", "--benchmark-json=saved.json")
    result.assert_outcomes(passed=1)
    [run] = read_benchmarks([pytester.path / "saved.json"])
    [entry] = run.benchmarks
    assert (entry.group, entry.case, entry.rounds) == ("logreg", "fit logreg-l1-C0.1", 5)
    assert 0 < entry.q1 <= entry.median <= entry.q3
    assert run.label == "cpu" and run.machine["python_implementation"] == "CPython"


def test_a_benchmark_folder_stands_for_every_saved_run_inside(tmp_path: Path) -> None:
    nested = tmp_path / "Linux-CPython-3.11-64bit"
    nested.mkdir()
    for index, source in enumerate(SYNTHETIC_BENCHES):
        (nested / f"000{index + 1}_run.json").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    runs = read_benchmarks([tmp_path])
    assert [run.label for run in runs] == ["cpu jax", "gpu jax (NVIDIA H100 80GB HBM3)"]
    assert [entry.case for entry in runs[0].benchmarks][:2] == ["mlp-l1_0.001-l2_0.001 fit", "mlp-l1_0.001-l2_0.01 fit"]


def test_two_runs_on_the_same_device_are_named_by_the_versions_that_differ(tmp_path: Path) -> None:
    document = json.loads(SYNTHETIC_BENCHES[0].read_text(encoding="utf-8"))
    document["machine_info"]["regcheck"]["packages"]["scikit-learn"] = "1.10.0"
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps(document), encoding="utf-8")
    runs = read_benchmarks([SYNTHETIC_BENCHES[0], newer])
    assert [run.label for run in runs] == ["cpu jax, scikit-learn 1.9.1", "cpu jax, scikit-learn 1.10.0"]


def test_two_runs_with_the_same_description_still_get_two_names(tmp_path: Path) -> None:
    again = tmp_path / "cpu-again.json"
    again.write_text(SYNTHETIC_BENCHES[0].read_text(encoding="utf-8"), encoding="utf-8")
    runs = read_benchmarks([SYNTHETIC_BENCHES[0], again, again])
    assert [run.label for run in runs] == [
        "cpu jax (synthetic_bench_cpu)", "cpu jax (cpu-again) #2", "cpu jax (cpu-again) #3",
    ]  # fmt: skip


def test_an_empty_benchmark_folder_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=f"^--bench {tmp_path}: no saved runs"):
        read_benchmarks([tmp_path])


def test_a_real_matrix_of_scikit_learn_versions_reads_with_its_marks_and_versions() -> None:
    matrix = read_matrix(REAL_MATRIX)
    assert matrix.reference_name() == "baselines" and len(matrix.environments) == 9
    assert len(matrix.configurations) == 6 and len(matrix.cells) == 6 * 9
    outlined = sorted(config for (config, env), cell in matrix.cells.items() if cell.first_difference)
    assert outlined == ["logreg-l1-C0.1", "logreg-l2-C0.001", "logreg-l2-C0.01", "logreg-l2-C0.1"]
    assert {cell.mark for (_, env), cell in matrix.cells.items() if env == "sklearn13"} == {"identical", "last-bits"}
    versions = {package: values for package, values, _ in matrix.version_table()}
    assert versions["scikit-learn"][matrix.environments.index("sklearn13")] == "1.3.2"
