"""The inputs of a report, read defensively: a run file, a matrix file, pytest-benchmark saved runs.

Each reader turns a JSON document into small typed views the renderers share. A file that is
missing, is not JSON or has none of the expected fields is a usage error naming the file and what
was expected; a field that is merely absent (an older or newer writer) leaves its part empty, and
the report says so instead of failing. The matrix and benchmark files are written by other verbs
and by pytest-benchmark, so their readers accept the few layouts those writers may use.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from regcheck.engine.errors import UsageError
from regcheck.engine.exact import FieldDifference
from regcheck.engine.records import ResultRecord
from regcheck.engine.study import GridAxes

_LOGREG_ID = re.compile(r"^logreg-(?P<penalty>l[12])-C(?P<C>[0-9.e+-]+)$")
_MLP_ID = re.compile(r"^mlp-l1_(?P<l1>[0-9.e+-]+)-l2_(?P<l2>[0-9.e+-]+)$")


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
            FieldDifference(
                *(str(item.get(key, "")) for key in ("field", "rule", "expected", "obtained", "difference"))
            )
            for item in data.get("differences") or ()
            if isinstance(item, Mapping)
        )
        config_id = str(data.get("config_id", "?"))
        return cls(
            model=str(data.get("model") or config_id.split("-", 1)[0]),
            config_id=config_id,
            status=str(data.get("status", "?")),
            # The MLP half states a tier; the logistic half's rule is its tier (always exact).
            tier=str(data.get("tier") or data.get("rule") or "-"),
            reason=str(data.get("reason", "")),
            detail=str(data.get("detail", "")),
            differences=differences,
        )


@dataclass(frozen=True)
class RunData:
    """One run of the study: its records, verdicts and what it was judged against."""

    source: str
    created: str | None
    records: tuple[ResultRecord, ...]
    verdicts: tuple[VerdictView, ...]
    published: Mapping[str, float] = field(default_factory=dict)
    decimals: Mapping[str, int] = field(default_factory=dict)
    profiles: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    seconds: float | None = None
    study: str = ""
    grids: tuple[GridAxes, ...] = ()

    def models(self) -> list[str]:
        seen = [v.model for v in self.verdicts] + [r.model for r in self.records]
        return list(dict.fromkeys(seen))

    def records_for(self, config_id: str) -> list[ResultRecord]:
        return sorted((r for r in self.records if r.config_id == config_id), key=lambda r: r.seed)

    def verdict_for(self, config_id: str) -> VerdictView | None:
        return next((v for v in self.verdicts if v.config_id == config_id), None)

    def config_ids(self, model: str) -> list[str]:
        ids = [v.config_id for v in self.verdicts if v.model == model]
        ids += [r.config_id for r in self.records if r.model == model]
        return list(dict.fromkeys(ids))

    def environment(self) -> Mapping[str, Any]:
        return self.records[0].environment if self.records else {}


def config_params(config_id: str, records: list[ResultRecord]) -> dict[str, Any]:
    """A configuration's parameters, from its records or, when it has none (an error), from its id."""
    if records:
        return dict(records[0].params)
    for pattern in (_LOGREG_ID, _MLP_ID):
        match = pattern.match(config_id)
        if match:
            return {key: value if key == "penalty" else float(value) for key, value in match.groupdict().items()}
    return {}


def run_data_from_document(document: Mapping[str, Any], source: str) -> RunData:
    """The view of a run document (``regcheck run --json``, or the same dict built in memory)."""
    records_in = document.get("records")
    verdicts_in = document.get("verdicts")
    if not isinstance(records_in, list) or not isinstance(verdicts_in, list):
        raise UsageError(
            f"{source}: not a regcheck run file (expected lists 'records' and 'verdicts'; "
            f"write one with 'regcheck run --json PATH')"
        )
    try:
        records = tuple(ResultRecord.from_dict(item) for item in records_in)
    except TypeError as exc:
        raise UsageError(f"{source}: a record lacks a required field ({exc})") from None
    published = document.get("published") or {}
    decimals = document.get("published_decimals") or {}
    profiles = document.get("profiles") or {}
    seconds = document.get("seconds")
    return RunData(
        source=source,
        created=document.get("created"),
        records=records,
        verdicts=tuple(VerdictView.from_dict(item) for item in verdicts_in if isinstance(item, Mapping)),
        published={str(k): float(v) for k, v in published.items() if isinstance(v, (int, float))},
        decimals={str(k): int(v) for k, v in decimals.items() if isinstance(v, int)},
        profiles={str(k): v for k, v in profiles.items() if isinstance(v, Mapping)},
        seconds=float(seconds) if isinstance(seconds, (int, float)) else None,
        study=str(document.get("study") or ""),
        grids=_grid_axes(document.get("grids")),
    )


