"""``regcheck run`` and ``regcheck bless``: run the study, compare, and (for bless) rewrite baselines."""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from regcheck.commands import verb_parser
from regcheck.errors import EXIT_MOVED, EXIT_OK, UsageError
from regcheck.options import BASELINES, DATA, MODEL, REASON, SEEDS, UPDATE, models_for

if TYPE_CHECKING:
    from regcheck.records import ResultRecord
    from regcheck.reports.inputs import RunData
    from regcheck.runner_loop import StudyOutcome

RUN_EXAMPLES = """  regcheck run                           both halves of the study
  regcheck run --model logreg            the logistic half: published table, verdict per row
  regcheck run --model mlp --seeds 0-4   the MLP grid over five seeds
  regcheck run --json run.json           also write every result record as JSON
  regcheck run --markdown summary.md     also write a Markdown summary (CI job summary, PR comment)"""
BLESS_EXAMPLES = """  regcheck bless --model logreg --reason 'scikit-learn 1.10'
  regcheck run --update --model mlp --seeds 0-9 --reason 'Keras 3.16'"""
STEP_SUMMARY_VARIABLE = "GITHUB_STEP_SUMMARY"


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = verb_parser(verbs, "run", "run the study and compare each configuration with its baseline", RUN_EXAMPLES)
    bless = verb_parser(verbs, "bless", "run the study and rewrite its baselines (same as run --update)", BLESS_EXAMPLES)
    for parser in (run, bless):
        for option in (DATA, BASELINES, SEEDS, MODEL, REASON):
            parser.add_argument(option.cli_flag, dest=option.dest, **option.argparse_kwargs())
        parser.add_argument("--json", metavar="PATH", type=Path, help="write the run's records and verdicts here")
        parser.add_argument("--markdown", metavar="PATH", type=Path,
                            help=f"write a Markdown summary of the run here (also appended to ${STEP_SUMMARY_VARIABLE} "
                                 "when that is set, as on GitHub Actions; default: off)")  # fmt: skip
    run.add_argument(UPDATE.cli_flag, dest=UPDATE.dest, **UPDATE.argparse_kwargs())
    run.set_defaults(handler=handle)
    bless.set_defaults(handler=handle, regcheck_update=True)


def handle(args: argparse.Namespace) -> int:
    from regcheck.reports.console import explain, grid_tables, study_table
    from regcheck.reports.grids import summary_line
    from regcheck.reports.progress import ProgressBar
    from regcheck.runner_loop import run_study

    baselines = args.regcheck_baselines or Path("baselines")
    if not baselines.is_dir():
        raise UsageError(f"--baselines {baselines}: no such folder; run from the project root or pass --baselines DIR")
    for flag, path in (("--json", args.json), ("--markdown", args.markdown)):
        if path is not None and not path.parent.is_dir():
            raise UsageError(f"{flag} {path}: folder {path.parent} does not exist")
    progress = ProgressBar()
    started = time.perf_counter()
    try:
        outcome = run_study(
            baselines, models_for(args.regcheck_model), args.regcheck_data, args.regcheck_seeds,
            args.regcheck_update, args.regcheck_reason, progress=progress,
        )  # fmt: skip
    finally:
        progress.close()
    document = _document(outcome, models_for(args.regcheck_model), time.perf_counter() - started)
    run = _run_data(document)
    study = outcome.study
    print(study_table(outcome.verdicts, study.records, study.published))
    for table in grid_tables(run):
        print()
        print(table)
    print()
    for claim in outcome.claims:
        print(f"claim {'holds' if claim.holds else 'BROKEN'}: {claim.name} ({claim.detail})")
    for verdict in outcome.verdicts:
        if verdict.failed:
            print()
            print(explain(verdict, outcome.obtained_paths.get(verdict.config_id)))
    if args.json is not None:
        from regcheck.records import write_run_file

        write_run_file(args.json, _records(outcome), document["verdicts"], _extra(document))
        print(f"records written to {args.json}")
    _write_markdown(run, args.markdown)
    for line in outcome.update_messages:
        print(line)
    print(summary_line(run))
    return EXIT_MOVED if outcome.failed else EXIT_OK


def _records(outcome: StudyOutcome) -> list[ResultRecord]:
    return [record for records in outcome.study.records.values() for record in records]


def _extra(document: dict[str, Any]) -> dict[str, Any]:
    return {key: document[key] for key in ("published", "published_decimals", "profiles", "seconds")}


def _document(outcome: StudyOutcome, models: tuple[str, ...], seconds: float) -> dict[str, Any]:
    """The run file's content: also what the console, Markdown and HTML reports read, so all agree."""
    from regcheck.records import run_document

    study = outcome.study
    published = {cid: value for cid, value in study.published.accuracy.items() if cid.split("-", 1)[0] in models}
    extra = {
        "published": published,
        "published_decimals": {model: study.published.decimals.get(model, 2) for model in models},
        "profiles": {model: _profile(outcome, model) for model in models},
        "seconds": round(seconds, 3),
    }
    return run_document(_records(outcome), [verdict.to_dict() for verdict in outcome.verdicts], extra)


def _profile(outcome: StudyOutcome, model: str) -> dict[str, Any]:
    try:
        return dict(outcome.study.half(model).profile())
    except ImportError:  # the half's backend is missing: its configurations are already reported as errors
        return {"unavailable": "backend not installed"}


def _run_data(document: dict[str, Any]) -> RunData:
    from regcheck.reports.inputs import run_data_from_document

    return run_data_from_document(document, "this run")


def _write_markdown(run: RunData, path: Path | None) -> None:
    from regcheck.atomic import write_text_atomically
    from regcheck.reports.markdown import run_markdown

    summary_path = os.environ.get(STEP_SUMMARY_VARIABLE)
    if path is None and not summary_path:
        return
    text = run_markdown(run)
    if path is not None:
        try:
            write_text_atomically(path, text)
        except OSError as exc:
            raise UsageError(f"--markdown {path}: cannot be written ({exc.strerror})") from None
        print(f"Markdown summary written to {path}")
    if summary_path:
        try:
            # Appended, not replaced: other steps of the same job write their own summaries there.
            with open(summary_path, "a", encoding="utf-8") as handle:
                handle.write(text + "\n")
        except OSError as exc:
            where = f"${STEP_SUMMARY_VARIABLE}={summary_path}"
            raise UsageError(f"{where}: cannot be appended to ({exc.strerror})") from None
