"""What ``regcheck run`` leaves behind besides the console: the run document (the ``--json`` file), the
view every renderer reads, and the Markdown summary (``--markdown``, ``$GITHUB_STEP_SUMMARY``).

The console, the Markdown and a later ``regcheck report`` all render the same document, so they agree.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from regcheck.engine.records import ResultRecord
    from regcheck.engine.run import RunOutcome
    from regcheck.reports.run_file import RunData

STEP_SUMMARY_VARIABLE = "GITHUB_STEP_SUMMARY"


def outcome_records(outcome: RunOutcome) -> list[ResultRecord]:
    return [record for records in outcome.run.records.values() for record in records]


def outcome_document(outcome: RunOutcome) -> dict[str, Any]:
    """The run file's content, built in memory: records, verdicts, and what reports need besides: the
    study's layout of its models (grid axes, every configuration's parameters: ``run_file.study_layout``)."""
    from regcheck.engine.records import run_document
    from regcheck.reports.run_file import study_layout

    run = outcome.run
    extra: dict[str, Any] = {
        "study": run.study.name,
        "profiles": run.profiles(outcome.models),
        **study_layout(run.study, outcome.models),
        "seconds": round(outcome.seconds, 3),
    }
    if run.published:
        extra.update(run.published.to_document(outcome.models))
    return run_document(outcome_records(outcome), [verdict.to_dict() for verdict in outcome.verdicts], extra)


def run_view(document: dict[str, Any]) -> RunData:
    from regcheck.reports.run_file import run_data_from_document

    return run_data_from_document(document, "this run")


def step_summary_path() -> Path | None:
    """GitHub Actions' job summary file, when this runs there (``$GITHUB_STEP_SUMMARY``)."""
    value = os.environ.get(STEP_SUMMARY_VARIABLE, "").strip()
    return Path(value) if value else None
