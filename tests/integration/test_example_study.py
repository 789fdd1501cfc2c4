"""A study written outside the package (examples/cancer_study.py) plugs in through --study alone.

Driven as a user drives it: the CLI in a subprocess-free call of ``main`` and pytest through
``pytester``, against the example's committed baselines, then against a perturbed copy of the
study that must fail naming its configurations.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from regcheck.frontends.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "cancer_study.py"
BASELINES = ROOT / "examples" / "baselines"
PYTEST_EXAMPLE = ROOT / "examples" / "tests" / "test_cancer_study.py"
CONFIG_IDS = ["logistic-C_0.001", "logistic-C_0.01", "logistic-C_0.1", "sgd-alpha_0.0001", "sgd-alpha_0.001", "sgd-alpha_0.01"]
# One training label flipped in the study's data, as a broken data pipeline would: every fit moves.
FLIP_ONE_LABEL = (
    "        scaler = StandardScaler().fit(x_train)\n",
    "        y_train = y_train.copy()\n        y_train[0] = 1 - y_train[0]\n        scaler = StandardScaler().fit(x_train)\n",
)


def perturbed_copy(folder: Path) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert FLIP_ONE_LABEL[0] in text
    path = folder / "perturbed_study.py"
    path.write_text(text.replace(*FLIP_ONE_LABEL), encoding="utf-8")
    return path


def test_the_example_study_holds_against_its_committed_baselines(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", "--study", f"{EXAMPLE}:study", "--baselines", str(BASELINES)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "regcheck: 6 held, 0 moved, 0 errors" in out
    assert "claim holds: logistic accuracy does not drop as C grows" in out


def test_the_example_study_runs_by_module_name_from_its_folder(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(EXAMPLE.parent)
    monkeypatch.syspath_prepend(str(EXAMPLE.parent))
    code = main(["run", "--study", "cancer_study:study", "--baselines", "baselines", "--model", "logistic"])
    assert code == 0, capsys.readouterr().out


def test_a_study_blessed_into_a_new_folder_then_holds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    baselines = tmp_path / "baselines"
    baselines.mkdir()
    study = f"{EXAMPLE}:study"
    assert main(["bless", "--study", study, "--baselines", str(baselines), "--reason", "first"]) == 0
    assert sorted(path.stem for path in baselines.glob("cancer/*/*.json")) == CONFIG_IDS
    capsys.readouterr()
    assert main(["run", "--study", study, "--baselines", str(baselines)]) == 0


def test_a_perturbed_copy_of_the_study_exits_1_naming_every_configuration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baselines = tmp_path / "baselines"
    shutil.copytree(BASELINES, baselines)
    code = main(["run", "--study", f"{perturbed_copy(tmp_path)}:study", "--baselines", str(baselines)])
    out = capsys.readouterr().out
    assert code == 1
    for config_id in CONFIG_IDS:
        assert f"\n{config_id}: moved (rule: exact;" in out


def test_outside_its_profile_the_seeded_model_is_judged_by_the_band(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    baselines = tmp_path / "baselines"
    shutil.copytree(BASELINES, baselines)
    for path in baselines.glob("cancer/sgd/*.json"):
        document = json.loads(path.read_text(encoding="utf-8"))
        document["profiles"][0]["profile"]["numpy"] = "1.26.4"  # as if blessed on another machine
        path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    code = main(["run", "--study", f"{EXAMPLE}:study", "--baselines", str(baselines), "--model", "sgd"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert [line.split()[-2:] for line in out.splitlines() if line.startswith("sgd-")] == [["band", "held"]] * 3


def test_under_pytest_each_configuration_is_a_test_and_a_perturbed_study_fails_them(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    pytester.copy_example(str(PYTEST_EXAMPLE))
    baselines = tmp_path / "baselines"  # a moved result writes .obtained.json files beside them
    shutil.copytree(BASELINES, baselines)
    options = ["--regcheck-baselines", str(baselines)]

    held = pytester.runpytest("--regcheck-study", f"{EXAMPLE}:study", *options)
    held.assert_outcomes(passed=7)

    moved = pytester.runpytest("--regcheck-study", f"{perturbed_copy(tmp_path)}:study", *options)
    moved.assert_outcomes(passed=1, failed=6)
    moved.stdout.fnmatch_lines(["logistic-C_0.001: moved (rule: exact; *"])
    assert moved.ret == 1
    assert len(list(baselines.glob("cancer/*/*.obtained.json"))) == 6


def test_tier_band_judges_the_seeded_model_by_the_band_where_its_profile_matches(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(BASELINES, tmp_path / "baselines")
    code = main(["run", "--study", f"{EXAMPLE}:study", "--baselines", str(tmp_path / "baselines"), "--tier", "band"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert [line.split()[-2:] for line in out.splitlines() if line.startswith("sgd-")] == [["band", "held"]] * 3
    # The deterministic model is exact in every environment, whatever the tier asked for.
    assert [line.split()[-2:] for line in out.splitlines() if line.startswith("logistic-")] == [["exact", "held"]] * 3


def test_an_unknown_tier_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--study", f"{EXAMPLE}:study", "--tier", "fast"]) == 2
    assert capsys.readouterr().err.startswith("regcheck: error: argument --tier: 'fast' is not a tier; expected auto or band")


def test_under_pytest_regcheck_tier_band_judges_by_the_band_and_says_so_in_the_header(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    pytester.copy_example(str(PYTEST_EXAMPLE))
    shutil.copytree(BASELINES, tmp_path / "baselines")
    result = pytester.runpytest("--regcheck-study", f"{EXAMPLE}:study", "--regcheck-baselines", str(tmp_path / "baselines"),
                                "--regcheck-model", "sgd", "--regcheck-tier", "band")  # fmt: skip
    result.assert_outcomes(passed=3, skipped=1)
    result.stdout.fnmatch_lines(["regcheck: study=cancer model=sgd seeds=default tier=band update=no",
                                 "regcheck: 3 held (rules: band)"])  # fmt: skip


def test_under_pytest_an_unknown_tier_is_one_line_and_exit_2(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--regcheck-study", f"{EXAMPLE}:study", "--regcheck-tier", "fast")
    assert result.ret == 2
    assert result.stderr.lines == ["regcheck: error: argument --regcheck-tier: 'fast' is not a tier; expected auto or band"]
