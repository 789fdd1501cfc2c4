"""The result record: one per configuration, seed and run, the unit every other part speaks.

Floats are written with Python's shortest round-trip repr, so a record read back
compares bit for bit with the run that wrote it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from regcheck.engine.atomic import write_text_atomically
from regcheck.engine.errors import UsageError

if TYPE_CHECKING:
    from regcheck.engine.study import Configuration

RECORD_SCHEMA_VERSION = 1


@dataclass
class ResultRecord:
    """What one fit produced: a fixed core every study has, and an open ``extra`` part.

    The core is what the engine judges and the reports show: the configuration, the seed, and
    the model's outputs on the test part (``predictions`` in the test part's row order,
    ``probabilities`` of the positive class for a binary classifier, ``test_rows`` naming each
    position's row in the study's table). ``n_correct`` and ``accuracy`` are derived for
    classifiers and ``None`` where predictions are real values (a regression model).
    ``extra`` holds whatever else a study records (coefficients, a loss, a weights digest):
    scalars and lists of numbers, compared by the exact tier like the core fields. On disk the
    record is one flat object, so files written before ``extra`` existed read back unchanged.
    """

    model: str
    config_id: str
    params: dict[str, Any]
    seed: int
    n_test: int
    n_correct: int | None
    accuracy: float | None
    predictions: list[Any]
    probabilities: list[float] | None
    test_rows: list[int]
    true_labels: list[Any]
    fit_seconds: float
    extra: dict[str, Any] = field(default_factory=dict)
    environment: dict[str, Any] = field(default_factory=dict)
    dataset: dict[str, str] = field(default_factory=dict)

    @classmethod
    def on_test_part(
        cls, config: Configuration, truth: Iterable[Any], test_rows: Iterable[int], seed: int,
        predictions: Iterable[Any], probabilities: Iterable[float] | None, fit_seconds: float, **extra: Any,
    ) -> ResultRecord:  # fmt: skip
        """The core fields, derived one way from a model's test-part predictions.

        Integer labels make a classifier's record (``n_correct`` and ``accuracy`` counted);
        real-valued predictions make a regression record (both ``None``).
        """
        truth_list = [_plain(value) for value in truth]
        predicted = [_plain(value) for value in predictions]
        n_correct = None
        if all(isinstance(value, int) for value in (*predicted, *truth_list)):
            n_correct = sum(int(p == t) for p, t in zip(predicted, truth_list, strict=True))
        return cls(
            model=config.model, config_id=config.config_id, params=dict(config.params()), seed=seed,
            n_test=len(truth_list), n_correct=n_correct,
            accuracy=None if n_correct is None else n_correct / len(truth_list), predictions=predicted,
            probabilities=None if probabilities is None else [float(value) for value in probabilities],
            test_rows=[int(row) for row in test_rows], true_labels=truth_list, fit_seconds=fit_seconds,
            extra=dict(extra),
        )  # fmt: skip

    def value(self, name: str) -> Any:
        """A field by name, core or extra (``None`` when this record has no such field)."""
        if name in CORE_FIELDS:
            return getattr(self, name)
        return self.extra.get(name)

    def to_dict(self) -> dict[str, Any]:
        """The flat form written to run files: the core, then ``extra``'s fields, then the context."""
        document = {name: getattr(self, name) for name in CORE_FIELDS}
        document.update(self.extra)
        document["environment"] = self.environment
        document["dataset"] = self.dataset
        return copy.deepcopy(document)

    def outcome(self) -> dict[str, Any]:
        """The part a baseline keeps: everything but timing and the environment."""
        kept = self.to_dict()
        for transient in TRANSIENT_FIELDS:
            kept.pop(transient)
        return {key: value for key, value in kept.items() if value is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ResultRecord:
        """Read a flat record back: known core fields by name, every other field into ``extra``.

        Raises ``TypeError`` naming the first required field that is absent.
        """
        absent = [name for name in REQUIRED_FIELDS if name not in data]
        if absent:
            raise TypeError(f"missing field {absent[0]!r}")
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
# Classifier-only fields (n_correct, accuracy, probabilities) may be absent: a regression record has none.
REQUIRED_FIELDS = ("model", "config_id", "params", "seed", "n_test", "predictions", "test_rows", "true_labels", "fit_seconds")
TRANSIENT_FIELDS = ("fit_seconds", "environment", "dataset")


def _plain(value: Any) -> Any:
    """A numpy scalar as Python's own number (``int`` labels stay ``int``), so records compare and serialise."""
    return value.item() if hasattr(value, "item") else value


def now_utc() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def run_document(
    records: list[ResultRecord], verdicts: list[dict[str, Any]], extra: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Every record and verdict of one run; ``extra`` adds context for reports (published table, profiles)."""
    document: dict[str, Any] = {
        "schema_version": RECORD_SCHEMA_VERSION,
        "kind": "regcheck.run",
        "created": now_utc(),
        "records": [record.to_dict() for record in records],
        "verdicts": verdicts,
    }
    document.update(extra or {})
    return document


def write_document(path: Path, document: Mapping[str, Any]) -> None:
    """The ``--json`` file: every record and verdict of one run, written whole or not at all."""
    if path.parent and not path.parent.exists():
        raise UsageError(f"--json {path}: folder {path.parent} does not exist")
    try:
        write_text_atomically(path, json.dumps(document, indent=1) + "\n")
    except OSError as exc:
        raise UsageError(f"--json {path}: cannot be written ({exc.strerror})") from None
