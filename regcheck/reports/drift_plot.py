"""The version matrix as a chart: configurations x environments, each cell colored by how far it is
from the reference environment, the first differing cell of each row outlined."""

from __future__ import annotations

from regcheck.files.matrixfile import MatrixCell, MatrixData
from regcheck.reports.svg import MARK_COLORS, Svg, blend, legend, status_color


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
