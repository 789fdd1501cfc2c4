"""The run file (``regcheck run --json``): its kind and schema, its writer, its reader and checker, and its view.

Every verb that reads a run file (``report``, ``matrix``, ``bisect``, ``upgrade``, ``compare
--results``) reads it here, into ``RunData``. The reader checks every field a verb uses after
``regcheck.files.jsonio`` has parsed the file strictly: a field of the wrong type is one line
naming the file and the field (``run.json: field records[3].params.C: expected ..., found "x"``),
never a traceback from deep inside a renderer. Each record is checked by the record's own schema
(``regcheck.results.record.check_fields``), the one the engine applies to what a fit returns, so
whatever a run writes reads back. Fields no verb uses are left alone, so a newer writer's
additions still read.

The document::

    {"schema_version": 1, "kind": "regcheck.run", "created": "2026-...Z", "study": "heart",
     "records": [{flat ResultRecord}, ...], "verdicts": [{Verdict.to_dict()}, ...],
     "models": {"logreg": {"task": "classification", "metrics": ["accuracy"], "rule": "exact"}},
     "profiles": {...}, "grids": [{GridAxes}], "configurations": {config_id: params}, "seconds": 0.1,
     "published": {config_id: accuracy}, "published_decimals": {model: places}}

A non-finite real is written ``{"$numberDouble": "NaN"}`` (``regcheck.results.values``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, NoReturn

from regcheck.errors import RegcheckError, UsageError, quoted
from regcheck.files.atomic import write_text_atomically
from regcheck.files.jsonio import LIMITS, dumps_indented, is_integer, parse_json, read_regular_file
from regcheck.files.times import now_utc
from regcheck.results.compare import FieldDifference
from regcheck.results.metrics import DEFAULT_METRICS, TASKS, Task
from regcheck.results.record import RecordProblem, ResultRecord, check_fields, decode_fields, encode_fields
from regcheck.results.values import ValueProblem

RUN_KIND = "regcheck.run"
RUN_SCHEMA_VERSION = 1
MAX_DECIMALS = 10
# What a verdict can say (``regcheck.engine.judge.Verdict.status``).
STATUSES = ("held", "moved", "missing", "error", "updated")
PLOTS = ("lines", "heatmap")
HOW_TO_WRITE = "regcheck run --json PATH"


@dataclass(frozen=True)
class GridAxes:
    """How the reports lay a model's configurations out: one parameter down, one across.

    ``rows`` and ``columns`` name parameters of the model's configurations; ``row_label`` names
    the row parameter in tables and plots (default: ``rows``). ``plot`` picks the chart beside the
    table: ``lines`` (the model's first metric against a numeric column parameter, one line per row
    value) or ``heatmap`` (rows x columns, each cell's mean over seeds with every seed shown).
    ``labels`` says how a parameter value reads (``{"l1": "L1"}``); a value it does not name
    reads as itself, real numbers in ``%g``. A model without axes is reported as a plain table.
    """

    model: str
    title: str
    rows: str
    columns: str
    row_label: str = ""
    plot: Literal["lines", "heatmap"] = "heatmap"
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelInfo:
    """What the run file says of a model: its task, its headline metrics, its rule."""

    task: Task = "classification"
    metrics: tuple[str, ...] = ("accuracy",)
    rule: str = ""


@dataclass(frozen=True)
class VerdictView:
    """One configuration's verdict as the renderers need it, whichever writer made it."""

    model: str
    config_id: str
    status: str
    tier: str
    reason: str
    detail: str = ""
    differences: tuple[FieldDifference, ...] = ()

    @property
    def failed(self) -> bool:
        return self.status in ("moved", "missing", "error")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> VerdictView:
        differences = tuple(
            FieldDifference(*(str(item.get(key, "")) for key in ("field", "rule", "expected", "obtained", "difference")))
            for item in data.get("differences") or ()
            if isinstance(item, Mapping)
        )
        config_id = str(data.get("config_id", "?"))
        return cls(
            model=str(data.get("model") or config_id.split("-", 1)[0]),
            config_id=config_id,
            status=str(data.get("status", "?")),
            # A band model's verdict states its tier; an exact model's rule is its tier.
            tier=str(data.get("tier") or data.get("rule") or "-"),
            reason=str(data.get("reason", "")),
            detail=str(data.get("detail", "")),
            differences=differences,
        )


@dataclass(frozen=True)
class RunData:
    """One run of a study: its records, verdicts, what it was judged against, and its report layout.

    ``grids`` and ``configurations`` are ``None`` where the run file has no such field (a writer
    older than them), and empty where the study gave none. Lookups by configuration are indexed
    once, so a report of 10,000 configurations costs the same per configuration as one of ten.
    """

    source: str
    created: str | None
    records: tuple[ResultRecord, ...]
    verdicts: tuple[VerdictView, ...]
    published: Mapping[str, float] = field(default_factory=dict)
    decimals: Mapping[str, int] = field(default_factory=dict)
    profiles: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    seconds: float | None = None
    study: str = ""
    grids: tuple[GridAxes, ...] | None = None
    configurations: Mapping[str, Mapping[str, Any]] | None = None
    model_info: Mapping[str, ModelInfo] = field(default_factory=dict)

    @cached_property
    def _by_config(self) -> dict[str, list[ResultRecord]]:
        found: dict[str, list[ResultRecord]] = {}
        for record in self.records:
            found.setdefault(record.config_id, []).append(record)
        return {config_id: sorted(records, key=lambda r: r.seed) for config_id, records in found.items()}

    @cached_property
    def _verdicts(self) -> dict[str, VerdictView]:
        found: dict[str, VerdictView] = {}
        for verdict in self.verdicts:
            found.setdefault(verdict.config_id, verdict)
        return found

    @cached_property
    def _config_ids(self) -> dict[str, list[str]]:
        found: dict[str, dict[str, None]] = {}
        for verdict in self.verdicts:
            found.setdefault(verdict.model, {})[verdict.config_id] = None
        for record in self.records:
            found.setdefault(record.model, {})[record.config_id] = None
        return {model: list(ids) for model, ids in found.items()}

    def models(self) -> list[str]:
        return list(self._config_ids)

    def records_for(self, config_id: str) -> list[ResultRecord]:
        return list(self._by_config.get(config_id, ()))

    def verdict_for(self, config_id: str) -> VerdictView | None:
        return self._verdicts.get(config_id)

    def config_ids(self, model: str) -> list[str]:
        return list(self._config_ids.get(model, ()))

    def params(self, config_id: str) -> dict[str, Any]:
        """A configuration's parameters: from its records, else (no record: its fit raised) from the layout."""
        records = self._by_config.get(config_id)
        if records:
            return dict(records[0].params)
        return dict((self.configurations or {}).get(config_id) or {})

    def axes_for(self, model: str) -> GridAxes | None:
        return next((axes for axes in self.grids or () if axes.model == model), None)

    def info(self, model: str) -> ModelInfo:
        """The model's task and metrics: as the file says, else read off its records (a file older than them)."""
        if model in self.model_info:
            return self.model_info[model]
        records = [record for config_id in self.config_ids(model) for record in self._by_config.get(config_id, ())[:1]]
        task: Task = "regression" if records and all(record.n_correct is None for record in records) else "classification"
        return ModelInfo(task, DEFAULT_METRICS[task])

    def environment(self) -> Mapping[str, Any]:
        return self.records[0].environment if self.records else {}


# --- writing ---------------------------------------------------------------------------------------


def run_document(
    records: Sequence[ResultRecord], verdicts: Sequence[Mapping[str, Any]], extra: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Every record and verdict of one run, as the file holds them; ``extra`` adds context for reports."""
    document: dict[str, Any] = {
        "schema_version": RUN_SCHEMA_VERSION,
        "kind": RUN_KIND,
        "created": now_utc(),
        "records": [encode_fields(record.view()) for record in records],
        "verdicts": [dict(verdict) for verdict in verdicts],
    }
    document.update(extra or {})
    return document


def run_text(document: Mapping[str, Any]) -> str:
    """The file's text; refuses (``UsageError``) a document larger than any reader takes."""
    text = dumps_indented(document) + "\n"
    if len(text.encode("utf-8")) > LIMITS["run"]:
        raise UsageError(f"the run file would be {len(text) // 2**20} MiB, larger than the {LIMITS['run'] // 2**20} MiB "
                         "every reader takes; run fewer configurations or seeds per file")  # fmt: skip
    return text


def write_run_file(path: Path, document: Mapping[str, Any]) -> None:
    """The ``--json`` file: every record and verdict of one run, written whole or not at all."""
    if path.parent and not path.parent.exists():
        raise UsageError(f"--json {path}: folder {path.parent} does not exist")
    try:
        write_text_atomically(path, run_text(document))
    except OSError as exc:
        raise UsageError(f"--json {path}: cannot be written ({exc.strerror})") from None


# --- reading ---------------------------------------------------------------------------------------


def read_run(path: Path, error: type[RegcheckError] = UsageError, name: str | None = None) -> RunData:
    """A run file: what kind of file it is first, then every field the verbs use. ``name`` prefixes every message."""
    where = name or f"run file {path}"
    raw = read_regular_file(path, error, LIMITS["run"], "a JSON file", name=where)
    document = parse_json(raw, where, error)
    if not isinstance(document, dict):
        raise error(f"{where}: expected a JSON object written by '{HOW_TO_WRITE}'")
    if document.get("kind") != RUN_KIND:
        raise error(f"{where}: kind is {document.get('kind')!r}, expected {RUN_KIND!r} ({HOW_TO_WRITE})")
    version = document.get("schema_version")
    if not is_integer(version) or version != RUN_SCHEMA_VERSION:
        raise error(f"{where}: schema_version is {version!r}, expected {RUN_SCHEMA_VERSION}")
    return run_from_document(document, where, error, str(path))


def run_from_document(
    document: Mapping[str, Any], where: str, error: type[RegcheckError] = UsageError, source: str | None = None
) -> RunData:
    """The checked view of a run document (a file's, or the one a run builds in memory)."""
    checker = _Checker(where, error)
    records_in, verdicts_in = document.get("records"), document.get("verdicts", [])
    if not isinstance(records_in, list) or not isinstance(verdicts_in, list):
        raise error(
            f"{where}: not a regcheck run file (expected lists 'records' and 'verdicts'; write one with '{HOW_TO_WRITE}')"
        )
    checker.fields(document, _TOP_LEVEL, "")
    records = tuple(checker.record(item, index) for index, item in enumerate(records_in))
    verdicts = tuple(checker.verdict(item, index) for index, item in enumerate(verdicts_in))
    configurations = document.get("configurations")
    known = set(configurations) if isinstance(configurations, dict) else None
    if known is not None:
        for index, record in enumerate(records):
            if record.config_id not in known:
                checker.fail(f"records[{index}].config_id", f"a configuration of this file ({len(known)})", record.config_id)
        for index, verdict in enumerate(verdicts):
            if verdict.config_id not in known:  # an error verdict has no records
                checker.fail(f"verdicts[{index}].config_id", "a configuration of this file", verdict.config_id)
    models = {record.config_id: record.model for record in records}
    grids = document.get("grids")
    for index, grid in enumerate(grids if isinstance(grids, list) else []):
        checker.grid(grid, f"grids[{index}]", configurations, models)
    return _view(document, source or where, records, verdicts)


def _view(
    document: Mapping[str, Any], source: str, records: tuple[ResultRecord, ...], verdicts: tuple[VerdictView, ...]
) -> RunData:
    published = document.get("published") or {}
    decimals = document.get("published_decimals") or {}
    profiles = document.get("profiles") or {}
    seconds = document.get("seconds")
    return RunData(
        source=source,
        created=document.get("created") if isinstance(document.get("created"), str) else None,
        records=records,
        verdicts=verdicts,
        published={str(k): float(v) for k, v in published.items() if isinstance(v, (int, float))},
        decimals={str(k): int(v) for k, v in decimals.items() if isinstance(v, int)},
        profiles={str(k): v for k, v in profiles.items() if isinstance(v, Mapping)},
        seconds=float(seconds) if isinstance(seconds, (int, float)) else None,
        study=str(document.get("study") or ""),
        grids=_grid_axes(document["grids"]) if "grids" in document else None,
        configurations=_configurations(document["configurations"]) if "configurations" in document else None,
        model_info=_model_info(document.get("models")),
    )


def _grid_axes(raw: Any) -> tuple[GridAxes, ...]:
    """The study's report layout as the run file keeps it (checked: ``_Checker.grid``)."""
    if not isinstance(raw, list):
        return ()
    found = []
    for item in raw:
        plot: Literal["lines", "heatmap"] = "lines" if item.get("plot") == "lines" else "heatmap"
        labels = item.get("labels") if isinstance(item.get("labels"), Mapping) else {}
        found.append(GridAxes(item["model"], str(item.get("title") or item["model"]), item["rows"], item["columns"],
                              str(item.get("row_label") or item["rows"]), plot,
                              {str(value): str(label) for value, label in labels.items()}))  # fmt: skip
    return tuple(found)


def _configurations(raw: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(raw, Mapping):
        return {}
    return {str(config_id): dict(params) for config_id, params in raw.items() if isinstance(params, Mapping)}


def _model_info(raw: Any) -> dict[str, ModelInfo]:
    if not isinstance(raw, Mapping):
        return {}
    found = {}
    for model, info in raw.items():
        task: Task = info["task"]
        found[str(model)] = ModelInfo(task, tuple(info["metrics"]), str(info.get("rule") or ""))
    return found


# --- checking --------------------------------------------------------------------------------------

Check = Callable[[Any], bool]


def _text(value: Any) -> bool:
    return isinstance(value, str)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float))


def _object_of(check: Check) -> Check:
    return lambda value: isinstance(value, dict) and all(check(item) for item in value.values())


def _objects_of(check: Check) -> Check:
    return lambda value: isinstance(value, list) and all(_object_of(check)(item) for item in value)


def _or_none(check: Check) -> Check:
    return lambda value: value is None or check(value)


def _model_entry(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and value.get("task") in TASKS
        and isinstance(value.get("metrics"), list)
        and all(isinstance(name, str) for name in value["metrics"])
        and _or_none(_text)(value.get("rule"))
    )


# What each field must be, and how a message says it. A field not listed is not read by any verb.
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
    "configurations": (_object_of(lambda v: isinstance(v, dict)), "an object of each configuration's parameters"),
    "models": (_object_of(_model_entry), "an object of each model's task, metrics and rule"),
}
_ENVIRONMENT: dict[str, tuple[Check, str]] = {
    "packages": (_object_of(_text), "an object of package versions (text)"),
    "variables": (_object_of(_text), "an object of environment variables (text)"),
    "blas": (_objects_of(_scalar), "a list of objects (threadpoolctl's pools)"),
}
_VERDICT: dict[str, tuple[Check, str]] = {
    "model": (_or_none(_text), "text"),
    "config_id": (_text, "text"),
    "status": (lambda v: v in STATUSES, f"one of {', '.join(STATUSES)}"),
    "rule": (_or_none(_text), "text"),
    "tier": (_or_none(_text), "text"),
    "reason": (_or_none(_text), "text"),
    "detail": (_or_none(_text), "text"),
    "differences": (_objects_of(_scalar), "a list of objects of numbers or text"),
    "flipped_rows": (_objects_of(_scalar), "a list of objects of numbers or text"),
}


