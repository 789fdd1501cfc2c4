"""The version matrix: run files from many environments in one table of configurations x environments.

Each column is one run file (``regcheck run --json``, one per tox environment) or the committed
baselines. Every cell is compared with the reference column, record by record (same configuration,
same seed), by the one comparison every verb uses (``regcheck.results.compare.compare_outcomes``),
over the fields the model's exact tier compares (``extra`` included, whatever the study), along
its ladder from coarse to fine: counts and labels, the predicted labels, the fitted values
(coefficients, a loss, a digest), then the outputs they produce (probabilities, real predictions).

The first field on that ladder that differs at all is where the cell *first differs*; the worst
field decides its mark:

* ``identical``  every field equal, bit for bit;
* ``last-bits``  counts and labels equal, real values differ within the exact rule's tolerance
  (``rtol 1e-7, atol 1e-9``: the last bits of a double, see ``regcheck.results.compare``);
* ``values``     counts and labels equal, real values (or the weights' hash) differ beyond it;
* ``labels``     a count or a predicted label differs;
* ``no-reference`` the reference has no record for this configuration and seed;
* ``reference``  the reference column's own cells.

The verdict each environment's own run reached (``held``/``moved``/... under the ``exact`` or
``band`` rule) is kept beside the mark: the mark says how far from the reference, the verdict
whether that distance is allowed.

The JSON document (``regcheck matrix --json``; ``kind`` ``regcheck.matrix.table``, ``schema_version`` 1)::

    {"schema_version": 1, "kind": "regcheck.matrix.table", "created": "2026-...Z",
     "reference": "baselines", "failed": false,
     "marks": {"identical": "=", ...},                       # the symbol each mark has in the table
     "columns": [{"name": "sklearn13", "source": ".tox/regcheck-records/sklearn13.json",
                  "created": "...", "is_reference": false,
                  "environment": {...},                      # regcheck.frameworks.environment.fingerprint()
                  "differs_from_reference": [{"item": "packages.numpy", "reference": "2.4.6",
                                              "value": "1.26.4"}, ...],
                  "marks": {"identical": 5, "last-bits": 1}}, ...],
     "rows": [{"config_id": "logreg-l1-C0.1", "model": "logreg",
               "first_differing_column": "sklearn13",      # or null: identical everywhere
               "cells": {"sklearn13": {"seeds": [42], "n_correct": [53], "metric": "accuracy",
                                       "values": [0.8688524590163934], "n_test": 61,
                                       "status": "held", "rule": "exact", "mark": "last-bits",
                                       "first_difference": {"seed": 42, "field": "probabilities",
                                           "index": 12, "reference": 0.27, "value": 0.27,
                                           "abs_difference": 1.1e-16, "within_tolerance": true},
                                       "largest_abs_difference": {"probabilities": 1.1e-16}},
                         ...}}, ...]}

A column a configuration did not run in has no entry in that row's ``cells``. The reference's
cells have ``mark`` ``reference`` and ``status`` ``null``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from regcheck.errors import RegcheckError
from regcheck.files.jsonio import json_files, read_json
from regcheck.files.matrixfile import MATRIX_KIND, matrix_document
from regcheck.files.runfile import ModelInfo, read_run
from regcheck.results.compare import SEVERITY, FieldComparison, compare_outcomes
from regcheck.results.metrics import DEFAULT_METRICS, metric_value

if TYPE_CHECKING:
    from regcheck.engine.study import Study

BASELINES_COLUMN = "baselines"
# Where tox.ini's environments write their run files unless REGCHECK_RECORDS says otherwise.
DEFAULT_RECORDS = Path(".tox") / "regcheck-records"
MARK_SYMBOLS = {
    "identical": "=", "last-bits": "~", "values": "*", "labels": "!", "no-reference": "?", "reference": "",
}  # fmt: skip
_FAILED_STATUSES = frozenset({"moved", "missing", "error"})
# A configuration's fields by model: the model's exact tier's (None: every field its records hold).
Fields = Mapping[str, "tuple[str, ...] | None"]


class MatrixInputError(RegcheckError):
    """A run file or folder the matrix cannot use: missing, unreadable or not a regcheck run file."""


@dataclass
class Column:
    """One environment: the records it produced, keyed by configuration and seed."""

    name: str
    source: str
    environment: dict[str, Any]
    records: dict[tuple[str, int], dict[str, Any]]
    models: dict[str, str]
    verdicts: dict[str, dict[str, Any]] = field(default_factory=dict)
    created: str | None = None
    # The baselines column only: per model, the profiles its baselines hold (the first is the reference).
    profiles: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # Per model, its task and headline metrics (what a cell shows per seed).
    info: dict[str, ModelInfo] = field(default_factory=dict)
    _seeds: dict[str, list[int]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for config_id, seed in self.records:
            self._seeds.setdefault(config_id, []).append(seed)
        for seeds in self._seeds.values():
            seeds.sort()

    def seeds(self, config_id: str) -> list[int]:
        return list(self._seeds.get(config_id, ()))

    def metric(self, model: str) -> str:
        """The metric a cell of ``model`` shows per seed: its first headline metric (a count where it is accuracy)."""
        info = self.info.get(model)
        first = info.metrics[0] if info and info.metrics else DEFAULT_METRICS["classification"][0]
        return "n_correct" if first == "accuracy" else first


@dataclass(frozen=True)
class FirstDifference:
    """Where a cell first differs from the reference: the seed and the field's comparison."""

    seed: int
    comparison: FieldComparison

    @property
    def field(self) -> str:
        return self.comparison.field

    @property
    def index(self) -> int | list[int] | None:
        index = self.comparison.index
        if index is None:
            return None
        return index[0] if len(index) == 1 else list(index)

    @property
    def within_tolerance(self) -> bool:
        return self.comparison.within_tolerance

    @property
    def abs_difference(self) -> float | None:
        return self.comparison.abs_difference

    def to_document(self) -> dict[str, Any]:
        return {
            "seed": self.seed, "field": self.field, "index": self.index, "kind": self.comparison.kind,
            "reference": _plain(self.comparison.reference_value, self.comparison.expected),
            "value": _plain(self.comparison.value, self.comparison.obtained),
            "abs_difference": _finite(self.abs_difference), "within_tolerance": self.within_tolerance,
        }  # fmt: skip


