"""The version matrix as text (console) or Markdown: one table, where cells first differ, and the versions.

A cell reads ``53= exact``: the run's result per seed (``/``-separated: the count of correct
predictions for a classifier, the first headline metric otherwise, ``0.4526`` for ``r2``), the mark
against the reference (``=`` ``~`` ``*`` ``!`` ``?``, see ``regcheck.matrix.table``), the rule the run
applied, and the verdict in capitals when it was not ``held`` (``51! band MOVED``).
"""

from __future__ import annotations

from collections.abc import Sequence

from regcheck.matrix.table import Cell, EnvDifference, FirstDifference, Matrix, environment_differences
from regcheck.matrix.timings import MatrixTimings, legend, slowdown_lines, slower_text, timed_text
from regcheck.reports.tables import render_table
from regcheck.results.compare import COEFFICIENT_ATOL, COEFFICIENT_RTOL
from regcheck.timing.join import TimingRow

LEGEND = (
    "cells: each seed's result (correct predictions, or the model's first metric), then against the reference: "
    "'=' identical bit for bit, "
    f"'~' only the last bits of real values differ (within rtol {COEFFICIENT_RTOL:g}, atol {COEFFICIENT_ATOL:g}), "
    "'*' real values differ beyond that, '!' a count or a predicted label differs, '?' no reference record; "
    "then the rule the environment's own run applied (exact or band) and its verdict when not held"
)


def cell_text(cell: Cell) -> str:
    counts = "/".join(_result(value, cell.metric) for value in cell.values)
    if cell.mark == "reference":
        return counts
    text = f"{counts}{cell.symbol} {cell.rule or '-'}"
    if cell.status and cell.status != "held":
        text += f" {cell.status.upper()}"
    return text


def matrix_rows(matrix: Matrix, timings: MatrixTimings | None = None) -> tuple[list[str], list[list[str]]]:
    """One row per configuration; with ``timings``, its timed phases below it and each model's grid after it."""
    headers = ["configuration"] + [c.name for c in matrix.columns] + ["first differs in"]
    rows = []
    for position, row in enumerate(matrix.rows):
        cells = [cell_text(row.cells[c.name]) if c.name in row.cells else "-" for c in matrix.columns]
        first = row.first_differing_column
        where = _first_difference(first, row.cells[first]) if first else "-"
        rows.append([row.config_id, *cells, where])
        if timings is not None:
            rows += [_timing_row(matrix, timed) for timed in timings.for_config(row.config_id)]
            last_of_model = position + 1 == len(matrix.rows) or matrix.rows[position + 1].model != row.model
            if last_of_model:
                rows += [_timing_row(matrix, timed) for timed in timings.grids(row.model)]
    if timings is not None:
        # Cases of models no run file holds (the logistic cases in the MLP environments): timed, no result.
        shown = {row.config_id for row in matrix.rows}
        models = {row.model for row in matrix.rows}
        rows += [_timing_row(matrix, timed) for timed in timings.rows
                 if (timed.config_id not in shown) if timed.config_id is not None or timed.model not in models]  # fmt: skip
    return headers, rows


def _timing_row(matrix: Matrix, timed: TimingRow) -> list[str]:
    cells = [timed_text(timed.cells.get(column.name)) for column in matrix.columns]
    return [f"  {timed.label}", *cells, slower_text(timed)]


def _first_difference(column: str, cell: Cell) -> str:
    diff = cell.first_difference
    seed = f" seed {diff.seed}" if diff is not None and len(cell.seeds) > 1 else ""
    return f"{column}{seed}: {describe_field(diff)}"


def _result(value: float | None, metric: str) -> str:
    if value is None:
        return "-"
    return str(int(value)) if metric == "n_correct" else f"{value:.4g}"


def describe_field(diff: FirstDifference | None) -> str:
    """Short, for the table: ``coefficients up to 1e-12`` or ``n_correct 53 -> 52``."""
    if diff is None:
        return "no record to compare"
    compared = diff.comparison
    if compared.kind == "real" and compared.index is not None and compared.abs_difference is not None:
        return f"{diff.field} up to {compared.abs_difference:.2g}"
    if compared.kind == "real" or compared.index is None:
        return f"{compared.where} {compared.expected} -> {compared.obtained}"
    return f"{compared.where} {_value(compared.reference_value)} -> {_value(compared.value)}"


def difference_lines(matrix: Matrix) -> list[str]:
    """One line per cell that is not identical: where it first differs, by how much, and whether that is noise."""
    lines = []
    for row in matrix.rows:
        for name, cell in row.cells.items():
            diff = cell.first_difference
            if cell.mark in ("reference", "identical") or diff is None:
                continue
            largest = ", ".join(f"{key} {value:.3g}" for key, value in cell.largest_abs_difference.items() if value)
            lines.append(
                f"{row.config_id} in {name}, seed {diff.seed}: first differs in {_detail(diff)}; mark {cell.mark}"
                + (f"; largest |difference|: {largest}" if largest else "")
            )
    return lines


