"""Timings as a chart: the median time of each case, one bar per saved run, on a log axis."""

from __future__ import annotations

import math
from collections.abc import Sequence

from regcheck.files.benchmark import BenchmarkRun
from regcheck.reports.svg import Svg, legend, linear, log_ticks, series_color
from regcheck.timing.join import join_runs
from regcheck.timing.units import format_seconds, format_tick


def timings_svg(group: str, benches: Sequence[BenchmarkRun]) -> str:
    """Median time per case, one bar per saved run, log axis, whiskers from the first to the third quartile."""
    rows = [row for row in join_runs(benches) if row.group == group]
    runs = len(benches)
    bar_h, gap, left, right, top = 12, 10, 230, 70, 40
    row_h = bar_h * runs + gap
    width = 760
    height = top + row_h * len(rows) + 60
    values = [v for row in rows for c in row.cells.values() for v in (c.timing.q1, c.timing.median, c.timing.q3) if v > 0]
    ticks = log_ticks(min(values or [1e-3]), max(values or [1.0]))

    def x_of(seconds: float) -> float:
        return linear(math.log10(max(seconds, ticks[0])), math.log10(ticks[0]), math.log10(ticks[-1]), left, width - right)

    svg = Svg(f"timings-{group}", width, height, f"Timings of group {group}")
    title = f"Timings, group {group}: median per run, whisker = IQR, label = time / first run's"
    svg.text(12, 18, title, 14, font_weight="bold")
    for tick in ticks:
        svg.add("line", x1=f"{x_of(tick):.1f}", x2=f"{x_of(tick):.1f}", y1=top - 6, y2=height - 50, stroke="#e0e0e0")
        svg.text(x_of(tick), height - 36, format_tick(tick), 11, "middle")
    for index, row in enumerate(rows):
        y = top + row_h * index
        svg.text(left - 8, y + row_h / 2, row.case[:34], 11, "end")
        for run_index, run in enumerate(benches):
            cell = row.cells.get(run.label)
            if cell is None:
                continue
            entry = cell.timing
            bar_y = y + bar_h * run_index
            color = series_color(run_index)
            svg.mark(
                "rect",
                f"{row.case}, {benches[run_index].label}: median {format_seconds(entry.median)}, "
                f"IQR {format_seconds(entry.q1)}-{format_seconds(entry.q3)}, {entry.rounds} rounds",
                x=left,
                y=f"{bar_y:.1f}",
                width=f"{max(1.0, x_of(entry.median) - left):.1f}",
                height=bar_h - 2,
                fill=color,
            )
            whisker_y = bar_y + (bar_h - 2) / 2
            svg.add(
                "line",
                x1=f"{x_of(entry.q1):.1f}",
                x2=f"{x_of(entry.q3):.1f}",
                y1=f"{whisker_y:.1f}",
                y2=f"{whisker_y:.1f}",
                stroke="#212121",
                stroke_width=1.5,
            )
            ratio = row.ratio(benches[0].label, run.label) if run_index else None
            if ratio is not None:
                svg.text(x_of(max(entry.median, entry.q3)) + 6, bar_y + bar_h - 3, f"{ratio:.2f}x", 10)
    legend(svg, left, height - 12, [(run.label[:40], series_color(i), "box") for i, run in enumerate(benches)])
    return str(svg)
