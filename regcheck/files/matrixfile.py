"""The version matrix file (``regcheck matrix --json``): its kind and schema, its writer, its reader and view.

The matrix itself (columns, rows, cells and their marks) is built by ``regcheck.matrix.table``; this
module owns the document around it (``matrix_document``) and reads it back for the reports, in that
layout and the few others a matrix writer may use (cells as a list, or a {config: {environment:
cell}} mapping). A file with no cells is a usage error naming what was expected.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from regcheck.errors import UsageError
from regcheck.files.jsonio import LIMITS, is_integer, parse_json, read_regular_file
from regcheck.files.times import now_utc

# What 'regcheck matrix --json' writes (before the package layout of November 2026, ``regcheck.matrix``: the same document).
MATRIX_KIND = "regcheck.matrix.table"
MATRIX_KINDS = (MATRIX_KIND, "regcheck.matrix")
MATRIX_SCHEMA_VERSION = 1


def matrix_document(
    reference: str, failed: bool, marks: Mapping[str, str], columns: list[dict[str, Any]], rows: list[dict[str, Any]]
) -> dict[str, Any]:
    """The file's document: its kind and version, when, the reference column, the marks' symbols, columns and rows."""
    return {
        "schema_version": MATRIX_SCHEMA_VERSION, "kind": MATRIX_KIND, "created": now_utc(), "reference": reference,
        "failed": failed, "marks": dict(marks), "columns": columns, "rows": rows,
    }  # fmt: skip


@dataclass(frozen=True)
class MatrixCell:
    """One configuration in one environment: its own verdict, and how far it is from the reference."""

    status: str
    tier: str = ""
    value: str = ""
    first_difference: bool = False  # the first column, left to right, where this row differs
    mark: str = ""  # identical | last-bits | values | labels | no-reference | reference ('regcheck matrix')
    detail: str = ""


@dataclass(frozen=True)
class MatrixData:
    """Configurations x environments, a verdict per cell, and each environment's package versions."""

    source: str
    environments: tuple[str, ...]
    configurations: tuple[str, ...]
    cells: Mapping[tuple[str, str], MatrixCell]
    packages: Mapping[str, Mapping[str, str]]
    reference: str | None = None

    def reference_name(self) -> str | None:
        return self.reference or (self.environments[0] if self.environments else None)

    def version_table(self) -> list[tuple[str, list[str], list[bool]]]:
        """Per package whose version is not the same everywhere: its version in each environment ('-' where
        not installed), and whether that differs from the reference environment's."""
        reference = self.packages.get(self.reference_name() or "", {})
        rows = []
        for package in sorted({name for versions in self.packages.values() for name in versions}):
            versions = [self.packages.get(environment, {}).get(package, "-") for environment in self.environments]
            if len(set(versions)) > 1:
                rows.append((package, versions, [v != reference.get(package, "-") for v in versions]))
        return rows


_CONFIG_KEYS = ("config_id", "configuration", "config")
_ENV_KEYS = ("environment", "env", "column", "name")
_STATUS_KEYS = ("status", "verdict", "result")  # null in the reference column of regcheck matrix
_TIER_KEYS = ("tier", "rule")
_VALUE_KEYS = ("value", "accuracy", "n_correct", "values", "outcome", "display")
_FIRST_KEYS = ("first_difference", "first_differs", "highlight", "differs_from_reference", "first_diff")


def _first(data: Mapping[str, Any], keys: tuple[str, ...], default: Any = None) -> Any:
    return next((data[key] for key in keys if key in data and data[key] is not None), default)


def _compact(value: Any) -> str:
    if isinstance(value, list):
        texts = ["-" if item is None else f"{item:.4g}" if isinstance(item, float) else str(item) for item in value]
        # Six seeds that all gave 32 read as "32 x6", as the grids write a collapsed cell.
        return f"{texts[0]} x{len(texts)}" if len(texts) > 2 and len(set(texts)) == 1 else " ".join(texts)
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _all_none(value: Any) -> bool:
    """A list of nothing (a regression cell's ``n_correct``): no value to show."""
    return isinstance(value, list) and all(item is None for item in value)


def _difference_text(raw: Any) -> str:
    if not isinstance(raw, Mapping):
        return ""
    where = f"{raw.get('field', '?')}" + (f"[{raw['index']}]" if raw.get("index") is not None else "")
    return f"seed {raw.get('seed', '?')}: first differs at {where}: {raw.get('reference')} -> {raw.get('value')}"


