"""A dependency that cannot be imported is bad input (exit 2), never a moved result (exit 1).

A study names the modules it needs (``Study.requires``, ``Model.requires``); the run imports them
before the first fit. A missing package, or one built against another numpy ("numpy.dtype size
changed, may indicate binary incompatibility", raised as a ValueError from inside pandas' import),
becomes one line naming the module and the cause, instead of a traceback or a column of errors.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from regcheck.errors import RegcheckError


class DependencyError(RegcheckError):
    """A module the study needs cannot be imported in this environment."""


def require_modules(modules: Iterable[str], needed_by: str) -> None:
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception as exc:  # any failure at import time is the environment's, whatever its type
            cause = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise DependencyError(
                f"{name} cannot be imported ({type(exc).__name__}: {cause}); {needed_by} needs it: "
                f"reinstall it in this environment (e.g. pip install --force-reinstall {name})"
            ) from None
