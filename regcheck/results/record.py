"""The result record: one per configuration, seed and run, the unit every other part speaks.

Every field holds a value of ``regcheck.results.values`` (labels, reals, digests, arrays of any
shape; NaN and infinities included). ``check_fields`` is the one schema of a record: the engine
applies it to what a fit returns (a record outside it is that configuration's ``error``), and
every reader applies it to what a file holds (a file outside it is bad input), so nothing that
regcheck writes is refused when it is read back. Floats are written with Python's shortest
round-trip repr, so a record read back compares bit for bit with the run that wrote it.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Protocol, TypeGuard

from regcheck.errors import quoted
from regcheck.results.names import NAME_RULE, is_safe_name
from regcheck.results.values import ValueProblem, decode, encode, flatten, normalize, shape_of

SEED_LIMIT = 2**32


class Configuration(Protocol):
    """One point of a model's grid: its model, a stable id (it names files and tests), its parameters."""

    @property
    def model(self) -> str: ...

    @property
    def config_id(self) -> str: ...

    def params(self) -> Mapping[str, Any]: ...


class RecordProblem(ValueError):
    """A field outside the record's schema: which field, what was expected, what was found."""

    def __init__(self, name: str, expected: str, found: str) -> None:
        super().__init__(f"field {name}: expected {expected}, found {found}")
        self.field = name
        self.expected = expected
        self.found = found


