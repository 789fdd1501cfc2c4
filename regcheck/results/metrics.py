"""Metrics derived from a record's core: what the reports show per configuration and what the band can compare.

A model declares its task (``classification`` or ``regression``) and its headline metrics
(``Model.metrics``, by default ``accuracy`` for a classifier and ``r2``, ``mse`` for a regressor).
A metric is one of the names below, computed from the record's predictions, probabilities and
true values, or any number the record holds in its ``extra`` part (``auc``, a study's own loss).

Classification (``true_labels`` are labels: integers, booleans or text):

* ``accuracy``, ``n_correct``: the share and the count of predictions equal to the label;
* ``log_loss``: the mean of ``-log p(true class)``, ``p`` clipped to ``[1e-15, 1]`` as scikit-learn's
  ``log_loss`` does;
* ``brier``: for a binary classifier (``probabilities`` one number per row, the positive class's)
  the mean of ``(p - y)**2``; for ``k`` classes (an ``n x k`` matrix) the mean over rows of
  ``sum_j (p_j - [j is the true class])**2``;
* ``mean_probability``: the mean probability of the positive class (binary only).

The probabilities' columns are the classes in ``ResultRecord.classes`` order where the record
names them (``estimator.classes_``), else the labels ``0 .. k-1``; a binary classifier's positive
class is ``classes[1]``, else the label ``1``.

Regression (predictions and true values are numbers; an ``n x m`` matrix is ``m`` outputs):
``mse``, ``rmse``, ``mae`` over every entry, and ``r2``, ``1 - SS_res / SS_tot`` averaged over the
outputs (1.0 where ``SS_tot`` is 0 and the fit is perfect, else 0.0: scikit-learn's convention).

Every sum is ``math.fsum``, so a metric is the same to the last bit wherever its inputs are.
A ``NaN`` input gives a ``NaN`` metric; a metric that does not apply to a record is ``None``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeGuard

from regcheck.results.values import flatten, shape_of

Task = Literal["classification", "regression"]
TASKS: tuple[Task, ...] = ("classification", "regression")
LOG_LOSS_EPSILON = 1e-15


@dataclass(frozen=True)
class Metric:
    name: str
    task: Task
    compute: Callable[[Mapping[str, Any]], float | None]
    what: str


def _accuracy(fields: Mapping[str, Any]) -> float | None:
    value = fields.get("accuracy")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    n_correct, n_test = fields.get("n_correct"), fields.get("n_test")
    return n_correct / n_test if _is_count(n_correct) and _is_count(n_test) and n_test else None


def _n_correct(fields: Mapping[str, Any]) -> float | None:
    value = fields.get("n_correct")
    return float(value) if _is_count(value) else None


def _is_count(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def true_class_probabilities(fields: Mapping[str, Any]) -> list[float] | None:
    """Per row, the probability the model gave the true class; None where the record cannot say."""
    found = _class_rows(fields)
    if found is None:
        return None
    probabilities, index, _ = found
    if len(shape_of(probabilities)) == 1:
        return [p if i == 1 else 1.0 - p for p, i in zip(probabilities, index)]
    return [row[i] for row, i in zip(probabilities, index)]


def _class_rows(fields: Mapping[str, Any]) -> tuple[list[Any], list[int], int] | None:
    """The probabilities, each row's true class as a column index, and the number of classes."""
    probabilities, labels = fields.get("probabilities"), fields.get("true_labels")
    if not isinstance(probabilities, list) or not isinstance(labels, list) or not probabilities:
        return None
    shape = shape_of(probabilities)
    if len(shape) not in (1, 2) or shape[0] != len(labels):
        return None
    columns = 2 if len(shape) == 1 else shape[1]
    classes = fields.get("classes")
    if isinstance(classes, list) and len(classes) == columns:
        order = {_label_key(label): position for position, label in enumerate(classes)}
    else:
        order = {("int", position): position for position in range(columns)}
    index = [order.get(_label_key(label)) for label in labels]
    if any(position is None for position in index):
        return None
    return probabilities, [int(position) for position in index if position is not None], columns


def _label_key(label: Any) -> tuple[str, Any]:
    # True == 1 in Python: a boolean label is not the integer label 1 unless the record says so.
    if isinstance(label, bool):
        return ("int", int(label))
    return ("int", label) if isinstance(label, int) else (type(label).__name__, label)


def _log_loss(fields: Mapping[str, Any]) -> float | None:
    truth = true_class_probabilities(fields)
    if truth is None:
        return None
    return math.fsum(-math.log(min(max(p, LOG_LOSS_EPSILON), 1.0)) if not math.isnan(p) else math.nan for p in truth) / len(truth)


def _brier(fields: Mapping[str, Any]) -> float | None:
    found = _class_rows(fields)
    if found is None:
        return None
    probabilities, index, columns = found
    if len(shape_of(probabilities)) == 1:
        return math.fsum((p - float(i)) ** 2 for p, i in zip(probabilities, index)) / len(index)
    rows = [math.fsum((row[j] - (1.0 if j == i else 0.0)) ** 2 for j in range(columns)) for row, i in zip(probabilities, index)]
    return math.fsum(rows) / len(rows)


