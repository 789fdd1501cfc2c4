"""``regcheck compare``: saved benchmark runs side by side, per case, with ratios and accuracy results."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from regcheck.errors import EXIT_MOVED, EXIT_OK, UsageError
from regcheck.frontends.verbs import verb_parser

EXAMPLES = """  pytest bench/ --benchmark-json cpu.json          (then the same on the other build: gpu.json)
  regcheck compare cpu.json gpu.json                   per case: median, IQR, ratio vs the first run
  regcheck compare old.json new.json --fail-slower 1.5 exit 1 if a case got more than 1.5x slower
  regcheck compare a.json b.json --results a-run.json --results b-run.json
                                                       show the verdicts of 'regcheck run --json' beside"""


def parse_factor(text: str) -> float:
    try:
        factor = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number; expected a factor above 1, e.g. 1.5") from None
    if not math.isfinite(factor) or factor <= 1:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a factor above 1, e.g. 1.5 (2 = twice as slow)")
    return factor


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = verb_parser(verbs, "compare", "compare saved pytest-benchmark runs case by case", EXAMPLES)
    parser.add_argument(
        "runs", metavar="RUN.json", type=Path, nargs="+",
        help="two or more saved runs (--benchmark-json or .benchmarks/...); the first is the reference",
    )  # fmt: skip
    parser.add_argument(
        "--fail-slower", metavar="FACTOR", type=parse_factor, default=None,
        help="exit 1 when a case is slower than the reference by more than FACTOR, judged on medians and "
        "quartiles together (see regcheck/timing/compare.py) (default: report only)",
    )  # fmt: skip
    parser.add_argument(
        "--results", metavar="RUN.json", type=Path, action="append", default=None,
        help="a 'regcheck run --json' file per benchmark run, in the same order, to show its verdicts "
        "(default: the results each benchmark stored itself)",
    )  # fmt: skip
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from regcheck.files.benchmark import read_benchmark
    from regcheck.reports.timings import render_comparison
    from regcheck.timing.compare import compare, load_results

    if len(args.runs) < 2:
        raise UsageError(f"compare needs two or more runs; got {len(args.runs)} ({args.runs[0]})")
    if args.results is not None and len(args.results) != len(args.runs):
        given, wanted = len(args.results), len(args.runs)
        raise UsageError(f"--results given {given} time(s) for {wanted} runs; give one per run, in the runs' order")
    runs = [read_benchmark(path) for path in args.runs]
    for run, results in zip(runs, args.results or [], strict=False):
        run.results = load_results(results)
    table = compare(runs, args.fail_slower)
    print(render_comparison(runs, table, args.fail_slower))
    slower = any(change.failed for _, changes in table for change in changes)
    return EXIT_MOVED if slower else EXIT_OK
