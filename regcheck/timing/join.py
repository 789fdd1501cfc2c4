"""Benchmark cases joined across saved runs: one row per (group, case), one column per run.

The first run given is the reference of every ratio, so ``--bench cpu.json --bench gpu.json`` reads
as "GPU time / CPU time".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from regcheck.files.benchmark import BenchEntry, BenchRun


@dataclass(frozen=True)
class TimingRow:
    group: str
    case: str
    entries: tuple[BenchEntry | None, ...]  # one per run, in the order the runs were given

    def ratio(self, index: int) -> float | None:
        first, other = self.entries[0], self.entries[index]
        if first is None or other is None or first.median <= 0:
            return None
        return other.median / first.median


def join_runs(benches: Sequence[BenchRun]) -> list[TimingRow]:
    keys: list[tuple[str, str]] = []
    found: dict[tuple[str, str, int], BenchEntry] = {}
    for index, run in enumerate(benches):
        for entry in run.benchmarks:
            key = (entry.group, entry.case)
            if key not in keys:
                keys.append(key)
            found[(entry.group, entry.case, index)] = entry
    return [TimingRow(group, case, tuple(found.get((group, case, i)) for i in range(len(benches)))) for group, case in keys]


def format_seconds(seconds: float) -> str:
    """Three significant digits in the largest unit that keeps the number at least 1: ``10.4 s``, ``2.54 ms``."""
    units = (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6))
    unit, scale = next(((unit, scale) for unit, scale in units if seconds >= scale), units[-1])
    value = seconds / scale
    decimals = 0 if value >= 100 else 1 if value >= 10 else 2
    return f"{value:.{decimals}f} {unit}"


def format_tick(seconds: float) -> str:
    """Axis labels: ``20 ms``, ``1 s``: as short as the 1-2-5 steps allow."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:g} {unit}"
    return f"{seconds / 1e-9:g} ns"


def timing_rows(benches: Sequence[BenchRun]) -> tuple[list[str], list[list[str]]]:
    """Headers and rows for a text table: median (IQR) per run, then each run's ratio to the first."""
    headers = ["group", "case"] + [f"{run.label}: median (IQR)" for run in benches]
    headers += [f"{run.label} / {benches[0].label}" for run in benches[1:]]
    rows = []
    for row in join_runs(benches):
        cells = [row.group, row.case]
        cells += [f"{format_seconds(e.median)} ({format_seconds(e.q3 - e.q1)})" if e else "-" for e in row.entries]
        ratios = [row.ratio(index) for index in range(1, len(benches))]
        cells += [f"{ratio:.2f}x" if ratio is not None else "-" for ratio in ratios]
        rows.append(cells)
    return headers, rows


def differing_descriptions(benches: Sequence[BenchRun]) -> list[tuple[str, list[str]]]:
    """The machine_info / extra_info keys whose values differ between runs: what the comparison is about."""
    described = [run.describe() for run in benches]
    keys = sorted({key for description in described for key in description})
    return [
        (key, [description.get(key, "-") for description in described])
        for key in keys
        if len({description.get(key, "-") for description in described}) > 1
    ]
