"""Hand-written SVG: the few chart primitives the HTML report needs, with no plotting dependency.

Why not matplotlib: the report must open offline and render the same everywhere, and SVG text stays
selectable and searchable in the page. Four small charts do not justify a 30 MB dependency and its
one-second import in every CI job, and SVG elements can be counted by the Chromium test, where a PNG
is only pixels. Every data mark carries ``class="mark"``; every chart is ``<svg class="plot" data-plot=...>``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

STATUS_COLORS = {
    "held": "#2e7d32",
    "moved": "#c62828",
    "error": "#6a1b9a",
    "missing": "#ef6c00",
    "updated": "#1565c0",
}
NEUTRAL = "#9e9e9e"
# How far a cell of 'regcheck matrix' is from its reference, from "the same" (green) to "labels moved" (red).
MARK_COLORS = {
    "reference": "#546e7a", "identical": "#2e7d32", "last-bits": "#9ccc65", "values": "#ef6c00",
    "labels": "#c62828", "no-reference": NEUTRAL,
}  # fmt: skip
SERIES_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf")
FONT = "font-family:'DejaVu Sans','Liberation Sans',Arial,sans-serif"


def status_color(status: str) -> str:
    return STATUS_COLORS.get(status, NEUTRAL)


def series_color(index: int) -> str:
    return SERIES_COLORS[index % len(SERIES_COLORS)]


def _attrs(attributes: dict[str, object]) -> str:
    return "".join(
        f' {key.rstrip("_").replace("_", "-")}="{escape(str(value))}"' for key, value in attributes.items() if value is not None
    )


class Svg:
    """An SVG document built element by element; ``str()`` gives the markup."""

    def __init__(self, name: str, width: int, height: int, title: str) -> None:
        self.name, self.width, self.height, self.title = name, width, height, title
        self.parts: list[str] = []

    def add(self, tag: str, text: str | None = None, **attributes: object) -> None:
        if text is None:
            self.parts.append(f"<{tag}{_attrs(attributes)}/>")
        else:
            self.parts.append(f"<{tag}{_attrs(attributes)}>{escape(text)}</{tag}>")

    def text(self, x: float, y: float, text: str, size: int = 12, anchor: str = "start", **attributes: object) -> None:
        self.add("text", text, x=f"{x:.1f}", y=f"{y:.1f}", font_size=size, text_anchor=anchor, **attributes)

    def mark(self, tag: str, tooltip: str, **attributes: object) -> None:
        """A data mark: counted by the tests, with a tooltip that names the value it shows."""
        self.parts.append(f'<{tag} class="mark"{_attrs(attributes)}><title>{escape(tooltip)}</title></{tag}>')

    def __str__(self) -> str:
        return (
            f'<svg class="plot" data-plot="{escape(self.name)}" xmlns="http://www.w3.org/2000/svg" '
            f'viewBox="0 0 {self.width} {self.height}" width="{self.width}" height="{self.height}" '
            f'role="img" style="{FONT}"><title>{escape(self.title)}</title>{"".join(self.parts)}</svg>'
        )


def linear(value: float, low: float, high: float, start: float, end: float) -> float:
    """Map ``value`` in [low, high] to [start, end] (``end`` may be below ``start``, as on a y axis)."""
    if high == low:
        return (start + end) / 2
    return start + (value - low) / (high - low) * (end - start)


def log_ticks(low: float, high: float) -> list[float]:
    """1-2-5 steps from just below ``low`` to just above ``high``: the gridlines of a log axis that
    wastes no decade (timings of one group often sit within a factor of three)."""
    steps = [m * 10.0**power for power in range(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1)
             for m in (1, 2, 5)]  # fmt: skip
    # One step below the smallest value, so that the shortest bar of a log bar chart stays visible.
    start = steps.index(max(step for step in steps if step <= low)) - 1
    end = steps.index(min(step for step in steps if step >= high))
    return steps[max(0, start) : end + 1]


def blend(low_color: str, high_color: str, fraction: float) -> str:
    """A color between two ``#rrggbb`` colors, for a heatmap's scale."""
    fraction = min(1.0, max(0.0, fraction))
    low = [int(low_color[i : i + 2], 16) for i in (1, 3, 5)]
    high = [int(high_color[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(a + (b - a) * fraction):02x}" for a, b in zip(low, high, strict=True))


def legend(svg: Svg, x: float, y: float, entries: Sequence[tuple[str, str, str]]) -> None:
    """Entries of (label, color, shape) in one row; shape is 'line', 'dot', 'ring' or 'box'."""
    for label, color, shape in entries:
        if shape == "line":
            svg.add("line", x1=x, y1=y - 4, x2=x + 18, y2=y - 4, stroke=color, stroke_width=2)
        elif shape == "ring":
            svg.add("circle", cx=x + 9, cy=y - 4, r=5, fill="white", stroke=color, stroke_width=2)
        elif shape == "box":
            svg.add("rect", x=x + 3, y=y - 10, width=12, height=12, fill=color)
        else:
            svg.add("circle", cx=x + 9, cy=y - 4, r=4, fill=color)
        svg.text(x + 24, y, label, size=12)
        x += 34 + 7 * len(label)
