"""The ``regcheck`` command: run the study, bless baselines, show the environment.

Exit codes everywhere: 0 every result held, 1 a result moved (or errored), 2 bad usage or input.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from regcheck.errors import EXIT_MOVED, EXIT_OK, EXIT_USAGE, RegcheckError
from regcheck.options import BASELINES, DATA, MODEL, REASON, SEEDS, SHARED_OPTIONS, UPDATE, models_for

EXAMPLES = """examples:
  regcheck run --model logreg            the logistic half: published table, verdict per row
  regcheck run --model mlp --seeds 0-4   the MLP grid over five seeds
  regcheck run --json run.json           also write every result record as JSON
  regcheck bless --model logreg --reason 'scikit-learn 1.10'   rewrite baselines from this run
  regcheck env                           the environment fingerprint of this machine

exit codes: 0 all results held, 1 a result moved or a configuration failed, 2 bad usage or input
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="regcheck", description="Did any ML result move? Run the study and compare it with its baselines.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    run = verbs.add_parser("run", help="run the study and compare each configuration with its baseline",
                           epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    bless = verbs.add_parser("bless", help="run the study and rewrite its baselines (same as run --update)",
                             epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    for verb in (run, bless):
        for option in (DATA, BASELINES, SEEDS, MODEL, REASON):
            verb.add_argument(option.cli_flag, dest=option.dest, **option.argparse_kwargs())
        verb.add_argument("--json", metavar="PATH", type=Path, help="write the run's records and verdicts here")
    run.add_argument(UPDATE.cli_flag, dest=UPDATE.dest, **UPDATE.argparse_kwargs())
    run.set_defaults(handler=_run)
    bless.set_defaults(handler=_run, regcheck_update=True)
    env = verbs.add_parser("env", help="print this environment's fingerprint as JSON")
    env.set_defaults(handler=_env)
    assert len(SHARED_OPTIONS) == 6  # keep the CLI in step with the plugin when options are added
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
    except RegcheckError as error:
        print(f"regcheck: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("regcheck: interrupted; no baseline was written", file=sys.stderr)
        return 130
    return code


def _env(args: argparse.Namespace) -> int:
    from regcheck.environment import fingerprint

    print(json.dumps(fingerprint(), indent=1))
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    from regcheck.reports.console import explain, study_table, summary_line
    from regcheck.runner_loop import run_study

    baselines = args.regcheck_baselines or Path("baselines")
    if not baselines.is_dir():
        raise RegcheckError(f"--baselines {baselines}: no such folder; run from the project root or pass --baselines DIR")
    if args.json is not None and not (args.json.parent.is_dir()):
        raise RegcheckError(f"--json {args.json}: folder {args.json.parent} does not exist")
    outcome = run_study(
        baselines, models_for(args.regcheck_model), args.regcheck_data, args.regcheck_seeds,
        args.regcheck_update, args.regcheck_reason, progress=_progress,
    )  # fmt: skip
    study = outcome.study
    print(study_table(outcome.verdicts, study.records, study.published))
    for claim in outcome.claims:
        print(f"claim {'holds' if claim.holds else 'BROKEN'}: {claim.name} ({claim.detail})")
    for verdict in outcome.verdicts:
        if verdict.failed:
            print()
            print(explain(verdict, outcome.obtained_paths.get(verdict.config_id)))
    if args.json is not None:
        from regcheck.records import write_run_file

        records = [record for records in study.records.values() for record in records]
        write_run_file(args.json, records, [verdict.to_dict() for verdict in outcome.verdicts])
        print(f"records written to {args.json}")
    for line in outcome.update_messages:
        print(line)
    print(summary_line(outcome.verdicts))
    return EXIT_MOVED if outcome.failed else EXIT_OK


def _progress(done: int, total: int, config_id: str, status: str, started: float) -> None:
    elapsed = time.perf_counter() - started
    left = elapsed / done * (total - done)
    print(f"[{done}/{total}] {config_id:<24} {status:<8} {elapsed:6.1f} s elapsed, ~{left:.0f} s left",
          file=sys.stderr, flush=True)  # fmt: skip
