"""A pytest-benchmark saved run (``--benchmark-json``, ``--benchmark-save``): its reader, checker and typed view.

pytest-benchmark writes the file; regcheck's bench suite adds each case's ``extra_info`` (the
configuration, its phase, the device: ``regcheck.timing.cases``) and the run's
``machine_info["regcheck"]``. Every verb that reads one (``compare``, ``matrix --bench``,
``report --bench``, ``upgrade``) reads it here into ``BenchmarkRun``: each case's median,
quartiles and rounds, and what makes the run what it is. A field of the wrong type is one line
naming the file, the entry and the field; a file that is no saved run says how to save one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, TypeGuard

from regcheck.errors import UsageError, quoted
from regcheck.files.jsonio import LIMITS, json_files, parse_json, read_regular_file

HOW_TO_SAVE = "expected a pytest-benchmark JSON (pytest bench/ --benchmark-json PATH or --benchmark-save NAME)"
STAT_FIELDS = ("median", "q1", "q3", "iqr", "min", "max")
# Keys of machine_info that change between any two runs on one machine and say nothing about what is compared.
_NOISE = re.compile(r"hz|flags|datetime|commit|count_logical|l[123]_|cache|node$|created|source")


@dataclass(frozen=True)
class Timing:
    """One case of one saved run; times in seconds per call."""

    name: str
    case: str
    group: str
    median: float
    q1: float
    q3: float
    iqr: float
    min: float
    max: float
    rounds: int
    extra_info: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class BenchmarkRun:
    """One saved run: its cases by name (in the file's order), its machine and commit, and its label."""

    path: Path
    label: str
    machine: dict[str, Any]
    commit: dict[str, Any]
    when: str
    timings: dict[str, Timing]
    # Joined from ``regcheck compare --results``: config_id -> {"verdict", "rule", "n_correct_seeds", ...}.
    results: dict[str, dict[str, Any]] | None = None

    @property
    def source(self) -> str:
        return str(self.path)

    @property
    def benchmarks(self) -> tuple[Timing, ...]:
        return tuple(self.timings.values())

    def describe(self) -> dict[str, str]:
        """What makes this run what it is: device, backend, versions, threads (flattened, for a diff)."""
        extra = self.benchmarks[0].extra_info if self.benchmarks else {}
        per_case = {"case", "model", "phase", "config_id", "seed", "rounds"}
        return {**flatten(self.machine), **flatten({k: v for k, v in extra.items() if k not in per_case})}


def flatten(data: Any, prefix: str = "") -> dict[str, str]:
    """A nested object as ``key.path -> text``, leaving out what differs between any two runs (clocks, flags).

    A list (threadpoolctl's BLAS pools, in load order) is compared as a set: its items sorted.
    """
    if isinstance(data, Mapping):
        flat: dict[str, str] = {}
        for key, value in data.items():
            flat.update(flatten(value, f"{prefix}{key}."))
        return flat
    name = prefix.rstrip(".")
    if _NOISE.search(name):
        return {}
    if isinstance(data, list):
        return {name: json.dumps(sorted(json.dumps(item, sort_keys=True) for item in data))}
    return {name: repr(data) if data == "" else str(data)}


def case_of(name: str, extra_info: Mapping[str, Any]) -> str:
    """The key runs are joined on: ``extra_info["case"]`` where the bench suite sets it
    (``sgd-alpha_0.01 fit``), else the test name, ``test_fit[sgd-alpha_0.01]`` -> ``fit sgd-alpha_0.01``."""
    if isinstance(extra_info.get("case"), str):
        return str(extra_info["case"])
    match = re.match(r"^(?:test_)?(?P<what>[^\[]*)(?:\[(?P<param>.*)\])?$", name)
    if not match:
        return name
    what, param = match.group("what"), match.group("param")
    return f"{what} {param}" if param else what


def read_benchmark(path: Path, name: str | None = None) -> BenchmarkRun:
    """One saved run, checked field by field; ``name`` is how messages name the file (default: its path)."""
    where = name or str(path)
    raw = read_regular_file(path, UsageError, LIMITS["benchmark"], "a pytest-benchmark JSON file (pytest bench/ "
                            "--benchmark-json PATH or --benchmark-save NAME)", name=where)  # fmt: skip
    document = parse_json(raw, where, UsageError)
    if isinstance(document, dict) and document.get("kind") == "regcheck.run":
        raise UsageError(f"{where}: is a 'regcheck run --json' file; pass it with --results, after the benchmark run")
    benchmarks = document.get("benchmarks") if isinstance(document, dict) else None
    if not isinstance(benchmarks, list):
        raise UsageError(f"{where}: no 'benchmarks' list; {HOW_TO_SAVE}")
    if not benchmarks:
        raise UsageError(f"{where}: holds no benchmarks (was every case skipped or deselected?)")
    for key in ("machine_info", "commit_info"):
        if document.get(key) is not None and not isinstance(document[key], dict):
            raise UsageError(f"{where}: field {key}: expected an object, found {quoted(document[key])}; {HOW_TO_SAVE}")
    timings: dict[str, Timing] = {}
    names: set[str] = set()
    for index, entry in enumerate(benchmarks):
        timing = _timing(entry, f"{where}: benchmarks[{index}]")
        if timing.name in names:  # pytest-benchmark names each test once per run
            raise UsageError(f"{where}: benchmarks[{index}]: the name {timing.name!r} appears twice; expected each once")
        names.add(timing.name)
        if timing.case in timings:
            raise UsageError(f"{where}: case {timing.case!r} appears twice; expected one entry per case")
        timings[timing.case] = timing
    machine = document.get("machine_info") or {}
    when = document.get("datetime")
    return BenchmarkRun(path, _label(machine, timings, path), machine, document.get("commit_info") or {},
                        when if isinstance(when, str) else "", timings)  # fmt: skip


def _fail(where: str, name: str, expected: str, found: Any) -> NoReturn:
    raise UsageError(f"{where}: field {name}: expected {expected}, found {quoted(found)}")


def _timing(entry: Any, where: str) -> Timing:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise UsageError(f"{where}: no 'name'; {HOW_TO_SAVE}")
    stats = entry.get("stats")
    if not isinstance(stats, dict):
        raise UsageError(f"{where} ({entry['name']}): no 'stats'; {HOW_TO_SAVE}")
    values: dict[str, float] = {}
    for name in STAT_FIELDS:
        value = stats.get(name)
        if not _seconds(value):
            _fail(where, f"stats.{name}", "seconds >= 0", value)
        values[name] = float(value)
    rounds = stats.get("rounds")
    if isinstance(rounds, bool) or not isinstance(rounds, int) or rounds < 1:
        _fail(where, "stats.rounds", "an integer >= 1", rounds)
    if values["median"] <= 0:
        _fail(where, "stats.median", "seconds > 0 (a ratio needs a positive time)", values["median"])
    order = [values[name] for name in ("min", "q1", "median", "q3", "max")]
    if order != sorted(order):  # what pytest-benchmark computes is ordered; anything else was edited
        raise UsageError(f"{where} ({entry['name']}): stats are not ordered min <= q1 <= median <= q3 <= max")
    extra = entry.get("extra_info")
    if extra is not None and not isinstance(extra, dict):
        _fail(where, "extra_info", "an object", extra)
    extra = extra or {}
    for key, (check, expected) in _EXTRA_TYPES.items():  # the fields regcheck's bench suite writes and its verbs read
        if extra.get(key) is not None and not check(extra[key]):  # null: not recorded
            _fail(where, f"extra_info.{key}", expected, extra[key])
    return Timing(entry["name"], case_of(entry["name"], extra), str(entry.get("group") or "ungrouped"),
                  rounds=rounds, extra_info=extra, **values)  # fmt: skip


def _seconds(value: Any) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


_TEXT = (lambda value: isinstance(value, str), "text")
_EXTRA_TYPES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "case": _TEXT, "config_id": _TEXT, "phase": _TEXT, "model": _TEXT, "verdict": _TEXT, "label": _TEXT,
    "verdicts": (lambda value: isinstance(value, dict) and all(isinstance(v, str) for v in value.values()),
                 "an object of verdicts (text)"),
    "n_correct": (lambda value: _count(value) or (isinstance(value, dict) and all(_count(v) for v in value.values())),
                  "an integer >= 0, or an object of them per configuration"),
    "n_test": (lambda value: _count(value) and value >= 1, "an integer >= 1"),
    "n_correct_seeds": (lambda value: isinstance(value, list) and all(_count(v) for v in value), "a list of integers >= 0"),
}  # fmt: skip