def _plain(value: Any, shown: str) -> Any:
    """A value as the matrix JSON holds it: scalars as they are (NaN as text), anything else as its table text."""
    if isinstance(value, float) and value != value:
        return "NaN"
    return value if isinstance(value, (str, int, float, bool)) else shown


def _finite(value: float | None) -> float | str | None:
    return value if value is None or (value == value and abs(value) != float("inf")) else str(value)


@dataclass
class Cell:
    seeds: list[int]
    values: list[float | None]
    n_test: int | None
    status: str | None
    rule: str | None
    mark: str
    metric: str = "n_correct"
    first_difference: FirstDifference | None = None
    largest_abs_difference: dict[str, float] = field(default_factory=dict)

    @property
    def symbol(self) -> str:
        return MARK_SYMBOLS[self.mark]

    @property
    def n_correct(self) -> list[int | None]:
        return [int(value) if value is not None and self.metric == "n_correct" else None for value in self.values]

    def to_document(self) -> dict[str, Any]:
        return {
            "seeds": self.seeds, "n_correct": self.n_correct, "metric": self.metric,
            "values": [_finite(value) for value in self.values], "n_test": self.n_test, "status": self.status,
            "rule": self.rule, "mark": self.mark,
            "first_difference": self.first_difference.to_document() if self.first_difference else None,
            "largest_abs_difference": {name: _finite(size) for name, size in self.largest_abs_difference.items()},
        }  # fmt: skip


@dataclass
class Row:
    config_id: str
    model: str
    cells: dict[str, Cell]
    first_differing_column: str | None = None


@dataclass(frozen=True)
class EnvDifference:
    item: str
    reference: str | None
    value: str | None


