"""The study's own table shapes, and the run's one-line summary, shared by console, Markdown and HTML.

Logistic regression reads as the publication printed it: penalty rows, C columns. The MLP grid reads
as in FACTS.md: l1 rows, l2 columns, the correct predictions out of 61 for each seed in a cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from regcheck.engine.records import ResultRecord
from regcheck.reports.inputs import RunData, config_params


@dataclass(frozen=True)
class GridCell:
    text: str
    status: str
    accuracies: tuple[float, ...] = ()
    published: float | None = None


@dataclass(frozen=True)
class Grid:
    model: str
    title: str
    corner: str  # e.g. "penalty \\ C"
    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[GridCell, ...]], ...]
    note: str = ""


def _axis(values: set[Any]) -> list[Any]:
    return sorted(values, key=lambda value: (str(type(value)), value))


def seed_counts(records: list[ResultRecord]) -> str:
    """``32 32 32 32 32 32`` -> ``32 x6``: the FACTS.md way of writing a collapsed cell."""
    counts = [str(record.n_correct) for record in records]
    if len(counts) > 2 and len(set(counts)) == 1:
        return f"{counts[0]} x{len(counts)}"
    return " ".join(counts)


def _grid(run: RunData, model: str, row_key: str, column_key: str) -> dict[tuple[Any, Any], str]:
    placed: dict[tuple[Any, Any], str] = {}
    for config_id in run.config_ids(model):
        params = config_params(config_id, run.records_for(config_id))
        if row_key in params and column_key in params:
            placed[(params[row_key], params[column_key])] = config_id
    return placed


def _status(run: RunData, config_id: str) -> str:
    verdict = run.verdict_for(config_id)
    return verdict.status if verdict else "not judged"


def logreg_grid(run: RunData) -> Grid | None:
    placed = _grid(run, "logreg", "penalty", "C")
    if not placed:
        return None
    penalties, strengths = _axis({p for p, _ in placed}), _axis({c for _, c in placed})
    places = run.decimals.get("logreg", 2)
    off_published = False
    rows = []
    for penalty in penalties:
        cells = []
        for strength in strengths:
            config_id = placed.get((penalty, strength))
            records = run.records_for(config_id) if config_id else []
            status = _status(run, config_id) if config_id else ""
            published = run.published.get(config_id) if config_id else None
            if not records:
                cells.append(GridCell(status or "-", status, (), published))
                continue
            record = records[0]
            text = f"{record.accuracy:.{places}f} ({record.n_correct}/{record.n_test}) {status}"
            if published is not None and f"{published:.{places}f}" != f"{record.accuracy:.{places}f}":
                text += f" [published {published:.{places}f}]"
                off_published = True
            cells.append(GridCell(text, status, tuple(r.accuracy or 0.0 for r in records), published))
        rows.append((str(penalty).upper(), tuple(cells)))
    if run.published and not off_published:
        note = f"accuracy (correct/test) and verdict; all equal the published table to {places} decimals"
    else:
        note = "accuracy (correct/test) and verdict"
    return Grid(
        "logreg",
        "Logistic regression: accuracy by penalty and C",
        "penalty \\ C",
        tuple(f"{c:g}" for c in strengths),
        tuple(rows),
        note,
    )


def mlp_grid(run: RunData) -> Grid | None:
    placed = _grid(run, "mlp", "l1", "l2")
    if not placed:
        return None
    l1_values, l2_values = _axis({a for a, _ in placed}), _axis({b for _, b in placed})
    seeds: list[int] = sorted({r.seed for r in run.records if r.model == "mlp"})
    n_test = next((r.n_test for r in run.records if r.model == "mlp"), None)
    rows = []
    for l1 in l1_values:
        cells = []
        for l2 in l2_values:
            config_id = placed.get((l1, l2))
            records = run.records_for(config_id) if config_id else []
            status = _status(run, config_id) if config_id else ""
            text = f"{seed_counts(records)} {status}" if records else (status or "-")
            published = run.published.get(config_id) if config_id else None
            cells.append(GridCell(text, status, tuple(r.accuracy or 0.0 for r in records), published))
        rows.append((f"{l1:g}", tuple(cells)))
    out_of = f" out of {n_test}" if n_test else ""
    seeds_text = f"seed{'s' if len(seeds) != 1 else ''} {', '.join(map(str, seeds)) or '-'}"
    note = f"correct predictions{out_of} for {seeds_text}, then the verdict"
    return Grid(
        "mlp",
        "MLP: correct predictions by l1 and l2, per seed",
        "l1 \\ l2",
        tuple(f"{v:g}" for v in l2_values),
        tuple(rows),
        note,
    )


def study_grids(run: RunData) -> list[Grid]:
    return [grid for grid in (logreg_grid(run), mlp_grid(run)) if grid is not None]


def format_profile(profile: Any) -> str:
    if not profile:
        return "any environment"
    if isinstance(profile, dict):
        return ", ".join(f"{key}={value}" for key, value in profile.items())
    return str(profile)


def summary_parts(run: RunData) -> list[str]:
    """held / moved / errors, then the tier and the profile of each model: the pieces of the summary line."""
    counts: dict[str, int] = {}
    for verdict in run.verdicts:
        counts[verdict.status] = counts.get(verdict.status, 0) + 1
    tally = [f"{counts.get('held', 0)} held", f"{counts.get('moved', 0)} moved", f"{counts.get('error', 0)} errors"]
    tally += [f"{counts[status]} {status}" for status in ("missing", "updated") if counts.get(status)]
    tiers = []
    profiles = []
    for model in run.models():
        used = sorted({v.tier for v in run.verdicts if v.model == model})
        tiers.append(f"{model} {'/'.join(used) or '-'}")
        profiles.append(f"{model} {format_profile(run.profiles.get(model))}" if model in run.profiles else f"{model} -")
    parts = [", ".join(tally), f"tier: {'; '.join(tiers) or '-'}", f"profile: {'; '.join(profiles) or '-'}"]
    if run.seconds is not None:
        parts.append(f"{run.seconds:.1f} s")
    return parts


def summary_line(run: RunData) -> str:
    return "regcheck: " + " | ".join(summary_parts(run))
