"""``regcheck upgrade OLD NEW``: what an upgrade of the pins moved, what got slower, and which change did it."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING

from regcheck.errors import UsageError
from regcheck.frontends.options import ALL_MODELS, existing_file, parse_model, parse_seeds, parse_study
from regcheck.frontends.verbs import verb_parser

if TYPE_CHECKING:
    from regcheck.files.outputs import OutputPlan
    from regcheck.files.upgradefile import UpgradeData

EXAMPLES = """  regcheck upgrade old/requirements.txt new/requirements.txt --model logreg
                     both environments built, run and timed; exit 1 when a result moved
  regcheck upgrade base/uv.lock head/uv.lock --model mlp --seeds 42
  regcheck upgrade pylock.old.toml pylock.new.toml --markdown summary.md --comment comment.md
  regcheck upgrade old.txt new.txt --fail-slower 1.2    also exit 1 when a case is 1.2x slower beyond the noise
  regcheck upgrade --from upgrade.json --comment comment.md   the saved report again, nothing built
  exit code 0: nothing moved; 1: a result moved (the change that did it is named); 2: bad input, or OLD or NEW
  cannot be built or run"""
DEFAULT_ROUNDS = 3
# The heart study's bench suite (bench/ in this checkout); -k picks the fit and predict cases of the models run.
HEART_BENCH = ("bench/test_logreg_bench.py", "bench/test_mlp_bench.py")
BENCH_SELECT = {"logreg": "logreg and not grid", "mlp": "mlp and not grid and not gpu", ALL_MODELS: "not grid and not gpu"}
# Calibrated cases (a logistic fit is a millisecond) need no more than this per round; the MLP's are pedantic.
BENCH_MAX_TIME = "0.25"


def _seeds(text: str) -> str:
    parse_seeds(text)  # validated here, passed on as written
    return text


def _rounds(text: str) -> int:
    if not text.isascii() or not text.isdigit() or int(text) > 50:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a number of timing rounds from 0 to 50")
    return int(text)


def _factor(text: str) -> float:
    from regcheck.frontends.verbs.compare import parse_factor

    return parse_factor(text)


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = verb_parser(verbs, "upgrade", "what an upgrade of the pinned versions moves, and which change did it",
                         EXAMPLES)  # fmt: skip
    parser.add_argument("old", metavar="OLD", type=existing_file, nargs="?",
                        help="the lock before: requirements with == pins (pip freeze), pylock.toml or uv.lock")  # fmt: skip
    parser.add_argument("new", metavar="NEW", type=existing_file, nargs="?", help="the lock after, in any of those formats")
    parser.add_argument("--from", dest="saved", metavar="FILE", type=existing_file, default=None,
                        help="render the report a '--json FILE' saved, as text and to --markdown and --comment, "
                             "building and running nothing (instead of OLD and NEW); exit code: the report's")  # fmt: skip
    parser.add_argument("--model", metavar="MODEL", type=parse_model, default=ALL_MODELS,
                        help=f"which model of the study to run, or {ALL_MODELS} (default: {ALL_MODELS})")  # fmt: skip
    parser.add_argument("--seeds", metavar="SEEDS", type=_seeds, default=None,
                        help="seeds for 'regcheck run', e.g. 42 or 0-4 (default: each model's own)")  # fmt: skip
    parser.add_argument("--study", metavar="STUDY", type=parse_study, default=None,
                        help="passed to 'regcheck run' (default: its own)")  # fmt: skip
    parser.add_argument("--baselines", metavar="DIR", type=Path, default=None,
                        help="passed to 'regcheck run' (default: ./baselines)")  # fmt: skip
    parser.add_argument("--data", metavar="PATH", type=Path, default=None, help="passed to 'regcheck run'")
    parser.add_argument("--rounds", metavar="N", type=_rounds, default=DEFAULT_ROUNDS,
                        help=f"timing rounds per environment, interleaved OLD, NEW, OLD, NEW ...; 0: no timings "
                             f"(default: {DEFAULT_ROUNDS}, the fewest the noise rule judges)")  # fmt: skip
    parser.add_argument("--bench", metavar="FILE", action="append", default=None,
                        help="a pytest-benchmark file of the study's cases, relative to the regcheck checkout (repeat; "
                             "default: the heart study's bench/ files; none for another study)")  # fmt: skip
    parser.add_argument("--bench-select", metavar="EXPR", default=None,
                        help="pytest -k expression of the cases to time (default: the fit and predict cases of "
                             "--model)")  # fmt: skip
    parser.add_argument("--fail-slower", metavar="FACTOR", type=_factor, default=None,
                        help="also exit 1 when a case is slower than OLD by more than FACTOR beyond the noise "
                             "(default: report only, judged at factor 1)")  # fmt: skip
    parser.add_argument("--no-search", action="store_true",
                        help="when a result moved, do not search for the change that did it (default: search)")  # fmt: skip
    parser.add_argument("--json", metavar="PATH", type=Path, default=None, help="write the report as JSON here")
    parser.add_argument("--markdown", metavar="PATH", type=Path, default=None,
                        help="write the report as Markdown here (also appended to $GITHUB_STEP_SUMMARY when set)")  # fmt: skip
    parser.add_argument("--comment", metavar="PATH", type=Path, default=None,
                        help="write a pull-request comment body here (the Markdown report behind a marker line)")  # fmt: skip
    parser.add_argument("--python", metavar="PYTHON", default=None,
                        help="the interpreter the environments are built on (default: this one)")  # fmt: skip
    parser.add_argument("--regcheck-source", metavar="DIR", type=Path, default=None,
                        help="the regcheck checkout installed in each environment (default: the one running)")  # fmt: skip
    parser.add_argument("--cache", metavar="DIR", type=Path, default=None,
                        help="resolutions, environments, runs, timings (default: $REGCHECK_CACHE_DIR/upgrade or the "
                             "user cache)")  # fmt: skip
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    if args.saved is not None:
        return _render_saved(args)
    if args.old is None or args.new is None:
        raise UsageError("OLD and NEW: expected two lock files (or --from FILE, a report saved with --json)")
    from regcheck.files.outputs import OutputPlan
    from regcheck.files.upgradefile import upgrade_text
    from regcheck.frontends import environment_options as inputs
    from regcheck.matrix.bisect import regcheck_source, source_digest
    from regcheck.matrix.environments import cache_folder, digest
    from regcheck.reports.run_outputs import STEP_SUMMARY_VARIABLE, step_summary_path
    from regcheck.upgrade import report as rendering
    from regcheck.upgrade.locks import changes, marker_environment, read_lock
    from regcheck.upgrade.search import Settings, Upgrade
    from regcheck.upgrade.session import examine

    started = time.perf_counter()
    # Every input first; nothing is written before the cache, and no environment before every check.
    source = inputs.check_regcheck_source(args.regcheck_source, regcheck_source)
    python = inputs.check_python(args.python, source)
    markers = marker_environment(python.path)
    old, new = read_lock(args.old, "OLD", markers), read_lock(args.new, "NEW", markers)
    inputs.check_run_inputs(args.baselines, args.data)
    run_options, order = _run_options(args)
    bench, note = _bench(args, source)
    outputs = OutputPlan()
    outputs.read(args.old, args.new, args.baselines, args.data)
    outputs.write("--json", args.json)
    outputs.write("--markdown", args.markdown)
    outputs.write("--comment", args.comment)
    outputs.write(f"${STEP_SUMMARY_VARIABLE}", step_summary_path(), append=True)
    outputs.check()  # before the first environment: a bad output path is found now, not after an hour of builds
    cache = inputs.prepare_cache(args.cache, cache_folder("upgrade"))
    changed = changes(old, new)
    log = cache / "logs" / f"{digest(str(args.old.resolve()), str(args.new.resolve()))}.log"
    settings = Settings(
        old, new, python.path, python.version, source, source_digest(source),
        digest((source / "pyproject.toml").read_text(encoding="utf-8")), cache, tuple(run_options),
        tuple(bench), log, order,
    )  # fmt: skip
    report = rendering.Report(old, new, changed, _shown_command(args), {}, None, factor=args.fail_slower or 1.0,
                              fail_slower=args.fail_slower is not None, timing_note=note)  # fmt: skip
    print(rendering.header_lines(rendering.summarize(report))[0], flush=True)
    if changed:
        examine(Upgrade(settings, lambda line: print(line, flush=True)), report, args.rounds if bench else 0,
                search=not args.no_search)  # fmt: skip
    report.seconds = time.perf_counter() - started
    data = rendering.summarize(report)
    print()
    print("\n".join(rendering.render_text(data).splitlines()[1:]))
    outputs.stage("--json", upgrade_text(data))
    _stage_renderings(outputs, data)
    for line in outputs.commit():
        print(line)
    print(f"log: {log}")
    return data.exit_code


def _stage_renderings(outputs: OutputPlan, data: UpgradeData) -> None:
    from regcheck.reports.run_outputs import STEP_SUMMARY_VARIABLE
    from regcheck.upgrade import report as rendering

    markdown = rendering.render_markdown(data)
    outputs.stage("--markdown", markdown)
    outputs.stage("--comment", rendering.render_comment(data))
    outputs.stage(f"${STEP_SUMMARY_VARIABLE}", markdown)


def _render_saved(args: argparse.Namespace) -> int:
    """``--from FILE``: the saved report rendered again (text, --markdown, --comment, the job summary), nothing built."""
    from regcheck.files.outputs import OutputPlan
    from regcheck.files.upgradefile import read_upgrade
    from regcheck.reports.run_outputs import STEP_SUMMARY_VARIABLE, step_summary_path
    from regcheck.upgrade import report as rendering

    if args.old is not None:
        raise UsageError(f"--from {args.saved}: renders a saved report; expected no OLD and NEW beside it")
    if args.json is not None:
        raise UsageError(f"--json {args.json}: --from {args.saved} is the saved report already; expected no --json")
    outputs = OutputPlan()
    outputs.read(args.saved)
    outputs.write("--markdown", args.markdown)
    outputs.write("--comment", args.comment)
    outputs.write(f"${STEP_SUMMARY_VARIABLE}", step_summary_path(), append=True)
    outputs.check()
    data = read_upgrade(args.saved)
    print(rendering.render_text(data))
    _stage_renderings(outputs, data)
    for line in outputs.commit():
        print(line)
    return data.exit_code


def _shown_command(args: argparse.Namespace) -> str:
    """The command as given (relative paths stay relative: the report is read where they mean something)."""
    words = ["regcheck upgrade", str(args.old), str(args.new), "--model", args.model]
    for flag, value in (("--seeds", args.seeds), ("--study", args.study), ("--baselines", args.baselines),
                        ("--data", args.data)):  # fmt: skip
        if value is not None:
            words += [flag, str(value)]
    return " ".join(words)


def _run_options(args: argparse.Namespace) -> tuple[list[str], tuple[str, ...]]:
    """The options of 'regcheck run' in every environment (paths absolute, so a cached run names one thing),
    and the configurations it runs in the study's order."""
    from regcheck.frontends.options import models_for, study_file, study_for

    chosen = study_for(args.study)
    models = models_for(chosen, args.model)  # an unknown model is bad input here, before any environment
    order = tuple(config_id for name in models for config_id in chosen.model(name).config_ids())
    study = args.study
    module = study_file(study)
    if study is not None and module is not None:
        study = f"{module.resolve()}:{study.rpartition(':')[2]}"
    options = ["--model", args.model] + (["--seeds", args.seeds] if args.seeds else [])
    for flag, value in (("--study", study), ("--baselines", args.baselines), ("--data", args.data)):
        if value is not None:
            options += [flag, str(Path(value).resolve()) if isinstance(value, Path) else value]
    return options, order


def _bench(args: argparse.Namespace, source: Path) -> tuple[list[str], str]:
    """The pytest arguments of one timing round, or none and why."""
    if args.rounds == 0:
        return [], "--rounds 0"
    files = args.bench or ([] if args.study else list(HEART_BENCH))
    if not files:
        return [], "--study is not the heart study and no --bench file was given"
    for name in files:
        if not (source / name).is_file():
            raise UsageError(f"--bench {name}: no such file in the regcheck checkout {source}")
    select = args.bench_select or BENCH_SELECT.get(args.model, f"{args.model} and not grid and not gpu")
    # -W: Keras' initializers call random.randrange with a float on some versions (tox.ini's dl environments do the same).
    return [*files, "-q", "-p", "no:cacheprovider", "-k", select, "--benchmark-max-time", BENCH_MAX_TIME,
            "-W", "ignore:non-integer arguments to randrange:DeprecationWarning"], ""  # fmt: skip
