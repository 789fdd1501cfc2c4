"""pytest-benchmark saved runs as a report reads them: each case's median and quartiles, and what
makes the run what it is (device, backend, versions), to label it and to show what differs.

A file without a list 'benchmarks' is a usage error naming what was expected (``regcheck.reports.inputs``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from regcheck.errors import UsageError
from regcheck.files.jsonio import json_files
from regcheck.reports.inputs import read_json


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
        (``sgd-alpha_0.01 fit``), else the test name, ``test_fit[sgd-alpha_0.01]`` -> ``fit sgd-alpha_0.01``."""
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
        kind = "cpu" if kind in ("", "not probed") else kind  # a case that runs on no accelerator probes no device
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
    for index, item in enumerate(document["benchmarks"]):
        stats = item.get("stats") if isinstance(item, Mapping) else None
        if not isinstance(stats, Mapping) or "median" not in stats:
            continue  # not a timed case (pytest-benchmark writes none for a skipped or failed one)
        where = f"benchmark file {path}: benchmarks[{index}]"
        for name in ("median", "q1", "q3"):
            if name in stats and not _seconds(stats[name]):
                raise UsageError(f"{where}: field stats.{name}: expected seconds >= 0, found {stats[name]!r}")
        rounds = stats.get("rounds", 0)
        if isinstance(rounds, bool) or not isinstance(rounds, int) or rounds < 0:
            raise UsageError(f"{where}: field stats.rounds: expected an integer >= 0, found {rounds!r}")
        extra_info = item.get("extra_info") or {}
        if not isinstance(extra_info, Mapping):
            raise UsageError(f"{where}: field extra_info: expected an object, found {extra_info!r}")
        median = float(stats["median"])
        entries.append(
            BenchEntry(
                name=str(item.get("name", "?")),
                group=str(item.get("group") or "ungrouped"),
                median=median,
                q1=float(stats.get("q1", median)),
                q3=float(stats.get("q3", median)),
                rounds=rounds,
                extra_info=extra_info,
            )
        )
    machine = document.get("machine_info")
    return BenchRun(_bench_label(document, path), str(path), machine if isinstance(machine, Mapping) else {}, tuple(entries))


def _seconds(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0


def bench_paths(paths: list[Path]) -> list[Path]:
    """Files as given; a folder (e.g. ``.benchmarks``) stands for every saved run under it, oldest first
    (pytest-benchmark numbers its files). A missing file is named by its reader."""
    empty = "no saved runs (*.json) in this folder"
    return json_files(paths, UsageError, empty, option="--bench", recursive=True, must_exist=False)


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
    return [BenchRun(label, run.source, run.machine_info, run.benchmarks) for label, run in zip(labels, runs, strict=True)]
