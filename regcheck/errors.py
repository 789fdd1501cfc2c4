"""The errors regcheck shows to users, each a single line and an exit code."""

from __future__ import annotations

import json
import re
from typing import Any

EXIT_OK = 0
EXIT_MOVED = 1
EXIT_USAGE = 2


class RegcheckError(Exception):
    """A fault the user can fix: bad input, bad option, missing file.

    The message is the whole story in one line (what, where, what was expected);
    the CLI prints it as ``regcheck: error: <message>`` and exits with ``exit_code``,
    the pytest plugin turns it into a usage error or a failed test without a traceback.
    """

    exit_code = EXIT_USAGE


class DataError(RegcheckError):
    """A study's data is missing, unreadable or not the data its baselines were made from."""


class BaselineError(RegcheckError):
    """A baseline file is missing, corrupt or does not describe this study."""


class UsageError(RegcheckError):
    """An option or argument has a value regcheck cannot use."""


# C0 and C1 controls and Unicode's line and paragraph separators: any of them in a path or value
# quoted by a message (a file name with a newline, an environment variable) would break its line.
_LINE_BREAKERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(message: str) -> str:
    """``message`` as one printable line: every control character written as its escape (``\\n``)."""
    return _LINE_BREAKERS.sub(lambda found: repr(found.group())[1:-1], message)


def error_line(message: object) -> str:
    """The line a user sees for a fault: ``regcheck: error: <message>``, always one line."""
    return f"regcheck: error: {one_line(str(message))}"


def quoted(found: Any) -> str:
    """A value found in a file, as a message quotes it: as JSON writes it (repr where JSON cannot), at most 60
    characters, escapes only (``ensure_ascii``), so the message stays one line whatever the file held."""
    try:
        text = json.dumps(found, ensure_ascii=True)
    except (TypeError, ValueError):
        text = one_line(repr(found))
    return text if len(text) <= 60 else f"{text[:57]}..."
