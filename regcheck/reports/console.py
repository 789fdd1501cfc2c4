"""Console output: a table with a verdict per configuration, each model's grid, failure explanations.

The one-line summary lives in ``summary.summary_line``, shared with the Markdown and HTML reports."""

from __future__ import annotations

from regcheck.engine.judge import Verdict
from regcheck.files.runfile import RunData
from regcheck.reports.grids import run_grids
from regcheck.reports.tables import render_table
from regcheck.results.metrics import metric_text, metric_value
from regcheck.results.record import ResultRecord

# The command that blesses a change, with ``{model}`` to fill; each front end gives the options it was run with.
UPDATE_HINT = "regcheck bless --model {model} --reason '...'"


def verdict_rows(run: RunData) -> list[list[str]]:
    rows = []
    for verdict in run.verdicts:
        places = run.decimals.get(verdict.model, 2)
        expected = run.published.get(verdict.config_id)
        metrics = run.info(verdict.model).metrics
        records = run.records_for(verdict.config_id)
        obtained = _obtained(records[0], places, metrics) if len(records) == 1 else _over_seeds(records, places, metrics)
        rows.append([
            verdict.config_id,
            f"{expected:.{places}f}" if expected is not None else "-",
            obtained,
            verdict.tier,
            verdict.status,
        ])  # fmt: skip
    return rows


def _obtained(record: ResultRecord, places: int, metrics: tuple[str, ...]) -> str:
    """The record's headline metrics: ``0.48 (29/61)`` for accuracy, ``r2 0.4526, mse 2900`` for the others."""
    fields = record.view()
    return ", ".join(metric_text(name, fields, places) for name in metrics)


def _over_seeds(records: list[ResultRecord], places: int, metrics: tuple[str, ...]) -> str:
    """Several seeds in one cell: ``11 seeds: 49-52/61 correct, log_loss 0.31-0.36`` (the range of each metric)."""
    if not records:
        return "-"
    parts = []
    for name in metrics:
        if name == "accuracy" and all(record.n_correct is not None for record in records):
            counts = [record.n_correct or 0 for record in records]
            parts.append(f"{_span(min(counts), max(counts), '{}')}/{records[0].n_test} correct")
            continue
        values = [value for record in records if (value := metric_value(name, record.view())) is not None]
        parts.append(f"{name} {_span(min(values), max(values), '{:.4g}')}" if values else f"{name} -")
    return f"{len(records)} seeds: " + ", ".join(parts)


def _span(low: float, high: float, shown: str) -> str:
    return shown.format(low) if low == high else f"{shown.format(low)}-{shown.format(high)}"


def study_table(run: RunData) -> str:
    counted = all(run.info(model).metrics == ("accuracy",) for model in run.models())
    headers = ["configuration", "published", "obtained (n_correct/n_test)" if counted else "obtained", "rule", "verdict"]
    return render_table(headers, verdict_rows(run))


def explain(verdict: Verdict, obtained_path: str | None = None, hint: str = UPDATE_HINT) -> str:
    """Why a configuration failed: a table of field / expected / obtained / difference, flipped rows, the fix."""
    lines = [f"{verdict.config_id}: {verdict.status} (rule: {verdict.rule}; {verdict.reason})"]
    if verdict.status == "error":
        # rule "none": the fit raised; otherwise the rule could not be applied, and detail says why.
        lines.append(f"  the fit raised {verdict.detail}" if verdict.rule == "none" else f"  {verdict.detail}")
        return "\n".join(lines)
    if verdict.status == "missing":
        where = f"file {verdict.detail}" if verdict.detail else "for this configuration"
        lines.append(f"  no baseline {where} yet; create it with: {hint.format(model=verdict.model)}")
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
    lines.append(f"  if the change is intended: {hint.format(model=verdict.model)}")
    return "\n".join(lines)


def grid_tables(run: RunData) -> list[str]:
    """Each model's grid on its study's axes, as aligned text. A model without axes has none here: the
    table of every configuration (``study_table``) already shows it row by row."""
    tables = []
    for grid in (grid for grid in run_grids(run) if grid.plot is not None):
        rows = [[label, *(cell.text for cell in cells)] for label, cells in grid.rows]
        tables.append(f"{grid.title}\n" + render_table([grid.corner, *grid.columns], rows) + f"\n({grid.note})")
    return tables
