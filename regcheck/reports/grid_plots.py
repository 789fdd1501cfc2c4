"""The chart beside a model's grid, as its study's axes ask (``GridAxes.plot``):

* ``lines``: test accuracy against the column parameter, one line per row value (the mean over
  seeds where there are several); a log axis where the column values are positive numbers spanning
  a decade or more, a linear one for other numbers, evenly spaced for anything else. A published
  value is a ring around its point.
* ``heatmap``: rows x columns, each cell colored by the mean accuracy over seeds, with a strip that
  shows every seed and the published value.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from regcheck.reports.grids import Grid, GridCell
from regcheck.reports.svg import Svg, blend, legend, linear, series_color, status_color

_STEP = 0.05  # the heatmap's scale is rounded out to this, with one step of room at each end


def grid_svg(grid: Grid) -> str | None:
    """The chart ``grid.plot`` names, or None for a plain table."""
    if grid.plot == "lines":
        return lines_svg(grid)
    if grid.plot == "heatmap":
        return heatmap_svg(grid)
    return None


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def _x_axis(grid: Grid, start: float, end: float) -> tuple[Callable[[int], float], bool]:
    """Where column ``index`` sits, and whether the axis is logarithmic."""
    values = grid.column_values
    numeric = bool(values) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
    if not numeric:
        return (lambda index: linear(index, -0.5, len(values) - 0.5, start, end)), False
    numbers = [float(v) for v in values]
    logarithmic = min(numbers) > 0 and max(numbers) >= 10 * min(numbers)
    if logarithmic:
        low, high = math.log10(min(numbers)) - 0.25, math.log10(max(numbers)) + 0.25
        return (lambda index: linear(math.log10(numbers[index]), low, high, start, end)), True
    pad = (max(numbers) - min(numbers)) * 0.08 or 1.0
    return (lambda index: linear(numbers[index], min(numbers) - pad, max(numbers) + pad, start, end)), False


def _y_ticks(values: list[float], bounded: bool) -> list[float]:
    """The y axis: tenths from a round floor to 1 for a share (accuracy), else about five round steps over the data."""
    if bounded:
        low = min(0.4, math.floor(min(values or [0.4]) * 10) / 10)
        return [low + step / 10 for step in range(round((1.0 - low) * 10) + 1)]
    finite = [value for value in values if math.isfinite(value)] or [0.0, 1.0]
    low, high = min(finite), max(finite)
    if low == high:
        low, high = low - 0.5, high + 0.5
    step = 10 ** math.floor(math.log10((high - low) / 4))
    step *= next(factor for factor in (1, 2, 5, 10) if (high - low) / (step * factor) <= 5)
    first = math.floor(low / step) * step
    return [first + index * step for index in range(round((high - first) / step) + 2) if first + index * step <= high + step]


def lines_svg(grid: Grid) -> str:
    """The grid's metric against the column parameter, one line per row; the published value as a ring around each point."""
    width, height, left, right, top, bottom = 560, 330, 62, 24, 34, 74
    several = any(len(cell.values) > 1 for _, cells in grid.rows for cell in cells)
    bounded = grid.metric == "accuracy"
    values = [a for _, cells in grid.rows for c in cells for a in (*c.values, *([c.published] if c.published else []))]
    ticks = _y_ticks(values, bounded)
    x_of, logarithmic = _x_axis(grid, left, width - right)

    def y_of(value: float) -> float:
        return linear(value, ticks[0], ticks[-1], height - bottom, top)

    svg = Svg(grid.name, width, height, grid.title)
    noun = "test accuracy" if bounded else grid.metric
    what = f"Mean {noun} over seeds" if several else noun[0].upper() + noun[1:]
    heading = f"{what} against {grid.column_name}, one line per {grid.row_name}"
    svg.text(width / 2, 18, heading, 14, "middle", font_weight="bold")
    for tick in ticks:
        svg.add("line", x1=left, x2=width - right, y1=f"{y_of(tick):.1f}", y2=f"{y_of(tick):.1f}", stroke="#e0e0e0")
        svg.text(left - 8, y_of(tick) + 4, f"{tick:.1f}" if bounded else f"{tick:.3g}", 11, "end")
    for index, column in enumerate(grid.columns):
        svg.add("line", x1=f"{x_of(index):.1f}", x2=f"{x_of(index):.1f}", y1=top, y2=height - bottom, stroke="#f0f0f0")
        svg.text(x_of(index), height - bottom + 18, column, 11, "middle")
    axis = f"{grid.column_name} (log scale)" if logarithmic else grid.column_name
    svg.text(width / 2, height - bottom + 36, axis, 12, "middle")
    middle = (top + height - bottom) / 2
    svg.text(16, middle, "accuracy" if bounded else grid.metric, 12, "middle", transform=f"rotate(-90 16 {middle:.0f})")
    entries = []
    for index, (row, cells) in enumerate(grid.rows):
        color = series_color(index)
        points = [(x_of(i), y_of(_mean(c.values))) for i, c in enumerate(cells) if c.values]
        if len(points) > 1:
            svg.add("polyline", points=" ".join(f"{x:.1f},{y:.1f}" for x, y in points), fill="none", stroke=color,
                    stroke_width=2)  # fmt: skip
        for column_index, cell in enumerate(cells):
            where = f"{row} {grid.column_name}={grid.columns[column_index]}"
            if cell.published is not None:
                svg.mark("circle", f"{where}: published {cell.published:g}", cx=f"{x_of(column_index):.1f}",
                         cy=f"{y_of(cell.published):.1f}", r=8, fill="none", stroke="#424242", stroke_width=1.5)  # fmt: skip
            if cell.values:
                # Points of several rows that coincide are drawn side by side, not hidden.
                offset = (index - (len(grid.rows) - 1) / 2) * 5
                mean = _mean(cell.values)
                shown = (f"{grid.metric} {mean:.4f}" if len(cell.values) == 1
                         else f"mean {grid.metric} {mean:.4f} over {len(cell.values)} seeds")  # fmt: skip
                svg.mark("circle", f"{where}: {shown}, {cell.status}", cx=f"{x_of(column_index) + offset:.1f}",
                         cy=f"{y_of(mean):.1f}", r=5, fill=color,
                         stroke=status_color(cell.status) if cell.status != "held" else "white", stroke_width=2)  # fmt: skip
        entries.append((f"{row} obtained", color, "line"))
    if any(cell.published is not None for _, cells in grid.rows for cell in cells):
        entries.append(("published", "#424242", "ring"))
    legend(svg, left, height - 12, entries)
    return str(svg)


