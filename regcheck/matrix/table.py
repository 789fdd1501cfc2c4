"""The version matrix: run files from many environments in one table of configurations x environments.

Each column is one run file (``regcheck run --json``, one per tox environment) or the committed
baselines. Every cell is compared with the reference column, record by record (same configuration,
same seed), field by field along a ladder from coarse to fine::

    n_test, n_correct, predictions, n_zero_coefficients, coefficients, intercept, probabilities,
    loss, weights_sha256

The first field on that ladder that differs at all is where the cell *first differs*; the worst
field decides its mark:

* ``identical``  every field equal, bit for bit;
* ``last-bits``  counts and labels equal, real values differ within the exact rule's tolerance
  (``rtol 1e-7, atol 1e-9``: the last bits of a double, see ``regcheck.engine.exact``);
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
                  "environment": {...},                      # regcheck.engine.environment.fingerprint()
                  "differs_from_reference": [{"item": "packages.numpy", "reference": "2.4.6",
                                              "value": "1.26.4"}, ...],
                  "marks": {"identical": 5, "last-bits": 1}}, ...],
     "rows": [{"config_id": "logreg-l1-C0.1", "model": "logreg",
               "first_differing_column": "sklearn13",      # or null: identical everywhere
               "cells": {"sklearn13": {"seeds": [42], "n_correct": [53], "n_test": 61,
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

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from regcheck.engine.baselines import BaselineStore
from regcheck.engine.errors import RegcheckError
from regcheck.engine.exact import within_tolerance
from regcheck.engine.jsonio import is_integer, json_files, read_json, read_json_object
from regcheck.engine.records import RECORD_SCHEMA_VERSION, now_utc
from regcheck.engine.runfile import check_run_document

MATRIX_SCHEMA_VERSION = 1
MATRIX_KIND = "regcheck.matrix.table"
RUN_KIND = "regcheck.run"
BASELINES_COLUMN = "baselines"
# Where tox.ini's environments write their run files unless REGCHECK_RECORDS says otherwise.
DEFAULT_RECORDS = Path(".tox") / "regcheck-records"

LADDER = (
    "n_test", "n_correct", "predictions", "n_zero_coefficients",
    "coefficients", "intercept", "probabilities", "loss", "weights_sha256",
)  # fmt: skip
LABEL_FIELDS = frozenset({"n_test", "n_correct", "predictions", "n_zero_coefficients"})
SEVERITY = ("identical", "last-bits", "values", "labels")
MARK_SYMBOLS = {
    "identical": "=", "last-bits": "~", "values": "*", "labels": "!", "no-reference": "?", "reference": "",
}  # fmt: skip
_FAILED_STATUSES = frozenset({"moved", "missing", "error"})


if TYPE_CHECKING:
    from regcheck.engine.study import Study


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

    def seeds(self, config_id: str) -> list[int]:
        return sorted(seed for cid, seed in self.records if cid == config_id)


@dataclass(frozen=True)
class FieldDiff:
    """The first field of a cell that differs from the reference."""

    seed: int
    field: str
    index: int | None
    reference: Any
    value: Any
    abs_difference: float | None
    within_tolerance: bool


@dataclass
class Cell:
    seeds: list[int]
    n_correct: list[int]
    n_test: int | None
    status: str | None
    rule: str | None
    mark: str
    first_difference: FieldDiff | None = None
    largest_abs_difference: dict[str, float] = field(default_factory=dict)

    @property
    def symbol(self) -> str:
        return MARK_SYMBOLS[self.mark]


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
        return {
            "schema_version": MATRIX_SCHEMA_VERSION,
            "kind": MATRIX_KIND,
            "created": now_utc(),
            "reference": self.reference,
            "failed": self.failed,
            "marks": dict(MARK_SYMBOLS),
            "columns": [
                {
                    "name": column.name,
                    "source": column.source,
                    "created": column.created,
                    "is_reference": column.name == self.reference,
                    "environment": column.environment,
                    "differs_from_reference": [
                        asdict(d) for d in environment_differences(reference.environment, column.environment)
                    ],
                    "marks": self.marks_of(column.name),
                }
                for column in self.columns
            ],
            "rows": [
                {
                    "config_id": row.config_id,
                    "model": row.model,
                    "first_differing_column": row.first_differing_column,
                    "cells": {name: _cell_document(cell) for name, cell in row.cells.items()},
                }
                for row in self.rows
            ],
        }


def _cell_document(cell: Cell) -> dict[str, Any]:
    document = asdict(cell)
    document["first_difference"] = asdict(cell.first_difference) if cell.first_difference else None
    return document


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
    document = read_json_object(path, MatrixInputError, "run", "a JSON object (a regcheck run file)")
    if document.get("kind") != RUN_KIND:
        raise MatrixInputError(f"{path}: not a regcheck run file (kind is {document.get('kind')!r}, expected {RUN_KIND!r})")
    if not is_integer(document.get("schema_version")) or document.get("schema_version") != RECORD_SCHEMA_VERSION:
        raise MatrixInputError(f"{path}: schema_version is {document.get('schema_version')!r}, expected {RECORD_SCHEMA_VERSION}")
    raw_records = document.get("records")
    if not isinstance(raw_records, list) or not raw_records:
        raise MatrixInputError(f"{path}: field records: expected a non-empty list of result records")
    for position, record in enumerate(raw_records):
        _check_record(path, position, record)
    check_run_document(document, str(path), MatrixInputError)
    records: dict[tuple[str, int], dict[str, Any]] = {}
    models: dict[str, str] = {}
    for record in raw_records:
        records[(record["config_id"], record["seed"])] = record
        models[record["config_id"]] = record["model"]
    verdicts = document.get("verdicts", [])
    if not isinstance(verdicts, list) or not all(isinstance(v, dict) and "config_id" in v for v in verdicts):
        raise MatrixInputError(f"{path}: field verdicts: expected a list of verdict objects with a config_id")
    environment = raw_records[0].get("environment")
    return Column(
        name=path.stem,
        source=str(path),
        environment=environment if isinstance(environment, dict) else {},
        records=records,
        models=models,
        verdicts={verdict["config_id"]: verdict for verdict in verdicts},
        created=document.get("created") if isinstance(document.get("created"), str) else None,
    )


def _check_record(path: Path, position: int, record: Any) -> None:
    where = f"{path}: records[{position}]"
    if not isinstance(record, dict):
        raise MatrixInputError(f"{where}: expected a result record (an object), found {type(record).__name__}")
    for name, kind in (("model", str), ("config_id", str), ("seed", int), ("n_correct", int), ("n_test", int)):
        value = record.get(name)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise MatrixInputError(f"{where}: field {name}: expected {kind.__name__}, found {json.dumps(value)[:40]}")


def load_baselines_column(root: Path, study: Study, config_ids: Iterable[tuple[str, str]]) -> Column:
    """The committed baselines of the given (model, config_id) pairs as the reference column."""
    store = BaselineStore(root, study)
    records: dict[tuple[str, int], dict[str, Any]] = {}
    models: dict[str, str] = {}
    profiles: dict[str, list[dict[str, Any]]] = {}
    environment: dict[str, Any] = {}
    for model, config_id in config_ids:
        baseline = store.load(model, config_id)
        if baseline is None:
            continue
        models[config_id] = model
        held = profiles.setdefault(model, [])
        held += [entry.profile for entry in baseline.profiles if entry.profile not in held]
        for seed, outcome in baseline.seeds.items():
            records[(config_id, seed)] = outcome
        if not environment and isinstance(baseline.provenance.get("environment"), dict):
            environment = baseline.provenance["environment"]
    return Column(BASELINES_COLUMN, str(root), environment, records, models, profiles=profiles)


# --- comparing ------------------------------------------------------------------------------------


def build_matrix(columns: list[Column], reference: str, order: Sequence[tuple[str, str]] = ()) -> Matrix:
    """Order the reference first, then compare every cell of every other column with it."""
    names = [column.name for column in columns]
    if reference not in names:
        raise MatrixInputError(f"--reference {reference}: no such column; the columns are {', '.join(names)}")
    ordered = [c for c in columns if c.name == reference] + [c for c in columns if c.name != reference]
    ref = ordered[0]
    rows = []
    for config_id, model in _row_order(ordered, order):
        cells = {column.name: compare_cell(ref, column, config_id) for column in ordered[1:] if config_id in column.models}
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
    unknown = sorted((cid, model) for cid, model in seen.items() if cid not in dict(known))
    return known + unknown


def _reference_cell(column: Column, config_id: str, compared: set[int]) -> Cell:
    seeds = [seed for seed in column.seeds(config_id) if seed in compared] or column.seeds(config_id)
    outcomes = [column.records[(config_id, seed)] for seed in seeds]
    return Cell(seeds, [o["n_correct"] for o in outcomes], outcomes[0].get("n_test"), None, None, "reference")


def compare_cell(reference: Column, column: Column, config_id: str) -> Cell:
    """One environment's records of one configuration against the reference's, seed by seed."""
    seeds = column.seeds(config_id)
    outcomes = [column.records[(config_id, seed)] for seed in seeds]
    verdict = column.verdicts.get(config_id, {})
    cell = Cell(
        seeds, [o["n_correct"] for o in outcomes], outcomes[0].get("n_test"),
        _text(verdict.get("status")), _text(verdict.get("rule")), "identical",
    )  # fmt: skip
    worst_rank = -1
    compared = 0
    for seed, outcome in zip(seeds, outcomes, strict=True):
        expected = reference.records.get((config_id, seed))
        if expected is None:
            continue
        compared += 1
        mark, first, largest = compare_outcomes(expected, outcome, seed)
        for name, size in largest.items():
            cell.largest_abs_difference[name] = max(size, cell.largest_abs_difference.get(name, 0.0))
        rank = SEVERITY.index(mark)
        if rank > worst_rank or (rank == worst_rank and cell.first_difference is None):
            worst_rank, cell.mark, cell.first_difference = rank, mark, first
    if compared == 0:
        cell.mark = "no-reference"
    return cell


def compare_outcomes(
    expected: dict[str, Any], obtained: dict[str, Any], seed: int
) -> tuple[str, FieldDiff | None, dict[str, float]]:
    """The mark of one record, the first field on the ladder that differs, and each real field's largest gap."""
    worst = 0
    first: FieldDiff | None = None
    largest: dict[str, float] = {}
    for name in LADDER:
        old, new = expected.get(name), obtained.get(name)
        if old is None and new is None:
            continue
        diff = _field_difference(name, old, new, seed)
        if name not in LABEL_FIELDS and _numeric(old) and _numeric(new):
            largest[name] = diff.abs_difference or 0.0 if diff else 0.0
        if diff is None:
            continue
        first = first or diff
        if name in LABEL_FIELDS:
            severity = "labels"
        else:
            severity = "last-bits" if diff.within_tolerance else "values"
        worst = max(worst, SEVERITY.index(severity))
    return SEVERITY[worst], first, largest


