"""``regcheck power``: what the band can see with a study's blessed seeds, per K seeds and for the sequential band.

For every band model of the study and each of its configurations, from the blessed seeds of the
profile the band would compare with here (``regcheck.engine.judge.band_reference``): the
false-alarm rate (simulated, and per grid run), the seeds the sequential band uses on average
when nothing changed, and for each band statistic the smallest shift (in its standard deviations
over the blessed seeds) caught in 80% of runs, with the power at 2 standard deviations; how many
baseline seeds the band needs to be able to say moved at every look. The simulation is
``regcheck.engine.power``'s: the band's own test on draws from the blessed seeds.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from regcheck.errors import EXIT_OK, UsageError
from regcheck.frontends.options import BASELINES, MODEL, STUDY, models_for, study_for
from regcheck.frontends.verbs import verb_parser

if TYPE_CHECKING:
    from regcheck.engine.power import Cell, ConfigurationPower, Design
    from regcheck.engine.run import StudyRun
    from regcheck.engine.study import Model

EXAMPLES = """  regcheck power                                   the heart study's band models, sequential band and K = 5, 10, 20
  regcheck power --study examples/cancer_study.py:study --baselines examples/baselines
  regcheck power --model mlp --config mlp-l1_0.001-l2_0.001 --k 10 --draws 200"""
DEFAULT_K = (5, 10, 20)


def positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return int(text)


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = verb_parser(verbs, "power", "print what the band can detect with the blessed seeds (power planning)", EXAMPLES)
    for option in (STUDY, BASELINES, MODEL):
        parser.add_argument(option.cli_flag, dest=option.dest, **option.argparse_kwargs())
    parser.add_argument("--k", metavar="K", type=positive, action="append",
                        help=f"also a fixed run of K seeds (repeat it; default: {', '.join(map(str, DEFAULT_K))})")  # fmt: skip
    parser.add_argument("--config", metavar="ID", action="append", help="only this configuration (repeat it; default: all)")
    parser.add_argument("--draws", metavar="N", type=positive, default=100,
                        help="simulated runs per rate and shift (default: 100; the rates are then +-0.04 near 80%%)")  # fmt: skip
    parser.add_argument("--seed", metavar="N", type=int, default=0, help="the simulation's generator seed (default: 0)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from regcheck.engine.run import RunOptions, StudyRun

    study = study_for(args.regcheck_study)
    models = models_for(study, args.regcheck_model)
    baselines = args.regcheck_baselines or Path("baselines")
    if not baselines.is_dir():
        raise UsageError(f"--baselines {baselines}: no such folder; run from the project root or pass --baselines DIR")
    run = StudyRun(study, RunOptions(args.regcheck_study, baselines, tier="band"))
    run.check_files(models)
    band = [name for name in models if run.model(name).rule == "band"]
    if not band:
        raise UsageError(f"--model {args.regcheck_model}: no model of study {run.grid.name} is judged by the band")
    known = {config.config_id for name in band for config in run.grid.configurations(name)}
    unknown = sorted(set(args.config or ()) - known)
    if unknown:
        raise UsageError(f"--config {unknown[0]}: no band configuration of that id; expected one of {', '.join(sorted(known))}")
    for name in band:
        print_model(run, name, tuple(args.k or DEFAULT_K), set(args.config or known), args.draws, args.seed)
    return EXIT_OK


def print_model(run: StudyRun, name: str, ks: tuple[int, ...], wanted: set[str], draws: int, seed: int) -> None:
    import numpy as np

    from regcheck.engine.band import ALPHA, configuration_alpha, statistic_value
    from regcheck.engine.judge import band_reference
    from regcheck.engine.power import baseline_seeds_needed, configuration_power, fixed_seeds_needed, per_grid_run, population

    model = run.model(name)
    count = run.grid.count(name)
    level = configuration_alpha(count)
    designs: list[Design] = [*([model.band_plan] if model.band_plan else []), *ks]
    profile = run.profile(name)
    print(
        f"## {run.grid.name}: model {name}, {count} configurations, level {level:.2g} per configuration ({ALPHA} per grid run)\n"
    )
    print(_plan_line(model))
    needs = [f"a fixed run of {k} from {fixed_seeds_needed(count, k)}" for k in ks]
    if model.band_plan:
        needs.insert(0, f"every look of the sequential band from {baseline_seeds_needed(count, model.band_plan)}")
    print(f"Baseline seeds the band needs to be able to say moved: {'; '.join(needs)}.")
    print(f"Simulated: {draws} runs per cell, baseline and run seeds drawn with replacement from the blessed seeds of the "
          "profile the band compares with here; a shift moves one statistic of every run seed, the others stay.\n")  # fmt: skip
    generator = np.random.default_rng(seed)
    found: list[ConfigurationPower] = []
    header_done = False
    for config in run.grid.configurations(name):
        if config.config_id not in wanted:
            continue
        baseline = run.store.load(name, config.config_id)
        if baseline is None:
            print(f"{config.config_id}: no baseline (bless it first)\n")
            continue
        outcomes = baseline.outcomes_in(profile) or band_reference(baseline, profile)
        seeds = [{s: value for s in model.band_statistics if (value := statistic_value(s, outcome)) is not None}
                 for _, outcome in sorted(outcomes.seeds.items())]  # fmt: skip
        started = time.perf_counter()
        result = configuration_power(population(config.config_id, seeds, model.band_scores), designs, level, draws, generator)
        print(f"{config.config_id}: {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
        if not header_done:
            _header(result, designs)
            header_done = True
        _rows(result, designs)
        found.append(result)
    print()
    for design in designs:
        label = _design(design)
        rates = [item.false_alarm[label] for item in found]
        print(f"false alarms per grid run ({label}): {per_grid_run(rates):.4f} simulated over the {len(found)} "
              f"configuration(s) shown; at most {1 - (1 - level) ** count:.4f} by construction")  # fmt: skip
    print()


def _plan_line(model: Model) -> str:
    plan = model.band_plan
    if plan is None:
        return f"Band: one fixed run of the model's {len(model.band_seeds)} band seeds (band_plan = None).\n"
    shares = "/".join(f"{(b - a) * 100:.0f}%" for a, b in zip((0.0, *plan.spending), plan.spending))
    return (f"Sequential band (a run in the band tier without --seeds): {plan.describe()}, the level spent {shares}, "
            f"held early at p >= {'/'.join(f'{g:g}' for g in plan.futility)}; at most {plan.seeds_bound():.2f} seeds "
            f"per configuration on average when nothing changed.\n")  # fmt: skip


def _design(design: Design) -> str:
    from regcheck.engine.power import design_name

    return design_name(design)


def _cell_label(cell: Cell) -> str:
    return f"{cell.statistic} ({cell.rows} rows)" if cell.rows else cell.statistic


def _header(result: ConfigurationPower, designs: list[Design]) -> None:
    cells = result.cells[_design(designs[0])]
    heading = ["configuration", "B", "run", "false alarm", "seeds, nothing changed", *(_cell_label(c) for c in cells)]
    print("Per statistic: the smallest shift caught in 80% of runs, in its standard deviations (any: a statistic without "
          "spread, caught at any change; -: not within 8), and the share caught at 2.\n")  # fmt: skip
    print("| " + " | ".join(heading) + " |")
    print("|" + " --- |" * len(heading))


def _rows(result: ConfigurationPower, designs: list[Design]) -> None:
    for index, design in enumerate(designs):
        label = _design(design)
        seeds = f"{result.mean_seeds:.1f}" if label == "sequential" and not math.isnan(result.mean_seeds) else (
            label.removeprefix("K="))  # fmt: skip
        first = [result.config_id, str(result.baseline_seeds)] if index == 0 else ["", ""]
        cells = [_cell(cell) for cell in result.cells[label]]
        print("| " + " | ".join([*first, label, f"{result.false_alarm[label]:.3f}", seeds, *cells]) + " |")


def _cell(cell: Cell) -> str:
    smallest = "-" if cell.smallest is None else ("any" if cell.smallest == 0 else f"{cell.smallest:g} sd")
    return f"{smallest} ({cell.at_two:.2f} at 2)"
