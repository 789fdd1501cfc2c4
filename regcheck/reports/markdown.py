"""Markdown for people reading CI: a job summary ($GITHUB_STEP_SUMMARY) or a pull-request comment.

GitHub-flavoured tables only; failures first in full, the rest folded in ``<details>``.
"""

from __future__ import annotations

from collections.abc import Sequence

from regcheck.files.benchmark import BenchmarkRun
from regcheck.files.matrixfile import MatrixData
from regcheck.files.runfile import RunData
from regcheck.reports.grids import Grid, run_grids
from regcheck.reports.summary import format_profile, summary_parts
from regcheck.timing.crossover import NO_GPU_NOTE, crossover, crossover_cells, has_gpu
from regcheck.timing.join import timing_rows
from regcheck.timing.units import format_seconds

_MARK = {"held": "held", "moved": "**moved**", "missing": "**missing**", "error": "**error**", "updated": "updated"}


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def md_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(_escape(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_escape(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def grid_markdown(grid: Grid) -> str:
    rows = [
        [label] + [f"**{c.text}**" if c.status in ("moved", "error", "missing") else c.text for c in cells]
        for label, cells in grid.rows
    ]
    return f"**{grid.title}** ({grid.note})\n\n" + md_table([grid.corner, *grid.columns], rows)


def _environment_line(run: RunData) -> str:
    env = run.environment()
    if not env:
        return ""
    packages = env.get("packages") or {}
    shown = ", ".join(f"{name} {version}" for name, version in packages.items())
    return f"Python {env.get('python', '?')} on {env.get('platform', '?')} ({env.get('cpu', '?')}); {shown}"


def _failures(run: RunData) -> list[str]:
    blocks = []
    for verdict in run.verdicts:
        if not verdict.failed:
            continue
        head = f"- `{verdict.config_id}`: **{verdict.status}** (tier {verdict.tier}; {verdict.reason})"
        if verdict.detail:
            head += f" {verdict.detail}"
        blocks.append(head)
        if verdict.differences:
            rows = [[d.field, d.rule, d.expected, d.obtained, d.difference] for d in verdict.differences]
            table = md_table(["field", "rule", "expected", "obtained", "difference"], rows)
            blocks.append("\n".join("  " + line for line in table.splitlines()))
    return blocks


def run_markdown(run: RunData) -> str:
    """The summary of one run: the verdict line, a table per model, every failure explained."""
    tally, *rest = summary_parts(run)
    failed = any(v.failed for v in run.verdicts)
    lines = [f"### regcheck {'FAILED' if failed else 'passed'}: {tally}", "", " · ".join(rest), ""]
    for grid in run_grids(run):
        lines += [grid_markdown(grid), ""]
    failures = _failures(run)
    if failures:
        lines += ["**What moved**", "", *failures, ""]
    verdict_rows = [[f"`{v.config_id}`", _MARK.get(v.status, v.status), v.tier, v.reason] for v in run.verdicts]
    if verdict_rows:
        lines += [
            "<details><summary>Every verdict and the rule that decided it</summary>",
            "",
            md_table(["configuration", "verdict", "tier", "why this tier"], verdict_rows),
            "",
            "</details>",
            "",
        ]
    environment = _environment_line(run)
    if environment:
        lines += [f"<sub>{environment}</sub>", ""]
    return "\n".join(lines)


def matrix_markdown(matrix: MatrixData) -> str:
    rows = []
    for config_id in matrix.configurations:
        row = [f"`{config_id}`"]
        for environment in matrix.environments:
            cell = matrix.cells.get((config_id, environment))
            if cell is None:
                row.append("-")
                continue
            verdict = "" if cell.status in ("held", cell.mark) else cell.status.upper()
            text = " ".join(part for part in (cell.value, cell.mark or cell.status, verdict) if part)
            row.append(f"**{text}** (first difference)" if cell.first_difference else text)
        rows.append(row)
    lines = ["#### Version matrix", "", md_table(["configuration", *matrix.environments], rows), ""]
    versions = matrix.version_table()
    if versions:
        reference = matrix.reference_name()
        lines += [f"Package versions that are not the same everywhere (**bold**: differs from `{reference}`):", ""]
        rows = [[package, *(f"**{v}**" if differs else v for v, differs in zip(values, flags, strict=True))]
                for package, values, flags in versions]  # fmt: skip
        lines += [md_table(["package", *matrix.environments], rows), ""]
    return "\n".join(lines)


def timings_markdown(benches: Sequence[BenchmarkRun]) -> str:
    headers, rows = timing_rows(benches)
    title = "#### Timings (median and IQR of each run; ratios to the first run)"
    lines = [title, "", md_table(headers, rows), ""]
    for run in benches:
        found = crossover((timing.median, timing.extra_info) for timing in run.benchmarks)
        if found:
            lines += [f"Crossover in {run.label} (median per training step; GPU / CPU below 1: the GPU is faster)"
                      + ("" if has_gpu(found) else f": {NO_GPU_NOTE}"), ""]  # fmt: skip
            lines += [md_table(*crossover_cells(found, format_seconds)), ""]
    return "\n".join(lines)


def report_markdown(run: RunData | None, matrix: MatrixData | None, benches: Sequence[BenchmarkRun]) -> str:
    """Everything ``regcheck report`` was given, in Markdown; an absent input is named, not an error."""
    parts = [
        run_markdown(run)
        if run
        else "### regcheck report\n\nNo run file given (write one with `regcheck run --json run.json`).\n"
    ]
    parts.append(matrix_markdown(matrix) if matrix else "#### Version matrix\n\nNo matrix given (`--matrix`).\n")
    parts.append(timings_markdown(benches) if benches else "#### Timings\n\nNo benchmark runs given (`--bench`).\n")
    if run and run.profiles:
        shown = "; ".join(f"{model}: {format_profile(profile)}" for model, profile in run.profiles.items())
        parts.append(f"<sub>profiles: {shown}</sub>\n")
    return "\n".join(parts)
