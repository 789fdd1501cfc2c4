"""The UCI original of the Cleveland table, and the recipe that turns it into heart.csv.

The recipe is the one in the data README (verified byte for byte): the redistributed
heart.csv drops one row, duplicates the last, recodes five columns and sorts by target.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from regcheck.errors import DataError

ORIGINAL_URL = "https://archive.ics.uci.edu/ml/machine-learning-databases/heart-disease/processed.cleveland.data"
ORIGINAL_SHA256 = "a74b7efa387bc9d108d7d0115d831fe9b414b29ae7124f331b622b4efa0427c8"
ORIGINAL_ROWS = 303
_FEATURES = ("age", "sex", "cp", "trestbps", "chol", "fbs", "restecg", "thalach", "exang", "oldpeak", "slope", "ca", "thal")
_DROPPED_ROW = 184
_RECODE = {
    "cp": {4.0: 0.0, 2.0: 1.0, 3.0: 2.0, 1.0: 3.0},
    "thal": {6.0: 1.0, 3.0: 2.0, 7.0: 3.0},
    "restecg": {2.0: 0.0, 0.0: 1.0, 1.0: 2.0},
}
_MISSING_AS = {"thal": 0.0, "ca": 4.0}
_TIMEOUT_SECONDS = 30


def check_line_ends(text: str, where: str) -> None:
    """LF or CRLF only: a lone CR is a line end to some readers (csv, ``str.splitlines``) and not to others."""
    stray = text.replace("\r\n", "\n").find("\r")
    if stray >= 0:
        line = text[:stray].replace("\r\n", "\n").count("\n") + 1
        raise DataError(f"{where}: a carriage return without a line feed at line {line}; expected LF or CRLF line ends")


def original_url() -> str:
    """The download address; ``REGCHECK_UCI_URL`` points it at a mirror (HTTPS only)."""
    return os.environ.get("REGCHECK_UCI_URL", ORIGINAL_URL)


class HttpsOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to another https:// address (urllib would follow one to http://)."""

    def redirect_request(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> urllib.request.Request | None:
        if not newurl.startswith("https://"):
            fp.close()  # urllib closes it only after a redirect it follows
            raise DataError(f"{req.full_url}: redirected to {newurl}; only https:// addresses are allowed")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def download_original(cache_target: Path) -> bytes:
    """Fetch the original over HTTPS and check its sha256 before anything uses it."""
    url = original_url()
    if not url.startswith("https://"):
        raise DataError(f"REGCHECK_UCI_URL={url}: only https:// addresses are allowed for the download")
    opener = urllib.request.build_opener(HttpsOnlyRedirects())
    try:
        with opener.open(url, timeout=_TIMEOUT_SECONDS) as response:
            raw: bytes = response.read()
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:  # InvalidURL: a control character
        reason = getattr(exc, "reason", exc)
        raise DataError(
            f"heart data not found and the download from {url} failed ({reason}); offline, put heart.csv "
            f"in {cache_target.parent}, or set REGCHECK_DATA_DIR to a folder holding heart.csv "
            f"or {cache_target.with_name('processed.cleveland.data').name}"
        ) from None
    found = hashlib.sha256(raw).hexdigest()
    if found != ORIGINAL_SHA256:
        raise DataError(f"{url}: checksum mismatch: sha256 is {found}, expected {ORIGINAL_SHA256}; nothing was cached")
    return raw


def convert_original(raw: bytes, where: str) -> bytes:
    """Apply the recipe; the result is the canonical (LF) heart.csv text."""
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError as exc:
        raise DataError(f"{where}: not ASCII text (byte {exc.start}); expected the UCI Cleveland original") from None
    check_line_ends(text, where)  # as heart.csv's; and split on LF only: splitlines() also splits on \x0b, \x1c...
    numbered = enumerate(text.replace("\r\n", "\n").split("\n"), 1)
    rows = [_parse_original_line(line, number, where) for number, line in numbered if line.strip()]
    if len(rows) != ORIGINAL_ROWS:
        raise DataError(f"{where}: {len(rows)} rows, expected {ORIGINAL_ROWS} in the UCI Cleveland original")
    rows = rows[:_DROPPED_ROW] + rows[_DROPPED_ROW + 1 :] + [rows[-1]]
    recoded = [_recode(row, where) for row in rows]
    ordered = [row for row in recoded if row[-1] == 1] + [row for row in recoded if row[-1] == 0]
    lines = [",".join((*_FEATURES, "target"))]
    lines += [",".join("%g" % value for value in row) for row in ordered]
    return ("\n".join(lines) + "\n").encode("ascii")


def _parse_original_line(line: str, number: int, where: str) -> dict[str, float | None]:
    cells = line.strip().split(",")
    names = (*_FEATURES, "num")
    if len(cells) != len(names):
        raise DataError(f"{where}: line {number} has {len(cells)} fields, expected {len(names)}")
    row: dict[str, float | None] = {}
    for name, cell in zip(names, cells):
        if cell == "?":
            row[name] = None
            continue
        try:
            row[name] = float(cell)
        except ValueError:
            raise DataError(f"{where}: line {number}, column {name}: {cell!r} is not a number") from None
    return row


def _recode(row: dict[str, float | None], where: str) -> list[float]:
    values: list[float] = []
    for name in _FEATURES:
        value = row[name]
        if value is None:
            if name not in _MISSING_AS:
                raise DataError(f"{where}: column {name} has a missing value ('?') the recipe does not cover")
            value = _MISSING_AS[name]
        elif name in _RECODE:
            if value not in _RECODE[name]:
                expected = ", ".join(f"{code:g}" for code in _RECODE[name])
                raise DataError(f"{where}: column {name}: {value:g} is not a code of the original; expected {expected}")
            value = _RECODE[name][value]
        elif name == "slope":
            value = 3.0 - value
        values.append(value)
    num = row["num"]
    values.append(1.0 if num == 0 else 0.0)
    return values
