"""The result record: one per configuration, seed and run, the unit every other part speaks.

Floats are written with Python's shortest round-trip repr, so a record read back
compares bit for bit with the run that wrote it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from regcheck.engine.atomic import write_text_atomically
from regcheck.engine.errors import UsageError

if TYPE_CHECKING:
    from regcheck.studies.heart.configs import Config
    from regcheck.studies.heart.split import StudySplit

RECORD_SCHEMA_VERSION = 1


@dataclass
class ResultRecord:
    """What one fit produced; model-specific fields stay ``None`` for the other model.

    ``predictions`` and ``probabilities`` follow the test part's row order, and
    ``test_rows`` maps each position back to its 0-based row in heart.csv.
    """

    model: str
    config_id: str
    params: dict[str, float | str]
    seed: int
    n_test: int
    n_correct: int
    accuracy: float
    predictions: list[int]
    probabilities: list[float]
    test_rows: list[int]
    true_labels: list[int]
    fit_seconds: float
    coefficients: list[float] | None = None
    intercept: list[float] | None = None
    n_zero_coefficients: int | None = None
    loss: float | None = None
    backend: str | None = None
    device: str | None = None
    weights_sha256: str | None = None
    environment: dict[str, Any] = field(default_factory=dict)
    dataset: dict[str, str] = field(default_factory=dict)

    @classmethod
    def on_test_part(
        cls, config: Config, split: StudySplit, seed: int, predictions: Iterable[int],
        probabilities: Iterable[float], fit_seconds: float, **model_fields: Any,
    ) -> ResultRecord:  # fmt: skip
        """The fields every model shares, derived one way from its test-part predictions."""
        labels = [int(value) for value in predictions]
        truth = [int(value) for value in split.y_test]
        n_correct = sum(int(p == t) for p, t in zip(labels, truth, strict=True))
        return cls(
            model=config.model, config_id=config.config_id, params=config.params(), seed=seed,
            n_test=len(truth), n_correct=n_correct, accuracy=n_correct / len(truth), predictions=labels,
            probabilities=[float(value) for value in probabilities], test_rows=list(split.test_rows),
            true_labels=truth, fit_seconds=fit_seconds, **model_fields,
        )  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def outcome(self) -> dict[str, Any]:
        """The part a baseline keeps: everything but timing and the environment."""
        kept = self.to_dict()
        for transient in ("fit_seconds", "environment", "dataset"):
            kept.pop(transient)
        return {key: value for key, value in kept.items() if value is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ResultRecord:
        known = {item.name for item in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})


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


def write_run_file(
    path: Path, records: list[ResultRecord], verdicts: list[dict[str, Any]], extra: Mapping[str, Any] | None = None
) -> None:
    """The ``--json`` file: every record and verdict of one run, written whole or not at all."""
    document = run_document(records, verdicts, extra)
    if path.parent and not path.parent.exists():
        raise UsageError(f"--json {path}: folder {path.parent} does not exist")
    try:
        write_text_atomically(path, json.dumps(document, indent=1) + "\n")
    except OSError as exc:
        raise UsageError(f"--json {path}: cannot be written ({exc.strerror})") from None