def _scale(grid: Grid) -> tuple[float, float]:
    """The heatmap's scale: for accuracy the data rounded out to 0.05 with one step of room each side, within
    [0, 1]; for any other metric the data's own range."""
    values = [a for _, cells in grid.rows for c in cells for a in c.values if math.isfinite(a)]
    values += [c.published for _, cells in grid.rows for c in cells if c.published is not None]
    if not values:
        return 0.0, 1.0
    if grid.metric != "accuracy":
        low, high = min(values), max(values)
        return (low, high) if low < high else (low - 0.5, high + 0.5)
    low = max(0.0, math.floor(round(min(values) / _STEP, 6)) * _STEP - _STEP)
    high = min(1.0, math.ceil(round(max(values) / _STEP, 6)) * _STEP + _STEP)
    return round(low, 2), round(high, 2)


def _strip_ticks(low: float, high: float, bounded: bool = True) -> list[float]:
    """Round steps inside the scale (tenths for a share); every other one while there are more than three."""
    ticks = [tick for tick in _y_ticks([low, high], False) if low < tick < high] if not bounded else [
        tenth / 10 for tenth in range(math.floor(low * 10) + 1, math.ceil(high * 10)) if low < tenth / 10 < high]  # fmt: skip
    while len(ticks) > 3:
        ticks = ticks[::2]
    return ticks


def heatmap_svg(grid: Grid) -> str:
    """Rows x columns: color is the mean accuracy over seeds, the strip in each cell shows every seed."""
    label_width = max((len(label) for label, _ in grid.rows), default=5)
    cell_w, cell_h, left, top = 170, 126, max(78, 40 + 7 * label_width), 62
    # Wide enough for the scale at the right and for the line that explains the marks.
    width, height = max(left + cell_w * len(grid.columns) + 110, left + 590), top + cell_h * len(grid.rows) + 46
    low, high = _scale(grid)
    svg = Svg(grid.name, width, height, grid.title)
    across = left + cell_w * len(grid.columns) / 2
    noun = "test accuracy" if grid.metric == "accuracy" else grid.metric
    svg.text(across, 18, f"Mean {noun} over seeds, with every seed", 14, "middle", font_weight="bold")
    svg.text(across, 38, grid.column_name, 12, "middle", font_style="italic")
    down = top + cell_h * len(grid.rows) / 2
    # A short name reads across; a longer one along the axis, where it has room.
    turn = f"rotate(-90 20 {down:.0f})" if len(grid.row_name) > 4 else None
    svg.text(24 if turn is None else 20, down, grid.row_name, 12, "middle", font_style="italic", transform=turn)
    for column_index, column in enumerate(grid.columns):
        svg.text(left + cell_w * (column_index + 0.5), top - 8, column, 12, "middle")
    for row_index, (label, cells) in enumerate(grid.rows):
        y = top + cell_h * row_index
        svg.text(left - 10, y + cell_h / 2 + 4, label, 12, "end")
        for column_index, cell in enumerate(cells):
            where = f"{grid.row_name}={label}, {grid.column_name}={grid.columns[column_index]}"
            _heat_cell(
                svg, (left + cell_w * column_index, y, cell_w, cell_h), where, cell, (low, high), grid.metric == "accuracy"
            )
    scale_x = left + cell_w * len(grid.columns) + 24
    for step in range(10):
        svg.add("rect", x=scale_x, y=f"{top + (9 - step) * cell_h * len(grid.rows) / 10:.1f}", width=16,
                height=f"{cell_h * len(grid.rows) / 10 + 0.5:.1f}", fill=blend("#f7fbff", "#08306b", step / 9))  # fmt: skip
    svg.text(scale_x + 8, top - 8, "mean", 11, "middle")
    shown = "{:.2f}" if grid.metric == "accuracy" else "{:.4g}"
    svg.text(scale_x + 22, top + 10, shown.format(high), 11)
    svg.text(scale_x + 22, top + cell_h * len(grid.rows), shown.format(low), 11)
    svg.text(left, height - 14, f"dots: one per seed on the {noun} strip; black line: published value; red outline: moved", 11)
    return str(svg)


