"""What ``regcheck run`` leaves behind besides the console: the run document (the ``--json`` file), the
view every renderer reads, and the Markdown summary (``--markdown``, ``$GITHUB_STEP_SUMMARY``).

The console, the Markdown and a later ``regcheck report`` all render the same document, so they agree.
"""

from __future__ import annotations

import os
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from regcheck.files.runfile import GridAxes, RunData, run_document, run_from_document

if TYPE_CHECKING:
    from regcheck.engine.run import RunOutcome
    from regcheck.engine.study import Study
    from regcheck.results.record import ResultRecord

STEP_SUMMARY_VARIABLE = "GITHUB_STEP_SUMMARY"


def outcome_records(outcome: RunOutcome) -> list[ResultRecord]:
    return [record for records in outcome.run.records.values() for record in records]


def outcome_document(outcome: RunOutcome) -> dict[str, Any]:
    """The run file's content, built in memory: records, verdicts, and what reports need besides: the
    study's layout of its models (grid axes, every configuration's parameters) and each model's task and metrics."""
    run = outcome.run
    extra: dict[str, Any] = {
        "study": run.study.name,
        "profiles": run.profiles(outcome.models),
        **study_layout(run.study, outcome.models, run.grid_axes),
        "seconds": round(outcome.seconds, 3),
    }
    extra.update(run.published_document(outcome.models))
    return run_document(outcome_records(outcome), [verdict.to_dict() for verdict in outcome.verdicts], extra)


def study_layout(
    study: Study, models: tuple[str, ...] | list[str] | None = None, axes: list[GridAxes] | None = None
) -> dict[str, Any]:
    """What the run document keeps of ``study`` (for ``models``, default all): its grid axes, every
    configuration's parameters, and each model's task, headline metrics and rule.

    ``axes``: the study's ``grid_axes()`` where the caller has asked already (each hook is asked once).
    """
    from regcheck.engine.grid import grid_for
    from regcheck.engine.guard import call_hook, list_of

    grid = grid_for(study)
    chosen = [model for model in grid.models() if models is None or model.name in models]
    names = {model.name for model in chosen}
    if axes is None:
        axes = call_hook(grid.name, "grid_axes()", study.grid_axes, "a list of regcheck GridAxes", list_of(GridAxes))
    return {
        "grids": [asdict(item) for item in axes if item.model in names],
        "configurations": {
            config.config_id: dict(config.params()) for model in chosen for config in grid.configurations(model.name)
        },
        "models": {model.name: _model_entry(model) for model in chosen},
    }


def _model_entry(model: Any) -> dict[str, Any]:
    return {"task": model.task, "metrics": list(model.headline_metrics()), "rule": model.rule}


def with_study_layout(run: RunData, study: Study) -> RunData:
    """``run`` with what its file lacks of the layout (grids, configurations, models) taken from ``study``.

    Nothing is taken from a study other than the one the run file names (when it names one), and
    nothing the file has is replaced.
    """
    if (run.grids is not None and run.configurations is not None) or run.study not in ("", study.name):
        return run
    layout = run_from_document({"records": [], "verdicts": [], **study_layout(study)}, run.source)
    return replace(
        run,
        grids=run.grids if run.grids is not None else layout.grids,
        configurations=run.configurations if run.configurations is not None else layout.configurations,
        model_info=run.model_info or layout.model_info,
    )


def run_view(document: dict[str, Any]) -> RunData:
    return run_from_document(document, "this run")


def step_summary_path() -> Path | None:
    """GitHub Actions' job summary file, when this runs there (``$GITHUB_STEP_SUMMARY``)."""
    value = os.environ.get(STEP_SUMMARY_VARIABLE, "").strip()
    return Path(value) if value else None
