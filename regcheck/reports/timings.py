"""Console output of ``regcheck compare``: the runs, what differs between them, one row per case and run."""

from __future__ import annotations

from regcheck.files.benchmark import BenchmarkRun
from regcheck.reports.tables import render_table
from regcheck.timing.compare import Change, environment_differences, result_for
from regcheck.timing.crossover import NO_GPU_NOTE, crossover, crossover_cells, has_gpu
from regcheck.timing.units import format_seconds

HEADERS = ("case", "run", "median", "IQR", "rounds", "ratio", "result", "change")


def _object(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def describe_run(position: int, run: BenchmarkRun) -> str:
    ours = _object(run.machine.get("regcheck"))
    device = _object(ours.get("device"))
    parts = [f"{position}  {run.path}"]
    if device:
        parts.append(f"device {device.get('kind', '?')}" + (f" ({device['name']})" if device.get("name") else ""))
    if ours.get("keras_backend"):
        parts.append(f"backend {ours['keras_backend']}")
    if run.commit.get("id"):
        parts.append(f"commit {str(run.commit['id'])[:10]}{' (dirty)' if run.commit.get('dirty') else ''}")
    if run.when:
        parts.append(run.when[:19])
    if ours.get("injected_delay_s"):
        parts.append(f"INJECTED DELAY {ours['injected_delay_s']} s per call (a test run, not a real timing)")
    return ", ".join(parts)


def comparison_rows(runs: list[BenchmarkRun], table: list[tuple[str, list[Change]]]) -> list[list[str]]:
    rows = []
    for case, changes in table:
        for position, (run, change) in enumerate(zip(runs, changes, strict=True), start=1):
            timing = run.timings.get(case)
            first = case if position == 1 else ""
            if timing is None:
                rows.append([first, str(position), "-", "-", "-", "-", "-", f"{change.status}: {change.note}"])
                continue
            ratio = f"{change.ratio:.2f}" if change.ratio is not None else "-"
            shown = change.status if not change.note else f"{change.status}: {change.note}"
            spread = format_seconds(timing.iqr) if timing.rounds > 1 else "-"
            rows.append([
                first, str(position), format_seconds(timing.median), spread, str(timing.rounds), ratio,
                result_for(run, timing), "" if change.status in ("reference", "unchecked") else shown,
            ])  # fmt: skip
    return rows


def render_comparison(runs: list[BenchmarkRun], table: list[tuple[str, list[Change]]], factor: float | None) -> str:
    lines = ["runs (ratio = median / run 1's median; IQR = upper minus lower quartile of the rounds):"]
    lines += [f"  {describe_run(position, run)}" for position, run in enumerate(runs, start=1)]
    differences = environment_differences(runs)
    if differences:
        lines.append("environment that differs between the runs:")
        lines += [f"  {line}" for line in differences]
    else:
        lines.append("environment: the same in every recorded field")
    lines.append("")
    lines.append(render_table(HEADERS, comparison_rows(runs, table)))
    lines.append("")
    lines += crossover_lines(runs)
    lines.append(summary_line(table, factor))
    return "\n".join(lines)


def crossover_lines(runs: list[BenchmarkRun]) -> list[str]:
    """Per run holding the scaling family: its CPU and GPU time per training step, size by size."""
    lines = []
    for position, run in enumerate(runs, start=1):
        rows = crossover((timing.median, timing.extra_info) for timing in run.timings.values())
        if not rows:
            continue
        lines.append(f"crossover in run {position} (median per training step; GPU / CPU below 1: the GPU is faster):")
        if not has_gpu(rows):
            lines.append(f"  {NO_GPU_NOTE}")
        lines.append(render_table(*crossover_cells(rows, format_seconds), indent="  "))
        lines.append("")
    return lines


def summary_line(table: list[tuple[str, list[Change]]], factor: float | None) -> str:
    if factor is None:
        return f"regcheck compare: {len(table)} case(s); no slowdown check (pass --fail-slower FACTOR)"
    slower = [case for case, changes in table if any(change.failed for change in changes)]
    unjudged = [case for case, changes in table if any(change.status == "unjudged" for change in changes)]
    line = f"regcheck compare: {len(table)} case(s), {len(slower)} slower than x{factor:g}"
    if slower:
        line += f" ({', '.join(slower)})"
    if unjudged:
        line += f"; {len(unjudged)} unjudged (too few rounds: rerun with more, e.g. --regcheck-bench-rounds 5)"
    return line
