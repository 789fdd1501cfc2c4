"""A run file (``regcheck run --json``): its shape, checked once for every verb that reads one.

``report``, ``matrix`` and ``compare --results`` read run files written on other machines, by
other versions, or edited by hand. ``check_run_document`` checks every field those verbs use,
after ``regcheck.engine.jsonio`` has parsed the file strictly: a field of the wrong type is one
line naming the file and the field (``run.json: field records[3].params.C: expected a number,
found "x"``), never a traceback from deep inside a renderer. Fields the readers do not use are
left alone, so a newer writer's additions still read.

The shape is the writer's (``regcheck.engine.records``): each record has the core fields of a
``ResultRecord`` and a study's own fields (numbers, text, or lists of numbers); the environment
is the fingerprint of ``regcheck.engine.environment``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, NoReturn

from regcheck.engine.errors import RegcheckError
from regcheck.engine.jsonio import is_integer

RUN_KIND = "regcheck.run"
MAX_DECIMALS = 10

Check = Callable[[Any], bool]


def _text(value: Any) -> bool:
    return isinstance(value, str)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _count(value: Any) -> bool:
    return is_integer(value) and value >= 0


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float))


def _numbers(value: Any) -> bool:
    return isinstance(value, list) and all(_number(item) for item in value)


def _counts(value: Any) -> bool:
    return isinstance(value, list) and all(_count(item) for item in value)


def _object_of(check: Check) -> Check:
    return lambda value: isinstance(value, dict) and all(check(item) for item in value.values())


def _objects_of(check: Check) -> Check:
    return lambda value: isinstance(value, list) and all(_object_of(check)(item) for item in value)


def _or_none(check: Check) -> Check:
    return lambda value: value is None or check(value)


# What each field must be, and how a message says it. A field not listed is not read by any verb.
_RECORD_CORE: dict[str, tuple[Check, str]] = {
    "model": (_text, "text"),
    "config_id": (_text, "text"),
    "seed": (_count, "an integer >= 0"),
    "n_test": (_count, "an integer >= 0"),
    "params": (_object_of(_scalar), "an object of numbers or text"),
    "predictions": (_numbers, "a list of numbers"),
    "test_rows": (_counts, "a list of integers >= 0"),
    "true_labels": (_numbers, "a list of numbers"),
    "fit_seconds": (_number, "a number of seconds"),
}
_RECORD_OPTIONAL: dict[str, tuple[Check, str]] = {
    "n_correct": (_or_none(_count), "an integer >= 0 or null"),
    "accuracy": (_or_none(_number), "a number or null"),
    "probabilities": (_or_none(_numbers), "a list of numbers or null"),
    "environment": (
        _object_of(lambda v: _scalar(v) or _object_of(_scalar)(v) or _objects_of(_scalar)(v)),
        "an environment fingerprint (regcheck env)",
    ),
    "dataset": (_object_of(_scalar), "an object of text"),
}
_ENVIRONMENT: dict[str, tuple[Check, str]] = {
    "packages": (_object_of(_text), "an object of package versions (text)"),
    "variables": (_object_of(_text), "an object of environment variables (text)"),
    "blas": (_objects_of(_scalar), "a list of objects (threadpoolctl's pools)"),
}
_VERDICT: dict[str, tuple[Check, str]] = {
    "model": (_or_none(_text), "text"),
    "status": (_text, "text"),
    "rule": (_or_none(_text), "text"),
    "tier": (_or_none(_text), "text"),
    "reason": (_or_none(_text), "text"),
    "detail": (_or_none(_text), "text"),
    "differences": (_objects_of(_scalar), "a list of objects of numbers or text"),
    "flipped_rows": (_objects_of(_scalar), "a list of objects of numbers or text"),
}
_TOP_LEVEL: dict[str, tuple[Check, str]] = {
    "created": (_or_none(_text), "a time as text"),
    "study": (_or_none(_text), "text"),
    "seconds": (_or_none(_number), "a number of seconds"),
    "published": (_object_of(_number), "an object of published accuracies"),
    "published_decimals": (
        _object_of(lambda v: is_integer(v) and 0 <= v <= MAX_DECIMALS),
        f"an object of integers from 0 to {MAX_DECIMALS}",
    ),
    "profiles": (_object_of(_object_of(_scalar)), "an object of profiles (objects of text)"),
    "grids": (_objects_of(lambda v: _scalar(v) or _object_of(_scalar)(v)), "a list of objects (the study's grid axes)"),
    "configurations": (_object_of(_object_of(_scalar)), "an object of each configuration's parameters"),
}


def check_run_document(document: Any, where: str, error: type[RegcheckError]) -> dict[str, Any]:
    """``document`` if it has a run file's shape; else ``error``, one line naming ``where`` and the field.

    The caller has checked ``kind`` and ``schema_version`` (each verb words that its own way).
    """
    if not isinstance(document, dict):
        raise error(f"{where}: expected a JSON object (a regcheck run file), found {type(document).__name__}")
    if not isinstance(document.get("records"), list):
        _fail(where, error, "records", "a list", document.get("records"))
    verdicts = document.get("verdicts", [])  # a file of records alone has none
    if not isinstance(verdicts, list):
        _fail(where, error, "verdicts", "a list", verdicts)
    _fields(document, _TOP_LEVEL, "", where, error, required=False)
    for index, record in enumerate(document["records"]):
        at = f"records[{index}]"
        if not isinstance(record, dict):
            _fail(where, error, at, "a result record (an object)", record)
        _fields(record, _RECORD_CORE, f"{at}.", where, error, required=True)
        _fields(record, _RECORD_OPTIONAL, f"{at}.", where, error, required=False)
        _fields(record.get("environment") or {}, _ENVIRONMENT, f"{at}.environment.", where, error, required=False)
        for name, value in record.items():  # a study's own fields: numbers, text, or lists of numbers
            if name not in _RECORD_CORE and name not in _RECORD_OPTIONAL and name != "extra":
                if not (_number(value) or _text(value) or _numbers(value) or value is None):
                    _fail(where, error, f"{at}.{name}", "a number, text or a list of numbers", value)
        _consistent(record, at, where, error)
    models = {record["config_id"]: record["model"] for record in document["records"]}
    for index, grid in enumerate(document.get("grids") or []):
        _check_grid(grid, f"grids[{index}]", document.get("configurations"), models, where, error)
    configurations = document.get("configurations")
    known = set(configurations) if isinstance(configurations, dict) else None
    recorded = {record["config_id"] for record in document["records"]}
    if known is not None and not recorded <= known:
        unknown = sorted(recorded - known)[0]
        _fail(where, error, "records", f"records of the file's configurations ({len(known)})", unknown)
    for index, verdict in enumerate(verdicts):
        at = f"verdicts[{index}]"
        if not isinstance(verdict, dict) or not isinstance(verdict.get("config_id"), str):
            _fail(where, error, at, "a verdict (an object with a config_id)", verdict)
        _fields(verdict, _VERDICT, f"{at}.", where, error, required=False)
        if verdict.get("status") not in STATUSES:
            _fail(where, error, f"{at}.status", f"one of {', '.join(STATUSES)}", verdict.get("status"))
        if known is not None and verdict["config_id"] not in known:  # an error verdict has no records
            _fail(where, error, f"{at}.config_id", "a configuration of this file", verdict["config_id"])
    return document


# What a verdict can say (``regcheck.engine.exact.Verdict.status``).
STATUSES = ("held", "moved", "missing", "error", "updated")
SEED_LIMIT = 2**32


def _consistent(record: dict[str, Any], at: str, where: str, error: type[RegcheckError]) -> None:
    """What a writer cannot produce: values out of range, lists of another length than ``n_test``."""
    from regcheck.engine.study import is_safe_name

    for name in ("model", "config_id"):  # they name baselines and obtained records: never a path
        if not is_safe_name(record[name]):
            _fail(where, error, f"{at}.{name}", "a name of letters, digits, '.', '_' or '-'", record[name])
    if record["seed"] >= SEED_LIMIT:
        _fail(where, error, f"{at}.seed", "a seed below 2**32", record["seed"])
    n_test = record["n_test"]
    if n_test < 1:
        _fail(where, error, f"{at}.n_test", "an integer >= 1", n_test)
    for name in ("predictions", "test_rows", "true_labels", "probabilities"):
        values = record.get(name)
        if values is not None and len(values) != n_test:
            _fail(where, error, f"{at}.{name}", f"a list of {n_test} (n_test)", f"{len(values)} items")
    n_correct = record.get("n_correct")
    if n_correct is not None and n_correct > n_test:
        _fail(where, error, f"{at}.n_correct", f"at most n_test ({n_test})", n_correct)
    accuracy = record.get("accuracy")
    if accuracy is not None and not 0 <= accuracy <= 1:
        _fail(where, error, f"{at}.accuracy", "a number in [0, 1] or null", accuracy)
    if any(not 0 <= value <= 1 for value in record.get("probabilities") or []):
        _fail(where, error, f"{at}.probabilities", "numbers in [0, 1]", record["probabilities"])


def _fields(
    container: dict[str, Any], rules: dict[str, tuple[Check, str]], prefix: str, where: str,
    error: type[RegcheckError], required: bool,
) -> None:  # fmt: skip
    for name, (check, expected) in rules.items():
        if name not in container:
            if required:
                raise error(f"{where}: missing field {prefix}{name}; expected {expected}")
            continue
        if not check(container[name]):
            _fail(where, error, f"{prefix}{name}", expected, container[name])


def _fail(where: str, error: type[RegcheckError], name: str, expected: str, found: Any) -> NoReturn:
    shown = json.dumps(found, ensure_ascii=True)
    shown = shown if len(shown) <= 60 else f"{shown[:57]}..."
    raise error(f"{where}: field {name}: expected {expected}, found {shown}")


PLOTS = ("lines", "heatmap")  # ``regcheck.engine.study.GridAxes.plot``


def _check_grid(
    grid: dict[str, Any], at: str, configurations: Any, models: dict[str, str], where: str, error: type[RegcheckError]
) -> None:
    """A grid lays out configurations the file holds, by parameters they have, with a plot the reports draw."""
    for name in ("model", "rows", "columns"):
        if not isinstance(grid.get(name), str):
            _fail(where, error, f"{at}.{name}", "text", grid.get(name))
    if grid.get("plot", "heatmap") not in PLOTS:
        _fail(where, error, f"{at}.plot", f"one of {', '.join(PLOTS)}", grid.get("plot"))
    if not isinstance(configurations, dict):
        return
    params = [value for config_id, value in configurations.items() if models.get(config_id) == grid["model"]]
    for axis in ("rows", "columns"):
        if params and any(grid[axis] not in each for each in params):
            _fail(where, error, f"{at}.{axis}", f"a parameter of every {grid['model']} configuration", grid[axis])
