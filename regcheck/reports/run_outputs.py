"""What ``regcheck run`` leaves behind besides the console: the run document (the ``--json`` file), the
view every renderer reads, and the Markdown summary (``--markdown``, ``$GITHUB_STEP_SUMMARY``).

The console, the Markdown and a later ``regcheck report`` all render the same document, so they agree.
"""

from __future__ import annotations

import os
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from regcheck.engine.errors import UsageError

if TYPE_CHECKING:
    from regcheck.engine.records import ResultRecord
    from regcheck.engine.run import RunOutcome
    from regcheck.reports.inputs import RunData

STEP_SUMMARY_VARIABLE = "GITHUB_STEP_SUMMARY"


def outcome_records(outcome: RunOutcome) -> list[ResultRecord]:
    return [record for records in outcome.run.records.values() for record in records]


def outcome_document(outcome: RunOutcome) -> dict[str, Any]:
    """The run file's content, built in memory: records, verdicts, and what reports need besides."""
    from regcheck.engine.records import run_document

    run = outcome.run
    extra: dict[str, Any] = {
        "study": run.study.name,
        "profiles": run.profiles(outcome.models),
        "grids": [asdict(axes) for axes in run.study.grid_axes() if axes.model in outcome.models],
        "seconds": round(outcome.seconds, 3),
    }
    if run.published:
        extra.update(run.published.to_document(outcome.models))
    return run_document(outcome_records(outcome), [verdict.to_dict() for verdict in outcome.verdicts], extra)


def write_json(path: Path, document: dict[str, Any]) -> None:
    from regcheck.engine.records import write_document

    write_document(path, document)


def run_view(document: dict[str, Any]) -> RunData:
    from regcheck.reports.inputs import run_data_from_document

    return run_data_from_document(document, "this run")


def write_markdown(run: RunData, path: Path | None) -> list[str]:
    """Write the summary to ``path`` and append it to $GITHUB_STEP_SUMMARY when set; say what was written."""
    from regcheck.engine.atomic import write_text_atomically
    from regcheck.reports.markdown import run_markdown

    summary_path = os.environ.get(STEP_SUMMARY_VARIABLE)
    if path is None and not summary_path:
        return []
    text = run_markdown(run)
    said = []
    if path is not None:
        try:
            write_text_atomically(path, text)
        except OSError as exc:
            raise UsageError(f"--markdown {path}: cannot be written ({exc.strerror})") from None
        said.append(f"Markdown summary written to {path}")
    if summary_path:
        try:
            # Appended, not replaced: other steps of the same job write their own summaries there.
            with open(summary_path, "a", encoding="utf-8") as handle:
                handle.write(text + "\n")
        except OSError as exc:
            where = f"${STEP_SUMMARY_VARIABLE}={summary_path}"
            raise UsageError(f"{where}: cannot be appended to ({exc.strerror})") from None
    return said
