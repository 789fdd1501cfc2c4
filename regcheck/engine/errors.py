"""The errors regcheck shows to users, each a single line and an exit code."""

from __future__ import annotations

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
