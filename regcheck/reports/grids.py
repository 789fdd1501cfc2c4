"""Each model of a run as a table: a grid on the axes its study gave (``GridAxes``), else one row per
configuration. Console, Markdown and HTML render the same ``Grid``s, so they agree.

A cell shows the model's per-seed result, by its first headline metric, and its verdict. A classifier
whose metric is accuracy, one seed: the accuracy and the count it comes from, ``0.80 (32/40) held``,
and the published value beside it when they differ; several seeds: the count of correct predictions
of every seed, collapsed when all agree, ``32 x6 held``. Any other metric (``r2``, ``log_loss``): its
value, ``0.4526 held``, or every seed's, ``0.45 0.44 0.46 held``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from regcheck.engine.study import GridAxes
from regcheck.files.runfile import RunData
from regcheck.results.metrics import metric_value
from regcheck.results.record import ResultRecord


@dataclass(frozen=True)
class GridCell:
    text: str
    status: str
    values: tuple[float, ...] = ()  # the grid's metric, one per seed
    published: float | None = None


@dataclass(frozen=True)
class Grid:
    """A model's table. ``plot`` is the chart its axes asked for (``lines``, ``heatmap``), ``None`` for
    a plain table; ``column_values`` are the column parameter's values, for a numeric plot axis."""

    model: str
    title: str
    corner: str  # e.g. "depth \\ trees"
    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[GridCell, ...]], ...]
    note: str = ""
    plot: str | None = None
    row_name: str = ""
    column_name: str = ""
    column_values: tuple[Any, ...] = ()
    metric: str = "accuracy"

    @property
    def name(self) -> str:
        """The plot's name in the page (``data-plot``)."""
        return f"{self.model}-{self.metric}-vs-{self.column_name}" if self.plot == "lines" else f"{self.model}-{self.plot}"


def value_text(value: Any) -> str:
    """A parameter value as tables show it: real numbers in ``%g``, the rest as JSON writes it."""
    if isinstance(value, float):
        return f"{value:g}"
    return value if isinstance(value, str) else json.dumps(value)


