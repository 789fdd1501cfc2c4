"""The derived metrics agree with scikit-learn's own, for binary, multi-class and regression records."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn import metrics as sk

from regcheck.results.metrics import metric_text, metric_value, unknown_for_task

RNG = np.random.default_rng(7)


def test_binary_metrics_equal_scikit_learns() -> None:
    truth = RNG.integers(0, 2, 50)
    probabilities = RNG.random(50)
    fields = {"true_labels": truth.tolist(), "probabilities": probabilities.tolist(), "n_correct": 30, "n_test": 50}
    assert metric_value("log_loss", fields) == pytest.approx(sk.log_loss(truth, probabilities), rel=1e-12)
    assert metric_value("brier", fields) == pytest.approx(sk.brier_score_loss(truth, probabilities), rel=1e-12)
    assert metric_value("mean_probability", fields) == pytest.approx(probabilities.mean(), rel=1e-12)
    assert metric_value("accuracy", fields) == 0.6


def test_multi_class_metrics_follow_the_record_s_class_order() -> None:
    classes = ["setosa", "versicolor", "virginica"]
    truth = [classes[i] for i in RNG.integers(0, 3, 40)]
    raw = RNG.random((40, 3))
    probabilities = raw / raw.sum(axis=1, keepdims=True)
    fields = {"true_labels": truth, "probabilities": probabilities.tolist(), "classes": classes}
    assert metric_value("log_loss", fields) == pytest.approx(sk.log_loss(truth, probabilities, labels=classes), rel=1e-12)
    assert metric_value("brier", fields) == pytest.approx(sk.brier_score_loss(truth, probabilities, labels=classes), rel=1e-12)
    # Without classes the columns are the labels 0 .. k-1; text labels then cannot be placed.
    assert metric_value("log_loss", {**fields, "classes": None}) is None
    integers = {"true_labels": [classes.index(label) for label in truth], "probabilities": probabilities.tolist()}
    assert metric_value("log_loss", integers) == metric_value("log_loss", fields)


def test_regression_metrics_equal_scikit_learns_for_one_and_several_outputs() -> None:
    truth, predicted = RNG.normal(size=30), RNG.normal(size=30)
    fields = {"true_labels": truth.tolist(), "predictions": predicted.tolist()}
    assert metric_value("mse", fields) == pytest.approx(sk.mean_squared_error(truth, predicted), rel=1e-12)
    assert metric_value("rmse", fields) == pytest.approx(math.sqrt(sk.mean_squared_error(truth, predicted)), rel=1e-12)
    assert metric_value("mae", fields) == pytest.approx(sk.mean_absolute_error(truth, predicted), rel=1e-12)
    assert metric_value("r2", fields) == pytest.approx(sk.r2_score(truth, predicted), rel=1e-12)
    wide_truth, wide_predicted = RNG.normal(size=(30, 3)), RNG.normal(size=(30, 3))
    wide = {"true_labels": wide_truth.tolist(), "predictions": wide_predicted.tolist()}
    assert metric_value("r2", wide) == pytest.approx(sk.r2_score(wide_truth, wide_predicted), rel=1e-12)
    assert metric_value("mse", wide) == pytest.approx(sk.mean_squared_error(wide_truth, wide_predicted), rel=1e-12)


def test_a_nan_prediction_gives_a_nan_metric_and_a_metric_that_does_not_apply_gives_none() -> None:
    fields = {"true_labels": [1.0, 2.0], "predictions": [1.0, math.nan]}
    assert math.isnan(metric_value("mse", fields) or 0.0)
    assert math.isnan(metric_value("r2", fields) or 0.0)
    assert metric_value("log_loss", fields) is None  # no probabilities
    assert metric_value("mse", {"true_labels": [0, 1], "predictions": ["a", "b"]}) is None


def test_a_study_s_own_number_is_a_metric_too() -> None:
    assert metric_value("auc", {"auc": 0.91}) == 0.91
    assert metric_value("auc", {}) is None


def test_metrics_read_as_a_publication_prints_them() -> None:
    assert metric_text("accuracy", {"accuracy": 29 / 61, "n_correct": 29, "n_test": 61}, 2) == "0.48 (29/61)"
    assert metric_text("r2", {"r2": 0.45261}) == "r2 0.4526"
    assert metric_text("mse", {"mse": math.nan}) == "mse NaN"


def test_a_metric_of_the_other_task_is_named() -> None:
    assert unknown_for_task(("n_correct", "mse", "auc"), "regression") == ["n_correct"]
    assert unknown_for_task(("log_loss", "auc"), "classification") == []