def _heat_cell(svg: Svg, box: tuple[float, float, float, float], where: str, cell: GridCell,
               scale: tuple[float, float], bounded: bool = True) -> None:  # fmt: skip
    x, y, w, h = box
    low, high = scale
    number = "{:.3f}" if bounded else "{:.4g}"
    if not cell.values:
        svg.mark("rect", f"{where}: {cell.status or 'no result'}", x=x + 2, y=y + 2, width=w - 4, height=h - 4,
                 fill="#eeeeee", stroke=status_color(cell.status), stroke_width=2)  # fmt: skip
        svg.text(x + w / 2, y + h / 2 + 4, cell.status or "no result", 12, "middle")
        return
    mean = _mean(cell.values)
    least, most = min(cell.values), max(cell.values)
    fraction = min(max((mean - low) / (high - low), 0.0), 1.0) if math.isfinite(mean) else 0.0
    ink = "white" if fraction > 0.55 else "#212121"
    svg.mark("rect", f"{where}: mean {number.format(mean)} over {len(cell.values)} seeds, "
             f"{number.format(least)}-{number.format(most)}, {cell.status}",
             x=x + 2, y=y + 2, width=w - 4, height=h - 4, fill=blend("#f7fbff", "#08306b", fraction),
             stroke=status_color(cell.status) if cell.status != "held" else "#ffffff", stroke_width=3)  # fmt: skip
    svg.text(x + w / 2, y + 26, number.format(mean), 15, "middle", fill=ink, font_weight="bold")
    spread = f"{number.format(least)}-{number.format(most)}" if most > least else "no spread"
    svg.text(x + w / 2, y + 44, f"{len(cell.values)} seeds, {spread}", 11, "middle", fill=ink)
    # The strip: the accuracy axis of the scale, one dot per seed, equal outcomes stacked upwards.
    strip_left, strip_right, base = x + 12, x + w - 12, y + h - 22
    svg.add("rect", x=strip_left - 4, y=base - 34, width=strip_right - strip_left + 8, height=50, fill="white",
            opacity=0.9, rx=3)  # fmt: skip
    svg.add("line", x1=strip_left, x2=strip_right, y1=base, y2=base, stroke="#9e9e9e")
    for tick in _strip_ticks(low, high, bounded):
        tick_x = linear(tick, low, high, strip_left, strip_right)
        svg.add("line", x1=f"{tick_x:.1f}", x2=f"{tick_x:.1f}", y1=base, y2=base + 3, stroke="#9e9e9e")
        svg.text(tick_x, base + 12, f"{tick:.1f}" if bounded else f"{tick:.3g}", 8, "middle", fill="#616161")
    if cell.published is not None:
        px = linear(cell.published, low, high, strip_left, strip_right)
        svg.add("line", x1=f"{px:.1f}", x2=f"{px:.1f}", y1=base - 30, y2=base, stroke="black", stroke_width=2)
    stacked: dict[float, int] = {}
    for value in cell.values:
        if not math.isfinite(value):
            continue
        level = stacked.get(value, 0)
        stacked[value] = level + 1
        dot_x = linear(min(max(value, low), high), low, high, strip_left, strip_right)
        svg.mark("circle", f"one seed: {number.format(value)}", cx=f"{dot_x:.1f}", cy=f"{base - 4 - 4.5 * level:.1f}", r=3,
                 fill=status_color(cell.status), stroke="white", stroke_width=0.8)  # fmt: skip
