"""Simulate the sequential band on the heart MLP's blessed seeds: false alarms, seeds used, power at 2 standard deviations.

    python bench/sequential_band.py                                # the default plan, the AMD EPYC profile (31 seeds)
    python bench/sequential_band.py --profile 0                    # the reference profile (Intel Xeon, 11 seeds)
    python bench/sequential_band.py --plan 5,10,15,20:0.1,0.3,0.6,1:0.1,0.05,0.02 --configs mlp-l1_0.001-l2_0.001
    python bench/sequential_band.py --fixed 5 --fixed 10 --fixed 20   # fixed runs beside it
    python bench/sequential_band.py --smallest                     # also the smallest shift caught in 80%

Each configuration's blessed seeds (one profile of the committed baselines) are its outcome
distribution; every draw takes B baseline seeds and the run's seeds from it with replacement
(``regcheck.engine.power``, "drawn"), and the band is the run's own test (every statistic and
score of the MLP, minP, the level shared by the nine configurations). Per configuration: the
false-alarm share and the mean run seeds with nothing changed, the share stopped at each look,
and the share caught when one statistic of every run seed moves by 2 of its standard deviations
(the hardest case: the others stay). "Per grid run" compounds the nine configurations.

docs/gates.md has the tables this printed and the commands.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from regcheck.engine import power  # noqa: E402
from regcheck.engine.band import configuration_alpha, statistic_value  # noqa: E402
from regcheck.engine.sequential import DEFAULT_PLAN, SequentialPlan  # noqa: E402

STATISTICS = ("n_correct", "loss", "brier", "mean_probability", "probabilities")


def populations(baselines: Path, profile: int) -> dict[str, power.Population]:
    found = {}
    for path in sorted((baselines / "heart" / "mlp").glob("mlp-*.json")):
        if path.name.endswith(".obtained.json"):
            continue
        document = json.loads(path.read_text(encoding="utf-8"))
        seeds = document["profiles"][profile]["seeds"].values()
        rows = [{name: statistic_value(name, outcome) for name in STATISTICS} for outcome in seeds]
        found[document["config_id"]] = power.population(document["config_id"], rows)
    return found


def parse_plan(text: str) -> SequentialPlan:
    looks, spending, futility = (part.split(",") for part in text.split(":"))
    return SequentialPlan(tuple(map(int, looks)), tuple(map(float, spending)), tuple(map(float, futility)))


def shifts(population: power.Population) -> list[tuple[str, power.Rows]]:
    return [(name, rows) for name in population.values for rows in (("all", "one") if population.is_vector(name) else ("all",))]


def label(name: str, rows: str) -> str:
    return f"{name} ({rows} rows)" if rows == "one" or name == "probabilities" else name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baselines", type=Path, default=ROOT / "baselines")
    parser.add_argument("--profile", type=int, default=1, help="which profile of the baselines (default 1: AMD EPYC)")
    parser.add_argument("--plan", type=parse_plan, default=DEFAULT_PLAN, help="looks:spending:futility")
    parser.add_argument("--fixed", type=int, action="append", default=[], help="also a fixed run of this many seeds")
    parser.add_argument("--configs", nargs="*", help="configuration ids (default: all nine)")
    parser.add_argument("--null-draws", type=int, default=1000)
    parser.add_argument("--draws", type=int, default=200, help="draws per shifted statistic")
    parser.add_argument("--smallest", action="store_true", help="also the smallest shift caught in 80%%")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    found = populations(args.baselines, args.profile)
    level = configuration_alpha(len(found))
    chosen = {c: p for c, p in found.items() if not args.configs or c in args.configs}
    plan = args.plan
    print(f"plan: {plan.describe()}, spending {plan.spending}, futility {plan.futility}; "
          f"bound on the mean seeds with nothing changed {plan.seeds_bound():.2f}")  # fmt: skip
    print(f"level per configuration {level:.5f} (0.01 per run of {len(found)}); profile {args.profile}; "
          f"{args.null_draws} draws unchanged, {args.draws} per shift\n")  # fmt: skip
    generator = np.random.default_rng(args.seed)
    null_rates: dict[str, list[float]] = {"sequential": [], **{f"K={k}": [] for k in args.fixed}}
    header = ["configuration", "B", "false alarm", "mean seeds", "stopped at each look"]
    header += [f"2 sd: {label(n, r)}" for n, r in shifts(next(iter(chosen.values())))]
    print("| " + " | ".join(header) + " |")
    print("|" + " --- |" * len(header))
    for config_id, population in chosen.items():
        started = time.perf_counter()
        draws = power.draw(population, args.null_draws, plan.cap, generator)
        null = power.sequential_rates(population, draws, plan, level)
        null_rates["sequential"].append(null.moved)
        for k in args.fixed:
            null_rates[f"K={k}"].append(power.fixed_moved(population, draws, k, level))
        shifted = power.draw(population, args.draws, plan.cap, generator)
        cells = []
        for name, rows in shifts(population):
            rates = power.sequential_rates(population, shifted, plan, level, power.Shift(name, 2.0, rows))
            cell = f"{rates.moved:.2f} ({rates.mean_seeds:.1f} seeds)"
            for k in args.fixed:
                cell += f"; K={k}: {power.fixed_moved(population, shifted, k, level, power.Shift(name, 2.0, rows)):.2f}"
            if args.smallest:
                smallest = power.smallest_shift(population, shifted, plan, level, name, rows)
                cell += f"; 80% at {'-' if smallest is None else f'{smallest:g} sd'}"
            cells.append(cell)
        stopped = " / ".join(f"{share:.3f}" for share in null.stopped)
        print(f"| {config_id} | {population.seeds} | {null.moved:.4f} | {null.mean_seeds:.2f} | {stopped} | "
              + " | ".join(cells) + f" |  <!-- {time.perf_counter() - started:.0f} s -->", flush=True)  # fmt: skip
    print()
    for name, rates in null_rates.items():
        print(f"false alarm per grid run ({name}), configurations independent: {power.per_grid_run(rates):.4f}")


if __name__ == "__main__":
    main()
