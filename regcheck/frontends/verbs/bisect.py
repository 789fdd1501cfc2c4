"""``regcheck bisect``: the first release of a dependency at which the study's result changes."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING

from regcheck.errors import EXIT_MOVED, EXIT_OK
from regcheck.frontends.options import ALL_MODELS, parse_model, parse_seeds
from regcheck.frontends.verbs import verb_parser

if TYPE_CHECKING:
    from packaging.version import Version

    from regcheck.matrix.bisect import Comparison
    from regcheck.matrix.table import Column, Matrix

EXAMPLES = """  regcheck bisect numpy 1.26.4 2.2.6 --model logreg
                     the first numpy release whose logistic records differ from 1.26.4's
  regcheck bisect scikit-learn 1.3.2 1.9.1 --model logreg --with numpy==1.26.4
  regcheck bisect tensorflow-cpu 2.15.1 2.21.0 --model mlp --seeds 42 --with 'keras<3' ...
                     (each environment gets the companion pins given with --with)
  exit code 0: no release differs; 1: a release differs (named); 2: bad input or GOOD/BAD cannot be built"""


def _seeds(text: str) -> str:
    parse_seeds(text)  # validated here, passed on as written
    return text


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = verb_parser(verbs, "bisect", "find the first release of a package at which the study's result changes", EXAMPLES)
    parser.add_argument("package", metavar="PACKAGE", help="the distribution on the package index, e.g. numpy")
    parser.add_argument("good", metavar="GOOD", help="the older release, whose result is the reference")
    parser.add_argument("bad", metavar="BAD", help="the newer release, whose result differs")
    parser.add_argument("--model", metavar="MODEL", type=parse_model, default=ALL_MODELS,
                        help=f"which model of the study to run, or {ALL_MODELS} (default: {ALL_MODELS})")  # fmt: skip
    parser.add_argument("--seeds", metavar="SEEDS", type=_seeds, default=None,
                        help="seeds for 'regcheck run', e.g. 42 or 0-4 (default: each model's own)")  # fmt: skip
    parser.add_argument(
        "--with", dest="companions", metavar="SPEC", action="append", default=[],
        help="also install SPEC in every environment, e.g. scikit-learn==1.5.2 (repeat; default: the newest "
        "releases that fit each version, which then differ too: the report lists them)",
    )  # fmt: skip
    parser.add_argument("--versions", metavar="V1,V2,...", default=None,
                        help="the releases to search instead of the index's list (default: pip index versions)")  # fmt: skip
    parser.add_argument("--python", metavar="PYTHON", default=None,
                        help="the interpreter the environments are built on (default: this one)")  # fmt: skip
    parser.add_argument("--study", metavar="STUDY", default=None, help="passed to 'regcheck run' (default: its own)")
    parser.add_argument("--baselines", metavar="DIR", type=Path, default=None,
                        help="passed to 'regcheck run' (default: ./baselines)")  # fmt: skip
    parser.add_argument("--data", metavar="PATH", type=Path, default=None, help="passed to 'regcheck run'")
    parser.add_argument("--regcheck-source", metavar="DIR", type=Path, default=None,
                        help="the regcheck checkout installed in each environment (default: the one running)")  # fmt: skip
    parser.add_argument("--cache", metavar="DIR", type=Path, default=None,
                        help="environments and run files (default: $REGCHECK_CACHE_DIR/bisect or the user cache)")  # fmt: skip
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from regcheck.frontends import environment_options as inputs
    from regcheck.frontends.options import study_for
    from regcheck.matrix import bisect as search
    from regcheck.matrix.table import study_fields
    from regcheck.matrix.text import difference_lines

    started = time.perf_counter()
    # Every input first, in the order the user reads them, and nothing written until the cache at the end.
    package = inputs.check_package_name(args.package)
    good, bad = search.parse_version(args.good), search.parse_version(args.bad)
    search.check_order(good, bad)  # before the index is asked for the releases between them
    companions = inputs.check_companions(args.companions)
    source = inputs.check_regcheck_source(args.regcheck_source, search.regcheck_source)
    python = inputs.check_python(args.python, source)
    inputs.check_run_inputs(args.baselines, args.data)
    fields = study_fields(study_for(args.study))
    options: list[str] = []
    for flag, value in (("--study", args.study), ("--baselines", args.baselines), ("--data", args.data)):
        if value is not None:
            options += [flag, str(Path(value).resolve()) if isinstance(value, Path) else value]
    cache = inputs.prepare_cache(args.cache, search.cache_root())
    available = args.versions.split(",") if args.versions else search.index_versions(package, python.path)
    releases = search.releases_between(available, good, bad)
    setup = search.Setup(
        package, args.model, args.seeds, companions, python.path, source, cache, tuple(options),
        search.source_digest(source), python.version,
    )  # fmt: skip
    log = setup.cache / "logs" / f"{package}-{good}-{bad}.log"
    print(f"regcheck bisect {package} {good} {bad}: {len(releases)} final releases from {good} to {bad} "
          f"({', '.join(map(str, releases))}); --model {args.model}" + (f" --seeds {args.seeds}" if args.seeds else "")
          + (f"; with {' '.join(args.companions)}" if args.companions else ""), flush=True)  # fmt: skip

    def run(version: Version) -> Column:
        cached = setup.run_file(version).is_file()
        path = search.run_release(setup, version, log)
        return search.load_release_run(path, f"{package} {version}" + (" (cached)" if cached else ""))

    def report(step: search.Step) -> None:
        print(f"  {step.version}: {step.outcome}" + (f" ({step.detail})" if step.detail else ""), flush=True)

    result = search.bisect(releases, run, report, fields)
    seconds = time.perf_counter() - started
    ran = len([step for step in result.steps if step.outcome != "skipped"])
    comparison = result.comparison
    if comparison is None:  # bisect() sets it whenever it returns
        raise RuntimeError("regcheck bisect: the search returned no comparison")
    matrix = comparison.as_matrix()
    if result.first_differing is None:
        print(f"no release differs: {package} {bad} gives {good}'s result, every record bit for bit")
        _evidence(comparison, matrix)
        print(f"regcheck bisect: {ran} releases run of {len(releases)}, {seconds:.0f} s; log: {log}")
        return EXIT_OK
    changed = sorted({cell.first_difference.field for cell in comparison.cells.values() if cell.first_difference})
    largest: dict[str, float] = {}
    for cell in comparison.cells.values():
        for name, size in cell.largest_abs_difference.items():
            largest[name] = max(size, largest.get(name, 0.0))
    moved = [cid for cid, cell in comparison.cells.items() if cell.mark != "identical"]
    print()
    print(f"first release that differs from {good}: {package} {result.first_differing} "
          f"(the release before it, {result.last_same}, gives {good}'s result)")  # fmt: skip
    print(f"  mark: {comparison.mark}, in {len(moved)} of {len(comparison.cells)} configurations ({', '.join(moved)})")
    print(
        f"  fields that changed: {', '.join(changed)}; largest |difference|: "
        + (", ".join(f"{name} {size:.3g}" for name, size in largest.items() if size) or "-")
    )
    print("  where:")
    for line in difference_lines(matrix):
        print(f"    {line}")
    _evidence(comparison, matrix)
    for step in result.skipped:
        print(f"  skipped {step.version}: {step.detail}")
    print(f"regcheck bisect: {ran} releases run of {len(releases)}, {seconds:.0f} s; log: {log}")
    return EXIT_MOVED


def _evidence(comparison: Comparison, matrix: Matrix) -> None:
    from regcheck.matrix.text import environment_lines

    print("  versions that differ between the two runs:")
    for line in environment_lines(matrix):
        print(f"    {line}")
    print(f"  evidence: {comparison.reference.source}")
    print(f"            {comparison.column.source}")
