"""Where the GPU overtakes the CPU: one saved run's scaling cases, paired by size.

``bench/test_mlp_scaling.py`` times the same network at several batch sizes and widths, once
on each device, and tags every case ``family="scaling"`` with its ``batch``, ``width``,
``device`` and ``steps``. Here the two devices' cases of one size meet in one row: the time
per training step on each, and GPU / CPU (below 1: the GPU is faster). Both ``regcheck
compare`` and ``regcheck report`` show it for every run that holds such cases.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

FAMILY = "scaling"
NO_GPU_NOTE = "no GPU case in this run (skipped where the backend sees no GPU): CPU times only"


@dataclass(frozen=True)
class CrossoverRow:
    """One size: the median time per training step on each device (None: not in the run)."""

    batch: int
    width: int
    cpu: float | None
    gpu: float | None

    @property
    def ratio(self) -> float | None:
        if self.cpu is None or self.gpu is None or self.cpu <= 0:
            return None
        return self.gpu / self.cpu

    @property
    def faster(self) -> str:
        ratio = self.ratio
        return "-" if ratio is None else "GPU" if ratio < 1 else "CPU"


def crossover(cases: Iterable[tuple[float, Mapping[str, Any]]]) -> list[CrossoverRow]:
    """Rows by (batch, width) from ``(median seconds, extra_info)`` pairs; other cases are ignored."""
    per_step: dict[tuple[int, int], dict[str, float]] = {}
    for median, extra in cases:
        size = _size(extra)
        if size is None:
            continue
        steps = extra.get("steps")
        divisor = steps if isinstance(steps, int) and steps > 0 else 1
        per_step.setdefault(size, {})[str(extra["device"])] = median / divisor
    return [CrossoverRow(batch, width, found.get("cpu"), found.get("gpu"))
            for (batch, width), found in sorted(per_step.items())]  # fmt: skip


def crossover_cells(rows: list[CrossoverRow], seconds: Callable[[float], str]) -> tuple[list[str], list[list[str]]]:
    """Headers and text cells for a table, times formatted by ``seconds``."""
    headers = ["batch", "width", "CPU per step", "GPU per step", "GPU / CPU", "faster"]
    cells = [
        [str(row.batch), str(row.width), seconds(row.cpu) if row.cpu is not None else "-",
         seconds(row.gpu) if row.gpu is not None else "-", f"{row.ratio:.3g}x" if row.ratio is not None else "-",
         row.faster]
        for row in rows
    ]  # fmt: skip
    return headers, cells


def has_gpu(rows: list[CrossoverRow]) -> bool:
    return any(row.gpu is not None for row in rows)


def _size(extra: Mapping[str, Any]) -> tuple[int, int] | None:
    if extra.get("family") != FAMILY or extra.get("device") not in ("cpu", "gpu"):
        return None
    batch, width = extra.get("batch"), extra.get("width")
    if isinstance(batch, bool) or isinstance(width, bool) or not isinstance(batch, int) or not isinstance(width, int):
        return None
    return batch, width
