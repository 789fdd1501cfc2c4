"""Console output: a table with a verdict per configuration, each model's grid, failure explanations.

The one-line summary lives in ``summary.summary_line``, shared with the Markdown and HTML reports."""

from __future__ import annotations

from regcheck.engine.exact import Verdict
from regcheck.engine.records import ResultRecord
from regcheck.reports.grids import run_grids
from regcheck.reports.run_file import RunData
from regcheck.reports.tables import render_table

UPDATE_HINT = "regcheck bless --model {model} --reason '...'   (or: pytest --regcheck-update)"


def verdict_rows(run: RunData) -> list[list[str]]:
    rows = []
    for verdict in run.verdicts:
        places = run.decimals.get(verdict.model, 2)
        expected = run.published.get(verdict.config_id)
        obtained = "  ".join(_obtained(record, places) for record in run.records_for(verdict.config_id)) or "-"
        rows.append([
            verdict.config_id,
            f"{expected:.{places}f}" if expected is not None else "-",
            obtained,
            verdict.tier,
            verdict.status,
        ])  # fmt: skip
    return rows


def _obtained(record: ResultRecord, places: int) -> str:
    if record.accuracy is None:  # a regression record: no count to show
        return "-"
    return f"{record.accuracy:.{places}f} ({record.n_correct}/{record.n_test})"


def study_table(run: RunData) -> str:
    headers = ["configuration", "published", "obtained (n_correct/n_test)", "rule", "verdict"]
    return render_table(headers, verdict_rows(run))


def explain(verdict: Verdict, obtained_path: str | None = None) -> str:
    """Why a configuration failed: a table of field / expected / obtained / difference, flipped rows, the fix."""
    lines = [f"{verdict.config_id}: {verdict.status} (rule: {verdict.rule}; {verdict.reason})"]
    if verdict.status == "error":
        # rule "none": the fit raised; otherwise the rule could not be applied, and detail says why.
        lines.append(f"  the fit raised {verdict.detail}" if verdict.rule == "none" else f"  {verdict.detail}")
        return "\n".join(lines)
    if verdict.status == "missing":
        where = f"file {verdict.detail}" if verdict.detail else "for this configuration"
        lines.append(f"  no baseline {where} yet; create it with: {UPDATE_HINT.format(model=verdict.model)}")
        return "\n".join(lines)
    if verdict.detail:
        lines.append(f"  {verdict.detail}")
    if verdict.differences:
        rows = [[d.field, d.rule, d.expected, d.obtained, d.difference] for d in verdict.differences]
        lines.append(render_table(["field", "rule", "expected", "obtained", "difference"], rows, indent="  "))
    if verdict.flipped_rows:
        rows = [[str(r.data_row), str(r.position), str(r.true_label), str(r.expected), str(r.obtained)]
                for r in verdict.flipped_rows]  # fmt: skip
        lines.append("  flipped test rows:")
        lines.append(render_table(["data row", "test position", "true", "expected", "obtained"], rows, indent="  "))
    if obtained_path:
        lines.append(f"  obtained record written to {obtained_path}")
    lines.append(f"  if the change is intended: {UPDATE_HINT.format(model=verdict.model)}")
    return "\n".join(lines)


def grid_tables(run: RunData) -> list[str]:
    """Each model's grid on its study's axes, as aligned text. A model without axes has none here: the
    table of every configuration (``study_table``) already shows it row by row."""
    tables = []
    for grid in (grid for grid in run_grids(run) if grid.plot is not None):
        rows = [[label, *(cell.text for cell in cells)] for label, cells in grid.rows]
        tables.append(f"{grid.title}\n" + render_table([grid.corner, *grid.columns], rows) + f"\n({grid.note})")
    return tables