def _label(machine: Mapping[str, Any], timings: Mapping[str, Timing], path: Path) -> str:
    """``cpu tensorflow``, ``gpu jax (NVIDIA H100 80GB HBM3)``: the label the bench suite gave the run
    (``--regcheck-bench-label``), else the device and backend it recorded, else the file's name."""
    extra = next(iter(timings.values())).extra_info if timings else {}
    for source in (machine, extra):
        if isinstance(source.get("label"), str):
            return str(source["label"])
    ours = machine.get("regcheck")
    if isinstance(ours, Mapping) and isinstance(ours.get("device"), Mapping):
        device = ours["device"]
        kind = str(device.get("kind") or "")
        kind = "cpu" if kind in ("", "not probed") else kind  # a case that runs on no accelerator probes no device
        backend = str(device.get("backend") or ours.get("keras_backend") or "")
        name = f" ({device['name']})" if kind != "cpu" and device.get("name") else ""
        return f"{kind} {backend}".strip() + name
    parts = [str(source[key]) for source in (extra, machine) for key in ("device", "backend") if isinstance(source.get(key), str)]
    return " ".join(dict.fromkeys(parts)) or path.stem


def benchmark_paths(inputs: Sequence[Path], option: str = "--bench") -> list[Path]:
    """Files as given; a folder (e.g. ``.benchmarks``) stands for every saved run under it, oldest first
    (pytest-benchmark numbers its files). A missing file is named by its reader."""
    return json_files(inputs, UsageError, "no saved runs (*.json) in this folder", option=option, recursive=True,
                      must_exist=False)  # fmt: skip


