"""What ``regcheck upgrade`` found, as console text, Markdown (job summary, PR comment) and JSON.

A finished upgrade (``Report``, filled by ``regcheck.upgrade.session``) is summarized once into the
report file's view (``summarize``: ``regcheck.files.upgradefile.UpgradeData``), and every rendering
is made from that view alone, so ``regcheck upgrade --from FILE`` renders a saved report exactly as
the upgrade that wrote it did.

Per configuration: its result before (OLD) and after (NEW) with the ladder's mark against OLD
(identical, last-bits, values, labels; ``regcheck.matrix.table``) and the first field that
differs, each environment's verdict against the committed baselines, and the fit and predict times
before and after, judged by ``regcheck compare``'s noise rule. Then, when a result moved, the
smallest set of changed packages that moves it, the first release of each that does, and what the
search cost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from regcheck.files import upgradefile as saved
from regcheck.files.benchmark import Timing
from regcheck.files.upgradefile import UpgradeData, finite
from regcheck.matrix.bisect import Comparison
from regcheck.matrix.table import Cell, Column
from regcheck.matrix.text import describe_field, difference_lines
from regcheck.reports.tables import render_table
from regcheck.timing.compare import Change as TimeChange
from regcheck.timing.units import format_seconds
from regcheck.upgrade.locks import Change, Lock
from regcheck.upgrade.search import Counts, Culprit, Environment, Trial

COMMENT_MARKER = "<!-- regcheck-upgrade -->"  # the workflow finds its own earlier comment by it
PHASES = saved.PHASES


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


# --- the view every rendering is made from ---------------------------------------------------------


def summarize(report: Report) -> UpgradeData:
    """``report`` as the report file holds it: what every rendering shows, computed once."""
    comparison = report.comparison
    return UpgradeData(
        command=report.command,
        changes=tuple(report.changes),
        sides=tuple(_side(report, side, environment) for side, environment in report.environments.items()),
        compared=comparison is not None,
        configurations=tuple(_configuration(comparison, config_id) for config_id in comparison.cells) if comparison else (),
        timings=tuple(_timed(where, phase, pair) for (where, phase), pair in report.timings.items()),
        rounds=report.rounds,
        factor=report.factor,
        fail_slower=report.fail_slower,
        timing_note=report.timing_note,
        searched=bool(report.trials or report.smallest),
        trials=tuple(_trial(trial) for trial in report.trials),
        smallest=tuple(report.smallest),
        culprits=tuple(_culprit(culprit) for culprit in report.culprits),
        environments=len(report.counts.environments),
        built=report.counts.built,
        runs=report.counts.runs,
        timing_rounds=report.counts.rounds,
        seconds=report.seconds,
    )


def _side(report: Report, side: str, environment: Environment) -> saved.Side:
    lock = report.old if side == "old" else report.new
    return saved.Side(side, str(lock.path), lock.kind, len(lock.pins), tuple(lock.left_out), environment.key,
                      len(environment.versions))  # fmt: skip


def _result(cell: Cell | None) -> saved.Result | None:
    return None if cell is None else saved.Result(tuple(cell.n_correct), cell.n_test)


def _verdict(column: Column, config_id: str) -> saved.Verdict | None:
    verdict = column.verdicts.get(config_id)
    if not verdict:
        return None
    return saved.Verdict(verdict.get("status"), verdict.get("rule"))


def _configuration(comparison: Comparison, config_id: str) -> saved.Configuration:
    cell = comparison.cells[config_id]
    row = next(row for row in comparison.as_matrix().rows if row.config_id == config_id)
    after = _result(cell)
    assert after is not None  # a cell of the comparison
    return saved.Configuration(
        config_id, cell.mark, describe_field(cell.first_difference) if cell.first_difference else None,
        {name: finite(size) for name, size in cell.largest_abs_difference.items()},
        _result(row.cells.get(comparison.reference.name)), after,
        _verdict(comparison.reference, config_id), _verdict(comparison.column, config_id),
    )  # fmt: skip


def _figure(timing: Timing | None) -> saved.Figure | None:
    return None if timing is None else saved.Figure(timing.median, timing.iqr, timing.rounds)


def _timed(where: str, phase: str, pair: TimedPair) -> saved.Timed:
    change = pair.change
    judged = None if change is None else TimeChange(change.status, finite(change.ratio), change.note)
    return saved.Timed(where, phase, _figure(pair.old), _figure(pair.new), judged)


def _trial(trial: Trial) -> saved.Trial:
    environment = trial.environment
    widened = tuple(map(str, environment.widened)) if environment is not None else ()
    return saved.Trial(tuple(change.name for change in trial.changes), trial.outcome.value, trial.detail, widened,
                       environment.why if environment is not None and widened else "")  # fmt: skip


def _culprit(culprit: Culprit) -> saved.Culprit:
    result = culprit.result
    if result is None:
        return saved.Culprit(culprit.change, culprit.note)
    steps = tuple(saved.Step(str(step.version), step.outcome, step.detail) for step in result.steps)
    bisection = saved.Bisection(tuple(map(str, culprit.releases)), steps,
                                str(result.first_differing) if result.first_differing else None,
                                str(result.last_same) if result.last_same else None)  # fmt: skip
    comparison = result.comparison
    if result.first_differing is not None and comparison is not None:
        largest: dict[str, float] = {}
        for cell in comparison.cells.values():
            for name, size in cell.largest_abs_difference.items():
                largest[name] = max(size, largest.get(name, 0.0))
        bisection = replace(
            bisection, mark=comparison.mark, configurations=len(comparison.cells),
            moved=tuple(cid for cid, cell in comparison.cells.items() if cell.mark != "identical"),
            fields=tuple(sorted({cell.first_difference.field for cell in comparison.cells.values() if cell.first_difference})),
            largest_abs_difference={name: finite(size) for name, size in largest.items()},
            where=tuple(difference_lines(comparison.as_matrix())),
        )  # fmt: skip
    return saved.Culprit(culprit.change, culprit.note, bisection)


# --- the parts ------------------------------------------------------------------------------------


def _shown_result(result: saved.Result | None) -> str:
    if result is None:
        return "-"
    return " ".join(str(n) for n in result.n_correct) + (f"/{result.n_test}" if result.n_test else "")


def _shown_verdict(verdict: saved.Verdict | None) -> str:
    if verdict is None:
        return "-"
    return f"{verdict.status or '-'} ({verdict.rule or '-'})"


def _time(figure: saved.Figure | None) -> str:
    if figure is None:
        return "-"
    return format_seconds(figure.median) + (f" ±{format_seconds(figure.iqr / 2)}" if figure.rounds > 1 else "")


def _time_change(timed: saved.Timed) -> str:
    change = timed.change
    if change is None or change.ratio is None:
        return "-"
    text = f"{change.ratio:.2f}x"
    if change.status in ("slower", "faster"):
        return f"{text} {change.status.upper()}"
    if change.status == "unjudged":
        return f"{text} ? ({change.note})"
    return f"{text} within the noise" if change.status == "overlap" else text


def _mark(entry: saved.Configuration) -> str:
    if entry.mark == "identical":
        return "identical"
    return f"{entry.mark}: {entry.first_difference or describe_field(None)}"


def configuration_rows(data: UpgradeData, entry: saved.Configuration) -> list[list[str]]:
    """result, verdict, fit, predict: before, after, and what changed."""
    rows = [
        ["result", _shown_result(entry.before), _shown_result(entry.after), _mark(entry)],
        ["verdict", _shown_verdict(entry.verdict_before), _shown_verdict(entry.verdict_after), ""],
    ]
    for phase in PHASES:
        timed = data.timing(entry.config_id, phase)
        if timed is not None:
            rows.append([phase, _time(timed.before), _time(timed.after), _time_change(timed)])
    return rows


def header_lines(data: UpgradeData) -> list[str]:
    shown = ", ".join(str(change) for change in data.changes)
    return [f"{data.command}: {len(data.changes)} package(s) differ" + (f" ({shown})" if shown else "")]


def environment_lines(data: UpgradeData) -> list[str]:
    lines = []
    for side in data.sides:
        lines.append(f"{side.side.upper()}: {side.lock} ({side.lock_kind}, {side.pins} pins) -> {side.packages} "
                     f"packages, environment {side.environment}")  # fmt: skip
        lines += [f"  not compared: {entry}" for entry in side.left_out]
    return lines


def timing_legend(data: UpgradeData) -> str:
    if not data.timings:
        return f"times: not taken ({data.timing_note})" if data.timing_note else "times: not taken"
    beyond = "beyond the noise" if data.factor == 1 else f"by more than {data.factor:g}x beyond the noise"
    return (
        f"times: median ±half the interquartile range of {data.rounds} rounds per environment, taken interleaved "
        f"(OLD, NEW, OLD, NEW ...); the ratio NEW/OLD, SLOWER/FASTER where NEW is slower/faster {beyond} (its lower "
        f"quartile above {'the factor times ' if data.factor != 1 else ''}OLD's upper quartile, or the mirror image; "
        f"regcheck compare's rule)"
    )


def search_lines(data: UpgradeData) -> list[str]:
    if not data.moved:
        return []
    if not data.searched:
        return ["which change did it: not searched (--no-search)"]
    trials = f"{len(data.trials)} trial{'' if len(data.trials) == 1 else 's'}"
    lines = [f"which change did it: delta debugging over {len(data.changes)} changed packages, {trials}"]
    for number, trial in enumerate(data.trials, start=1):
        lines.append(f"  trial {number}: {{{', '.join(trial.changes)}}}: {_outcome(trial)}")
        if trial.widened:
            lines.append(f"    widened with {', '.join(trial.widened)} (the exact pins cannot be resolved: {trial.why})")
    lines.append(f"smallest set that moves the result: {', '.join(str(change) for change in data.smallest)}")
    for culprit in data.culprits:
        lines += culprit_lines(culprit)
    return lines


def _outcome(trial: saved.Trial) -> str:
    return {"same": "as OLD", "moved": "as NEW"}.get(trial.outcome, "neither") + f" ({trial.detail})"


def culprit_lines(culprit: saved.Culprit) -> list[str]:
    change, found = culprit.change, culprit.bisection
    if found is None:
        return [f"culprit: {change} ({culprit.note})"]
    lines = [f"bisect {change.name} {change.old} -> {change.new}: {len(found.releases)} final releases "
             f"({', '.join(found.releases)})"]  # fmt: skip
    lines += [f"  {step.version}: {step.outcome}" + (f" ({step.detail})" if step.detail else "") for step in found.steps]
    if found.first_differing is None or found.mark is None:
        lines.append(f"culprit: {change.name}, but no single release of it moves the result with the rest of the set "
                     "at NEW's versions")  # fmt: skip
        return lines
    lines += [
        f"culprit: {change.name} {found.first_differing} (the release before it, {found.last_same}, gives OLD's result)",
        f"  mark: {found.mark}, in {len(found.moved)} of {found.configurations} configurations",
        f"  fields that changed: {', '.join(found.fields)}; largest |difference|: "
        + (", ".join(f"{name} {size:.3g}" for name, size in found.largest_abs_difference.items() if size) or "-"),
    ]
    lines += [f"  {line}" for line in found.where]
    lines += [f"  skipped {step.version}: {step.detail}" for step in found.steps if step.outcome == "skipped"]
    return lines


def summary_line(data: UpgradeData) -> str:
    if not data.compared:
        verdict = "nothing to compare: OLD and NEW pin the same versions"
    elif data.moved:
        verdict = f"{len(data.moved)} of {len(data.configurations)} configurations moved"
    else:
        verdict = f"nothing moved: {len(data.configurations)} configurations identical, bit for bit"
    slower = data.slower
    shown = ", ".join(slower[:3]) + (f" and {len(slower) - 3} more" if len(slower) > 3 else "")
    beyond = "beyond the noise" if data.factor == 1 else f"by more than {data.factor:g}x beyond the noise"
    slower_text = f"; {len(slower)} case(s) slower {beyond}: {shown}" if slower else ""
    return (
        f"regcheck upgrade: {verdict}{slower_text} | {data.environments} environments ({data.built} built now), "
        f"{data.runs} runs and {data.timing_rounds} timing rounds made now | {_duration(data.seconds)}"
    )


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


# --- the renderings -------------------------------------------------------------------------------


def render_text(data: UpgradeData) -> str:
    lines = header_lines(data) + environment_lines(data)
    if data.compared:
        for entry in data.configurations:
            lines += ["", entry.config_id]
            lines.append(render_table(["", "before (OLD)", "after (NEW)", "change"], configuration_rows(data, entry),
                                      indent="  "))  # fmt: skip
        lines += ["", timing_legend(data)]
    found = search_lines(data)
    if found:
        lines += ["", *found]
    lines += ["", summary_line(data)]
    return "\n".join(lines)


def _md(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def headline(data: UpgradeData) -> str:
    """One sentence for the top of the pull request's comment: what moved, and which release did it."""
    named = [f"{c.change.name} {c.bisection.first_differing}" for c in data.culprits
             if c.bisection and c.bisection.first_differing]  # fmt: skip
    cells = len(data.configurations)
    if named:
        return f"**{' and '.join(named)} moved the result** ({len(data.moved)} of {cells} configurations)."
    if data.moved:
        return f"**{len(data.moved)} of {cells} configurations moved.**"
    if data.compared:
        return f"Nothing moved: {cells} configurations identical, bit for bit."
    return "OLD and NEW pin the same versions."


