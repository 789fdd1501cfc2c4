"""The sections of the HTML page, each from one input: the run's summary and its models' grids, the
version matrix, the timings, the run's environment. A section whose input was not given says so."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from regcheck.files.benchmark import BenchmarkRun
from regcheck.files.matrixfile import MatrixData
from regcheck.files.runfile import RunData
from regcheck.reports.drift_plot import drift_svg
from regcheck.reports.grid_plots import grid_svg
from regcheck.reports.grids import Grid, axes_without_results, run_grids
from regcheck.reports.summary import format_profile, summary_parts
from regcheck.reports.timing_plot import timings_svg
from regcheck.timing.join import differing_descriptions, timing_rows


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], classes: Sequence[Sequence[str]] | None = None) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for index, row in enumerate(rows):
        row_classes = classes[index] if classes else [""] * len(row)
        cells = "".join(f'<td class="{escape(c)}">{escape(cell)}</td>' for cell, c in zip(row, row_classes, strict=True))
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def absent(text: str) -> str:
    return f'<p class="absent">{escape(text)}</p>'


def grid_table(grid: Grid) -> str:
    rows = [[label] + [cell.text for cell in cells] for label, cells in grid.rows]
    classes = [[""] + [cell.status for cell in cells] for _, cells in grid.rows]
    return f'<p class="note">{escape(grid.note)}</p>' + table([grid.corner, *grid.columns], rows, classes)


def summary_section(run: RunData | None) -> str:
    if run is None:
        return absent("No run file given: write one with 'regcheck run --json run.json' and pass it to 'regcheck report'.")
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
            html.append(table(["field", "rule", "expected", "obtained", "difference"], rows_moved))
    html.append(
        "<details><summary>Every verdict and the rule that decided it</summary>"
        + table(["configuration", "verdict", "tier", "why"], rows, classes)
        + "</details>"
    )
    return "".join(html)


def grid_sections(run: RunData | None) -> list[tuple[str, str]]:
    """(title, content) per model of the run: its chart beside its table; then the models its study
    laid out but this run has no result of."""
    if run is None:
        return []
    sections = []
    for grid in run_grids(run):
        chart = grid_svg(grid)
        content = f'<div class="plots">{chart}<div>{grid_table(grid)}</div></div>' if chart else grid_table(grid)
        sections.append((grid.title, content))
    for axes in axes_without_results(run):
        text = f"No {axes.model} results in the run file (run 'regcheck run --model {axes.model} --json PATH')."
        sections.append((axes.title, absent(text)))
    return sections


def matrix_section(matrix: MatrixData | None) -> str:
    if matrix is None:
        return absent("No version matrix given: pass --matrix with the JSON written by 'regcheck matrix'.")
    html = [drift_svg(matrix)]
    versions = matrix.version_table()
    if versions:
        reference = matrix.reference_name() or "-"
        html.append(f'<p class="note">Package versions that are not the same everywhere; highlighted where they '
                    f"differ from the reference environment, {escape(reference)}:</p>")  # fmt: skip
        rows = [[package, *values] for package, values, _ in versions]
        classes = [["", *("moved" if differs else "" for differs in flags)] for _, _, flags in versions]
        html.append(table(["package", *matrix.environments], rows, classes))
    return "".join(html)


def timings_section(benches: Sequence[BenchmarkRun]) -> str:
    if not benches:
        return absent("No benchmark runs given: pass --bench with pytest-benchmark saved runs (files or a folder).")
    groups = list(dict.fromkeys(entry.group for run in benches for entry in run.benchmarks))
    html = [
        '<p class="note">Runs, in the order given (ratios are to the first): '
        + "; ".join(f"<b>{escape(run.label)}</b> ({escape(run.source)})" for run in benches)
        + "</p>"
    ]
    differing = differing_descriptions(benches)
    if differing:
        html.append(table(["what differs", *[run.label for run in benches]], [[key, *values] for key, values in differing]))
    html += [timings_svg(group, benches) for group in groups]
    html += crossover_tables(benches)
    headers, rows = timing_rows(benches)
    html.append("<details><summary>Every case as a table</summary>" + table(headers, rows) + "</details>")
    return "".join(html)


def crossover_tables(benches: Sequence[BenchmarkRun]) -> list[str]:
    """Per run holding the scaling family: CPU and GPU time per training step, size by size."""
    from regcheck.timing.crossover import NO_GPU_NOTE, crossover, crossover_cells, has_gpu
    from regcheck.timing.units import format_seconds

    html = []
    for run in benches:
        found = crossover((timing.median, timing.extra_info) for timing in run.benchmarks)
        if not found:
            continue
        note = "" if has_gpu(found) else f" {NO_GPU_NOTE}."
        html.append(f'<p class="note">Crossover in <b>{escape(run.label)}</b>: median time per training step on '
                    f"each device; GPU / CPU below 1 means the GPU is faster.{escape(note)}</p>")  # fmt: skip
        html.append(table(*crossover_cells(found, format_seconds)))
    return html


def environment_section(run: RunData | None) -> str:
    if run is None or not run.environment():
        return absent("No environment recorded.")
    env = run.environment()
    rows = [[key, str(env.get(key, "-"))] for key in ("python", "platform", "cpu", "cpu_count", "regcheck")]
    rows += [[name, version] for name, version in (env.get("packages") or {}).items()]
    rows += [[f"profile of {model}", format_profile(profile)] for model, profile in run.profiles.items()]
    return table(["", "value"], rows)