def _mean_probability(fields: Mapping[str, Any]) -> float | None:
    probabilities = fields.get("probabilities")
    if not isinstance(probabilities, list) or not probabilities or len(shape_of(probabilities)) != 1:
        return None
    if not all(isinstance(p, (int, float)) and not isinstance(p, bool) for p in probabilities):
        return None
    return math.fsum(probabilities) / len(probabilities)


def _pairs(fields: Mapping[str, Any]) -> tuple[list[list[float]], list[list[float]]] | None:
    """Predictions and true values as columns (one per output) of numbers; None for labels or other shapes."""
    predicted, truth = fields.get("predictions"), fields.get("true_labels")
    if not isinstance(predicted, list) or not isinstance(truth, list) or not predicted:
        return None
    shape = shape_of(predicted)
    if shape != shape_of(truth) or len(shape) not in (1, 2):
        return None
    entries = flatten(predicted) + flatten(truth)
    if not all(isinstance(value, (int, float)) and not isinstance(value, bool) for value in entries):
        return None
    if len(shape) == 1:
        return [[float(v) for v in predicted]], [[float(v) for v in truth]]
    columns = range(shape[1])
    return [[float(row[j]) for row in predicted] for j in columns], [[float(row[j]) for row in truth] for j in columns]


def _squared_errors(fields: Mapping[str, Any]) -> list[float] | None:
    pairs = _pairs(fields)
    if pairs is None:
        return None
    return [(p - t) ** 2 for ps, ts in zip(*pairs) for p, t in zip(ps, ts)]


def _mse(fields: Mapping[str, Any]) -> float | None:
    errors = _squared_errors(fields)
    return None if errors is None else math.fsum(errors) / len(errors)


def _rmse(fields: Mapping[str, Any]) -> float | None:
    mse = _mse(fields)
    return None if mse is None else math.sqrt(mse)


def _mae(fields: Mapping[str, Any]) -> float | None:
    pairs = _pairs(fields)
    if pairs is None:
        return None
    errors = [abs(p - t) for ps, ts in zip(*pairs) for p, t in zip(ps, ts)]
    return math.fsum(errors) / len(errors)


def _r2(fields: Mapping[str, Any]) -> float | None:
    pairs = _pairs(fields)
    if pairs is None:
        return None
    scores = []
    for predicted, truth in zip(*pairs):
        mean = math.fsum(truth) / len(truth)
        residual = math.fsum((t - p) ** 2 for p, t in zip(predicted, truth))
        total = math.fsum((t - mean) ** 2 for t in truth)
        if math.isnan(residual) or math.isnan(total):
            scores.append(math.nan)
        elif total == 0:
            scores.append(1.0 if residual == 0 else 0.0)
        else:
            scores.append(1.0 - residual / total)
    return math.fsum(scores) / len(scores)


METRICS: dict[str, Metric] = {
    metric.name: metric
    for metric in (
        Metric("accuracy", "classification", _accuracy, "share of test rows predicted right"),
        Metric("n_correct", "classification", _n_correct, "test rows predicted right"),
        Metric("log_loss", "classification", _log_loss, "mean -log p(true class)"),
        Metric("brier", "classification", _brier, "mean squared gap of probabilities and labels"),
        Metric("mean_probability", "classification", _mean_probability, "mean probability of the positive class"),
        Metric("mse", "regression", _mse, "mean squared error"),
        Metric("rmse", "regression", _rmse, "root mean squared error"),
        Metric("mae", "regression", _mae, "mean absolute error"),
        Metric("r2", "regression", _r2, "coefficient of determination"),
    )
}
DEFAULT_METRICS: dict[Task, tuple[str, ...]] = {"classification": ("accuracy",), "regression": ("r2", "mse")}


def metric_value(name: str, fields: Mapping[str, Any]) -> float | None:
    """The metric ``name`` of one record (its flat fields, or a baseline's outcome): derived, or the record's own number."""
    metric = METRICS.get(name)
    if metric is not None:
        derived = metric.compute(fields)
        if derived is not None:
            return derived
    value = fields.get(name)  # a study's own number (under a metric's name too, where the core cannot derive it)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def metric_text(name: str, fields: Mapping[str, Any], places: int = 4) -> str:
    """``0.48 (29/61)`` for accuracy (as a publication prints it), ``r2 0.4526`` for any other metric."""
    value = metric_value(name, fields)
    if name == "accuracy" and value is not None and _is_count(fields.get("n_correct")):
        return f"{value:.{places}f} ({fields['n_correct']}/{fields['n_test']})"
    if value is None:
        return f"{name} -"
    return f"{name} {_number(value)}"


def _number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.4g}"


def unknown_for_task(names: Sequence[str], task: Task) -> list[str]:
    """The derived metrics among ``names`` that belong to the other task (``n_correct`` for a regression model)."""
    return [name for name in names if name in METRICS and METRICS[name].task != task]
