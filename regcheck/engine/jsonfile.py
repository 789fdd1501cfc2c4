"""Reading a JSON object from a file with one-line errors that name the file (baselines, run files)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from regcheck.engine.errors import RegcheckError


def read_json_object(path: Path, error: type[RegcheckError], expected: str = "a JSON object") -> dict[str, Any]:
    """The object in ``path``; any fault raises ``error`` naming the path, the place and what was expected."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot be read ({exc})") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    if not isinstance(document, dict):
        raise error(f"{path}: expected {expected}, found {type(document).__name__}")
    return document