def _detail(diff: FirstDifference) -> str:
    compared = diff.comparison
    if compared.kind != "real":
        change = (f"{_value(compared.reference_value)} -> {_value(compared.value)}" if compared.index is not None
                  else f"{compared.expected} -> {compared.obtained}")  # fmt: skip
        first = f", first at [{', '.join(map(str, compared.index))}]" if compared.index is not None else ""
        return f"{diff.field}{first}: {change}"
    scope = "within tolerance" if compared.within_tolerance else "beyond tolerance"
    size = f"|difference| {compared.abs_difference:.3g}, " if compared.abs_difference is not None else ""
    where = f", most at [{', '.join(map(str, compared.index))}]" if compared.index is not None else ""
    change = f"{_value(compared.reference_value)} -> {_value(compared.value)}"
    return f"{diff.field}{where}: {change} ({size}{scope})"


def _value(value: object) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def environment_lines(matrix: Matrix) -> list[str]:
    """Each column's versions that differ from the reference column's."""
    reference = matrix.column(matrix.reference)
    lines = []
    for column in matrix.columns:
        if column.name == matrix.reference:
            continue
        lines.append(f"{column.name}: {summarize(environment_differences(reference.environment, column.environment))}")
    return lines


def summarize(differences: Sequence[EnvDifference]) -> str:
    """``scikit-learn 1.9.1 -> 1.3.2; ...; not installed here: keras`` (machine details left to --compare)."""
    changed = [
        f"{_item_name(d.item)} {d.reference} -> {d.value}"
        for d in differences
        if d.reference is not None and d.value is not None and _is_version(d.item)
    ]
    absent = [_item_name(d.item) for d in differences if d.value is None and _is_version(d.item)]
    added = [f"{_item_name(d.item)} {d.value}" for d in differences if d.reference is None and _is_version(d.item)]
    parts = []
    if changed:
        parts.append(", ".join(changed))
    if added:
        parts.append("only here: " + ", ".join(added))
    if absent:
        parts.append("not installed here: " + ", ".join(absent))
    others = [_item_name(d.item) for d in differences if not _is_version(d.item)]
    if others:
        parts.append("also differs: " + ", ".join(others))
    return "; ".join(parts) or "same Python and package versions"


def _is_version(item: str) -> bool:
    return item == "python" or item.startswith("packages.")


def _item_name(item: str) -> str:
    return item.removeprefix("packages.")


def comparison_table(matrix: Matrix, left: str, right: str) -> str:
    """Every fingerprint item that differs between two columns."""
    differences = environment_differences(matrix.column(left).environment, matrix.column(right).environment)
    if not differences:
        return f"{left} and {right}: same environment fingerprint"
    rows = [[d.item, d.reference or "(none)", d.value or "(none)"] for d in differences]
    return f"{left} vs {right}: {len(rows)} item(s) differ\n" + render_table(["item", left, right], rows)


def render_text(matrix: Matrix, timings: MatrixTimings | None = None) -> str:
    headers, rows = matrix_rows(matrix, timings)
    reference = matrix.column(matrix.reference)
    lines = [
        f"regcheck matrix: {len(matrix.rows)} configurations x {len(matrix.columns)} environments; "
        f"reference: {reference.name} ({reference.source})" + (f"; timing reference: {timings.reference}" if timings else ""),
        "",
        render_table(headers, rows),
        "",
        LEGEND,
    ]
    if timings is not None:
        lines += [legend(timings), "", f"slower than {timings.reference} beyond the noise:"]
        lines += [f"  {line}" for line in slowdown_lines(timings)] or ["  nowhere"]
    differences = difference_lines(matrix)
    lines += ["", "where cells first differ from the reference:"]
    lines += [f"  {line}" for line in differences] or ["  nowhere: every cell is identical to the reference, bit for bit"]
    lines += ["", f"versions that differ from the reference ({reference.name}):"]
    lines += [f"  {line}" for line in environment_lines(matrix)]
    lines += profile_lines(matrix)
    return "\n".join(lines)


def profile_lines(matrix: Matrix) -> list[str]:
    """Which profiles the baselines hold per model: the exact tier applies in each, the band elsewhere."""
    held = next((column.profiles for column in matrix.columns if column.profiles), {})
    lines = []
    for model, profiles in held.items():
        if any(profiles):
            shown = "; ".join(", ".join(f"{k} {v}" for k, v in profile.items()) for profile in profiles)
            lines.append(f"  {model}: {len(profiles)} profile(s), the band compares a run none matches with the closest: {shown}")
    return ["", "profiles the baselines hold:", *lines] if lines else []


def render_markdown(matrix: Matrix, timings: MatrixTimings | None = None) -> str:
    headers, rows = matrix_rows(matrix, timings)
    reference = matrix.column(matrix.reference)
    table = [_md_row(headers), _md_row(["---"] * len(headers))] + [_md_row(row) for row in rows]
    timed = f" Timing reference: `{timings.reference}`." if timings else ""
    lines = [f"Reference: `{reference.name}` ({reference.source}).{timed}", "", *table, "", LEGEND + "."]
    if timings is not None:
        lines += ["", legend(timings) + ".", "", f"Slower than `{timings.reference}` beyond the noise:", ""]
        lines += [f"- {line}" for line in slowdown_lines(timings)] or ["- nowhere"]
    differences = difference_lines(matrix)
    lines += ["", "Where cells first differ from the reference:", ""]
    lines += [f"- {line}" for line in differences] or ["- nowhere: every cell is identical to the reference, bit for bit"]
    lines += ["", f"Versions that differ from the reference (`{reference.name}`):", ""]
    lines += [f"- {line}" for line in environment_lines(matrix)]
    return "\n".join(lines)


def _md_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"
