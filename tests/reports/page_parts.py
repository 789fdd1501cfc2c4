"""Reads a report page back: each plot's name and its data marks (a small HTMLParser, no extra dependency)."""

from __future__ import annotations

from html.parser import HTMLParser


class PlotMarks(HTMLParser):
    """``plots``: data-plot name -> the tags of its ``class="mark"`` elements, in page order."""

    def __init__(self) -> None:
        super().__init__()
        self.plots: dict[str, list[str]] = {}
        self._current: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "svg" and "plot" in (attributes.get("class") or "").split():
            self._current = attributes.get("data-plot") or "?"
            self.plots[self._current] = []
        elif self._current and "mark" in (attributes.get("class") or "").split():
            self.plots[self._current].append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._current = None


def plot_marks(page: str) -> dict[str, list[str]]:
    parser = PlotMarks()
    parser.feed(page)
    return parser.plots