def _cell(raw: Any) -> MatrixCell:
    if isinstance(raw, str):
        return MatrixCell(raw)
    if not isinstance(raw, Mapping):
        return MatrixCell("?")
    mark = str(raw.get("mark") or "")
    first = _first(raw, _FIRST_KEYS, False)
    return MatrixCell(
        status=str(_first(raw, _STATUS_KEYS, mark or "?")),
        tier=str(_first(raw, _TIER_KEYS, "")),
        value=_compact(_first({k: v for k, v in raw.items() if not _all_none(v)}, _VALUE_KEYS, "")),
        first_difference=first is True,
        mark=mark,
        detail=_difference_text(first),
    )


def _environment_entries(document: Mapping[str, Any]) -> tuple[list[str], dict[str, dict[str, str]], str | None]:
    names: list[str] = []
    packages: dict[str, dict[str, str]] = {}
    reference = document.get("reference")
    raw = document.get("columns") or document.get("environments") or []
    items = raw.items() if isinstance(raw, Mapping) else enumerate(raw if isinstance(raw, list) else [])
    for key, entry in items:
        if isinstance(entry, str):
            names.append(entry)
            continue
        if not isinstance(entry, Mapping):
            continue
        name = str(_first(entry, ("name", "id", "label", "env"), key))
        names.append(name)
        inner = entry.get("environment")
        fingerprint: Mapping[str, Any] = inner if isinstance(inner, Mapping) else entry
        versions = fingerprint.get("packages") or entry.get("packages") or entry.get("versions")
        if isinstance(versions, Mapping):
            packages[name] = {str(k): str(v) for k, v in versions.items()}
            if fingerprint.get("python"):
                packages[name].setdefault("python", str(fingerprint["python"]))
        if entry.get("is_reference") is True or entry.get("reference") is True:
            reference = name
    return names, packages, str(reference) if isinstance(reference, (str, int)) else None


def matrix_from_document(document: Any, source: str) -> MatrixData:
    """The document of ``regcheck matrix --json`` (``columns`` with their environment, ``rows`` of
    {config_id, first_differing_column, cells: {column: cell}}); also ``cells`` as a list of
    {config_id, environment, status...} or a {config: {environment: cell}} mapping."""
    if not isinstance(document, Mapping):
        raise UsageError(f"matrix file {source}: expected a JSON object written by 'regcheck matrix --json'")
    environments, packages, reference = _environment_entries(document)
    cells: dict[tuple[str, str], MatrixCell] = {}
    raw_cells = _first(document, ("cells", "table", "matrix"))
    if isinstance(raw_cells, list):
        for item in raw_cells:
            if isinstance(item, Mapping) and _first(item, _CONFIG_KEYS) and _first(item, _ENV_KEYS):
                cells[(str(_first(item, _CONFIG_KEYS)), str(_first(item, _ENV_KEYS)))] = _cell(item)
    elif isinstance(raw_cells, Mapping):
        for config_id, row in raw_cells.items():
            if isinstance(row, Mapping):
                cells.update({(str(config_id), str(env)): _cell(cell) for env, cell in row.items()})
    rows = document.get("rows") or []
    for row in rows if isinstance(rows, list) else []:
        if not (isinstance(row, Mapping) and isinstance(row.get("cells"), Mapping) and _first(row, _CONFIG_KEYS)):
            continue
        config_id = str(_first(row, _CONFIG_KEYS))
        for environment, raw in row["cells"].items():
            cell = _cell(raw)
            if "first_differing_column" in row:  # the row says where it first differs; a cell's own
                # first_difference then only describes the field, and every differing cell has one
                cell = replace(cell, first_difference=row["first_differing_column"] == environment)
            cells[(config_id, str(environment))] = cell
    if not cells:
        raise UsageError(
            f"matrix file {source}: no cells found (expected 'rows' of {{config_id, cells}} as written by "
            f"'regcheck matrix --json', or 'cells')"
        )
    configurations = list(dict.fromkeys([str(c) for c in document.get("configurations") or []] + [c for c, _ in cells]))
    environments = list(dict.fromkeys(environments + [env for _, env in cells]))
    return MatrixData(source, tuple(environments), tuple(configurations), cells, packages, reference)


def read_matrix(path: Path) -> MatrixData:
    where = f"matrix file {path}"
    document = parse_json(read_regular_file(path, UsageError, LIMITS["run"], "a JSON file", name=where), where, UsageError)
    if isinstance(document, Mapping):  # a file without them is checked by its shape alone
        if "kind" in document and document["kind"] not in MATRIX_KINDS:
            raise UsageError(
                f"matrix file {path}: kind is {document['kind']!r}, expected {MATRIX_KINDS[0]!r} (regcheck matrix --json PATH)"
            )
        version = document.get("schema_version", MATRIX_SCHEMA_VERSION)
        if not is_integer(version) or version != MATRIX_SCHEMA_VERSION:
            raise UsageError(f"matrix file {path}: schema_version is {version!r}, expected {MATRIX_SCHEMA_VERSION}")
    return matrix_from_document(document, str(path))