def _grid_axes(raw: Any) -> tuple[GridAxes, ...]:
    """The study's report layout as the run file keeps it; an entry of another shape is left out."""
    if not isinstance(raw, list):
        return ()
    found = []
    for item in raw:
        if isinstance(item, Mapping) and all(isinstance(item.get(key), str) for key in ("model", "title", "rows", "columns")):
            plot: Literal["lines", "heatmap"] = "lines" if item.get("plot") == "lines" else "heatmap"
            found.append(GridAxes(str(item["model"]), str(item["title"]), str(item["rows"]), str(item["columns"]),
                                  str(item.get("row_label") or item["rows"]), plot))  # fmt: skip
    return tuple(found)


def read_json(path: Path, what: str) -> Any:
    """A report input, read as every input is (``regcheck.engine.jsonio``); messages start with ``what``."""
    from regcheck.engine.jsonio import LIMITS, parse_json, read_regular_file

    kind = "benchmark" if "benchmark" in what else "run"
    raw = read_regular_file(path, UsageError, LIMITS[kind], "a JSON file", name=f"{what} {path}")
    return parse_json(raw, f"{what} {path}", UsageError)


def read_run(path: Path) -> RunData:
    from regcheck.engine.records import RECORD_SCHEMA_VERSION

    document = read_json(path, "run file")
    if not isinstance(document, dict):
        raise UsageError(f"run file {path}: expected a JSON object written by 'regcheck run --json PATH'")
    run = run_data_from_document(document, str(path))  # its shape first: the message says which fields
    if document.get("kind") != "regcheck.run":
        raise UsageError(f"run file {path}: kind is {document.get('kind')!r}, expected 'regcheck.run' (regcheck run --json PATH)")
    version = document.get("schema_version")
    if isinstance(version, bool) or version != RECORD_SCHEMA_VERSION:
        raise UsageError(f"run file {path}: schema_version is {version!r}, expected {RECORD_SCHEMA_VERSION}")
    return run


# --- the version matrix -------------------------------------------------------------------------


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
_VALUE_KEYS = ("value", "accuracy", "n_correct", "outcome", "display")
_FIRST_KEYS = ("first_difference", "first_differs", "highlight", "differs_from_reference", "first_diff")


def _first(data: Mapping[str, Any], keys: tuple[str, ...], default: Any = None) -> Any:
    return next((data[key] for key in keys if key in data and data[key] is not None), default)


def _compact(value: Any) -> str:
    if isinstance(value, list):
        texts = [str(item) for item in value]
        # Six seeds that all gave 32 read as "32 x6", as in FACTS.md.
        return f"{texts[0]} x{len(texts)}" if len(texts) > 2 and len(set(texts)) == 1 else " ".join(texts)
    return f"{value:.3f}" if isinstance(value, float) else str(value)


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
        value=_compact(_first(raw, _VALUE_KEYS, "")),
        first_difference=first is True,
        mark=mark,
        detail=_difference_text(first),
    )


def _environment_entries(document: Mapping[str, Any]) -> tuple[list[str], dict[str, dict[str, str]], str | None]:
    names: list[str] = []
    packages: dict[str, dict[str, str]] = {}
    reference = document.get("reference")
    raw = document.get("columns") or document.get("environments") or []
    items = raw.items() if isinstance(raw, Mapping) else enumerate(raw)
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
    for row in document.get("rows") or []:
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
    return matrix_from_document(read_json(path, "matrix file"), str(path))


# --- pytest-benchmark saved runs ----------------------------------------------------------------


@dataclass(frozen=True)
class BenchEntry:
    name: str
    group: str
    median: float
    q1: float
    q3: float
    rounds: int
    extra_info: Mapping[str, Any]

    @property
    def case(self) -> str:
        """The key runs are joined on: ``extra_info["case"]`` where the bench suite sets it
        (``logreg-l1-C0.1 fit``), else the test name, ``test_fit[logreg-l1-C0.1]`` -> ``fit logreg-l1-C0.1``."""
        if isinstance(self.extra_info.get("case"), str):
            return str(self.extra_info["case"])
        match = re.match(r"^(?:test_)?(?P<what>[^\[]*)(?:\[(?P<param>.*)\])?$", self.name)
        if not match:
            return self.name
        what, param = match.group("what"), match.group("param")
        return f"{what} {param}" if param else what


# Keys of machine_info that change between any two runs and say nothing about what is compared.
_NOISE = re.compile(r"hz|flags|datetime|commit|count_logical|l[123]_|cache|node$|created|source")


def _flatten(data: Mapping[str, Any], prefix: str = "", depth: int = 0) -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and depth < 3:
            flat.update(_flatten(value, f"{name}.", depth + 1))
        elif isinstance(value, (str, int, float, bool)) and not _NOISE.search(name):
            flat[name] = str(value)
    return flat


