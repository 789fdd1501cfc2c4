"""The record: made from a model's outputs (numpy welcome), checked by one schema, and read back as written."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest

from regcheck.engine.study import Setting
from regcheck.results.record import RecordProblem, ResultRecord, check_fields, decode_fields, encode_fields

CONFIG = Setting("forest", {"depth": 3})


def record(**changes: Any) -> ResultRecord:
    arguments: dict[str, Any] = {
        "truth": np.array([0, 1, 2, 1]), "test_rows": np.array([10, 11, 12, 13]), "seed": 3,
        "predictions": np.array([0, 1, 1, 1]), "probabilities": np.full((4, 3), 1 / 3), "fit_seconds": 0.01,
    }  # fmt: skip
    arguments.update(changes)
    extra = arguments.pop("extra", {})
    return ResultRecord.on_test_part(CONFIG, **arguments, **extra)


def round_trip(made: ResultRecord) -> ResultRecord:
    """As a run file writes and reads it: JSON without NaN literals, decoded, checked."""
    text = json.dumps(encode_fields(made.to_dict()), allow_nan=False)
    return ResultRecord.from_dict(check_fields(decode_fields(json.loads(text))))


def test_a_multi_class_record_counts_labels_and_keeps_the_probability_matrix() -> None:
    made = record(classes=np.array([0, 1, 2]))
    assert (made.n_correct, made.accuracy) == (3, 0.75)
    assert made.probabilities == [[1 / 3] * 3] * 4 and made.classes == [0, 1, 2]


def test_a_regression_record_counts_nothing_and_keeps_real_predictions_and_scores() -> None:
    made = record(truth=[1.5, 2.5, 0.0, 1.0], predictions=np.array([1.4, 2.6, 0.1, 1.0]), probabilities=None,
                  scores=np.array([0.2, 0.3, 0.4, 0.5]))  # fmt: skip
    assert made.n_correct is None and made.accuracy is None
    assert made.predictions == [1.4, 2.6, 0.1, 1.0] and made.scores == [0.2, 0.3, 0.4, 0.5]


def test_numpy_arrays_and_nested_lists_in_extra_are_stored_as_arrays_and_read_back() -> None:
    importances = np.linspace(0, 1, 64).reshape(8, 8)
    made = record(extra={"importances": importances, "layers": [[1, 2], [3, 4]], "loss": np.float64(0.25)})
    assert made.extra["importances"] == importances.tolist() and made.extra["loss"] == 0.25
    assert round_trip(made).to_dict() == made.to_dict()


def test_nan_and_infinity_are_values_a_record_keeps_and_reads_back() -> None:
    made = record(extra={"loss": math.nan, "curve": [1.0, math.inf]}, probabilities=np.full((4, 3), math.nan))
    back = round_trip(made)
    assert math.isnan(back.extra["loss"]) and back.extra["curve"] == [1.0, math.inf]
    assert all(math.isnan(p) for row in back.probabilities or [] for p in row)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"predictions": [0, 1, 1]}, "field predictions: expected an array of 4 rows (n_test), found 3 rows"),
        ({"probabilities": np.full((4, 3), 1.5)}, "field probabilities: expected probabilities in [0, 1] (or NaN), found 1.5"),
        ({"classes": [0, 1]}, "field classes: expected a list of 3 labels (one per probability column), found [0, 1]"),
        ({"extra": {"notes": {"a": 1}}}, "field notes: expected a number, text, a boolean or an array of them, found dict"),
        ({"extra": {"layers": [[1, 2], [3]]}}, "field layers[1]: expected shape (2,) (the array is ragged), found shape (1,)"),
        ({"test_rows": [-1, 0, 1, 2]}, "field test_rows: expected a list of row numbers (integers >= 0), found [-1, 0, 1, 2]"),
        ({"fit_seconds": math.nan}, "field fit_seconds: expected a number of seconds >= 0, found NaN"),
    ],
)
def test_a_record_outside_the_schema_names_the_field_and_what_was_expected(changes: dict[str, Any], problem: str) -> None:
    with pytest.raises(RecordProblem) as refused:
        record(**changes)
    assert str(refused.value) == problem


def test_a_configuration_named_like_a_path_cannot_make_a_record() -> None:
    with pytest.raises(RecordProblem, match="field config_id: expected a name of letters"):
        ResultRecord.on_test_part(Setting("forest", {}, name="../x"), [0], [0], 0, [0], None, 0.0)


def test_a_baseline_outcome_of_finite_values_is_written_as_before_the_value_model() -> None:
    made = record(probabilities=np.array([0.25, 0.5, 0.75, 1.0]), truth=[0, 1, 1, 1], classes=None)
    outcome = made.outcome()
    assert encode_fields(outcome) == outcome  # finite values: the JSON is the plain values, no tags
    assert list(outcome)[:11] == ["model", "config_id", "params", "seed", "n_test", "n_correct", "accuracy", "predictions",
                                  "probabilities", "test_rows", "true_labels"]  # fmt: skip
    assert "scores" not in outcome and "classes" not in outcome
