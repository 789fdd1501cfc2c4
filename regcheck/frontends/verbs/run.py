"""``regcheck run`` and ``regcheck bless``: run the study, compare, and (for bless) rewrite baselines."""

from __future__ import annotations

import argparse
from pathlib import Path

from regcheck.engine.parallel import EXECUTOR_EXAMPLE, LOCAL, parse_executor
from regcheck.errors import EXIT_MOVED, EXIT_OK, EXIT_USAGE, UsageError
from regcheck.frontends.options import (
    BASELINES,
    DATA,
    MODEL,
    REASON,
    SEEDS,
    STUDY,
    TIER,
    UPDATE,
    check_baselines_folder,
    models_for,
    parse_jobs,
    study_file,
    study_for,
    update_hint,
)
from regcheck.frontends.verbs import verb_parser

RUN_EXAMPLES = """  regcheck run                           every model of the default study
  regcheck run --model logreg            model logreg: the published table, a verdict per row
  regcheck run --model mlp --seeds 0-4   the MLP grid over five seeds
  regcheck run --model mlp --tier band   what the band would say here, where the exact tier applies
  regcheck run --json run.json           also write every result record as JSON
  regcheck run --executor dask://127.0.0.1:8786 --seeds 0-19   the fits on a Dask cluster
  regcheck run --markdown summary.md     also write a Markdown summary (CI job summary, PR comment)
  regcheck run --study my_study.py:study --baselines my_baselines   a study of your own (docs/extending.md)"""
BLESS_EXAMPLES = """  regcheck bless --model logreg --reason 'scikit-learn 1.10'
  regcheck run --update --model mlp --seeds 0-9 --reason 'Keras 3.16'"""


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = verb_parser(verbs, "run", "run the study and compare each configuration with its baseline", RUN_EXAMPLES)
    bless = verb_parser(verbs, "bless", "run the study and rewrite its baselines (same as run --update)", BLESS_EXAMPLES)
    for parser in (run, bless):
        for option in (STUDY, DATA, BASELINES, SEEDS, MODEL, TIER, REASON):
            parser.add_argument(option.cli_flag, dest=option.dest, **option.argparse_kwargs())
        parser.add_argument("--json", metavar="PATH", type=Path, help="write the run's records and verdicts here")
        parser.add_argument(
            "--jobs",
            metavar="N",
            type=parse_jobs,
            default=None,
            help="worker processes for the study's slow fits; 1 fits in this process (default: sized for the "
            "device: one per core, or 8 per GPU and at most one per core; docs/gpu.md)",
        )
        parser.add_argument(
            "--executor",
            metavar="WHERE",
            type=parse_executor,
            default=LOCAL,
            help=f"where the slow fits run: {EXECUTOR_EXAMPLE} (default: {LOCAL}; docs/distributed.md)",
        )
        parser.add_argument("--markdown", metavar="PATH", type=Path,
                            help="write a Markdown summary of the run here (also appended to $GITHUB_STEP_SUMMARY "
                                 "when that is set, as on GitHub Actions; default: off)")  # fmt: skip
    run.add_argument(UPDATE.cli_flag, dest=UPDATE.dest, **UPDATE.argparse_kwargs())
    run.set_defaults(handler=handle)
    bless.set_defaults(handler=handle, regcheck_update=True)


def handle(args: argparse.Namespace) -> int:

    from regcheck.engine.run import RunOptions, StudyRun, decide_update, plan_workers, run_study
    from regcheck.files.outputs import OutputPlan
    from regcheck.files.runfile import run_text
    from regcheck.reports.console import explain, grid_tables, study_table
    from regcheck.reports.markdown import run_markdown
    from regcheck.reports.progress import ProgressBar
    from regcheck.reports.run_outputs import STEP_SUMMARY_VARIABLE, outcome_document, run_view, step_summary_path
    from regcheck.reports.summary import summary_line

    study = study_for(args.regcheck_study)
    models = models_for(study, args.regcheck_model)
    baselines = args.regcheck_baselines or Path("baselines")
    if args.regcheck_update:  # an update that cannot be written is refused before the run, not after
        check_baselines_folder(baselines)
    elif not baselines.is_dir():
        raise UsageError(f"--baselines {baselines}: no such folder; run from the project root, pass --baselines DIR, "
                         "or create the baselines with 'regcheck bless'")  # fmt: skip
    options = RunOptions(args.regcheck_study, baselines, args.regcheck_data, args.regcheck_seeds, args.regcheck_update,
                         args.regcheck_reason, args.regcheck_tier)  # fmt: skip
    run = StudyRun(study, options)
    # Bad data, baselines or backend: one line, exit 2, before any output is judged. A pooled
    # model's framework (TensorFlow: seconds) is imported in the workers, not here as well.
    planned = plan_workers(run, models, args.jobs, args.executor)
    run.check_inputs(models, planned[1])
    outputs = OutputPlan()
    outputs.read(baselines, run.dataset.path, study_file(args.regcheck_study))
    outputs.write("--json", args.json)
    outputs.write("--markdown", args.markdown)
    outputs.write(f"${STEP_SUMMARY_VARIABLE}", step_summary_path(), append=True)
    outputs.check()  # before the first fit: a bad output path is found now, not after minutes of fitting
    plan = {name: run.grid.count(name) for name in models}
    progress = ProgressBar(plan=plan)
    try:
        outcome = run_study(run, models, progress=progress, jobs=args.jobs, executor=args.executor, planned=planned)
    finally:
        progress.close()
    document = outcome_document(outcome)
    view = run_view(document)
    print(study_table(view))
    for table in grid_tables(view):
        print()
        print(table)
    print()
    for claim in outcome.claims:
        print(f"claim {'holds' if claim.holds else 'BROKEN'}: {claim.name} ({claim.detail})")
    for line in outcome.notes:
        print(line)
    hint = update_hint(args)
    for verdict in outcome.verdicts:
        if verdict.failed:
            print()
            print(explain(verdict, outcome.obtained_paths.get(verdict.config_id), hint))
    if not outcome.missing:  # bad input writes nothing, the run file included
        markdown = run_markdown(view)
        outputs.stage("--json", run_text(document))
        outputs.stage("--markdown", markdown)
        outputs.stage(f"${STEP_SUMMARY_VARIABLE}", markdown + "\n")
    if run.update:  # the baselines and the outputs in one commit: all of them or none
        outcome.update_messages = decide_update(run.store, run.plan, outcome.failed, outputs)
    else:
        outputs.commit()
    for line in outputs.written():
        print(line)
    for line in outcome.update_messages:
        print(line)
    print(summary_line(view))
    if outcome.missing:  # a baseline to create is bad input (exit 2), not a result that moved
        return EXIT_USAGE
    return EXIT_MOVED if outcome.failed else EXIT_OK