def render_markdown(data: UpgradeData) -> str:
    state = "a result moved" if data.moved else "nothing moved" if data.compared else "nothing to compare"
    lines = [f"## regcheck upgrade: {state}", "", headline(data), "", f"`{data.command}`", ""]
    lines += [f"- {line}" for line in environment_lines(data) if not line.startswith("  ")]
    lines += ["", f"**{len(data.changes)} package(s) differ:** " + (", ".join(f"`{c}`" for c in data.changes) or "none")]
    if data.compared:
        timed_phases = [phase for phase in PHASES if any(entry.phase == phase for entry in data.timings)]
        headers = ["configuration", "before", "after", "mark", "verdict before", "verdict after"]
        headers += [f"{phase} before -> after" for phase in timed_phases]
        lines += ["", _md(headers), _md(["---"] * len(headers))]
        for entry in data.configurations:
            rows = {row[0]: row for row in configuration_rows(data, entry)}
            cells = [f"`{entry.config_id}`", rows["result"][1], rows["result"][2], rows["result"][3], rows["verdict"][1],
                     rows["verdict"][2]]  # fmt: skip
            cells += [f"{rows[phase][1]} -> {rows[phase][2]} ({rows[phase][3]})" if phase in rows else "-"
                      for phase in timed_phases]  # fmt: skip
            lines.append(_md(cells))
        lines += ["", timing_legend(data) + "."]
    found = search_lines(data)
    if found:
        lines += ["", "### Which change did it", "", "```", *found, "```"]
    lines += ["", summary_line(data)]
    return "\n".join(lines) + "\n"


def render_comment(data: UpgradeData) -> str:
    """The PR comment's body: the Markdown report behind a marker the workflow finds its earlier comment by."""
    return f"{COMMENT_MARKER}\n{render_markdown(data)}"
