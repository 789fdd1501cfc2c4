"""What ``regcheck run`` leaves behind besides the console: the run document (the ``--json`` file), the
view every renderer reads, and the Markdown summary (``--markdown``, ``$GITHUB_STEP_SUMMARY``).

The console, the Markdown and a later ``regcheck report`` all render the same document, so they agree.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from regcheck.engine.errors import UsageError

if TYPE_CHECKING:
    from regcheck.engine.grid import StudyOutcome
    from regcheck.engine.records import ResultRecord
    from regcheck.reports.inputs import RunData

STEP_SUMMARY_VARIABLE = "GITHUB_STEP_SUMMARY"
# Context a report needs beyond records and verdicts: what was published, and what each tier was bound to.
EXTRA_KEYS = ("published", "published_decimals", "profiles", "seconds")


def outcome_records(outcome: StudyOutcome) -> list[ResultRecord]:
    return [record for records in outcome.study.records.values() for record in records]


def outcome_document(outcome: StudyOutcome, models: tuple[str, ...], seconds: float) -> dict[str, Any]:
    """The run file's content, built in memory."""
    from regcheck.engine.records import run_document

    study = outcome.study
    published = {cid: value for cid, value in study.published.accuracy.items() if cid.split("-", 1)[0] in models}
    extra = {
        "published": published,
        "published_decimals": {model: study.published.decimals.get(model, 2) for model in models},
        "profiles": {model: _profile(outcome, model) for model in models},
        "seconds": round(seconds, 3),
    }
    return run_document(outcome_records(outcome), [verdict.to_dict() for verdict in outcome.verdicts], extra)


def _profile(outcome: StudyOutcome, model: str) -> dict[str, Any]:
    try:
        return dict(outcome.study.half(model).profile())
    except ImportError:  # the half's backend is missing: its configurations are already reported as errors
        return {"unavailable": "backend not installed"}


def write_json(path: Path, outcome: StudyOutcome, document: dict[str, Any]) -> None:
    from regcheck.engine.records import write_run_file

    extra = {key: document[key] for key in EXTRA_KEYS if key in document}
    write_run_file(path, outcome_records(outcome), document["verdicts"], extra)


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
