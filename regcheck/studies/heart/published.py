"""The published table, read from ``baselines/published.json`` and checked to its printed precision."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from regcheck.engine.errors import BaselineError
from regcheck.engine.exact import FieldDifference

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


def load_published(root: Path) -> PublishedTable:
    path = root / PUBLISHED_FILE
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"{path}: no such file; the published table belongs in the baselines folder") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    if document.get("schema_version") != 1:
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
