"""``regcheck compare`` on real saved pytest-benchmark runs of the logistic benchmark cases.

Three real runs of two cases (fit and predict of logreg-l2-C0.01, about 1 ms and 0.2 ms a call)
are saved once per module: a reference, an unchanged rerun, and a run slowed on purpose by
bench/conftest.py's test-only ``--regcheck-inject-delay 0.05``. The slowdown is 50 ms on a
1 ms case (x40 and more), against a threshold of x2, so the verdicts do not depend on noise.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from regcheck.files.benchmark import Timing, read_benchmark
from regcheck.frameworks.devices import detect, framework_loaded
from regcheck.frameworks.keras import keras_backend
from regcheck.frontends.cli import main
from regcheck.timing.compare import MIN_ROUNDS, judge_change

ROOT = Path(__file__).resolve().parents[2]
CASES = ("logreg-l2-C0.01 fit", "logreg-l2-C0.01 predict")
DELAY = 0.05


def _save_run(path: Path, *extra: str) -> Path:
    """One real ``pytest bench/...`` run, in this process: scikit-learn is imported once, not once per run."""
    arguments = [
        str(ROOT / "bench" / "test_logreg_bench.py"), "-k", "logreg-l2-C0.01 and not grid",
        "-q", "-p", "no:cacheprovider", "--rootdir", str(ROOT), "--benchmark-json", str(path),
        # Enough rounds for quartiles, few enough to keep each run well under a second.
        "--benchmark-max-time", "0.2", "--benchmark-min-rounds", "7", *extra,
    ]  # fmt: skip
    code = pytest.main(arguments)
    assert code == 0, f"pytest {' '.join(arguments)} exited {code}"
    return path


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("benchmark-runs")
    return {
        "reference": _save_run(folder / "reference.json"),
        "rerun": _save_run(folder / "rerun.json"),
        "slowed": _save_run(folder / "slowed.json", "--regcheck-inject-delay", str(DELAY)),
    }


def _compare(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main(["compare", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_saved_run_carries_the_environment_and_each_cases_results(runs: dict[str, Path]) -> None:
    document = json.loads(runs["reference"].read_text())
    ours = document["machine_info"]["regcheck"]
    assert ours["keras_backend"]
    backend = keras_backend()
    assert ours["keras_backend"] == backend and ours["device"]["backend"] == backend
    # The runs are in this process: where an earlier test imported the framework, it was asked.
    expected = detect(backend).kind if framework_loaded(backend) else "not probed"
    assert ours["device"]["kind"] == expected
    assert ours["packages"]["scikit-learn"]
    assert ours["threads"]["cpu_count"] == os.cpu_count()
    assert ours["profile"]["logreg"] == {}
    assert "injected_delay_s" not in ours
    extra = {entry["extra_info"]["case"]: entry["extra_info"] for entry in document["benchmarks"]}
    assert sorted(extra) == sorted(CASES)
    assert extra["logreg-l2-C0.01 fit"]["n_correct"] == 54  # the published 0.89
    assert extra["logreg-l2-C0.01 fit"]["verdict"] == "held"


def test_compare_prints_median_iqr_ratio_and_results_per_case_and_run(runs, capsys) -> None:
    code, out, _ = _compare(capsys, runs["reference"], runs["rerun"])
    assert code == 0
    lines = out.splitlines()
    for case in CASES:
        row = next(index for index, line in enumerate(lines) if line.startswith(case))
        assert lines[row].split()[2] == "1"  # "<config> <phase>", run 1, then median, IQR, rounds, ratio 1.00
        assert "1.00" in lines[row] and "held 54/61" in lines[row]
        assert lines[row + 1].split()[0] == "2" and "held 54/61" in lines[row + 1]
    assert "no slowdown check" in out


def test_fail_slower_passes_an_unchanged_rerun(runs, capsys) -> None:
    code, out, _ = _compare(capsys, runs["reference"], runs["rerun"], "--fail-slower", "2")
    assert code == 0, out
    assert "2 case(s), 0 slower than x2" in out


def test_fail_slower_fails_a_run_slowed_on_purpose_naming_each_case(runs, capsys) -> None:
    code, out, _ = _compare(capsys, runs["reference"], runs["slowed"], "--fail-slower", "2")
    assert code == 1, out
    assert f"2 case(s), 2 slower than x2 ({', '.join(CASES)})" in out
    assert "INJECTED DELAY 0.05 s per call" in out
    assert "regcheck.injected_delay_s: - | 0.05" in out  # the environment says what differs


def test_a_slower_run_first_is_a_speedup_and_never_fails(runs, capsys) -> None:
    code, out, _ = _compare(capsys, runs["slowed"], runs["reference"], "--fail-slower", "2")
    assert code == 0
    assert out.count("faster") == 2


def test_results_of_a_regcheck_run_appear_beside_the_timings(runs, capsys, tmp_path) -> None:
    run_file = tmp_path / "run.json"
    assert main(["run", "--model", "logreg", "--baselines", str(ROOT / "baselines"), "--json", str(run_file)]) == 0
    document = json.loads(run_file.read_text())
    # A second results file in which one configuration moved, to see which file each row shows.
    for verdict in document["verdicts"]:
        if verdict["config_id"] == "logreg-l2-C0.01":
            verdict["status"] = "moved"
    moved_file = tmp_path / "moved.json"
    moved_file.write_text(json.dumps(document))
    capsys.readouterr()
    code, out, _ = _compare(capsys, runs["reference"], runs["rerun"], "--results", run_file, "--results", moved_file)
    assert code == 0
    lines = out.splitlines()
    row = next(index for index, line in enumerate(lines) if line.startswith("logreg-l2-C0.01 fit"))
    assert "held 54/61" in lines[row] and "moved 54/61" in lines[row + 1]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("{not json", "invalid JSON at line 1"),
        ('{"benchmarks": []}', "holds no benchmarks"),
        ('{"machine_info": {}}', "no 'benchmarks' list"),
        ('{"kind": "regcheck.run", "records": [], "verdicts": []}', "pass it with --results"),
        (
            '{"benchmarks": [{"name": "x", "stats": {"median": "fast"}}]}',
            'benchmarks[0]: field stats.median: expected seconds >= 0, found "fast"',
        ),
    ],
    ids=["missing", "not-json", "empty", "not-benchmark", "run-file", "bad-stats"],
)
def test_a_bad_run_file_is_one_line_naming_it_with_exit_2(runs, capsys, tmp_path, content, message) -> None:
    bad = tmp_path / "bad.json"
    if content is not None:
        bad.write_text(content)
    code, _, err = _compare(capsys, runs["reference"], bad)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith(f"regcheck: error: {bad}: ") and message in err


def test_a_single_run_or_mismatched_results_is_exit_2(runs, capsys) -> None:
    assert _compare(capsys, runs["reference"])[0] == 2
    code, _, err = _compare(capsys, runs["reference"], runs["rerun"], "--results", runs["reference"])
    assert code == 2 and "--results given 1 time(s) for 2 runs" in err


@pytest.mark.parametrize("factor", ["1", "0.5", "fast", "nan"])
def test_a_factor_not_above_one_is_refused(runs, capsys, factor) -> None:
    code = main(["compare", str(runs["reference"]), str(runs["rerun"]), "--fail-slower", factor])
    assert code == 2
    assert "expected a factor above 1" in capsys.readouterr().err


def test_cases_missing_from_a_run_are_shown_as_absent(runs, capsys, tmp_path) -> None:
    document = json.loads(runs["rerun"].read_text())
    document["benchmarks"] = [b for b in document["benchmarks"] if b["extra_info"]["case"].endswith("fit")]
    partial = tmp_path / "partial.json"
    partial.write_text(json.dumps(document))
    code, out, _ = _compare(capsys, runs["reference"], partial, "--fail-slower", "2")
    assert code == 0
    assert "absent: not in this run" in out


def _timing(*times: float) -> Timing:
    ordered = sorted(times)
    quarter = len(ordered) // 4
    q1, q3 = ordered[quarter], ordered[-1 - quarter]
    median = ordered[len(ordered) // 2]
    return Timing("case", "case", "group", median, q1, q3, q3 - q1, ordered[0], ordered[-1], len(ordered))


def test_one_slow_round_does_not_make_a_case_slower() -> None:
    reference = _timing(1.0, 1.0, 1.1, 1.0, 1.05, 1.0, 1.0, 1.02)
    candidate = _timing(1.0, 1.0, 1.1, 1.0, 1.05, 1.0, 1.0, 9.0)
    assert judge_change(reference, candidate, 2).status == "ok"


def test_medians_apart_but_quartiles_overlapping_is_noise_not_slower() -> None:
    reference = _timing(1.0, 1.0, 1.0, 1.0, 1.0, 2.4, 2.4, 2.4)
    candidate = _timing(2.2, 2.2, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5)
    change = judge_change(reference, candidate, 2)
    assert change.status == "overlap" and not change.failed


def test_fewer_than_the_minimum_rounds_are_unjudged_not_passed_as_fine() -> None:
    reference = _timing(*[1.0] * (MIN_ROUNDS - 1))
    candidate = _timing(*[10.0] * (MIN_ROUNDS - 1))
    change = judge_change(reference, candidate, 2)
    assert change.status == "unjudged" and f"needs {MIN_ROUNDS}" in change.note


def test_every_round_slower_by_the_factor_is_slower() -> None:
    reference = _timing(1.0, 1.1, 0.9, 1.0, 1.05)
    candidate = _timing(2.5, 2.6, 2.4, 2.5, 2.55)
    assert judge_change(reference, candidate, 2).failed


def test_the_saved_runs_load_with_their_rounds_and_machine_info(runs) -> None:
    loaded = read_benchmark(runs["slowed"])
    assert set(loaded.timings) == set(CASES)
    for timing in loaded.timings.values():
        assert timing.rounds >= MIN_ROUNDS
        assert timing.median >= DELAY
    assert loaded.machine["regcheck"]["injected_delay_s"] == DELAY


@pytest.mark.skipif(shutil.which("nvidia-smi") is not None, reason="this machine has an NVIDIA driver")
def test_without_an_nvidia_driver_no_gpu_is_listed(runs) -> None:
    assert json.loads(runs["reference"].read_text())["machine_info"]["regcheck"]["nvidia_gpus"] == []


def test_three_runs_each_get_a_row_and_a_ratio_to_the_first(runs, capsys) -> None:
    code, out, _ = _compare(capsys, runs["reference"], runs["rerun"], runs["slowed"], "--fail-slower", "2")
    assert code == 1
    lines = out.splitlines()
    row = next(index for index, line in enumerate(lines) if line.startswith("logreg-l2-C0.01 fit"))
    assert lines[row].split()[2] == "1"
    assert lines[row + 1].split()[0] == "2" and lines[row + 1].rstrip().endswith("ok")
    assert lines[row + 2].split()[0] == "3" and "slower: q1" in lines[row + 2]


def test_a_results_file_that_is_not_a_regcheck_run_is_exit_2(runs, capsys) -> None:
    code, _, err = _compare(capsys, runs["reference"], runs["rerun"], "--results", runs["reference"],
                            "--results", runs["rerun"])  # fmt: skip
    assert code == 2
    assert err.startswith(f"regcheck: error: --results {runs['reference']}: kind is None, expected 'regcheck.run'")
    assert err.count("\n") == 1
