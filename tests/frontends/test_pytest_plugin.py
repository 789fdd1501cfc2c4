"""The gate through pytest, as a user runs it: a perturbed model or result fails, naming the
configuration and the field; the update lifecycle creates, rewrites and refuses as documented."""

from __future__ import annotations

import json
from typing import Any

import pytest
from support import Project

from regcheck.engine.grid import grid_for
from regcheck.results.compare import compare_outcomes
from regcheck.studies.heart import study

SCALED_MODEL = """
import pytest
from sklearn.linear_model import LogisticRegression


@pytest.fixture(autouse=True)
def coefficients_scaled_by_1_01(monkeypatch):
    real_fit = LogisticRegression.fit

    def fit(self, *args, **kwargs):
        fitted = real_fit(self, *args, **kwargs)
        fitted.coef_ = fitted.coef_ * 1.01
        return fitted

    monkeypatch.setattr(LogisticRegression, "fit", fit)
"""
RULE = "rtol 1e-07, atol 1e-09"
HINT = "  if the change is intended: pytest --regcheck-update --regcheck-model logreg --regcheck-reason '...'"


def edit_outcome(project: Project, config_id: str, edit: Any) -> dict[str, Any]:
    path = project.baseline(config_id)
    document = json.loads(path.read_text())
    edit(document["profiles"][0]["seeds"]["42"])
    path.write_text(json.dumps(document, indent=1))
    result: dict[str, Any] = document["profiles"][0]["seeds"]["42"]
    return result


def test_scaling_the_fitted_coefficients_by_1_01_fails_naming_each_configuration_and_field(
    pytester: pytest.Pytester, study_project: Project
) -> None:
    pytester.makeconftest(SCALED_MODEL)
    result = pytester.runpytest()
    # The two L1 models with every coefficient zero are unchanged by scaling: they hold.
    result.assert_outcomes(passed=3, failed=4)
    assert result.ret == 1
    for config_id in ("logreg-l1-C0.1", "logreg-l2-C0.001", "logreg-l2-C0.01", "logreg-l2-C0.1"):
        result.stdout.fnmatch_lines([
            f"*_ test_configuration[[]{config_id}[]] _*",
            f"{config_id}: moved (rule: exact; liblinear with a fixed random_state is deterministic: *)",
            "  field * rule * expected * obtained * difference",
            f"  coefficients[[]*[]] * {RULE} *",
            f"  probabilities[[]*[]] * {RULE} *",
            f"  obtained record written to {study_project.baseline(config_id).with_suffix('.obtained.json')}",
            HINT,
        ])  # fmt: skip
    result.stdout.fnmatch_lines(["regcheck: 2 held, 4 moved (rules: exact)"])


def test_a_result_changed_in_its_baseline_fails_naming_the_configuration_and_the_field(
    pytester: pytest.Pytester, study_project: Project
) -> None:
    edit_outcome(study_project, "logreg-l2-C0.01", lambda outcome: outcome.update(n_correct=55, accuracy=55 / 61))
    result = pytester.runpytest()
    result.assert_outcomes(passed=6, failed=1)
    result.stdout.fnmatch_lines([
        "*_ test_configuration[[]logreg-l2-C0.01[]] _*",
        "logreg-l2-C0.01: moved (rule: exact; *)",
        "  field      rule       expected  obtained  difference",
        "  ---------  ---------  --------  --------  ----------",
        "  n_correct  identical  55        54        -1",
    ])  # fmt: skip


def test_a_coefficient_moved_beyond_tolerance_fails_with_expected_obtained_and_difference(
    pytester: pytest.Pytester, study_project: Project
) -> None:
    outcome = edit_outcome(
        study_project, "logreg-l1-C0.1", lambda o: o["coefficients"].__setitem__(2, o["coefficients"][2] + 1e-6)
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=6, failed=1)
    expected = outcome["coefficients"][2]
    result.stdout.fnmatch_lines([
        f"  coefficients[[]2[]]  {RULE}  {expected:.10g}  {expected - 1e-6:.10g}  -1e-06",
    ])  # fmt: skip


def test_a_coefficient_change_within_tolerance_passes(pytester: pytest.Pytester, study_project: Project) -> None:
    edit_outcome(study_project, "logreg-l1-C0.1",
                 lambda o: o.update(coefficients=[value * (1 + 1e-9) for value in o["coefficients"]]))  # fmt: skip
    result = pytester.runpytest()
    result.assert_outcomes(passed=7)
    assert result.ret == 0


