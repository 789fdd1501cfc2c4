"""The exact rule, field by field, on a real fit; and the failure message, line by line."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from regcheck.engine.judge import Verdict
from regcheck.reports.console import explain
from regcheck.results.compare import FieldDifference, FlippedRow, compare_outcomes
from regcheck.results.record import ResultRecord
from regcheck.studies.heart.configs import LogregConfig
from regcheck.studies.heart.data import parse_heart_csv

RULE = "rtol 1e-07, atol 1e-09"


def compare_exact(expected: dict[str, Any], obtained: dict[str, Any]) -> tuple[list[FieldDifference], list[FlippedRow]]:
    """What the exact tier reports: the fields that moved, and the flipped rows."""
    compared = compare_outcomes(expected, obtained)
    return compared.differences(), list(compared.flipped)


@pytest.fixture(scope="module")
def record(heart_bytes: bytes) -> ResultRecord:
    from regcheck.studies.heart.logreg import fit_logreg
    from regcheck.studies.heart.split import prepare_split

    split = prepare_split(parse_heart_csv(heart_bytes, "heart.csv"))
    return fit_logreg(LogregConfig("l1", 0.1), split, 42)


@pytest.fixture
def pair(record: ResultRecord) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the baseline's outcome, what this run obtained): equal until a test changes one."""
    return record.outcome(), copy.deepcopy(record.to_dict())


def test_an_unchanged_result_holds(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    assert compare_exact(*pair) == ([], [])


def test_a_coefficient_moved_beyond_tolerance_is_named_with_both_values_and_the_difference(pair: Any) -> None:
    expected, obtained = pair
    index = next(i for i, value in enumerate(expected["coefficients"]) if value != 0)
    obtained["coefficients"][index] += 1e-6
    differences, flipped = compare_exact(expected, obtained)
    old, new = expected["coefficients"][index], obtained["coefficients"][index]
    assert differences == [FieldDifference(f"coefficients[{index}]", RULE, f"{old:.10g}", f"{new:.10g}", "+1e-06")]
    assert flipped == []


@pytest.mark.parametrize("relative", [1e-12, 5e-8])
def test_a_coefficient_change_within_tolerance_holds(pair: Any, relative: float) -> None:
    expected, obtained = pair
    obtained["coefficients"] = [value * (1 + relative) for value in obtained["coefficients"]]
    assert compare_exact(expected, obtained) == ([], [])


def test_the_tolerance_sits_between_last_bit_noise_and_an_unseeded_fit(pair: Any) -> None:
    expected, obtained = pair
    noisy = [float(np.nextafter(value, np.inf)) for value in obtained["coefficients"]]
    assert compare_exact(expected, {**obtained, "coefficients": noisy}) == ([], [])
    # FACTS: without random_state, L1 coefficients wander by up to 3.9e-4 between fits.
    wandering = [value + 3.9e-4 if value else value for value in obtained["coefficients"]]
    assert compare_exact(expected, {**obtained, "coefficients": wandering})[0] != []


def test_a_flipped_prediction_is_reported_with_its_row_in_heart_csv(pair: Any) -> None:
    expected, obtained = pair
    obtained["predictions"][7] = 1 - obtained["predictions"][7]
    differences, flipped = compare_exact(expected, obtained)
    row = obtained["test_rows"][7]
    assert differences == [FieldDifference("predictions", "identical", "61 labels", "1 flipped", f"rows {row}")]
    before, after = expected["predictions"][7], obtained["predictions"][7]
    assert flipped == [FlippedRow(7, row, obtained["true_labels"][7], before, after)]


def test_a_changed_count_is_named_with_its_signed_difference(pair: Any) -> None:
    expected, obtained = pair
    obtained["n_correct"] -= 1
    obtained["n_zero_coefficients"] += 2
    differences, _ = compare_exact(expected, obtained)
    assert differences == [
        FieldDifference("n_correct", "identical", "53", "52", "-1"),
        FieldDifference("n_zero_coefficients", "identical", "5", "7", "+2"),
    ]


def test_a_missing_probability_is_a_length_difference(pair: Any) -> None:
    expected, obtained = pair
    obtained["probabilities"].pop()
    differences, _ = compare_exact(expected, obtained)
    assert differences == [FieldDifference("probabilities", "identical", "shape (61,)", "shape (60,)", "shape differs")]


def test_the_failure_message_is_a_table_of_field_rule_expected_obtained_difference_and_flipped_rows() -> None:
    verdict = Verdict(
        "logreg", "logreg-l2-C0.01", "moved", "exact", "deterministic",
        differences=[
            FieldDifference("n_correct", "identical", "54", "53", "-1"),
            FieldDifference("coefficients[3]", RULE, "-0.0571716917", "-0.05817169165", "-0.001"),
        ],
        flipped_rows=[FlippedRow(5, 9, 1, 1, 0)],
    )  # fmt: skip
    assert explain(verdict, "baselines/heart/logreg/logreg-l2-C0.01.obtained.json").splitlines() == [
        "logreg-l2-C0.01: moved (rule: exact; deterministic)",
        "  field            rule                    expected       obtained        difference",
        "  ---------------  ----------------------  -------------  --------------  ----------",
        "  n_correct        identical               54             53              -1",
        "  coefficients[3]  rtol 1e-07, atol 1e-09  -0.0571716917  -0.05817169165  -0.001",
        "  flipped test rows:",
        "  data row  test position  true  expected  obtained",
        "  --------  -------------  ----  --------  --------",
        "  9         5              1     1         0",
        "  obtained record written to baselines/heart/logreg/logreg-l2-C0.01.obtained.json",
        "  if the change is intended: regcheck bless --model logreg --reason '...'",
    ]


def test_an_error_verdict_says_what_raised_and_where() -> None:
    verdict = Verdict("logreg", "logreg-l1-C0.01", "error", "none", "the fit raised",
                      detail="FloatingPointError: liblinear diverged (logreg.py:55)")  # fmt: skip
    assert explain(verdict).splitlines() == [
        "logreg-l1-C0.01: error (rule: none; the fit raised)",
        "  the fit raised FloatingPointError: liblinear diverged (logreg.py:55)",
    ]
