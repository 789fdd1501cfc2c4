"""The heart table: where it comes from, and proof that it is the table the study used.

Resolution order (first hit wins):

1. an explicit path: ``--data`` (CLI), ``--regcheck-data`` (pytest) or ``REGCHECK_DATA``;
2. the folder ``REGCHECK_DATA_DIR``: its ``heart.csv``, else its UCI original converted;
3. the user's cache folder (``REGCHECK_CACHE_DIR`` or the platform's cache dir);
4. a download of the UCI original over HTTPS, converted, verified, then cached.

Every path is verified the same way: structure first (so a user learns *what* is wrong),
then the sha256 of the canonical text (CRLF turned into LF, so both redistributed forms pass).
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from regcheck.errors import DataError
from regcheck.files.atomic import write_bytes_atomically
from regcheck.files.jsonio import LIMITS, read_regular_file

if TYPE_CHECKING:
    import pandas as pd

FILE_NAME = "heart.csv"
ORIGINAL_FILE_NAME = "processed.cleveland.data"
COLUMNS = (
    "age", "sex", "cp", "trestbps", "chol", "fbs", "restecg",
    "thalach", "exang", "oldpeak", "slope", "ca", "thal", "target",
)  # fmt: skip
TARGET = "target"
N_ROWS = 303
N_FEATURES = len(COLUMNS) - 1  # every column but the target
CANONICAL_SHA256 = "d235cad39b7bcc1d63c7b672146fb3b6108b861201d2e29e288ec7fe03e35082"
DATASET_NAME = "heart"


@dataclass(frozen=True)
class HeartTable:
    """The verified table and how it was found (the report header prints both)."""

    frame: pd.DataFrame
    path: Path | None
    source: str
    sha256: str = CANONICAL_SHA256


def canonical_sha256(raw: bytes) -> str:
    """sha256 of the text with LF line ends: the one hash both CRLF and LF copies share."""
    return hashlib.sha256(raw.replace(b"\r\n", b"\n")).hexdigest()


def parse_heart_csv(raw: bytes, where: str) -> pd.DataFrame:
    """Check and parse the bytes of a heart.csv; ``where`` names it in every error."""
    import pandas as pd

    if not raw.strip():
        raise DataError(f"{where}: the file is empty; expected the {N_ROWS}-row heart table with a header line")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"{where}: not UTF-8 text (byte {exc.start}); expected the heart table as CSV") from None
    from regcheck.studies.heart.uci import check_line_ends

    check_line_ends(text, where)
    reader = csv.reader(io.StringIO(text))
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise DataError(f"{where}: not readable as CSV at line {reader.line_num} ({exc}); expected the heart table") from None
    header = [name.strip() for name in rows[0]]
    _check_columns(header, where)
    values: list[list[float]] = []
    for line_number, row in enumerate(rows[1:], start=2):
        if not row:
            continue  # a trailing blank line is harmless
        values.append(_parse_row(row, line_number, where))
    if len(values) != N_ROWS:
        raise DataError(f"{where}: {len(values)} data rows, expected {N_ROWS} (truncated or not the Cleveland table?)")
    found = canonical_sha256(raw)
    if found != CANONICAL_SHA256:
        raise DataError(f"{where}: checksum mismatch: sha256 of its LF text is {found}, expected {CANONICAL_SHA256}")
    frame: pd.DataFrame = pd.DataFrame(values, columns=list(COLUMNS))
    frame[TARGET] = frame[TARGET].astype(int)
    return frame


def _check_columns(header: list[str], where: str) -> None:
    missing = [name for name in COLUMNS if name not in header]
    extra = [name for name in header if name not in COLUMNS]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        if extra:
            parts.append(f"unexpected column(s) {', '.join(extra)}")
        raise DataError(f"{where}: {'; '.join(parts)}; expected exactly {','.join(COLUMNS)}")
    if tuple(header) != COLUMNS:
        raise DataError(f"{where}: columns out of order; expected {','.join(COLUMNS)}")


def _parse_row(row: list[str], line_number: int, where: str) -> list[float]:
    if len(row) != len(COLUMNS):
        raise DataError(f"{where}: line {line_number} has {len(row)} fields, expected {len(COLUMNS)}")
    parsed = []
    for column, cell in zip(COLUMNS, row):
        try:
            value = float(cell)
        except ValueError:
            raise DataError(f"{where}: line {line_number}, column {column}: {cell!r} is not a number") from None
        if not math.isfinite(value):
            raise DataError(f"{where}: line {line_number}, column {column}: {cell!r} is not a finite number")
        parsed.append(value)
    return parsed


def cache_dir() -> Path:
    override = os.environ.get("REGCHECK_CACHE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("regcheck"))


def load_heart(explicit: Path | str | None = None) -> HeartTable:
    """Find, verify and parse the heart table by the documented resolution order."""
    explicit = explicit or os.environ.get("REGCHECK_DATA") or None
    if explicit:
        path = Path(explicit)
        return HeartTable(_parse_file(path), path, "explicit path")
    data_dir = os.environ.get("REGCHECK_DATA_DIR")
    if data_dir:
        return _load_from_folder(Path(data_dir))
    cached = cache_dir() / FILE_NAME
    if cached.exists():
        return HeartTable(_parse_file(cached, hint="delete it and regcheck downloads it again"), cached, "user cache")
    return _download_into_cache(cached)


def _parse_file(path: Path, hint: str = "") -> pd.DataFrame:
    where = str(path) + (f" ({hint})" if hint else "")
    if not os.path.lexists(path):
        raise DataError(f"{path}: no such file; pass the path of heart.csv or set REGCHECK_DATA_DIR to its folder")
    if path.is_dir():
        raise DataError(f"{path}: is a folder; expected the file heart.csv (or set REGCHECK_DATA_DIR={path})")
    return parse_heart_csv(read_regular_file(path, DataError, LIMITS["data"], "the heart table as CSV"), where)


def _load_from_folder(folder: Path) -> HeartTable:
    table = folder / FILE_NAME
    if os.path.lexists(table):
        return HeartTable(_parse_file(table), table, "REGCHECK_DATA_DIR")
    original = folder / ORIGINAL_FILE_NAME
    if os.path.lexists(original):
        from regcheck.studies.heart.uci import convert_original

        raw = read_regular_file(original, DataError, LIMITS["data"], "the UCI original processed.cleveland.data")
        raw = convert_original(raw, str(original))
        return HeartTable(parse_heart_csv(raw, str(original)), original, "REGCHECK_DATA_DIR (UCI original, converted)")
    raise DataError(f"REGCHECK_DATA_DIR={folder}: holds neither {FILE_NAME} nor {ORIGINAL_FILE_NAME}; put one of them there")


def _download_into_cache(cached: Path) -> HeartTable:
    from regcheck.studies.heart.uci import ORIGINAL_URL, convert_original, download_original

    raw_original = download_original(cached)
    raw = convert_original(raw_original, ORIGINAL_URL)
    frame = parse_heart_csv(raw, f"{FILE_NAME} converted from {ORIGINAL_URL}")
    # Cache only what passed every check, so a later run never trusts a bad download.
    write_bytes_atomically(cached, raw)
    return HeartTable(frame, cached, "downloaded from UCI")


def impossible_in_heart(outcome: Mapping[str, Any]) -> tuple[str, str, Any] | None:
    """What no outcome on this table can hold: a label other than 0 or 1 (the target is binary), more
    than one probability per row, a test row beyond the table, or a row named twice."""
    labels = [value for value in outcome.get("predictions") or () if value not in (0, 1) or isinstance(value, (bool, float))]
    if labels:
        return "predictions", "labels 0 or 1", labels[:3]
    probabilities = outcome.get("probabilities")
    if probabilities is not None and any(isinstance(value, list) for value in probabilities):
        return "probabilities", "one probability per row (of the positive class)", "a matrix"
    rows = outcome.get("test_rows")
    if rows is not None:
        beyond = [row for row in rows if not 0 <= row < N_ROWS]
        if beyond:
            return "test_rows", f"rows of the {N_ROWS}-row table (0 to {N_ROWS - 1})", beyond[0]
        if len(set(rows)) != len(rows):
            return "test_rows", "each row once", sorted(row for row in rows if rows.count(row) > 1)[:3]
    return None