@dataclass(frozen=True)
class BenchRun:
    label: str
    source: str
    machine_info: Mapping[str, Any]
    benchmarks: tuple[BenchEntry, ...]

    def describe(self) -> dict[str, str]:
        """What makes this run what it is: device, backend, versions, threads (flattened, for a diff)."""
        extra = self.benchmarks[0].extra_info if self.benchmarks else {}
        per_case = {"case", "model", "phase", "config_id", "seed", "rounds"}
        return {**_flatten(self.machine_info), **_flatten({k: v for k, v in extra.items() if k not in per_case})}


def _bench_label(document: Mapping[str, Any], path: Path) -> str:
    """``cpu tensorflow``, ``gpu jax (NVIDIA H100 80GB HBM3)``: the device and backend the bench suite
    recorded (machine_info.regcheck), else the file name."""
    machine = document.get("machine_info") or {}
    benchmarks = document.get("benchmarks") or [{}]
    extra = benchmarks[0].get("extra_info") or {} if isinstance(benchmarks[0], Mapping) else {}
    for source in (machine, extra):
        if isinstance(source, Mapping) and isinstance(source.get("label"), str):
            return str(source["label"])
    ours = machine.get("regcheck") if isinstance(machine, Mapping) else None
    if isinstance(ours, Mapping) and isinstance(ours.get("device"), Mapping):
        device = ours["device"]
        kind = str(device.get("kind") or "")
        kind = "cpu" if kind in ("", "not probed") else kind  # the logistic cases never probe a device
        backend = str(device.get("backend") or ours.get("keras_backend") or "")
        name = f" ({device['name']})" if kind != "cpu" and device.get("name") else ""
        return f"{kind} {backend}".strip() + name
    parts = [str(source[key]) for source in (extra, machine) if isinstance(source, Mapping)
             for key in ("device", "backend") if isinstance(source.get(key), str)]  # fmt: skip
    return " ".join(dict.fromkeys(parts)) or path.stem


def bench_from_document(document: Any, path: Path) -> BenchRun:
    if not isinstance(document, Mapping) or not isinstance(document.get("benchmarks"), list):
        raise UsageError(
            f"benchmark file {path}: not a pytest-benchmark saved run (expected a list 'benchmarks'; "
            f"save one with 'pytest bench/ --benchmark-autosave')"
        )
    entries = []
    for item in document["benchmarks"]:
        stats = item.get("stats") if isinstance(item, Mapping) else None
        if not isinstance(stats, Mapping) or not isinstance(stats.get("median"), (int, float)):
            continue
        median = float(stats["median"])
        entries.append(
            BenchEntry(
                name=str(item.get("name", "?")),
                group=str(item.get("group") or "ungrouped"),
                median=median,
                q1=float(stats.get("q1", median)),
                q3=float(stats.get("q3", median)),
                rounds=int(stats.get("rounds", 0)),
                extra_info=item.get("extra_info") or {},
            )
        )
    machine = document.get("machine_info")
    return BenchRun(
        _bench_label(document, path), str(path), machine if isinstance(machine, Mapping) else {}, tuple(entries)
    )


def bench_paths(paths: list[Path]) -> list[Path]:
    """Files as given; a folder (e.g. ``.benchmarks``) stands for every saved run under it, oldest first."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(path.rglob("*.json"))
            if not inside:
                raise UsageError(f"--bench {path}: no saved runs (*.json) in this folder")
            found += inside
        else:
            found.append(path)
    return found


def _packages(run: BenchRun) -> dict[str, str]:
    return {key.rsplit(".", 1)[1]: value for key, value in run.describe().items() if ".packages." in f".{key}"}


def read_benches(paths: list[Path]) -> list[BenchRun]:
    runs = [bench_from_document(read_json(path, "benchmark file"), path) for path in bench_paths(paths)]
    # Runs with the same device and backend (version against version) are told apart by the package
    # versions that differ between them, then by file name, then by position (the same file twice).
    labels = [run.label for run in runs]
    for label in {label for label in labels if labels.count(label) > 1}:
        same = [index for index, run_label in enumerate(labels) if run_label == label]
        versions = [_packages(runs[index]) for index in same]
        differing = sorted({name for v in versions for name in v if len({w.get(name) for w in versions}) > 1})
        for index, version in zip(same, versions, strict=True):
            shown = ", ".join(f"{name} {version.get(name, '-')}" for name in differing)
            labels[index] = f"{label}, {shown}" if shown else f"{label} ({Path(runs[index].source).stem})"
    labels = [f"{label} #{index + 1}" if labels.count(label) > 1 else label for index, label in enumerate(labels)]
    return [
        BenchRun(label, run.source, run.machine_info, run.benchmarks) for label, run in zip(labels, runs, strict=True)
    ]
