"""Benchmark cases joined across saved runs: one row per case, one cell per run (or matrix column).

``regcheck report --bench`` joins the runs it is given, the first the reference of every ratio, so
``--bench cpu.json --bench gpu.json`` reads as "GPU time / CPU time"; ``regcheck matrix --bench``
joins each environment's run to its column (``regcheck.matrix.timings``). Both build ``TimingRow``s
of ``TimedCell``s, and every time reads as ``format_seconds`` writes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from regcheck.files.benchmark import BenchmarkRun, Timing
from regcheck.timing.compare import Change
from regcheck.timing.units import format_seconds


@dataclass(frozen=True)
class TimedCell:
    timing: Timing
    change: Change | None = None  # None: the reference's own cell

    @property
    def beyond_noise(self) -> str | None:
        """``slower`` or ``faster`` when the rule says so; None within the noise (or the reference)."""
        if self.change is None or self.change.status not in ("slower", "faster"):
            return None
        return self.change.status


@dataclass
class TimingRow:
    """One timed case across runs or environments: a configuration's phase, or a model's whole grid."""

    group: str
    case: str
    cells: dict[str, TimedCell] = field(default_factory=dict)
    config_id: str | None = None
    model: str = ""
    phase: str = ""

    @property
    def label(self) -> str:
        return f"{self.config_id or self.model} {self.phase}" if self.phase else self.case

    def ratio(self, reference: str, other: str) -> float | None:
        first, second = self.cells.get(reference), self.cells.get(other)
        if first is None or second is None or first.timing.median <= 0:
            return None
        return second.timing.median / first.timing.median

    def slower(self) -> list[tuple[str, float]]:
        return [(name, cell.change.ratio or 0.0) for name, cell in self.cells.items()
                if cell.beyond_noise == "slower" and cell.change is not None]  # fmt: skip


def join_runs(benches: Sequence[BenchmarkRun]) -> list[TimingRow]:
    """One row per (group, case) in the order first met, a cell per run that timed it, keyed by the run's label."""
    rows: dict[tuple[str, str], TimingRow] = {}
    for run in benches:
        for timing in run.benchmarks:
            row = rows.setdefault((timing.group, timing.case), TimingRow(timing.group, timing.case))
            row.cells[run.label] = TimedCell(timing)
    return list(rows.values())


def timing_rows(benches: Sequence[BenchmarkRun]) -> tuple[list[str], list[list[str]]]:
    """Headers and rows for a text table: median (IQR) per run, then each run's ratio to the first."""
    headers = ["group", "case"] + [f"{run.label}: median (IQR)" for run in benches]
    headers += [f"{run.label} / {benches[0].label}" for run in benches[1:]]
    rows = []
    for row in join_runs(benches):
        cells = [row.group, row.case]
        for run in benches:
            cell = row.cells.get(run.label)
            timing = cell.timing if cell else None
            cells.append(f"{format_seconds(timing.median)} ({format_seconds(timing.q3 - timing.q1)})" if timing else "-")
        ratios = [row.ratio(benches[0].label, run.label) for run in benches[1:]]
        cells += [f"{ratio:.2f}x" if ratio is not None else "-" for ratio in ratios]
        rows.append(cells)
    return headers, rows


def differing_descriptions(benches: Sequence[BenchmarkRun]) -> list[tuple[str, list[str]]]:
    """The machine_info / extra_info keys whose values differ between runs: what the comparison is about."""
    described = [run.describe() for run in benches]
    keys = sorted({key for description in described for key in description})
    return [
        (key, [description.get(key, "-") for description in described])
        for key in keys
        if len({description.get(key, "-") for description in described}) > 1
    ]
