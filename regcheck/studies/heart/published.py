"""The published table, read from ``baselines/published.json`` and checked to its printed precision."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from regcheck.engine.errors import BaselineError
from regcheck.engine.exact import FieldDifference
from regcheck.engine.jsonio import read_json_object

if TYPE_CHECKING:
    from regcheck.engine.records import ResultRecord
    from regcheck.engine.study import Configuration

PUBLISHED_FILE = "published.json"


@dataclass(frozen=True)
class PublishedTable:
    """Published accuracies per configuration id, each printed to ``decimals[model]`` places."""

    accuracy: dict[str, float]
    decimals: dict[str, int]

    def expected(self, config_id: str) -> float | None:
        return self.accuracy.get(config_id)

    def check(self, model: str, config_id: str, accuracy: float) -> FieldDifference | None:
        """Does ``accuracy``, rounded as the publication printed it, equal the published value?"""
        published = self.accuracy.get(config_id)
        if published is None:
            return None
        places = self.decimals[model]
        shown = f"{accuracy:.{places}f}"
        if shown == f"{published:.{places}f}":
            return None
        return FieldDifference(
            "accuracy", f"published, {places} decimals", f"{published:.{places}f}", shown,
            f"{float(shown) - published:+.{places}f}",
        )  # fmt: skip

    def differences(self, config: Configuration, records: Sequence[ResultRecord]) -> list[FieldDifference]:
        """The logistic table is asserted to the digit; of the MLP's, only the l1=0.1 collapse (``mlp.py``)."""
        from regcheck.studies.heart.configs import MlpConfig
        from regcheck.studies.heart.mlp import published_fact

        if isinstance(config, MlpConfig):
            fact = published_fact(config, records)
            return [fact] if fact else []
        found = [self.check(config.model, config.config_id, record.accuracy or 0.0) for record in records[:1]]
        return [difference for difference in found if difference]

    def notes(self, model: str, records: Mapping[str, Sequence[ResultRecord]]) -> list[str]:
        if model != "mlp":
            return []  # the logistic table is asserted row by row: its verdicts say it all
        from regcheck.studies.heart.mlp import published_notes

        return [note.line() for note in published_notes(self.accuracy, records)]

    def to_document(self, models: Sequence[str]) -> dict[str, Any]:
        return {
            "published": {cid: value for cid, value in self.accuracy.items() if cid.split("-", 1)[0] in models},
            "published_decimals": {model: self.decimals.get(model, 2) for model in models},
        }


def load_published(root: Path) -> PublishedTable:
    path = root / PUBLISHED_FILE
    if not os.path.lexists(path):
        raise BaselineError(f"{path}: no such file; the published table belongs in the baselines folder")
    document = read_json_object(path, BaselineError, "published", "the published table (a JSON object)")
    version = document.get("schema_version")
    if isinstance(version, bool) or version != 1:
        raise BaselineError(f"{path}: schema_version is {document.get('schema_version')!r}, expected 1")
    accuracy: dict[str, float] = {}
    decimals: dict[str, int] = {}
    for model in ("logreg", "mlp"):
        section = document.get(model)
        if not isinstance(section, dict) or not isinstance(section.get("accuracy"), dict):
            raise BaselineError(f"{path}: missing field {model}.accuracy")
        decimals[model] = int(section.get("decimals", 2))
        for config_id, value in section["accuracy"].items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise BaselineError(f"{path}: field {model}.accuracy.{config_id}: expected a number in [0, 1], found {value!r}")
            accuracy[config_id] = float(value)
    return PublishedTable(accuracy, decimals)