def read_benchmarks(paths: Sequence[Path]) -> list[BenchmarkRun]:
    """Every saved run given (folders searched), each labelled so that no two runs read alike."""
    runs = [read_benchmark(path, f"benchmark file {path}") for path in benchmark_paths(paths)]
    # Runs with the same device and backend (version against version) are told apart by the package
    # versions that differ between them, then by file name, then by position (the same file twice).
    labels = [run.label for run in runs]
    for label in {label for label in labels if labels.count(label) > 1}:
        same = [index for index, run_label in enumerate(labels) if run_label == label]
        versions = [_packages(runs[index]) for index in same]
        differing = sorted({name for v in versions for name in v if len({w.get(name) for w in versions}) > 1})
        for index, version in zip(same, versions, strict=True):
            shown = ", ".join(f"{name} {version.get(name, '-')}" for name in differing)
            labels[index] = f"{label}, {shown}" if shown else f"{label} ({runs[index].path.stem})"
    labels = [f"{label} #{index + 1}" if labels.count(label) > 1 else label for index, label in enumerate(labels)]
    for run, label in zip(runs, labels, strict=True):
        run.label = label
    return runs


def _packages(run: BenchmarkRun) -> dict[str, str]:
    return {key.rsplit(".", 1)[1]: value for key, value in run.describe().items() if ".packages." in f".{key}"}
