"""``regcheck matrix``: collect the run files of many environments into one drift table."""

from __future__ import annotations

import argparse
from pathlib import Path

from regcheck.errors import EXIT_MOVED, EXIT_OK, UsageError
from regcheck.frontends.options import STUDY, study_file, study_for
from regcheck.frontends.verbs import verb_parser

MATRIX_EXAMPLES = """  tox -m sklearn && regcheck matrix          the folder tox.ini writes to (.tox/regcheck-records)
  regcheck matrix runs/ --reference sklearn19  compare with one environment instead of the baselines
  regcheck matrix a.json b.json --compare a b  which versions differ between two columns
  regcheck matrix --markdown > matrix.md       the same table as Markdown
  regcheck matrix --json matrix.json           the whole matrix as JSON (shape: regcheck/matrix/table.py)
  regcheck matrix --bench .tox/regcheck-bench --timing-reference sklearn19
                                               each environment's times under its results, slower ones named"""


def parse_noise_factor(text: str) -> float:
    try:
        factor = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number; expected a factor of 1 or more, e.g. 1.5") from None
    if not 1 <= factor < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r}: expected a factor of 1 or more (1: any slowdown beyond the noise)")
    return factor


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from regcheck.matrix.table import BASELINES_COLUMN, DEFAULT_RECORDS

    parser = verb_parser(
        verbs, "matrix", "collect run files (regcheck run --json) into a table of configurations x environments",
        MATRIX_EXAMPLES,
    )  # fmt: skip
    parser.add_argument(
        "inputs", nargs="*", type=Path, metavar="FOLDER_OR_FILE",
        help=f"run files, or folders of them; each file is one column named after it (default: {DEFAULT_RECORDS})",
    )  # fmt: skip
    parser.add_argument(
        "--reference", metavar="COLUMN", default=BASELINES_COLUMN,
        help=f"the column every cell is compared with: '{BASELINES_COLUMN}' (the committed baselines) or a "
        f"run file's name (default: {BASELINES_COLUMN})",
    )  # fmt: skip
    parser.add_argument(STUDY.cli_flag, dest=STUDY.dest, **STUDY.argparse_kwargs())
    parser.add_argument("--baselines", metavar="DIR", type=Path, default=Path("baselines"),
                        help="baselines folder for the baselines column (default: ./baselines)")  # fmt: skip
    parser.add_argument(
        "--compare", nargs=2, metavar=("A", "B"),
        help="also list every environment item that differs between columns A and B (default: off)",
    )  # fmt: skip
    parser.add_argument("--json", metavar="PATH", type=Path, help="also write the matrix as JSON here (default: off)")
    parser.add_argument("--markdown", action="store_true", help="print Markdown instead of plain text (default: off)")
    parser.add_argument(
        "--bench", metavar="FOLDER_OR_FILE", type=Path, action="append", default=None,
        help="saved pytest-benchmark runs, one per environment (tox.ini writes .tox/regcheck-bench/ENV.json), "
        "or their folder; each environment's times go under its results (default: results only)",
    )  # fmt: skip
    parser.add_argument(
        "--timing-reference", metavar="COLUMN", default=None,
        help="the environment every time is compared with (default: the reference column if it has a "
        "benchmark run, else the first column that has one)",
    )  # fmt: skip
    parser.add_argument(
        "--slower", metavar="FACTOR", type=parse_noise_factor, default=1.0,
        help="name an environment slower when it is slower than the timing reference by more than FACTOR "
        "beyond the noise (quartiles, see regcheck/timing/compare.py) (default: 1, any slowdown beyond the noise)",
    )  # fmt: skip
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from regcheck.engine.grid import grid_for
    from regcheck.files.benchmark import benchmark_paths
    from regcheck.files.jsonio import dumps_indented
    from regcheck.files.outputs import OutputPlan
    from regcheck.matrix.table import (
        BASELINES_COLUMN,
        DEFAULT_RECORDS,
        build_matrix,
        load_baselines_column,
        load_run_file,
        run_file_paths,
        study_fields,
    )
    from regcheck.matrix.text import comparison_table, render_markdown, render_text
    from regcheck.matrix.timings import join_timings, load_benches

    study = study_for(args.regcheck_study)
    paths = run_file_paths(args.inputs or [DEFAULT_RECORDS])
    bench_paths = benchmark_paths(args.bench or [])
    outputs = OutputPlan()
    # Files, not folders: a matrix may be written beside the run files (a folder scan leaves it out).
    outputs.read(args.baselines, *paths, *bench_paths, study_file(args.regcheck_study))
    outputs.write("--json", args.json)
    outputs.check()
    columns = [load_run_file(path) for path in paths]
    _check_unique_names(paths)
    wanted = {args.reference, *(args.compare or [])}
    known = [BASELINES_COLUMN] + [column.name for column in columns]
    for name in sorted(wanted - set(known)):
        option = "--reference" if name == args.reference else "--compare"
        raise UsageError(f"{option} {name}: no such column; the columns are {', '.join(known)}")
    if BASELINES_COLUMN in wanted:
        if not args.baselines.is_dir():
            raise UsageError(f"--baselines {args.baselines}: no such folder; pass --baselines DIR or --reference COLUMN")
        pairs = sorted({(model, cid) for column in columns for cid, model in column.models.items()})
        columns.insert(0, load_baselines_column(args.baselines, study, pairs))
    matrix = build_matrix(columns, args.reference, grid_for(study).order(), study_fields(study))
    timings = None
    if bench_paths:
        names = [column.name for column in matrix.columns]
        runs = load_benches(bench_paths, names)
        timing_reference = args.timing_reference or (matrix.reference if matrix.reference in runs else None)
        timings = join_timings(runs, names, timing_reference, args.slower)
    elif args.timing_reference is not None:
        raise UsageError(f"--timing-reference {args.timing_reference}: give the benchmark runs with --bench")
    print(render_markdown(matrix, timings) if args.markdown else render_text(matrix, timings))
    if args.compare:
        print()
        print(comparison_table(matrix, *args.compare))
    document = matrix.to_document()
    if timings is not None:
        document["timings"] = timings.to_document()
    outputs.stage("--json", dumps_indented(document) + "\n")
    for _ in outputs.commit():
        print(f"matrix written to {args.json}")
    return EXIT_MOVED if matrix.failed else EXIT_OK


def _check_unique_names(paths: list[Path]) -> None:
    from regcheck.matrix.table import BASELINES_COLUMN

    seen: dict[str, Path] = {}
    for path in paths:
        if path.stem == BASELINES_COLUMN:
            raise UsageError(f"{path}: a run file may not be named {BASELINES_COLUMN}.json (that column is the baselines)")
        if path.stem in seen:
            raise UsageError(f"{seen[path.stem]} and {path} would both be column {path.stem!r}; rename one")
        seen[path.stem] = path
