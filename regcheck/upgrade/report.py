"""What ``regcheck upgrade`` found, as console text, Markdown (job summary, PR comment) and JSON.

Per configuration: its result before (OLD) and after (NEW) with the ladder's mark against OLD
(identical, last-bits, values, labels; ``regcheck.matrix.table``) and the first field that
differs, each environment's verdict against the committed baselines, and the fit and predict times
before and after, judged by ``regcheck compare``'s noise rule. Then, when a result moved, the
smallest set of changed packages that moves it, the first release of each that does, and what the
search cost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from regcheck.files.benchmark import Timing
from regcheck.files.times import now_utc
from regcheck.matrix.bisect import Comparison
from regcheck.matrix.table import Cell, Column
from regcheck.matrix.text import describe_field, difference_lines
from regcheck.reports.tables import render_table
from regcheck.timing.compare import Change as TimeChange
from regcheck.timing.units import format_seconds
from regcheck.upgrade.ddmin import Outcome
from regcheck.upgrade.locks import Change, Lock
from regcheck.upgrade.search import Counts, Culprit, Environment, Trial

KIND = "regcheck.upgrade"
SCHEMA_VERSION = 1
COMMENT_MARKER = "<!-- regcheck-upgrade -->"  # the workflow finds its own earlier comment by it
PHASES = ("fit", "predict")


@dataclass(frozen=True)
class TimedPair:
    old: Timing | None
    new: Timing | None
    change: TimeChange | None


@dataclass
class Report:
    old: Lock
    new: Lock
    changes: list[Change]
    command: str
    environments: dict[str, Environment]  # old, new
    comparison: Comparison | None  # None: the locks pin the same versions
    timings: dict[tuple[str, str], TimedPair] = field(default_factory=dict)
    rounds: int = 0
    factor: float = 1.0
    timing_note: str = ""  # why there are no timings, where there are none
    trials: list[Trial] = field(default_factory=list)
    smallest: tuple[Change, ...] = ()
    culprits: list[Culprit] = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)
    seconds: float = 0.0
    fail_slower: bool = False

    @property
    def moved(self) -> list[str]:
        if self.comparison is None:
            return []
        return [config_id for config_id, cell in self.comparison.cells.items() if cell.mark != "identical"]

    @property
    def cells(self) -> list[str]:
        return list(self.comparison.cells) if self.comparison else []

    @property
    def slower(self) -> list[str]:
        """The cases NEW is slower in beyond the noise (by more than the factor, where --fail-slower gave one)."""
        return [f"{where} {phase}" for (where, phase), pair in self.timings.items() if pair.change and pair.change.failed]

    @property
    def exit_code(self) -> int:
        return 1 if self.moved or (self.fail_slower and self.slower) else 0


# --- the parts ------------------------------------------------------------------------------------


def _result(cell: Cell | None) -> str:
    if cell is None:
        return "-"
    return " ".join(str(n) for n in cell.n_correct) + (f"/{cell.n_test}" if cell.n_test else "")


def _verdict(column: Column, config_id: str) -> str:
    verdict = column.verdicts.get(config_id)
    if not verdict:
        return "-"
    return f"{verdict.get('status', '-')} ({verdict.get('rule') or '-'})"


def _time(timing: Timing | None) -> str:
    if timing is None:
        return "-"
    return format_seconds(timing.median) + (f" ±{format_seconds(timing.iqr / 2)}" if timing.rounds > 1 else "")


def _time_change(pair: TimedPair) -> str:
    change = pair.change
    if change is None or change.ratio is None:
        return "-"
    text = f"{change.ratio:.2f}x"
    if change.status in ("slower", "faster"):
        return f"{text} {change.status.upper()}"
    if change.status == "unjudged":
        return f"{text} ? ({change.note})"
    return f"{text} within the noise" if change.status == "overlap" else text


def _mark(cell: Cell) -> str:
    if cell.mark == "identical":
        return "identical"
    return f"{cell.mark}: {describe_field(cell.first_difference)}"


def configuration_rows(report: Report, comparison: Comparison, config_id: str) -> list[list[str]]:
    """result, verdict, fit, predict: before, after, and what changed."""
    cell = comparison.cells[config_id]
    matrix = comparison.as_matrix()
    row = next(row for row in matrix.rows if row.config_id == config_id)
    before = row.cells.get(comparison.reference.name)
    rows = [
        ["result", _result(before), _result(cell), _mark(cell)],
        ["verdict", _verdict(comparison.reference, config_id), _verdict(comparison.column, config_id), ""],
    ]
    for phase in PHASES:
        pair = report.timings.get((config_id, phase))
        if pair is not None:
            rows.append([phase, _time(pair.old), _time(pair.new), _time_change(pair)])
    return rows


def header_lines(report: Report) -> list[str]:
    shown = ", ".join(str(change) for change in report.changes)
    return [f"{report.command}: {len(report.changes)} package(s) differ" + (f" ({shown})" if shown else "")]


def environment_lines(report: Report) -> list[str]:
    lines = []
    for side, environment in report.environments.items():
        lock = report.old if side == "old" else report.new
        lines.append(f"{side.upper()}: {lock.path} ({lock.kind}, {len(lock.pins)} pins) -> {len(environment.versions)} "
                     f"packages, environment {environment.key}")  # fmt: skip
        lines += [f"  not compared: {entry}" for entry in lock.left_out]
    return lines


def timing_legend(report: Report) -> str:
    if not report.timings:
        return f"times: not taken ({report.timing_note})" if report.timing_note else "times: not taken"
    beyond = "beyond the noise" if report.factor == 1 else f"by more than {report.factor:g}x beyond the noise"
    return (
        f"times: median ±half the interquartile range of {report.rounds} rounds per environment, taken interleaved "
        f"(OLD, NEW, OLD, NEW ...); the ratio NEW/OLD, SLOWER/FASTER where NEW is slower/faster {beyond} (its lower "
        f"quartile above {'the factor times ' if report.factor != 1 else ''}OLD's upper quartile, or the mirror image; "
        f"regcheck compare's rule)"
    )


def search_lines(report: Report) -> list[str]:
    if not report.moved:
        return []
    if not report.trials and not report.smallest:
        return ["which change did it: not searched (--no-search)"]
    trials = f"{len(report.trials)} trial{'' if len(report.trials) == 1 else 's'}"
    lines = [f"which change did it: delta debugging over {len(report.changes)} changed packages, {trials}"]
    for number, trial in enumerate(report.trials, start=1):
        shown = ", ".join(change.name for change in trial.changes)
        lines.append(f"  trial {number}: {{{shown}}}: {_outcome(trial)}")
        if trial.environment is not None and trial.environment.widened:
            lines.append(f"    widened with {', '.join(map(str, trial.environment.widened))} "
                         f"(the exact pins cannot be resolved: {trial.environment.why})")  # fmt: skip
    lines.append(f"smallest set that moves the result: {', '.join(str(change) for change in report.smallest)}")
    for culprit in report.culprits:
        lines += culprit_lines(culprit)
    return lines


def _outcome(trial: Trial) -> str:
    return {Outcome.SAME: "as OLD", Outcome.MOVED: "as NEW"}.get(trial.outcome, "neither") + f" ({trial.detail})"


def culprit_lines(culprit: Culprit) -> list[str]:
    change, result = culprit.change, culprit.result
    if result is None:
        return [f"culprit: {change} ({culprit.note})"]
    lines = [f"bisect {change.name} {change.old} -> {change.new}: {len(culprit.releases)} final releases "
             f"({', '.join(map(str, culprit.releases))})"]  # fmt: skip
    lines += [f"  {step.version}: {step.outcome}" + (f" ({step.detail})" if step.detail else "") for step in result.steps]
    comparison = result.comparison
    if result.first_differing is None or comparison is None:
        lines.append(f"culprit: {change.name}, but no single release of it moves the result with the rest of the set "
                     "at NEW's versions")  # fmt: skip
        return lines
    fields = sorted({cell.first_difference.field for cell in comparison.cells.values() if cell.first_difference})
    largest: dict[str, float] = {}
    for cell in comparison.cells.values():
        for name, size in cell.largest_abs_difference.items():
            largest[name] = max(size, largest.get(name, 0.0))
    moved = [cid for cid, cell in comparison.cells.items() if cell.mark != "identical"]
    lines += [
        f"culprit: {change.name} {result.first_differing} (the release before it, {result.last_same}, gives OLD's result)",
        f"  mark: {comparison.mark}, in {len(moved)} of {len(comparison.cells)} configurations",
        f"  fields that changed: {', '.join(fields)}; largest |difference|: "
        + (", ".join(f"{name} {size:.3g}" for name, size in largest.items() if size) or "-"),
    ]
    lines += [f"  {line}" for line in difference_lines(comparison.as_matrix())]
    lines += [f"  skipped {step.version}: {step.detail}" for step in result.skipped]
    return lines


def summary_line(report: Report) -> str:
    counts = report.counts
    if report.comparison is None:
        verdict = "nothing to compare: OLD and NEW pin the same versions"
    elif report.moved:
        verdict = f"{len(report.moved)} of {len(report.comparison.cells)} configurations moved"
    else:
        verdict = f"nothing moved: {len(report.comparison.cells)} configurations identical, bit for bit"
    slower = report.slower
    shown = ", ".join(slower[:3]) + (f" and {len(slower) - 3} more" if len(slower) > 3 else "")
    beyond = "beyond the noise" if report.factor == 1 else f"by more than {report.factor:g}x beyond the noise"
    slower_text = f"; {len(slower)} case(s) slower {beyond}: {shown}" if slower else ""
    return (
        f"regcheck upgrade: {verdict}{slower_text} | {len(counts.environments)} environments ({counts.built} built now), "
        f"{counts.runs} runs and {counts.rounds} timing rounds made now | {_duration(report.seconds)}"
    )


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


# --- the renderings -------------------------------------------------------------------------------


def render_text(report: Report) -> str:
    lines = header_lines(report) + environment_lines(report)
    if report.comparison is not None:
        for config_id in report.comparison.cells:
            rows = configuration_rows(report, report.comparison, config_id)
            lines += ["", config_id]
            lines.append(render_table(["", "before (OLD)", "after (NEW)", "change"], rows,
                                      indent="  "))  # fmt: skip
        lines += ["", timing_legend(report)]
    found = search_lines(report)
    if found:
        lines += ["", *found]
    lines += ["", summary_line(report)]
    return "\n".join(lines)


def _md(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def headline(report: Report) -> str:
    """One sentence for the top of the pull request's comment: what moved, and which release did it."""
    named = [f"{c.change.name} {c.result.first_differing}" for c in report.culprits if c.result and c.result.first_differing]
    if named:
        return f"**{' and '.join(named)} moved the result** ({len(report.moved)} of {len(report.cells)} configurations)."
    if report.moved:
        return f"**{len(report.moved)} of {len(report.cells)} configurations moved.**"
    if report.comparison is not None:
        return f"Nothing moved: {len(report.cells)} configurations identical, bit for bit."
    return "OLD and NEW pin the same versions."