def _field_difference(name: str, old: Any, new: Any, seed: int) -> FieldDiff | None:
    """How one field differs (``None``: equal). Lists report the largest gap, labels the first flipped row."""
    if old == new:
        return None
    if isinstance(old, list) and isinstance(new, list) and _numeric(old) and _numeric(new):
        if len(old) != len(new):
            return FieldDiff(seed, name, None, f"{len(old)} values", f"{len(new)} values", None, False)
        gaps = [(abs(b - a), i) for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
        size, index = gaps[0] if name in LABEL_FIELDS else max(gaps)
        within = name not in LABEL_FIELDS and all(within_tolerance(a, b) for a, b in zip(old, new, strict=True))
        return FieldDiff(seed, name, index, old[index], new[index], float(size), within)
    if _numeric(old) and _numeric(new) and not isinstance(old, list) and not isinstance(new, list):
        within = name not in LABEL_FIELDS and within_tolerance(float(old), float(new))
        return FieldDiff(seed, name, None, old, new, abs(float(new) - float(old)), within)
    return FieldDiff(seed, name, None, _shown(old), _shown(new), None, False)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _numeric(value: Any) -> bool:
    """A number, or a list of numbers (bools are labels of another kind: not numbers here)."""
    items = value if isinstance(value, list) else [value]
    return all(isinstance(item, (int, float)) and not isinstance(item, bool) for item in items)


def _shown(value: Any) -> Any:
    return value if value is None or isinstance(value, (str, int, float)) else json.dumps(value)[:40]


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
