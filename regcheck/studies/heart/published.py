"""The published table, read from ``baselines/published.json`` and checked to its printed precision."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from regcheck.errors import BaselineError
from regcheck.files.jsonio import is_integer, read_json_object
from regcheck.files.runfile import MAX_DECIMALS
from regcheck.results.compare import FieldDifference

if TYPE_CHECKING:
    from regcheck.engine.study import Configuration
    from regcheck.results.record import ResultRecord

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


PUBLISHED_KIND = "regcheck.published"
PUBLISHED_SCHEMA_VERSION = 1
_TOP_LEVEL = ("schema_version", "kind", "source", "dataset", "logreg", "mlp")


def load_published(root: Path) -> PublishedTable:
    """The published table, checked as strictly as a baseline: every fault is one line naming the field."""
    from regcheck.studies.heart.configs import all_config_ids
    from regcheck.studies.heart.data import CANONICAL_SHA256

    path = root / PUBLISHED_FILE
    if not os.path.lexists(path):
        raise BaselineError(f"{path}: no such file; the published table belongs in the baselines folder")
    document = read_json_object(path, BaselineError, "published", "the published table (a JSON object)")
    version = document.get("schema_version")
    if not is_integer(version) or version != PUBLISHED_SCHEMA_VERSION:  # true == 1 and 1.0 == 1 in Python
        raise BaselineError(f"{path}: schema_version is {document.get('schema_version')!r}, expected 1")
    if document.get("kind") != PUBLISHED_KIND:
        _fail(path, "kind", repr(PUBLISHED_KIND), document.get("kind"))
    unknown = [key for key in document if key not in _TOP_LEVEL]
    if unknown:
        _fail(path, unknown[0], f"only the fields {', '.join(_TOP_LEVEL)}", document[unknown[0]])
    dataset = document.get("dataset")
    if not isinstance(dataset, dict) or dataset.get("sha256") != CANONICAL_SHA256:
        found = dataset.get("sha256") if isinstance(dataset, dict) else dataset
        _fail(path, "dataset.sha256", f"the heart data's sha256 {CANONICAL_SHA256}", found)
    accuracy: dict[str, float] = {}
    decimals: dict[str, int] = {}
    for model in ("logreg", "mlp"):
        section = document.get(model)
        if not isinstance(section, dict) or not isinstance(section.get("accuracy"), dict):
            raise BaselineError(f"{path}: missing field {model}.accuracy")
        if section.get("notes") is not None and not isinstance(section["notes"], str):
            _fail(path, f"{model}.notes", "text", section["notes"])
        places = section.get("decimals", 2)
        if not is_integer(places) or not 0 <= places <= MAX_DECIMALS:
            _fail(path, f"{model}.decimals", f"an integer from 0 to {MAX_DECIMALS}", places)
        decimals[model] = places
        known = all_config_ids(model)
        for config_id, value in section["accuracy"].items():
            if config_id not in known:
                _fail(path, f"{model}.accuracy.{config_id}", f"a configuration of {model} ({', '.join(known)})", value)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise BaselineError(f"{path}: field {model}.accuracy.{config_id}: expected a number in [0, 1], found {value!r}")
            if round(value, places) != value:  # the publication prints `decimals` places; more were typed in
                _fail(path, f"{model}.accuracy.{config_id}", f"a number with at most {places} decimals", value)
            accuracy[config_id] = float(value)
        absent = [config_id for config_id in _reported(model) if config_id not in section["accuracy"]]
        if absent:  # a row left out would leave that configuration unchecked, in silence
            raise BaselineError(f"{path}: missing field {model}.accuracy.{absent[0]}; the publication reports it")
    return PublishedTable(accuracy, decimals)


def _reported(model: str) -> list[str]:
    """The rows the publication gives: every logistic configuration, the MLP's heavily regularized ones."""
    from regcheck.studies.heart.configs import LOGREG_GRID, MLP_GRID
    from regcheck.studies.heart.mlp import is_asserted

    if model == "logreg":
        return [config.config_id for config in LOGREG_GRID]
    return [config.config_id for config in MLP_GRID if is_asserted(config)]


def _fail(path: Path, name: str, expected: str, found: Any) -> NoReturn:
    shown = json.dumps(found)
    raise BaselineError(f"{path}: field {name}: expected {expected}, found {shown if len(shown) <= 80 else shown[:77] + '...'}")
