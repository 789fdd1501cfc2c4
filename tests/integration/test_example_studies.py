"""The regression and multi-class examples (examples/diabetes_study.py, examples/wine_study.py), driven as a user drives them.

Each holds against its committed baselines through the CLI and under pytest; a perturbed copy of
its fit moves every configuration it touches; a copy whose fit produces NaN is judged moved,
never held; and what ``bless`` writes of NaN results, the next ``run``, ``run --json`` and
``report`` read back.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from regcheck.frontends.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
BASELINES = EXAMPLES / "baselines"
RIDGE = ["ridge-alpha_0.1", "ridge-alpha_1", "ridge-alpha_10"]
LOGISTIC = ["logistic-C_0.01", "logistic-C_0.1", "logistic-C_1"]


def copy_with(tmp_path: Path, name: str, old: str, new: str) -> str:
    """The example study ``name`` with one line of its fit changed, as a dependency upgrade might change it."""
    text = (EXAMPLES / f"{name}_study.py").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / f"changed_{name}_study.py"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return f"{path}:study"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(list(args))
    return code, capsys.readouterr().out


@pytest.fixture
def baselines(tmp_path: Path) -> Path:
    """A copy of the examples' baselines: a moved result writes its obtained record beside them."""
    folder = tmp_path / "baselines"
    shutil.copytree(BASELINES, folder)
    return folder


@pytest.mark.parametrize(("name", "shows"), [("diabetes", "r2 0.3592, mse 3181"), ("wine", "0.98 (53/54), log_loss 0.4666")])
def test_each_example_holds_and_shows_its_headline_metrics(name: str, shows: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "run", "--study", f"{EXAMPLES / name}_study.py:study", "--baselines", str(BASELINES))
    assert code == 0, out
    assert "regcheck: 5 held, 0 moved, 0 errors" in out and shows in out


@pytest.mark.parametrize("name", ["diabetes", "wine"])
def test_each_example_s_seeded_model_holds_in_the_band_at_new_seeds(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(
        capsys, "run", "--study", f"{EXAMPLES / name}_study.py:study", "--baselines", str(BASELINES), "--tier", "band"
    )
    assert code == 0, out
    assert out.count(" band   held") == 2


def test_a_ridge_fit_with_another_strength_moves_every_ridge_configuration(
    tmp_path: Path, baselines: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = copy_with(tmp_path, "diabetes", 'Ridge(alpha=config.values["alpha"])', 'Ridge(alpha=config.values["alpha"] * 1.01)')
    code, out = run(capsys, "run", "--study", study, "--baselines", str(baselines), "--model", "ridge")
    assert code == 1
    for config_id in RIDGE:
        assert f"\n{config_id}: moved (rule: exact;" in out
    assert "  coefficients[" in out and "  predictions[" in out  # the real-valued predictions moved too


def test_nan_predictions_of_a_regression_are_judged_moved_naming_the_nan(
    tmp_path: Path, baselines: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = copy_with(tmp_path, "diabetes", "estimator.predict(data.x_test), None, seconds,\n            coefficients",
                      'estimator.predict(data.x_test) * float("nan"), None, seconds,\n            coefficients')  # fmt: skip
    code, out = run(capsys, "run", "--study", study, "--baselines", str(baselines), "--model", "ridge")
    assert code == 1, out
    assert out.count(": moved (rule: exact;") == 3
    assert "became NaN (was " in out
    assert "r2 NaN, mse NaN" in out


def test_nan_probabilities_of_a_multi_class_model_are_judged_moved(
    tmp_path: Path, baselines: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = copy_with(tmp_path, "wine", "probabilities = estimator.predict_proba(data.x_test)",
                      'probabilities = estimator.predict_proba(data.x_test) * float("nan")')  # fmt: skip
    code, out = run(capsys, "run", "--study", study, "--baselines", str(baselines), "--model", "logistic")
    assert code == 1, out
    for config_id in LOGISTIC:
        assert f"\n{config_id}: moved (rule: exact;" in out
    assert "  probabilities[0, 0]  rtol 1e-07, atol 1e-09" in out


def test_a_band_statistic_that_becomes_nan_is_moved_outside_the_profile(
    tmp_path: Path, baselines: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = copy_with(tmp_path, "diabetes", "estimator.predict(data.x_test), None, seconds,\n            importances",
                      'estimator.predict(data.x_test) * float("nan"), None, seconds,\n            importances')  # fmt: skip
    code, out = run(capsys, "run", "--study", study, "--baselines", str(baselines), "--model", "forest", "--tier", "band")
    assert code == 1, out
    assert "  mse over seeds  band: finite on both sides  10 of 10 seeds finite  0 of 5 seeds finite" in out


def test_nan_results_blessed_are_read_back_by_run_run_json_and_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    study = copy_with(tmp_path, "diabetes", "estimator.predict(data.x_test), None, seconds,\n            coefficients",
                      'estimator.predict(data.x_test) * float("nan"), None, seconds,\n            coefficients')  # fmt: skip
    folder = tmp_path / "new-baselines"  # bless makes it
    code, out = run(capsys, "bless", "--study", study, "--baselines", str(folder), "--model", "ridge", "--reason", "nan")
    assert code == 0, out
    assert f"created the baselines folder {folder}" in out
    code, out = run(
        capsys, "run", "--study", study, "--baselines", str(folder), "--model", "ridge", "--json", str(tmp_path / "run.json")
    )
    assert code == 0, out  # NaN equals NaN: the same result
    code, out = run(capsys, "report", str(tmp_path / "run.json"), "--html", str(tmp_path / "report.html"))
    assert code == 0, out
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert '<td class="held">NaN held</td>' in page and "r2 for seed 42, then the verdict" in page


@pytest.mark.parametrize("name", ["diabetes", "wine"])
def test_under_pytest_each_configuration_is_a_test_that_holds_and_a_changed_fit_fails(
    name: str, pytester: pytest.Pytester, tmp_path: Path, baselines: Path
) -> None:
    pytester.copy_example(str(EXAMPLES / "tests" / f"test_{name}_study.py"))
    held = pytester.runpytest("--regcheck-study", f"{EXAMPLES / name}_study.py:study", "--regcheck-baselines", str(baselines))
    held.assert_outcomes(passed=5)
    change = {"diabetes": ("n_estimators=20", "n_estimators=21"), "wine": ("max_iter=5", "max_iter=6")}[name]
    moved = pytester.runpytest("--regcheck-study", copy_with(tmp_path, name, *change), "--regcheck-baselines", str(baselines))
    moved.assert_outcomes(passed=3, failed=2)  # the seeded model's two configurations, in the exact tier of their profile
    assert moved.ret == 1