def _order(value: Any) -> tuple[int, float, str]:
    """Numbers by value, then everything else by its text (a parameter may mix both)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, float(value), "")
    return (1, 0.0, value_text(value))


def collapsed(texts: list[str]) -> str:
    """``32 32 32 32 32 32`` -> ``32 x6``: a collapsed cell."""
    if len(texts) > 2 and len(set(texts)) == 1:
        return f"{texts[0]} x{len(texts)}"
    return " ".join(texts)


def seed_counts(records: list[ResultRecord]) -> str:
    return collapsed(["-" if record.n_correct is None else str(record.n_correct) for record in records])


def metric_number(value: float | None) -> str:
    return "-" if value is None else "NaN" if value != value else f"{value:.4g}"


class _CellMaker:
    """The cells of one model: by accuracy, one seed shows the accuracy, several the count per seed;
    by any other metric, its value per seed."""

    def __init__(self, run: RunData, model: str) -> None:
        self.run = run
        self.places = run.decimals.get(model, 2)
        self.metric = run.info(model).metrics[0]
        records = [record for config_id in run.config_ids(model) for record in run.records_for(config_id)]
        self.seeds = sorted({r.seed for r in records})
        self.n_test = next((r.n_test for r in records), None)
        self.compared = self.off_published = False
        self.counts = self.metric == "accuracy" and all(r.n_correct is not None for r in records)

    @property
    def one_seed(self) -> bool:
        return len(self.seeds) <= 1

    def cell(self, config_id: str | None) -> GridCell:
        if config_id is None:
            return GridCell("-", "")
        records = self.run.records_for(config_id)
        verdict = self.run.verdict_for(config_id)
        status = verdict.status if verdict else "not judged"
        published = self.run.published.get(config_id)
        if not records:
            return GridCell(status, status, (), published)
        found = [metric_value(self.metric, record.view()) for record in records]
        values = tuple(value for value in found if value is not None)
        if not self.counts:
            return GridCell(f"{collapsed([metric_number(v) for v in found])} {status}", status, values)
        if not self.one_seed:
            return GridCell(f"{seed_counts(records)} {status}", status, values, published)
        record = records[0]
        obtained = f"{record.accuracy:.{self.places}f}"
        text = f"{obtained} ({record.n_correct}/{record.n_test}) {status}"
        if published is not None:
            self.compared = True
            if f"{published:.{self.places}f}" != obtained:
                text += f" [published {published:.{self.places}f}]"
                self.off_published = True
        return GridCell(text, status, values, published)

    def note(self) -> str:
        if not self.counts:
            seeds_text = f"seed{'s' if len(self.seeds) != 1 else ''} {', '.join(map(str, self.seeds)) or '-'}"
            return f"{self.metric} for {seeds_text}, then the verdict"
        if self.one_seed:
            note = "accuracy (correct/test) and verdict"
            if self.compared and not self.off_published:
                note += f"; all equal the published table to {self.places} decimals"
            return note
        out_of = f" out of {self.n_test}" if self.n_test else ""
        seeds_text = f"seed{'s' if len(self.seeds) != 1 else ''} {', '.join(map(str, self.seeds)) or '-'}"
        return f"correct predictions{out_of} for {seeds_text}, then the verdict"


def axes_grid(run: RunData, axes: GridAxes) -> Grid | None:
    """The model's configurations placed on ``axes`` (None when none of them has both parameters)."""
    placed: dict[tuple[str, str], str] = {}
    row_values: dict[str, Any] = {}  # a value's text -> the value (values may be lists: unhashable)
    column_values: dict[str, Any] = {}
    off_axes = []
    for config_id in run.config_ids(axes.model):
        params = run.params(config_id)
        if axes.rows not in params or axes.columns not in params:
            off_axes.append(config_id)
            continue
        place = (value_text(params[axes.rows]), value_text(params[axes.columns]))
        if place in placed:  # a third parameter varies too: the axes cannot tell these apart
            off_axes.append(config_id)
            continue
        placed[place] = config_id
        row_values.setdefault(place[0], params[axes.rows])
        column_values.setdefault(place[1], params[axes.columns])
    if not placed:
        return None
    down = sorted(row_values.values(), key=_order)
    across = sorted(column_values.values(), key=_order)
    maker = _CellMaker(run, axes.model)
    rows = []
    for row in down:
        cells = tuple(maker.cell(placed.get((value_text(row), value_text(column)))) for column in across)
        rows.append((_label(axes.labels, row), cells))
    note = maker.note()
    if off_axes:
        note += f"; not on these axes: {', '.join(off_axes)}"
    row_name = axes.row_label or axes.rows
    return Grid(
        model=axes.model,
        title=axes.title,
        corner=f"{row_name} \\ {axes.columns}",
        columns=tuple(_label(axes.labels, column) for column in across),
        rows=tuple(rows),
        note=note,
        plot=axes.plot,
        row_name=row_name,
        column_name=axes.columns,
        column_values=tuple(across),
        metric=maker.metric,
    )


def _label(labels: Mapping[str, str], value: Any) -> str:
    text = value_text(value)
    return labels.get(text, text)


def model_table(run: RunData, model: str) -> Grid:
    """A model the study gave no axes: one row per configuration, its parameters and its result."""
    maker = _CellMaker(run, model)
    rows = []
    for config_id in run.config_ids(model):
        params = ", ".join(f"{key}={value_text(value)}" for key, value in run.params(config_id).items())
        rows.append((config_id, (GridCell(params or "-", ""), maker.cell(config_id))))
    return Grid(model, f"{model}: each configuration", "configuration", ("parameters", "result"), tuple(rows), maker.note(),
                metric=maker.metric)  # fmt: skip


def run_grids(run: RunData) -> list[Grid]:
    """Every model of the run, in the run's order: a grid where the run has axes for it, else a plain table."""
    grids = []
    for model in run.models():
        axes = run.axes_for(model)
        grid = axes_grid(run, axes) if axes else None
        grids.append(grid or model_table(run, model))
    return grids


def axes_without_results(run: RunData) -> list[GridAxes]:
    """Axes the study gave for models this run has no result of (a run of one model of several)."""
    models = set(run.models())
    return [axes for axes in run.grids or () if axes.model not in models]