def render_markdown(report: Report) -> str:
    state = "a result moved" if report.moved else "nothing moved" if report.comparison else "nothing to compare"
    lines = [f"## regcheck upgrade: {state}", "", headline(report), "", f"`{report.command}`", ""]
    lines += [f"- {line}" for line in environment_lines(report) if not line.startswith("  ")]
    lines += ["", f"**{len(report.changes)} package(s) differ:** " + (", ".join(f"`{c}`" for c in report.changes) or "none")]
    if report.comparison is not None:
        headers = ["configuration", "before", "after", "mark", "verdict before", "verdict after"]
        headers += [f"{phase} before -> after" for phase in PHASES if any(key[1] == phase for key in report.timings)]
        lines += ["", _md(headers), _md(["---"] * len(headers))]
        for config_id in report.comparison.cells:
            rows = {row[0]: row for row in configuration_rows(report, report.comparison, config_id)}
            cells = [f"`{config_id}`", rows["result"][1], rows["result"][2], rows["result"][3], rows["verdict"][1],
                     rows["verdict"][2]]  # fmt: skip
            cells += [f"{rows[phase][1]} -> {rows[phase][2]} ({rows[phase][3]})" if phase in rows else "-"
                      for phase in PHASES if any(key[1] == phase for key in report.timings)]  # fmt: skip
            lines.append(_md(cells))
        lines += ["", timing_legend(report) + "."]
    found = search_lines(report)
    if found:
        lines += ["", "### Which change did it", "", "```", *found, "```"]
    lines += ["", summary_line(report)]
    return "\n".join(lines) + "\n"


