"""When a file was written: the UTC time every saved format records (``created``, ``updated``)."""

from __future__ import annotations

from datetime import datetime, timezone


def now_utc() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
