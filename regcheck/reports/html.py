"""One self-contained HTML page: the run's verdicts, the study's plots, the version matrix and timings.

Nothing is fetched when the page is viewed: styles are inline, plots are inline SVG (see svg.py for
why not matplotlib), there is no script. A section whose input was not given says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from regcheck.reports.grids import Grid, GridCell, format_profile, logreg_grid, mlp_grid, summary_parts
from regcheck.reports.inputs import BenchRun, MatrixCell, MatrixData, RunData
from regcheck.reports.svg import MARK_COLORS, Svg, blend, legend, linear, log_ticks, series_color, status_color
from regcheck.timing.crossover import NO_GPU_NOTE, crossover, crossover_cells, has_gpu
from regcheck.timing.join import differing_descriptions, format_seconds, format_tick, join_runs, timing_rows

CSS = """
body{font-family:'DejaVu Sans','Liberation Sans',Arial,sans-serif;margin:0 auto;max-width:1100px;padding:16px 24px;
color:#212121;background:#fff;font-size:14px}
h1{font-size:22px;margin:4px 0}h2{font-size:18px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:28px}
.summary{padding:10px 14px;border-radius:6px;font-size:15px;margin:10px 0}
.summary.ok{background:#e8f5e9;border-left:6px solid #2e7d32}
.summary.failed{background:#ffebee;border-left:6px solid #c62828}
.absent{color:#616161;font-style:italic;background:#fafafa;padding:8px 12px;border:1px dashed #bbb;border-radius:4px}
table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{border:1px solid #ddd;padding:4px 8px;text-align:left}
th{background:#f5f5f5}td.held{background:#f1f8e9}td.moved,td.error,td.missing{background:#ffebee;font-weight:bold}
td.updated{background:#e3f2fd}.note{color:#616161;font-size:12px}.meta{color:#616161;font-size:12px}
svg.plot{max-width:100%;height:auto;display:block;margin:8px 0}
.plots{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}
code{background:#f5f5f5;padding:1px 4px;border-radius:3px}
"""
_LOW_ACCURACY, _HIGH_ACCURACY = 0.45, 0.95  # the MLP's seed strips: 32/61 (0.52) to 56/61 (0.92) fit inside


def _table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], classes: Sequence[Sequence[str]] | None = None
) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for index, row in enumerate(rows):
        row_classes = classes[index] if classes else [""] * len(row)
        body.append(
            "<tr>"
            + "".join(f'<td class="{escape(c)}">{escape(cell)}</td>' for cell, c in zip(row, row_classes, strict=True))
            + "</tr>"
        )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _absent(text: str) -> str:
    return f'<p class="absent">{escape(text)}</p>'


def grid_table(grid: Grid) -> str:
    rows = [[label] + [cell.text for cell in cells] for label, cells in grid.rows]
    classes = [[""] + [cell.status for cell in cells] for _, cells in grid.rows]
    return f'<p class="note">{escape(grid.note)}</p>' + _table([grid.corner, *grid.columns], rows, classes)


# --- plots --------------------------------------------------------------------------------------


def accuracy_vs_c_svg(grid: Grid) -> str:
    """Accuracy against C (log axis), one line per penalty; the published value as a ring around each point."""
    width, height, left, right, top, bottom = 560, 330, 62, 24, 34, 74
    strengths = [float(column) for column in grid.columns]
    values = [a for _, cells in grid.rows for c in cells for a in (*c.accuracies, c.published or 1.0)]
    y_low = min(0.4, math.floor(min(values or [0.4]) * 10) / 10)
    x_low, x_high = math.log10(min(strengths)) - 0.25, math.log10(max(strengths)) + 0.25

    def x_of(strength: float) -> float:
        return linear(math.log10(strength), x_low, x_high, left, width - right)

    def y_of(accuracy: float) -> float:
        return linear(accuracy, y_low, 1.0, height - bottom, top)

    svg = Svg("logreg-accuracy-vs-C", width, height, grid.title)
    svg.text(width / 2, 18, "Logistic regression: test accuracy against C", 14, "middle", font_weight="bold")
    for tick in [y_low + step / 10 for step in range(round((1.0 - y_low) * 10) + 1)]:
        svg.add("line", x1=left, x2=width - right, y1=f"{y_of(tick):.1f}", y2=f"{y_of(tick):.1f}", stroke="#e0e0e0")
        svg.text(left - 8, y_of(tick) + 4, f"{tick:.1f}", 11, "end")
    for strength in strengths:
        svg.add(
            "line", x1=f"{x_of(strength):.1f}", x2=f"{x_of(strength):.1f}", y1=top, y2=height - bottom, stroke="#f0f0f0"
        )
        svg.text(x_of(strength), height - bottom + 18, f"{strength:g}", 11, "middle")
    svg.text(width / 2, height - bottom + 36, "C (inverse regularization strength, log scale)", 12, "middle")
    svg.text(
        16,
        (top + height - bottom) / 2,
        "accuracy",
        12,
        "middle",
        transform=f"rotate(-90 16 {(top + height - bottom) / 2:.0f})",
    )
    entries = []
    for index, (penalty, cells) in enumerate(grid.rows):
        color = series_color(index)
        points = [(x_of(s), y_of(c.accuracies[0])) for s, c in zip(strengths, cells, strict=True) if c.accuracies]
        if len(points) > 1:
            svg.add(
                "polyline",
                points=" ".join(f"{x:.1f},{y:.1f}" for x, y in points),
                fill="none",
                stroke=color,
                stroke_width=2,
            )
        for strength, cell in zip(strengths, cells, strict=True):
            if cell.published is not None:
                svg.mark(
                    "circle",
                    f"{penalty} C={strength:g}: published {cell.published:g}",
                    cx=f"{x_of(strength):.1f}",
                    cy=f"{y_of(cell.published):.1f}",
                    r=8,
                    fill="none",
                    stroke="#424242",
                    stroke_width=1.5,
                )
            if cell.accuracies:
                # Points of the two penalties that coincide are drawn side by side, not hidden.
                offset = (index - (len(grid.rows) - 1) / 2) * 5
                svg.mark(
                    "circle",
                    f"{penalty} C={strength:g}: accuracy {cell.accuracies[0]:.4f}, {cell.status}",
                    cx=f"{x_of(strength) + offset:.1f}",
                    cy=f"{y_of(cell.accuracies[0]):.1f}",
                    r=5,
                    fill=color,
                    stroke=status_color(cell.status) if cell.status != "held" else "white",
                    stroke_width=2,
                )
        entries.append((f"{penalty} obtained", color, "line"))
    if any(cell.published is not None for _, cells in grid.rows for cell in cells):
        entries.append(("published", "#424242", "ring"))
    legend(svg, left, height - 12, entries)
    return str(svg)


def mlp_heatmap_svg(grid: Grid) -> str:
    """The l1 x l2 grid: color is the mean accuracy over seeds, the strip in each cell shows every seed."""
    cell_w, cell_h, left, top = 170, 126, 78, 62
    width, height = left + cell_w * len(grid.columns) + 110, top + cell_h * len(grid.rows) + 46
    svg = Svg("mlp-heatmap", width, height, grid.title)
    svg.text(
        left + cell_w * len(grid.columns) / 2,
        18,
        "MLP: mean test accuracy over seeds, with every seed",
        14,
        "middle",
        font_weight="bold",
    )
    svg.text(left + cell_w * len(grid.columns) / 2, 38, "l2", 12, "middle", font_style="italic")
    svg.text(24, top + cell_h * len(grid.rows) / 2, "l1", 12, "middle", font_style="italic")
    for column_index, column in enumerate(grid.columns):
        svg.text(left + cell_w * (column_index + 0.5), top - 8, column, 12, "middle")
    for row_index, (label, cells) in enumerate(grid.rows):
        y = top + cell_h * row_index
        svg.text(left - 10, y + cell_h / 2 + 4, label, 12, "end")
        for column_index, cell in enumerate(cells):
            _heat_cell(svg, left + cell_w * column_index, y, cell_w, cell_h, label, grid.columns[column_index], cell)
    scale_x = left + cell_w * len(grid.columns) + 24
    for step in range(10):
        fraction = step / 9
        svg.add(
            "rect",
            x=scale_x,
            y=f"{top + (9 - step) * cell_h * len(grid.rows) / 10:.1f}",
            width=16,
            height=f"{cell_h * len(grid.rows) / 10 + 0.5:.1f}",
            fill=blend("#f7fbff", "#08306b", fraction),
        )
    svg.text(scale_x + 8, top - 8, "mean", 11, "middle")
    svg.text(scale_x + 22, top + 10, f"{_HIGH_ACCURACY:.2f}", 11)
    svg.text(scale_x + 22, top + cell_h * len(grid.rows), f"{_LOW_ACCURACY:.2f}", 11)
    svg.text(
        left,
        height - 14,
        "dots: one per seed on the accuracy strip; black line: published value; red outline: moved",
        11,
    )
    return str(svg)


def _heat_cell(svg: Svg, x: float, y: float, w: float, h: float, l1: str, l2: str, cell: GridCell) -> None:
    if not cell.accuracies:
        svg.mark(
            "rect",
            f"l1={l1}, l2={l2}: {cell.status or 'no result'}",
            x=x + 2,
            y=y + 2,
            width=w - 4,
            height=h - 4,
            fill="#eeeeee",
            stroke=status_color(cell.status),
            stroke_width=2,
        )
        svg.text(x + w / 2, y + h / 2 + 4, cell.status or "no result", 12, "middle")
        return
    mean = sum(cell.accuracies) / len(cell.accuracies)
    low, high = min(cell.accuracies), max(cell.accuracies)
    fraction = (mean - _LOW_ACCURACY) / (_HIGH_ACCURACY - _LOW_ACCURACY)
    ink = "white" if fraction > 0.55 else "#212121"
    svg.mark(
        "rect",
        f"l1={l1}, l2={l2}: mean {mean:.3f} over {len(cell.accuracies)} seeds, {low:.3f}-{high:.3f}, {cell.status}",
        x=x + 2,
        y=y + 2,
        width=w - 4,
        height=h - 4,
        fill=blend("#f7fbff", "#08306b", fraction),
        stroke=status_color(cell.status) if cell.status != "held" else "#ffffff",
        stroke_width=3,
    )
    svg.text(x + w / 2, y + 26, f"{mean:.3f}", 15, "middle", fill=ink, font_weight="bold")
    spread = f"{low:.3f}-{high:.3f}" if high > low else "no spread"
    svg.text(x + w / 2, y + 44, f"{len(cell.accuracies)} seeds, {spread}", 11, "middle", fill=ink)
    # The strip: an accuracy axis from 0.45 to 0.95, one dot per seed, equal outcomes stacked upwards.
    strip_left, strip_right, base = x + 12, x + w - 12, y + h - 22
    svg.add("rect", x=strip_left - 4, y=base - 34, width=strip_right - strip_left + 8, height=50, fill="white",
            opacity=0.9, rx=3)  # fmt: skip
    svg.add("line", x1=strip_left, x2=strip_right, y1=base, y2=base, stroke="#9e9e9e")
    for tick in (0.5, 0.7, 0.9):
        tick_x = linear(tick, _LOW_ACCURACY, _HIGH_ACCURACY, strip_left, strip_right)
        svg.add("line", x1=f"{tick_x:.1f}", x2=f"{tick_x:.1f}", y1=base, y2=base + 3, stroke="#9e9e9e")
        svg.text(tick_x, base + 12, f"{tick:.1f}", 8, "middle", fill="#616161")
    if cell.published is not None:
        px = linear(cell.published, _LOW_ACCURACY, _HIGH_ACCURACY, strip_left, strip_right)
        svg.add("line", x1=f"{px:.1f}", x2=f"{px:.1f}", y1=base - 30, y2=base, stroke="black", stroke_width=2)
    stacked: dict[float, int] = {}
    for accuracy in cell.accuracies:
        level = stacked.get(accuracy, 0)
        stacked[accuracy] = level + 1
        clamped = min(max(accuracy, _LOW_ACCURACY), _HIGH_ACCURACY)
        dot_x = linear(clamped, _LOW_ACCURACY, _HIGH_ACCURACY, strip_left, strip_right)
        svg.mark("circle", f"one seed: {accuracy:.3f}", cx=f"{dot_x:.1f}", cy=f"{base - 4 - 4.5 * level:.1f}", r=3,
                 fill=status_color(cell.status), stroke="white", stroke_width=0.8)  # fmt: skip


def _drift_color(cell: MatrixCell) -> str:
    return MARK_COLORS.get(cell.mark) or status_color(cell.status)


def drift_svg(matrix: MatrixData) -> str:
    """Configurations x environments: each cell colored by how far it is from the reference (the mark of
    'regcheck matrix', else the verdict); a thick outline where the row first differs, left to right."""
    cell_w, cell_h = 124, 26
    left = 16 + 7 * max((len(c) for c in matrix.configurations), default=10)
    top = 24 + 9 * max((len(e) for e in matrix.environments), default=8) // 2
    width = left + cell_w * len(matrix.environments) + 40
    height = top + cell_h * len(matrix.configurations) + 40
    svg = Svg("matrix-drift", width, height, "Version matrix: each configuration in each environment")
    for column, environment in enumerate(matrix.environments):
        cx = left + cell_w * (column + 0.5)
        svg.text(cx, top - 8, environment, 11, "start", transform=f"rotate(-40 {cx:.1f} {top - 8})")
    for row, config_id in enumerate(matrix.configurations):
        y = top + cell_h * row
        svg.text(left - 8, y + cell_h / 2 + 4, config_id, 11, "end")
        for column, environment in enumerate(matrix.environments):
            x = left + cell_w * column
            cell = matrix.cells.get((config_id, environment))
            if cell is None:
                svg.add("rect", x=x + 1, y=y + 1, width=cell_w - 2, height=cell_h - 2, fill="#fafafa", stroke="#e0e0e0")
                continue
            verdict = "" if cell.status in ("held", cell.mark) else cell.status.upper()
            kind = "" if cell.mark == "reference" else cell.mark or cell.status  # the reference says so once
            label = " ".join(part for part in (cell.value, kind, verdict) if part)
            tooltip = "; ".join(part for part in (
                f"{config_id} in {environment}: {label}", cell.tier and f"rule {cell.tier}", cell.detail,
                "the first column where this row differs" if cell.first_difference else "",
            ) if part)  # fmt: skip
            svg.mark("rect", tooltip, x=x + 1, y=y + 1, width=cell_w - 2, height=cell_h - 2,
                     fill=blend("#ffffff", _drift_color(cell), 0.35),
                     stroke="#000000" if cell.first_difference else _drift_color(cell),
                     stroke_width=3 if cell.first_difference else 1)  # fmt: skip
            svg.text(x + cell_w / 2, y + cell_h / 2 + 4, label[:20], 11, "middle")
    marks = [mark for mark in MARK_COLORS if any(cell.mark == mark for cell in matrix.cells.values())]
    shown = marks or [status for status in ("held", "moved", "missing", "error")]
    entries = [(name, MARK_COLORS.get(name) or status_color(name), "box") for name in shown]
    legend(svg, 16, height - 10, [*entries, ("first difference: thick outline", "#000000", "ring")])
    return str(svg)


def timings_svg(group: str, benches: Sequence[BenchRun]) -> str:
    """Median time per case, one bar per saved run, log axis, whiskers from the first to the third quartile."""
    rows = [row for row in join_runs(benches) if row.group == group]
    runs = len(benches)
    bar_h, gap, left, right, top = 12, 10, 230, 70, 40
    row_h = bar_h * runs + gap
    width = 760
    height = top + row_h * len(rows) + 60
    values = [v for row in rows for e in row.entries if e for v in (e.q1, e.median, e.q3) if v > 0]
    ticks = log_ticks(min(values or [1e-3]), max(values or [1.0]))

    def x_of(seconds: float) -> float:
        return linear(
            math.log10(max(seconds, ticks[0])), math.log10(ticks[0]), math.log10(ticks[-1]), left, width - right
        )

    svg = Svg(f"timings-{group}", width, height, f"Timings of group {group}")
    title = f"Timings, group {group}: median per run, whisker = IQR, label = time / first run's"
    svg.text(12, 18, title, 14, font_weight="bold")
    for tick in ticks:
        svg.add("line", x1=f"{x_of(tick):.1f}", x2=f"{x_of(tick):.1f}", y1=top - 6, y2=height - 50, stroke="#e0e0e0")
        svg.text(x_of(tick), height - 36, format_tick(tick), 11, "middle")
    for index, row in enumerate(rows):
        y = top + row_h * index
        svg.text(left - 8, y + row_h / 2, row.case[:34], 11, "end")
        for run_index, entry in enumerate(row.entries):
            if entry is None:
                continue
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
            ratio = row.ratio(run_index) if run_index else None
            if ratio is not None:
                svg.text(x_of(max(entry.median, entry.q3)) + 6, bar_y + bar_h - 3, f"{ratio:.2f}x", 10)
    legend(svg, left, height - 12, [(run.label[:40], series_color(i), "box") for i, run in enumerate(benches)])
    return str(svg)


# --- the page -----------------------------------------------------------------------------------


def _summary_section(run: RunData | None) -> str:
    if run is None:
        return _absent(
            "No run file given: write one with 'regcheck run --json run.json' and pass it to 'regcheck report'."
        )
    failed = any(v.failed for v in run.verdicts)
    tally, *rest = summary_parts(run)
    html = [
        f'<div class="summary {"failed" if failed else "ok"}"><b>{"FAILED" if failed else "passed"}:</b> '
        f'{escape(tally)}<br><span class="meta">{escape(" | ".join(rest))}</span></div>'
    ]
    rows = [[v.config_id, v.status, v.tier, v.reason + (f" {v.detail}" if v.detail else "")] for v in run.verdicts]
    classes = [["", v.status, "", ""] for v in run.verdicts]
    for verdict in (v for v in run.verdicts if v.failed):
        html.append(f"<h3>{escape(verdict.config_id)}: {escape(verdict.status)}</h3>")
        html.append(f"<p>tier {escape(verdict.tier)}; {escape(verdict.reason)} {escape(verdict.detail)}</p>")
        if verdict.differences:
            rows_moved = [[d.field, d.rule, d.expected, d.obtained, d.difference] for d in verdict.differences]
            html.append(_table(["field", "rule", "expected", "obtained", "difference"], rows_moved))
    html.append(
        "<details><summary>Every verdict and the rule that decided it</summary>"
        + _table(["configuration", "verdict", "tier", "why"], rows, classes)
        + "</details>"
    )
    return "".join(html)


def _logreg_section(run: RunData | None) -> str:
    grid = logreg_grid(run) if run else None
    if grid is None:
        return _absent(
            "No logistic-regression records in the run file (run 'regcheck run --model logreg --json PATH')."
        )
    return f'<div class="plots">{accuracy_vs_c_svg(grid)}<div>{grid_table(grid)}</div></div>'


def _mlp_section(run: RunData | None) -> str:
    grid = mlp_grid(run) if run else None
    if grid is None:
        return _absent("No MLP records in the run file (run 'regcheck run --model mlp --seeds 0-4 --json PATH').")
    return f'<div class="plots">{mlp_heatmap_svg(grid)}<div>{grid_table(grid)}</div></div>'


def _matrix_section(matrix: MatrixData | None) -> str:
    if matrix is None:
        return _absent("No version matrix given: pass --matrix with the JSON written by 'regcheck matrix'.")
    html = [drift_svg(matrix)]
    versions = matrix.version_table()
    if versions:
        reference = matrix.reference_name() or "-"
        html.append(f'<p class="note">Package versions that are not the same everywhere; highlighted where they '
                    f"differ from the reference environment, {escape(reference)}:</p>")  # fmt: skip
        rows = [[package, *values] for package, values, _ in versions]
        classes = [["", *("moved" if differs else "" for differs in flags)] for _, _, flags in versions]
        html.append(_table(["package", *matrix.environments], rows, classes))
    return "".join(html)


def _timings_section(benches: Sequence[BenchRun]) -> str:
    if not benches:
        return _absent("No benchmark runs given: pass --bench with pytest-benchmark saved runs (files or a folder).")
    groups = list(dict.fromkeys(entry.group for run in benches for entry in run.benchmarks))
    html = [
        '<p class="note">Runs, in the order given (ratios are to the first): '
        + "; ".join(f"<b>{escape(run.label)}</b> ({escape(run.source)})" for run in benches)
        + "</p>"
    ]
    differing = differing_descriptions(benches)
    if differing:
        html.append(
            _table(["what differs", *[run.label for run in benches]], [[key, *values] for key, values in differing])
        )
    html += [timings_svg(group, benches) for group in groups]
    html += _crossover_tables(benches)
    headers, rows = timing_rows(benches)
    html.append("<details><summary>Every case as a table</summary>" + _table(headers, rows) + "</details>")
    return "".join(html)


def _crossover_tables(benches: Sequence[BenchRun]) -> list[str]:
    """Per run holding the scaling family: CPU and GPU time per training step, size by size."""
    html = []
    for run in benches:
        found = crossover((entry.median, entry.extra_info) for entry in run.benchmarks)
        if not found:
            continue
        note = "" if has_gpu(found) else f" {NO_GPU_NOTE}."
        html.append(f'<p class="note">Crossover in <b>{escape(run.label)}</b>: median time per training step on '
                    f"each device; GPU / CPU below 1 means the GPU is faster.{escape(note)}</p>")  # fmt: skip
        html.append(_table(*crossover_cells(found, format_seconds)))
    return html


def _environment_section(run: RunData | None) -> str:
    if run is None or not run.environment():
        return _absent("No environment recorded.")
    env = run.environment()
    rows = [[key, str(env.get(key, "-"))] for key in ("python", "platform", "cpu", "cpu_count", "regcheck")]
    rows += [[name, version] for name, version in (env.get("packages") or {}).items()]
    rows += [[f"profile of {model}", format_profile(profile)] for model, profile in run.profiles.items()]
    return _table(["", "value"], rows)


def report_html(run: RunData | None, matrix: MatrixData | None, benches: Sequence[BenchRun]) -> str:
    sources = [s for s in (run.source if run else None, matrix.source if matrix else None) if s]
    sources += [bench.source for bench in benches]
    created = f" · run created {run.created}" if run and run.created else ""
    sections = [
        ("Summary", _summary_section(run)),
        ("Logistic regression: accuracy against C", _logreg_section(run)),
        ("MLP: the l1 x l2 grid over seeds", _mlp_section(run)),
        ("Version matrix: drift across environments", _matrix_section(matrix)),
        ("Timings: CPU vs GPU, version vs version", _timings_section(benches)),
        ("Environment of the run", _environment_section(run)),
    ]
    body = "".join(
        f'<section id="s{index}"><h2>{escape(title)}</h2>{content}</section>'
        for index, (title, content) in enumerate(sections)
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>regcheck report</title><style>{CSS}</style></head><body>"
        f'<h1>regcheck report</h1><p class="meta">from {escape(", ".join(sources) or "no inputs")}{escape(created)}</p>'
        f"{body}</body></html>\n"
    )