class _Checker:
    """Checks of one document whose failures read ``<where>: field <name>: expected <what>, found <value>``."""

    def __init__(self, where: str, error: type[RegcheckError]) -> None:
        self.where = where
        self.error = error

    def fail(self, name: str, expected: str, found: Any) -> NoReturn:
        raise self.error(f"{self.where}: field {name}: expected {expected}, found {quoted(found)}")

    def fields(self, container: Mapping[str, Any], rules: Mapping[str, tuple[Check, str]], prefix: str,
               required: Sequence[str] = ()) -> None:  # fmt: skip
        for name, (check, expected) in rules.items():
            if name not in container:
                if name in required:
                    raise self.error(f"{self.where}: missing field {prefix}{name}; expected {expected}")
                continue
            if not check(container[name]):
                self.fail(f"{prefix}{name}", expected, container[name])

    def record(self, raw: Any, index: int) -> ResultRecord:
        at = f"records[{index}]"
        if not isinstance(raw, dict):
            self.fail(at, "a result record (an object)", raw)
        try:
            checked = check_fields(decode_fields(raw))
        except ValueProblem as problem:
            raise self.error(f"{self.where}: field {at}.{problem}") from None
        except RecordProblem as problem:
            if problem.expected == "a field every record has":
                raise self.error(f"{self.where}: missing field {at}.{problem.field}; expected {_REQUIRED_TEXT}") from None
            raise self.error(
                f"{self.where}: field {at}.{problem.field}: expected {problem.expected}, found {problem.found}"
            ) from None
        self.fields(checked.get("environment") or {}, _ENVIRONMENT, f"{at}.environment.")
        return ResultRecord.from_dict(checked)

    def verdict(self, raw: Any, index: int) -> VerdictView:
        at = f"verdicts[{index}]"
        if not isinstance(raw, dict) or not isinstance(raw.get("config_id"), str):
            self.fail(at, "a verdict (an object with a config_id)", raw)
        self.fields(raw, _VERDICT, f"{at}.", required=("status",))
        return VerdictView.from_dict(raw)

    def grid(self, grid: Any, at: str, configurations: Any, models: Mapping[str, str]) -> None:
        """A grid lays out configurations the file holds, by parameters they have, with a plot the reports draw."""
        for name in ("model", "rows", "columns"):
            if not isinstance(grid.get(name), str):
                self.fail(f"{at}.{name}", "text", grid.get(name))
        if grid.get("plot", "heatmap") not in PLOTS:
            self.fail(f"{at}.plot", f"one of {', '.join(PLOTS)}", grid.get("plot"))
        if not isinstance(configurations, dict):
            return
        params = [value for config_id, value in configurations.items() if models.get(config_id) == grid["model"]]
        for axis in ("rows", "columns"):
            if params and any(grid[axis] not in each for each in params):
                self.fail(f"{at}.{axis}", f"a parameter of every {grid['model']} configuration", grid[axis])


_REQUIRED_TEXT = "a field every result record has (regcheck run --json writes it)"
