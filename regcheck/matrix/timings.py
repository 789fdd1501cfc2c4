"""Timings in the version matrix: each environment's saved pytest-benchmark run, joined to its column.

Each tox environment saves a pytest-benchmark run beside its run record (``tox.ini``: ``bench``,
``.tox/regcheck-bench/<environment>.json``). A benchmark run belongs to the column of the same name:
its ``machine_info["label"]`` (``pytest bench/ --regcheck-bench-label NAME``), else its file name.
Its cases join the matrix's rows on ``extra_info``'s ``config_id`` and ``phase`` (``fit``, ``predict``;
a whole-grid case, ``config_id`` null, becomes a row of its own: ``logreg grid``).

Every environment's time is compared with the timing reference's (a column with a benchmark run) by
``regcheck.timing.compare.judge_change``: *slower* only when the median ratio exceeds ``factor`` and
the environment's lower quartile is above ``factor`` times the reference's upper quartile, so with the
default factor 1 "slower" means slower beyond the noise: the two interquartile ranges do not overlap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from regcheck.errors import UsageError
from regcheck.files.benchmark import BenchmarkRun, Timing, read_benchmark
from regcheck.timing.compare import Change, judge_change
from regcheck.timing.join import TimedCell, TimingRow
from regcheck.timing.units import format_seconds

PHASES = ("fit", "predict", "grid")


@dataclass
class MatrixTimings:
    reference: str
    factor: float
    rows: list[TimingRow]
    sources: dict[str, str]  # column -> benchmark file

    def for_config(self, config_id: str) -> list[TimingRow]:
        return [row for row in self.rows if row.config_id == config_id]

    def grids(self, model: str) -> list[TimingRow]:
        return [row for row in self.rows if row.config_id is None and row.model == model]

    def to_document(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "factor": self.factor,
            "sources": self.sources,
            "rows": [
                {
                    "config_id": row.config_id, "model": row.model, "phase": row.phase,
                    "cells": {
                        name: {"median": cell.timing.median, "q1": cell.timing.q1, "q3": cell.timing.q3,
                               "rounds": cell.timing.rounds,
                               "ratio": cell.change.ratio if cell.change else 1.0,
                               "change": cell.change.status if cell.change else "reference"}
                        for name, cell in row.cells.items()
                    },
                }
                for row in self.rows
            ],
        }  # fmt: skip


def column_name(run: BenchmarkRun) -> str:
    label = run.machine.get("label")
    return label if isinstance(label, str) and label else run.path.stem


def load_benches(paths: Sequence[Path], columns: Sequence[str]) -> dict[str, BenchmarkRun]:
    """Each benchmark run under the name of its column; one that matches no column is bad input."""
    runs: dict[str, BenchmarkRun] = {}
    for path in paths:
        run = read_benchmark(path, f"--bench {path}")
        name = column_name(run)
        if name not in columns:
            raise UsageError(f"--bench {path}: its environment {name!r} is no column of the matrix; the columns are "
                             f"{', '.join(columns)}")  # fmt: skip
        if name in runs:
            raise UsageError(f"--bench {runs[name].path} and {path} are both environment {name!r}; give one")
        runs[name] = run
    return runs


def join_timings(runs: dict[str, BenchmarkRun], columns: Sequence[str], reference: str | None,
                 factor: float = 1.0) -> MatrixTimings:  # fmt: skip
    """One row per timed case, one cell per environment that timed it, each judged against ``reference``.

    ``reference``: a column with a benchmark run; None picks the first such column in ``columns``' order.
    """
    ordered = [name for name in columns if name in runs]
    if not ordered:
        raise UsageError("--bench: no benchmark run matches a column")
    chosen = reference if reference is not None else ordered[0]
    if chosen not in runs:
        raise UsageError(
            f"--timing-reference {chosen}: no benchmark run for that column; those with one are {', '.join(ordered)}"
        )
    rows: dict[tuple[str | None, str, str], TimingRow] = {}
    for name in ordered:
        for timing in runs[name].timings.values():
            key = _row_key(timing)
            if key is not None:
                config_id, model, phase = key
                row = rows.setdefault(key, TimingRow(timing.group, timing.case, config_id=config_id, model=model, phase=phase))
                row.cells[name] = TimedCell(timing, None)
    for row in rows.values():
        base = row.cells.get(chosen)
        for name, cell in row.cells.items():
            if name != chosen:
                change = judge_change(base.timing, cell.timing, factor) if base else Change("new", None, "no reference time")
                row.cells[name] = TimedCell(cell.timing, change)
    order = sorted(rows.values(), key=lambda row: PHASES.index(row.phase) if row.phase in PHASES else len(PHASES))
    sources = {name: str(runs[name].path) for name in ordered}
    return MatrixTimings(chosen, factor, order, sources)


def _row_key(timing: Timing) -> tuple[str | None, str, str] | None:
    extra = timing.extra_info
    model, phase, config_id = extra.get("model"), extra.get("phase"), extra.get("config_id")
    if not isinstance(model, str) or not isinstance(phase, str):
        return None  # not a case of the study's bench suite (no extra_info): nothing to join it on
    return (config_id if isinstance(config_id, str) else None, model, phase)


def timed_text(cell: TimedCell | None) -> str:
    """``412 µs ±6.1 µs`` (median, half the interquartile range), then ``1.31x slower`` beyond the noise."""
    if cell is None:
        return "-"
    timing = cell.timing
    text = (
        f"{format_seconds(timing.median)} ±{format_seconds(timing.iqr / 2)}"
        if timing.rounds > 1
        else format_seconds(timing.median)
    )
    change = cell.change
    if change is None:
        return text + " (ref)"
    if change.status in ("slower", "faster"):
        return f"{text} {change.ratio:.2f}x {change.status.upper()}"
    if change.status == "unjudged":
        return f"{text} {change.ratio:.2f}x ?"
    return f"{text} {change.ratio:.2f}x" if change.ratio is not None else text


def slower_text(row: TimingRow) -> str:
    slower = row.slower()
    return "slower: " + ", ".join(f"{name} {ratio:.2f}x" for name, ratio in slower) if slower else "-"


def legend(timings: MatrixTimings) -> str:
    beyond = "beyond the noise" if timings.factor == 1 else f"by more than {timings.factor:g}x beyond the noise"
    return (
        f"times: median ±half the interquartile range of the rounds, then the ratio to {timings.reference}'s median; "
        f"SLOWER/FASTER where the environment is slower/faster than {timings.reference} {beyond} (its lower quartile "
        f"above {timings.reference}'s upper quartile{'' if timings.factor == 1 else ' times the factor'}, or the "
        f"mirror image), '?' with fewer than 3 rounds"
    )


def slowdown_lines(timings: MatrixTimings) -> list[str]:
    lines = []
    for row in timings.rows:
        for name, cell in row.cells.items():
            if cell.beyond_noise == "slower" and cell.change is not None:
                ours, theirs = cell.timing, row.cells[timings.reference].timing
                lines.append(
                    f"{row.label} in {name}: median {format_seconds(ours.median)} vs {format_seconds(theirs.median)} "
                    f"({cell.change.ratio:.2f}x); lower quartile {format_seconds(ours.q1)} above "
                    f"{_times(timings.factor)}{timings.reference}'s upper quartile {format_seconds(theirs.q3)}"
                )
    return lines


def _times(factor: float) -> str:
    return "" if factor == 1 else f"{factor:g} x "
