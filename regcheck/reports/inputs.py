"""How every input of a report is read: one reader for run files (``run_file``), matrix files
(``matrix_file``) and pytest-benchmark saved runs (``bench_file``).

Each reader turns a JSON document into small typed views the renderers share. A file that is
missing, is not JSON or has none of the expected fields is a usage error naming the file and what
was expected; a field that is merely absent (an older or newer writer) leaves its part empty, and
the report says so instead of failing. The matrix and benchmark files are written by other verbs
and by pytest-benchmark, so their readers accept the few layouts those writers may use.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from regcheck.errors import UsageError


def read_json(path: Path, what: str) -> Any:
    """A report input, read as every input is (``regcheck.files.jsonio``); messages start with ``what``."""
    from regcheck.files.jsonio import LIMITS, parse_json, read_regular_file

    kind = "benchmark" if "benchmark" in what else "run"
    raw = read_regular_file(path, UsageError, LIMITS[kind], "a JSON file", name=f"{what} {path}")
    return parse_json(raw, f"{what} {path}", UsageError)
