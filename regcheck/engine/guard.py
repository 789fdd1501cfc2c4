"""Every call into a study's own code, guarded one way: a study is untrusted input.

A hook that raises (anything but a ``RegcheckError``, which is the study's way of saying its
input is bad, and ``KeyboardInterrupt``, which is Ctrl-C) or returns the wrong type becomes one
line naming the study, the hook and what was expected: ``UsageError`` (exit 2) where the hook runs
before anything is fitted, a ``FitError`` (that configuration's ``error`` verdict) where it runs
during fitting. ``SystemExit`` from study code is caught like any other exception, so a study that
calls ``sys.exit(0)`` can never make a run "pass".
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from regcheck.errors import RegcheckError, UsageError
from regcheck.results.record import RecordProblem, ResultRecord, check_fields

if TYPE_CHECKING:
    from regcheck.engine.study import Model
    from regcheck.results.record import Configuration

T = TypeVar("T")


class FitError(Exception):
    """A fit failed or returned something that is no record of its configuration: that configuration's error."""


def describe_exception(exc: BaseException) -> str:
    """``Type: message (file.py:line)``, the line where it was raised: an error verdict's cause."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" ({Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    if isinstance(exc, SystemExit):
        return f"SystemExit: called sys.exit({exc.code!r}){where}"
    return f"{type(exc).__name__}: {exc}{where}"


def shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def list_of(kind: type) -> Callable[[Any], bool]:
    """A check that a hook returned a list or tuple of ``kind``."""
    return lambda value: isinstance(value, (list, tuple)) and all(isinstance(item, kind) for item in value)


def call_hook(
    study: str, hook: str, action: Callable[[], T], expected: str = "", accept: Callable[[Any], bool] | None = None
) -> T:
    """``action()``, a call of ``hook`` of ``study``; whatever it raises or a value ``accept`` refuses is one ``UsageError``."""
    try:
        value = action()
    except (RegcheckError, KeyboardInterrupt):
        raise
    except BaseException as exc:  # the user's code: SystemExit, GeneratorExit and its own BaseExceptions too
        raise UsageError(f"study {study}: {hook} raised {describe_exception(exc)}") from None
    if accept is not None and not accept(value):
        raise UsageError(f"study {study}: {hook} returned {shown(value)}; expected {expected}")
    return value


def call_in_fit(hook: str, action: Callable[[], T]) -> T:
    """``action()`` during fitting: whatever study code raises becomes a ``FitError`` naming ``hook``."""
    try:
        return action()
    except (RegcheckError, KeyboardInterrupt):
        raise
    except BaseException as exc:
        raise FitError(f"{hook} raised {describe_exception(exc)}") from None


def fitted(model: Model, config: Configuration, data: Any, seed: int) -> ResultRecord:
    """``model.fit`` of one seed, guarded: the record it returned, checked against the record's schema and
    normalized (numpy arrays become lists), or ``FitError`` saying what went wrong."""
    try:
        record = model.fit(config, data, seed)
    except (RegcheckError, KeyboardInterrupt):  # bad input (a device that cannot start), Ctrl-C: the run's to stop
        raise
    except BaseException as exc:  # crash isolation: SystemExit too, so sys.exit in a fit never ends the run
        raise FitError(describe_exception(exc)) from None
    if not isinstance(record, ResultRecord):
        raise FitError(f"fit() returned {shown(record)}; expected a regcheck ResultRecord (ResultRecord.on_test_part(...))")
    identity = {"model": config.model, "config_id": config.config_id, "seed": seed}
    for name, expected in identity.items():
        if getattr(record, name) != expected:
            raise FitError(f"fit() returned a record of {name} {getattr(record, name)!r}; expected {expected!r}")
    try:
        checked = ResultRecord.from_dict(check_fields(record.view()))
    except RecordProblem as problem:
        raise FitError(f"fit() returned a record outside the record's schema: {problem}") from None
    if model.task == "classification" and checked.n_correct is None:
        raise FitError(f"model {model.name} has task 'classification', but its predictions or true labels are real "
                       "numbers, so nothing is counted correct; a regression model sets task = 'regression'")  # fmt: skip
    return checked
