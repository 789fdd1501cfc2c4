"""``regcheck report``: a run file, and where given a version matrix and benchmark runs, as one HTML page
(plots inline, nothing fetched when viewed) and a Markdown summary."""

from __future__ import annotations

import argparse
from pathlib import Path

from regcheck.engine.registry import DEFAULT_STUDY, STUDY_EXAMPLE
from regcheck.errors import EXIT_MOVED, EXIT_OK, UsageError
from regcheck.frontends.options import STUDY, study_file, study_for
from regcheck.frontends.verbs import verb_parser

REPORT_EXAMPLES = """  regcheck run --json run.json; regcheck report run.json          run.json -> report.html
  regcheck report run.json --matrix matrix.json --bench .benchmarks --html out/report.html --markdown out/report.md
  regcheck report --bench cpu.json --bench gpu.json               timings only: CPU vs GPU, ratios to the first
  regcheck report old-run.json --study my_study.py:study          the grids of a run file written without its layout
  exit code 1 means the reported run had a result that moved; the page is written either way"""


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = verb_parser(
        verbs, "report", "turn saved runs into one self-contained HTML page and a Markdown summary", REPORT_EXAMPLES
    )
    parser.add_argument(
        "run",
        metavar="RUN_JSON",
        nargs="?",
        type=Path,
        help="a run file written by 'regcheck run --json' (default: none; its sections say so)",
    )
    parser.add_argument("--matrix", metavar="PATH", type=Path, help="the JSON written by 'regcheck matrix' (default: none)")
    # A run file names its study and carries its layout; only a file written before that needs one.
    layout_help = (f"the study whose grid axes and configurations lay out a run file written without them: "
                   f"{STUDY_EXAMPLE} (default: {DEFAULT_STUDY})")  # fmt: skip
    parser.add_argument(STUDY.cli_flag, dest=STUDY.dest, **{**STUDY.argparse_kwargs(), "default": None, "help": layout_help})
    parser.add_argument(
        "--bench",
        metavar="PATH",
        type=Path,
        action="append",
        default=[],
        help="a pytest-benchmark saved run, or a folder of them such as .benchmarks; repeat to "
        "compare runs, the first is the reference of every ratio (default: none)",
    )
    parser.add_argument(
        "--html",
        metavar="PATH",
        type=Path,
        default=Path("report.html"),
        help="where to write the HTML page (default: report.html)",
    )
    parser.add_argument("--markdown", metavar="PATH", type=Path, help="also write the Markdown summary here (default: off)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from regcheck.files.benchmark import read_benchmarks
    from regcheck.files.matrixfile import read_matrix
    from regcheck.files.outputs import OutputPlan
    from regcheck.files.runfile import read_run
    from regcheck.reports.html import report_html
    from regcheck.reports.markdown import report_markdown
    from regcheck.reports.run_outputs import with_study_layout

    if args.run is None and args.matrix is None and not args.bench:
        raise UsageError("nothing to report: give a run file (regcheck run --json PATH), --matrix PATH or --bench PATH")
    outputs = OutputPlan()
    outputs.read(args.run, args.matrix, *args.bench, study_file(args.regcheck_study))
    outputs.write("--html", args.html)
    outputs.write("--markdown", args.markdown)
    outputs.check()
    # Read everything before writing anything: a bad input leaves no half-made report behind.
    study = study_for(args.regcheck_study) if args.regcheck_study else None  # named: loaded, and checked, at once
    run = read_run(args.run) if args.run is not None else None
    if run is not None and (run.grids is None or run.configurations is None):
        run = with_study_layout(run, study or study_for(None))
    matrix = read_matrix(args.matrix) if args.matrix is not None else None
    benches = read_benchmarks(args.bench)
    outputs.stage("--html", report_html(run, matrix, benches))
    outputs.stage("--markdown", report_markdown(run, matrix, benches))
    for line in outputs.commit():
        print(line.replace("--html written", "report written").replace("--markdown written", "report written"))
    return EXIT_MOVED if run is not None and any(v.failed for v in run.verdicts) else EXIT_OK
