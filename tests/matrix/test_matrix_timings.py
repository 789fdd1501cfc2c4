"""``regcheck matrix --bench``: each environment's times under its results, from real saved runs.

The files under tests/data/matrix_timings were written by ``tox -e py310`` and ``tox -e py311`` on the
project's 2-core machine (2026-11-26): each environment's run record and its pytest-benchmark run of
bench/test_logreg_bench.py, labelled with the environment (the benchmarks' raw samples dropped, their
statistics kept). On that run py310's logistic predict was about 1.2x slower than py311's, beyond the
noise (its lower quartile above py311's upper quartile), and its fits within the noise.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from regcheck.frontends.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "matrix_timings"
RECORDS, BENCH = DATA / "records", DATA / "bench"


def matrix(capsys: pytest.CaptureFixture[str], *options: str) -> tuple[int, str, str]:
    code = main(["matrix", str(RECORDS), "--reference", "py311", "--bench", str(BENCH), *options])
    out, err = capsys.readouterr()
    return code, out, err


def test_each_configuration_shows_each_environments_fit_and_predict_time_below_its_result(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = matrix(capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].endswith("reference: py311 (" + str(RECORDS / "py311.json") + "); timing reference: py311")
    row = lines.index(next(line for line in lines if line.startswith("logreg-l2-C0.01 ")))
    assert lines[row + 1].startswith("  logreg-l2-C0.01 fit ")
    assert lines[row + 2].startswith("  logreg-l2-C0.01 predict ")
    fit, predict = lines[row + 1], lines[row + 2]
    assert "(ref)" in fit and " µs ±" in fit and fit.rstrip().endswith(" -")  # within the noise: nobody named
    assert "x SLOWER" in predict and predict.rstrip().endswith("slower: py310 1.24x")
    assert any(line.startswith("  logreg grid ") for line in lines)


def test_the_environments_slower_beyond_the_noise_are_listed_with_both_quartiles(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = matrix(capsys)
    section = out.split("slower than py311 beyond the noise:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert len(section) == 6 and all(" predict in py310: median " in line for line in section)
    assert "logreg-l2-C0.01 predict in py310: median 31.2 µs vs 25.1 µs (1.24x); lower quartile 30.4 µs above " \
           "py311's upper quartile 26.1 µs" in out  # fmt: skip


def test_a_larger_factor_names_no_environment(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = matrix(capsys, "--slower", "1.5")
    assert "slower than py311 beyond the noise:\n  nowhere" in out
    assert "x SLOWER" not in out


def test_markdown_and_json_carry_the_same_times(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _, out, _ = matrix(capsys, "--markdown", "--json", str(tmp_path / "matrix.json"))
    assert "|   logreg-l2-C0.01 predict | - | " not in out  # the reference column is py311, no baselines column
    assert any(line.startswith("|   logreg-l2-C0.01 predict | ") and "SLOWER" in line for line in out.splitlines())
    document = json.loads((tmp_path / "matrix.json").read_text(encoding="utf-8"))
    timings = document["timings"]
    assert timings["reference"] == "py311" and timings["factor"] == 1.0
    predict = next(row for row in timings["rows"] if row["config_id"] == "logreg-l2-C0.01" and row["phase"] == "predict")
    assert predict["cells"]["py310"]["change"] == "slower" and predict["cells"]["py311"]["change"] == "reference"


def test_a_benchmark_run_of_an_environment_that_is_no_column_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    shutil.copy(BENCH / "py310.json", tmp_path / "py310.json")
    document = json.loads((tmp_path / "py310.json").read_text(encoding="utf-8"))
    document["machine_info"]["label"] = "py399"
    (tmp_path / "py310.json").write_text(json.dumps(document), encoding="utf-8")
    code = main(["matrix", str(RECORDS), "--reference", "py311", "--bench", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (f"regcheck: error: --bench {tmp_path / 'py310.json'}: its environment 'py399' is no column of the "
                   "matrix; the columns are py311, py310\n")  # fmt: skip


def test_a_timing_reference_without_benchmark_runs_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["matrix", str(RECORDS), "--reference", "py311", "--timing-reference", "py310"])
    assert code == 2
    assert "--timing-reference py310: give the benchmark runs with --bench" in capsys.readouterr().err


@pytest.mark.parametrize("factor", ["0.9", "nan", "inf", "x"])
def test_a_slowdown_factor_below_1_or_not_a_number_is_refused(factor: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["matrix", str(RECORDS), "--bench", str(BENCH), "--slower", factor]) == 2
    assert "argument --slower:" in capsys.readouterr().err


def test_cases_of_a_model_no_run_file_holds_are_still_shown_timed_only(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """As in the MLP environments, which time the logistic cases but run only the MLP."""
    for env in ("py310", "py311"):
        document = json.loads((RECORDS / f"{env}.json").read_text(encoding="utf-8"))
        for item in document["records"] + document["verdicts"]:
            item["config_id"] = "other-" + item["config_id"]
            item["model"] = "other"
        (tmp_path / f"{env}.json").write_text(json.dumps(document), encoding="utf-8")
    code = main(["matrix", str(tmp_path), "--reference", "py311", "--bench", str(BENCH)])
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    last_result = max(i for i, line in enumerate(lines) if line.startswith("other-logreg-"))
    table_end = lines.index("", last_result)
    timed = lines[last_result + 1 : table_end]
    assert len(timed) == 13 and all(line.startswith("  logreg") for line in timed)  # 6 fit, 6 predict, the grid