@dataclass
class Matrix:
    reference: str
    columns: list[Column]
    rows: list[Row]

    @property
    def failed(self) -> bool:
        """True when any environment's own run reported a result that moved, was missing or erred."""
        return any(cell.status in _FAILED_STATUSES for row in self.rows for cell in row.cells.values())

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise MatrixInputError(f"no column {name!r}; the columns are {', '.join(c.name for c in self.columns)}")

    def marks_of(self, name: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self.rows:
            if name in row.cells:
                mark = row.cells[name].mark
                counts[mark] = counts.get(mark, 0) + 1
        return counts

    def to_document(self) -> dict[str, Any]:
        reference = self.column(self.reference)
        columns = [
            {
                "name": column.name,
                "source": column.source,
                "created": column.created,
                "is_reference": column.name == self.reference,
                "environment": column.environment,
                "differs_from_reference": [asdict(d) for d in environment_differences(reference.environment, column.environment)],
                "marks": self.marks_of(column.name),
            }
            for column in self.columns
        ]
        rows = [
            {
                "config_id": row.config_id,
                "model": row.model,
                "first_differing_column": row.first_differing_column,
                "cells": {name: cell.to_document() for name, cell in row.cells.items()},
            }
            for row in self.rows
        ]
        return matrix_document(self.reference, self.failed, dict(MARK_SYMBOLS), columns, rows)


# --- reading the inputs ---------------------------------------------------------------------------


def run_file_paths(inputs: Sequence[Path]) -> list[Path]:
    """Folders give their ``*.json`` run files (sorted by name, a matrix written there left out); files as given."""
    empty = "no run files (*.json) in this folder; run e.g. 'tox -m sklearn' first"
    return json_files(inputs, MatrixInputError, empty, keep=lambda path: not _is_matrix_document(path))


def _is_matrix_document(path: Path) -> bool:
    """A matrix written into the records folder is output, not a column: leave it out of folder scans."""
    try:
        document = read_json(path, MatrixInputError, "run")
    except MatrixInputError:
        return False  # load_run_file reports it properly
    return isinstance(document, dict) and document.get("kind") == MATRIX_KIND


def load_run_file(path: Path) -> Column:
    """One ``regcheck run --json`` file as a column named after the file (the tox environment)."""
    run = read_run(path, MatrixInputError, name=str(path))
    if not run.records:
        raise MatrixInputError(f"{path}: field records: expected a non-empty list of result records")
    records = {(record.config_id, record.seed): record.view() for record in run.records}
    models = {record.config_id: record.model for record in run.records}
    verdicts = {verdict.config_id: {"status": verdict.status, "rule": verdict.tier} for verdict in run.verdicts}
    info = {model: run.info(model) for model in run.models()}
    environment = dict(run.records[0].environment)
    return Column(path.stem, str(path), environment, records, models, verdicts, run.created, info=info)


def load_baselines_column(root: Path, study: Study, config_ids: Iterable[tuple[str, str]]) -> Column:
    """The committed baselines of the given (model, config_id) pairs as the reference column."""
    from regcheck.engine.grid import grid_for

    grid = grid_for(study)
    store = grid.store(root)
    records: dict[tuple[str, int], dict[str, Any]] = {}
    models: dict[str, str] = {}
    profiles: dict[str, list[dict[str, Any]]] = {}
    environment: dict[str, Any] = {}
    known = set(grid.names())
    for model, config_id in config_ids:
        baseline = store.load(model, config_id) if model in known and config_id in grid.config_ids(model) else None
        if baseline is None:
            continue
        models[config_id] = model
        held = profiles.setdefault(model, [])
        held += [entry.profile for entry in baseline.profiles if entry.profile not in held]
        for seed, outcome in baseline.seeds.items():
            records[(config_id, seed)] = outcome
        if not environment and isinstance(baseline.provenance.get("environment"), dict):
            environment = baseline.provenance["environment"]
    info = {name: ModelInfo(grid.model(name).task, grid.model(name).headline_metrics()) for name in profiles}
    return Column(BASELINES_COLUMN, str(root), environment, records, models, profiles=profiles, info=info)


def study_fields(study: Study) -> dict[str, tuple[str, ...] | None]:
    """Per model, the fields its exact tier compares: every field for an exact model, ``exact_fields`` for a band model."""
    from regcheck.engine.grid import grid_for

    return {model.name: model.exact_fields if model.rule == "band" else None for model in grid_for(study).models()}


# --- comparing ------------------------------------------------------------------------------------


def build_matrix(
    columns: list[Column], reference: str, order: Sequence[tuple[str, str]] = (), fields: Fields | None = None
) -> Matrix:
    """Order the reference first, then compare every cell of every other column with it (``fields``: per model)."""
    names = [column.name for column in columns]
    if reference not in names:
        raise MatrixInputError(f"--reference {reference}: no such column; the columns are {', '.join(names)}")
    ordered = [c for c in columns if c.name == reference] + [c for c in columns if c.name != reference]
    ref = ordered[0]
    rows = []
    for config_id, model in _row_order(ordered, order):
        chosen = (fields or {}).get(model)
        cells = {
            column.name: compare_cell(ref, column, config_id, chosen) for column in ordered[1:] if config_id in column.models
        }
        if config_id in ref.models:
            # The baselines may hold more seeds than any run used: show the ones the row compares.
            compared = {seed for cell in cells.values() for seed in cell.seeds}
            cells = {ref.name: _reference_cell(ref, config_id, compared), **cells}
        first = next((name for name, cell in cells.items() if cell.mark not in ("reference", "identical")), None)
        rows.append(Row(config_id, model, cells, first))
    return Matrix(reference, ordered, rows)


def _row_order(columns: Sequence[Column], order: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The study's grid order (``order``: (config_id, model) pairs), then any configuration it does not know."""
    seen = {config_id: model for column in columns for config_id, model in column.models.items()}
    known = [(config_id, model) for config_id, model in order if config_id in seen]
    listed = {config_id for config_id, _ in known}
    unknown = sorted((cid, model) for cid, model in seen.items() if cid not in listed)
    return known + unknown


def _values(column: Column, config_id: str, seeds: Sequence[int], metric: str) -> list[float | None]:
    return [metric_value(metric, column.records[(config_id, seed)]) for seed in seeds]


def _reference_cell(column: Column, config_id: str, compared: set[int]) -> Cell:
    seeds = [seed for seed in column.seeds(config_id) if seed in compared] or column.seeds(config_id)
    metric = column.metric(column.models[config_id])
    n_test = column.records[(config_id, seeds[0])].get("n_test")
    return Cell(seeds, _values(column, config_id, seeds, metric), n_test, None, None, "reference", metric)


def compare_cell(reference: Column, column: Column, config_id: str, fields: tuple[str, ...] | None = None) -> Cell:
    """One environment's records of one configuration against the reference's, seed by seed (``compare_outcomes``)."""
    seeds = column.seeds(config_id)
    verdict = column.verdicts.get(config_id, {})
    metric = column.metric(column.models[config_id])
    n_test = column.records[(config_id, seeds[0])].get("n_test")
    cell = Cell(seeds, _values(column, config_id, seeds, metric), n_test, _text(verdict.get("status")),
                _text(verdict.get("rule")), "identical", metric)  # fmt: skip
    worst_rank = -1
    compared = 0
    for seed in seeds:
        expected = reference.records.get((config_id, seed))
        if expected is None:
            continue
        compared += 1
        outcome = compare_outcomes(expected, column.records[(config_id, seed)], fields)
        for name, size in outcome.largest.items():
            cell.largest_abs_difference[name] = max(size, cell.largest_abs_difference.get(name, 0.0))
        rank = SEVERITY.index(outcome.severity)
        if rank > worst_rank or (rank == worst_rank and cell.first_difference is None):
            worst_rank, cell.mark = rank, outcome.severity
            cell.first_difference = FirstDifference(seed, outcome.first) if outcome.first else None
    if compared == 0:
        cell.mark = "no-reference"
    return cell


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


# --- environments -------------------------------------------------------------------------------


def environment_items(environment: dict[str, Any]) -> dict[str, str]:
    """The fingerprint flattened to ``item -> text``: python, packages.*, blas, cpu, variables.*."""
    items: dict[str, str] = {}
    for key in ("python", "implementation", "machine", "cpu", "cpu_count", "platform", "regcheck"):
        if environment.get(key) is not None:
            items[key] = str(environment[key])
    for name, version in sorted((environment.get("packages") or {}).items()):
        items[f"packages.{name}"] = str(version)
    blas = [pool for pool in environment.get("blas") or [] if isinstance(pool, dict) and pool.get("user_api") == "blas"]
    if blas:
        items["blas"] = ", ".join(
            sorted(f"{pool.get('internal_api')} {pool.get('version')} ({pool.get('architecture')})" for pool in blas)
        )
    for name, value in sorted((environment.get("variables") or {}).items()):
        items[f"variables.{name}"] = str(value)
    return items


def environment_differences(reference: dict[str, Any], other: dict[str, Any]) -> list[EnvDifference]:
    """Every fingerprint item whose value differs; ``None`` where one side lacks it (not installed)."""
    left, right = environment_items(reference), environment_items(other)
    order = list(left) + [item for item in right if item not in left]
    return [EnvDifference(item, left.get(item), right.get(item)) for item in order if left.get(item) != right.get(item)]