def render_comment(report: Report) -> str:
    """The PR comment's body: the Markdown report behind a marker the workflow finds its earlier comment by."""
    return f"{COMMENT_MARKER}\n{render_markdown(report)}"


def to_document(report: Report) -> dict[str, Any]:
    comparison = report.comparison
    configurations = []
    for config_id, cell in comparison.cells.items() if comparison else []:
        assert comparison is not None
        configurations.append({
            "config_id": config_id, "mark": cell.mark,
            "first_difference": describe_field(cell.first_difference) if cell.first_difference else None,
            "largest_abs_difference": cell.largest_abs_difference,
            "verdict_before": comparison.reference.verdicts.get(config_id, {}).get("status"),
            "verdict_after": comparison.column.verdicts.get(config_id, {}).get("status"),
            "times": {phase: {"before": pair.old.median if pair.old else None, "after": pair.new.median if pair.new else None,
                              "ratio": pair.change.ratio if pair.change else None,
                              "change": pair.change.status if pair.change else None}
                      for (where, phase), pair in report.timings.items() if where == config_id},
        })  # fmt: skip
    return {
        "schema_version": SCHEMA_VERSION, "kind": KIND, "created": now_utc(), "command": report.command,
        "old": str(report.old.path), "new": str(report.new.path),
        "changes": [{"name": c.name, "old": c.old, "new": c.new} for c in report.changes],
        "moved": report.moved, "slower": report.slower, "rounds": report.rounds, "configurations": configurations,
        "trials": [{"changes": [c.name for c in t.changes], "outcome": t.outcome.value, "detail": t.detail,
                    "widened": [str(m) for m in t.environment.widened] if t.environment else []} for t in report.trials],
        "smallest": [c.name for c in report.smallest],
        "culprits": [{"name": c.change.name, "old": c.change.old, "new": c.change.new,
                      "first_differing": str(c.result.first_differing) if c.result and c.result.first_differing else None,
                      "last_same": str(c.result.last_same) if c.result and c.result.last_same else None,
                      "note": c.note} for c in report.culprits],
        "environments": len(report.counts.environments), "built": report.counts.built, "runs": report.counts.runs,
        "timing_rounds": report.counts.rounds, "seconds": round(report.seconds, 1), "exit_code": report.exit_code,
    }  # fmt: skip