@dataclass
class ResultRecord:
    """What one fit produced: a fixed core every study has, and an open ``extra`` part.

    The core is what the engine judges and the reports show: the configuration, the seed, and
    the model's outputs on the test part, row by row in the test part's order: ``predictions``
    (labels for a classifier, numbers for a regressor, one row per test row: an ``n x m`` array
    for ``m`` outputs), ``probabilities`` (a binary classifier's positive class, one number per row,
    or an ``n x k`` matrix for ``k`` classes, columns in ``classes`` order), ``scores`` (any other
    real output per row: a decision function, a ranking score), ``test_rows`` (each position's row
    in the study's table) and ``true_labels`` (the true label or value of each row). ``n_correct``
    and ``accuracy`` are counted for labels and ``None`` for real-valued predictions. ``extra``
    holds whatever else a study records (coefficients, a loss, importances, a weights digest).
    On disk the record is one flat object, so files written before a field existed read back.
    """

    model: str
    config_id: str
    params: dict[str, Any]
    seed: int
    n_test: int
    n_correct: int | None
    accuracy: float | None
    predictions: list[Any]
    probabilities: list[Any] | None
    test_rows: list[int]
    true_labels: list[Any]
    fit_seconds: float
    scores: list[Any] | None = None
    classes: list[Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    environment: dict[str, Any] = field(default_factory=dict)
    dataset: dict[str, str] = field(default_factory=dict)

    @classmethod
    def on_test_part(
        cls, config: Configuration, truth: Iterable[Any], test_rows: Iterable[int], seed: int,
        predictions: Iterable[Any], probabilities: Iterable[Any] | None, fit_seconds: float, *,
        scores: Iterable[Any] | None = None, classes: Iterable[Any] | None = None, **extra: Any,
    ) -> ResultRecord:  # fmt: skip
        """The core fields, derived one way from a model's test-part outputs (numpy arrays welcome).

        Labels (integers, booleans, text) make a classifier's record, with ``n_correct`` and
        ``accuracy`` counted; real-valued predictions make a regression record (both ``None``).
        Raises ``RecordProblem`` naming the field when a value is outside the value model.
        """
        truth_list = _array("true_labels", truth)
        predicted = _array("predictions", predictions)
        n_correct = None
        if _labels(predicted) and _labels(truth_list) and len(predicted) == len(truth_list):
            n_correct = sum(int(p == t and type(p) is type(t)) for p, t in zip(predicted, truth_list))
        document = {
            "model": config.model, "config_id": config.config_id, "params": dict(config.params()), "seed": seed,
            "n_test": len(truth_list), "n_correct": n_correct,
            "accuracy": None if n_correct is None or not truth_list else n_correct / len(truth_list),
            "predictions": predicted, "probabilities": None if probabilities is None else _reals("probabilities", probabilities),
            "test_rows": _array("test_rows", test_rows), "true_labels": truth_list, "fit_seconds": fit_seconds,
            "scores": None if scores is None else _reals("scores", scores),
            "classes": None if classes is None else _array("classes", classes), **extra,
        }  # fmt: skip
        return cls.from_dict(check_fields(document))

    def value(self, name: str) -> Any:
        """A field by name, core or extra (``None`` when this record has no such field)."""
        if name in CORE_FIELDS:
            return getattr(self, name)
        return self.extra.get(name)

    def view(self) -> dict[str, Any]:
        """The flat form, sharing the record's values: the core, then ``extra``'s fields, then the context.

        For readers (comparisons, metrics, writers that build new containers): a record is never
        changed once made, so nothing is copied; ``to_dict`` gives a copy to change.
        """
        document = {name: getattr(self, name) for name in CORE_FIELDS}
        for name in OPTIONAL_CORE:  # absent, not null: a record of a study that never gives them reads as before
            if document[name] is None:
                del document[name]
        document.update(self.extra)
        document["environment"] = self.environment
        document["dataset"] = self.dataset
        return document

    def to_dict(self) -> dict[str, Any]:
        """The flat form as a copy of its own (plain values, NaN as a float)."""
        return copy.deepcopy(self.view())

    def outcome(self) -> dict[str, Any]:
        """The part a baseline keeps: everything but timing and the environment (sharing the record's values)."""
        return {key: value for key, value in self.view().items() if value is not None and key not in TRANSIENT_FIELDS}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ResultRecord:
        """Read a flat record back: known core fields by name, every other field into ``extra``.

        Raises ``RecordProblem`` naming the first required field that is absent.
        """
        absent = [name for name in REQUIRED_FIELDS if name not in data]
        if absent:
            raise RecordProblem(absent[0], "a field every record has", "none")
        core: dict[str, Any] = {name: data.get(name) for name in CORE_FIELDS}
        extra = {
            key: value
            for key, value in data.items()
            if key not in CORE_FIELDS and key not in CONTEXT_FIELDS and key != "extra" and value is not None
        }
        extra.update(data.get("extra") or {})  # fmt: skip
        return cls(**core, extra=extra, environment=dict(data.get("environment") or {}),
                   dataset=dict(data.get("dataset") or {}))  # fmt: skip


CORE_FIELDS = tuple(item.name for item in fields(ResultRecord) if item.name not in ("extra", "environment", "dataset"))
CONTEXT_FIELDS = ("environment", "dataset")
# Written only where a record has them, so a study that never gives them writes files as before they existed.
OPTIONAL_CORE = ("scores", "classes")
# Classifier-only fields (n_correct, accuracy, probabilities) may be absent: a regression record has none.
REQUIRED_FIELDS = ("model", "config_id", "params", "seed", "n_test", "predictions", "test_rows", "true_labels", "fit_seconds")
# What a baseline's outcome must hold (it keeps no timing, and older baselines lack test_rows and true_labels).
OUTCOME_REQUIRED = ("n_test", "predictions")
TRANSIENT_FIELDS = ("fit_seconds", "environment", "dataset")
# Core fields a record may leave without a value (a regression counts nothing; not every model gives probabilities).
NULLABLE_FIELDS = frozenset({"n_correct", "accuracy", "probabilities", "scores", "classes"})
# Identity fields pick the baseline; they are not results.
IDENTITY_FIELDS = ("model", "config_id", "seed")


def _array(name: str, values: Iterable[Any]) -> list[Any]:
    try:
        plain = normalize(values if isinstance(values, (list, tuple)) or hasattr(values, "tolist") else list(values))
    except ValueProblem as problem:
        raise RecordProblem(f"{name}{problem.where}", problem.expected, problem.found) from None
    if not isinstance(plain, list):
        raise RecordProblem(name, "an array (one entry per test row)", type(values).__name__)
    return plain


def _reals(name: str, values: Iterable[Any]) -> list[Any]:
    """An array of numbers as reals (a probability of exactly 0 or 1 may arrive as an integer)."""
    plain = _array(name, values)
    entries = flatten(plain)
    if not all(_number(value) for value in entries):
        raise RecordProblem(name, "an array of numbers", repr(next(v for v in entries if not _number(v)))[:40])
    return _as_floats(plain)


def _as_floats(value: list[Any]) -> list[Any]:
    return [_as_floats(item) if isinstance(item, list) else float(item) for item in value]


def _labels(values: list[Any]) -> bool:
    return all(not isinstance(value, (float, list)) for value in values)


def check_fields(document: Mapping[str, Any], *, outcome: bool = False) -> dict[str, Any]:
    """The one schema of a record (``outcome``: of a baseline's seed, without timing): the record
    with every value normalized, or ``RecordProblem`` naming the first field outside the schema."""
    required = OUTCOME_REQUIRED if outcome else REQUIRED_FIELDS
    for name in required:
        if document.get(name) is None:
            raise RecordProblem(name, "a field every record has", "none" if name not in document else "null")
    checked: dict[str, Any] = {}
    for name, raw in document.items():
        if not isinstance(name, str) or not name or not name.isprintable() or len(name) > 200:
            raise RecordProblem(quoted(name), "a field name of printable text", "another")
        if raw is None and (outcome or name not in NULLABLE_FIELDS):
            if not outcome and name not in CORE_FIELDS:
                continue  # a study's field without a value is no field (as ResultRecord.from_dict reads it)
            # A baseline keeps no field without a value: a null there was written by no run.
            raise RecordProblem(name, "a value (a baseline holds no null)" if outcome else "a value", "null")
        if name in CONTEXT_FIELDS:
            if raw is not None and not isinstance(raw, dict):
                raise RecordProblem(name, "an object", type(raw).__name__)
            checked[name] = raw
            continue
        if name == "params":
            checked[name] = check_params(raw)
            continue
        try:
            checked[name] = normalize(raw)
        except ValueProblem as problem:
            raise RecordProblem(f"{name}{problem.where}", problem.expected, problem.found) from None
    _check_core(checked, outcome)
    return checked


def decode_fields(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A record (or outcome) as a file holds it, its values decoded (``regcheck.results.values.decode``).

    Raises ``ValueProblem`` naming the field for an object that is no value.
    """
    decoded: dict[str, Any] = {}
    for name, value in raw.items():
        if name in CONTEXT_FIELDS:
            decoded[name] = value
        elif name == "params" and isinstance(value, dict):
            decoded[name] = {key: decode(item, f"params.{key}") for key, item in value.items()}
        else:
            decoded[name] = decode(value, str(name))
    return decoded


def encode_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The inverse of ``decode_fields``: a record as a file holds it."""
    encoded: dict[str, Any] = {}
    for name, value in fields.items():
        if name in CONTEXT_FIELDS:
            encoded[name] = value
        elif name == "params" and isinstance(value, dict):
            encoded[name] = {key: encode(item) for key, item in value.items()}
        else:
            encoded[name] = encode(value)
    return encoded


def check_params(raw: Any) -> dict[str, Any]:
    """A configuration's parameters, normalized: an object of values (numbers, text, booleans, arrays)."""
    if not isinstance(raw, Mapping):
        raise RecordProblem("params", "an object of the configuration's parameters", quoted(raw))
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if not isinstance(key, str):
            raise RecordProblem("params", "parameter names as text", quoted(key))
        try:
            params[key] = normalize(value)
        except ValueProblem as problem:
            raise RecordProblem(f"params.{key}{problem.where}", problem.expected, problem.found) from None
    return params


def _check_core(fields: dict[str, Any], outcome: bool) -> None:
    """What no fit can record: names that are paths, counts out of range, arrays of another length than n_test."""
    for name in IDENTITY_FIELDS[:2]:
        if name in fields and not is_safe_name(fields[name]):
            raise RecordProblem(name, f"a name of {NAME_RULE}", quoted(fields[name]))
    seed = fields.get("seed")
    if "seed" in fields and not (_integer(seed) and 0 <= seed < SEED_LIMIT):
        raise RecordProblem("seed", "an integer from 0 to 2**32 - 1", quoted(seed))
    n_test = fields["n_test"]
    if not _integer(n_test) or n_test < 1:
        raise RecordProblem("n_test", "an integer >= 1 (the test rows)", quoted(n_test))
    for name in ("predictions", "true_labels", "test_rows", "probabilities", "scores"):
        value = fields.get(name)
        if value is None:
            continue
        if not isinstance(value, list):
            raise RecordProblem(name, f"an array of {n_test} rows (n_test)", quoted(value))
        if len(value) != n_test:
            raise RecordProblem(name, f"an array of {n_test} rows (n_test)", f"{len(value)} rows")
    rows = fields.get("test_rows")
    if rows is not None and (len(shape_of(rows)) != 1 or not all(_integer(row) and row >= 0 for row in rows)):
        raise RecordProblem("test_rows", "a list of row numbers (integers >= 0)", quoted(rows))
    _check_counts(fields, n_test)
    _check_probabilities(fields)
    fit_seconds = fields.get("fit_seconds")
    if not outcome and not (_number(fit_seconds) and math.isfinite(fit_seconds) and fit_seconds >= 0):
        raise RecordProblem("fit_seconds", "a number of seconds >= 0", quoted(fit_seconds))


def _check_counts(fields: dict[str, Any], n_test: int) -> None:
    n_correct, accuracy = fields.get("n_correct"), fields.get("accuracy")
    if n_correct is not None and "accuracy" not in fields:
        raise RecordProblem("accuracy", "a field every record has", "none")
    if n_correct is None:
        if accuracy is not None:
            raise RecordProblem("accuracy", "no accuracy without n_correct", quoted(accuracy))
        return
    if not _integer(n_correct) or not 0 <= n_correct <= n_test:
        raise RecordProblem("n_correct", f"an integer from 0 to n_test ({n_test})", quoted(n_correct))
    # Derived, never compared on its own, but shown in every report: it must say what n_correct says.
    if not _number(accuracy) or not math.isclose(accuracy, n_correct / n_test, rel_tol=1e-12):
        raise RecordProblem("accuracy", f"n_correct / n_test ({n_correct}/{n_test})", quoted(accuracy))


def _check_probabilities(fields: dict[str, Any]) -> None:
    probabilities = fields.get("probabilities")
    if probabilities is None:
        return
    shape = shape_of(probabilities)
    if len(shape) not in (1, 2) or (len(shape) == 2 and shape[1] < 1):
        raise RecordProblem("probabilities", "one number per row, or a row of k class probabilities", f"shape {shape}")
    entries = flatten(probabilities) if len(shape) > 1 else probabilities
    # min and max run at C speed; only a NaN (or a value out of range) needs the look at each entry
    if not (entries and set(map(type, entries)) == {float} and min(entries) >= 0.0 and max(entries) <= 1.0):
        for value in entries:
            if not _number(value) or not (0.0 <= value <= 1.0 or math.isnan(value)):
                raise RecordProblem("probabilities", "probabilities in [0, 1] (or NaN)", quoted(value))
    classes = fields.get("classes")
    columns = 2 if len(shape) == 1 else shape[1]
    if classes is not None and (len(shape_of(classes)) != 1 or len(classes) != columns):
        raise RecordProblem("classes", f"a list of {columns} labels (one per probability column)", quoted(classes))


def _integer(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