def test_a_flipped_prediction_fails_listing_the_row_of_heart_csv(pytester: pytest.Pytester, study_project: Project) -> None:
    outcome = edit_outcome(study_project, "logreg-l2-C0.1", lambda o: o["predictions"].__setitem__(7, 1 - o["predictions"][7]))
    result = pytester.runpytest()
    result.assert_outcomes(passed=6, failed=1)
    row, truth, before = outcome["test_rows"][7], outcome["true_labels"][7], outcome["predictions"][7]
    result.stdout.fnmatch_lines([
        f"  predictions  identical  61 labels  1 flipped  rows {row}",
        "  flipped test rows:",
        "  data row  test position  true  expected  obtained",
        f"  {row:<8}  7              {truth:<4}  {before:<8}  {1 - before}",
    ])  # fmt: skip


# --- the update lifecycle ----------------------------------------------------------------------


def test_a_missing_baseline_fails_saying_which_file_to_create_and_how(pytester: pytest.Pytester, study_project: Project) -> None:
    missing = study_project.baseline("logreg-l2-C0.1")
    missing.unlink()
    result = pytester.runpytest()
    result.assert_outcomes(passed=6, failed=1)
    assert result.ret == 2
    result.stdout.fnmatch_lines([
        "logreg-l2-C0.1: missing (rule: exact; *)",
        f"  no baseline file {missing} yet; create it with: pytest --regcheck-update --regcheck-model logreg "
        "--regcheck-reason '...'",
    ])  # fmt: skip
    assert not missing.exists()


def test_update_creates_and_rewrites_baselines_atomically_and_says_what_changed(
    pytester: pytest.Pytester, study_project: Project
) -> None:
    created = study_project.baseline("logreg-l2-C0.1")
    original = json.loads(created.read_text())
    created.unlink()
    outcome = edit_outcome(study_project, "logreg-l1-C0.1", lambda o: o["coefficients"].__setitem__(0, 1.5))

    result = pytester.runpytest("--regcheck-update", "--regcheck-reason", "test of the lifecycle")

    result.assert_outcomes(passed=7)
    assert result.ret == 0
    result.stdout.fnmatch_lines([
        "regcheck: 4 held, 2 updated (rules: exact)",
        "regcheck: updated 2 baseline(s): logreg-l1-C0.1, logreg-l2-C0.1",
        f"  logreg-l1-C0.1 seed 42: coefficients[[]0[]] 1.5 -> {original_coefficient('logreg-l1-C0.1'):.10g}",
        "  logreg-l2-C0.1: created",
    ])  # fmt: skip
    store = grid_for(study).store(study_project.baselines)
    recreated = store.load("logreg", "logreg-l2-C0.1")
    # Equal by the exact rule: the committed file may differ in the last bits on another CPU.
    assert recreated is not None and not compare_outcomes(original["profiles"][0]["seeds"]["42"], recreated.seeds[42]).fields
    assert recreated.provenance["reason"] == "test of the lifecycle"
    assert set(recreated.provenance["environment"]) >= {"python", "packages"}
    assert outcome["coefficients"][0] == 1.5
    assert list((study_project.baselines / "heart" / "logreg").glob(".*")) == []  # no temporaries left


def original_coefficient(config_id: str) -> float:
    from support import REPO

    document = json.loads((REPO / "baselines" / "heart" / "logreg" / f"{config_id}.json").read_text())
    value: float = document["profiles"][0]["seeds"]["42"]["coefficients"][0]
    return value


def test_update_writes_nothing_after_a_failed_run(pytester: pytest.Pytester, study_project: Project) -> None:
    missing = study_project.baseline("logreg-l2-C0.1")
    missing.unlink()
    pytester.makepyfile(test_other="def test_something_else_fails():\n    assert False\n")
    before = study_project.snapshot()
    result = pytester.runpytest("--regcheck-update")
    result.assert_outcomes(passed=7, failed=1)
    assert result.ret == 1
    result.stdout.fnmatch_lines(["regcheck: baselines NOT updated: the run had failures or stopped early; nothing was written"])
    assert study_project.snapshot() == before
