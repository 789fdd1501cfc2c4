"""Measure the band rule by simulation: its false-alarm rate and the smallest shift it detects.

    python bench/band_simulation.py                   # K=5 run seeds (the default), 1000 draws
    python bench/band_simulation.py --k 3 --k 10      # other K for comparison
    python bench/band_simulation.py --k 5 --normal    # and the power of one normal statistic by B, K, shift

Null model, per configuration: the committed baseline's own seeds (the MLP's band statistics
per seed: ``n_correct``, ``loss``, ``brier``, ``mean_probability``, the 61 ``probabilities``) as an empirical
distribution. Each draw takes B baseline seeds and K run seeds from it, independently and with
replacement, as two environments that share a distribution but not per-seed values would; the
band must hold. A false alarm is a draw where it fails. "Per run" is the chance that at least
one of the nine configurations fails in a run of the whole grid (configurations drawn
independently).

"(committed)" keeps the committed baseline fixed and draws only the run's K seeds from it: the
rate a user with these baselines sees (the permutation test guarantees its level only averaged
over baselines, so this column is the one to watch).

Each rate is given for the band as it is (every statistic, minP, 0.01 per run of the grid) and,
for comparison, for the band it replaced ("old": ``n_correct`` alone, 0.01 per configuration).

Shift: against the committed baseline, the run's seeds are drawn from it, then the run's test
loss moves by +d and -d baseline standard deviations (the other statistics unchanged: the
hardest case for a test that looks at four); the smallest d caught in at least 80% of draws, in
the worse direction.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from regcheck.engine.band import ALPHA, band_test, compare_band, configuration_alpha, statistic_value  # noqa: E402

STATISTICS = ("n_correct", "loss", "brier", "mean_probability", "probabilities")
POWER = 0.8
SHIFTS = [step / 2 for step in range(1, 17)]  # 0.5 ... 8 standard deviations
NORMAL_SHIFTS = (1, 1.5, 2, 3, 4)
Seeds = list[dict[str, Any]]


def baseline_seeds(root: Path) -> dict[str, Seeds]:
    """Per configuration, one dict of band statistics per seed of the reference profile."""
    found: dict[str, Seeds] = {}
    for path in sorted((root / "heart" / "mlp").glob("mlp-*.json")):
        if path.name.endswith(".obtained.json"):
            continue
        document = json.loads(path.read_text(encoding="utf-8"))
        reference = document["profiles"][0]  # the band compares with the reference profile
        found[document["config_id"]] = [_statistics(outcome) for outcome in reference["seeds"].values()]
    return found


def _statistics(outcome: dict[str, Any]) -> dict[str, Any]:
    values = {name: statistic_value(name, outcome) for name in STATISTICS}
    return {name: value for name, value in values.items() if value is not None}


def _columns(seeds: Seeds) -> dict[str, list[Any]]:
    return {name: [seed[name] for seed in seeds] for name in seeds[0]}


def fails(baseline: Seeds, run: Seeds, alpha: float) -> tuple[bool, bool]:
    """(the band fails, the old band fails) for one pair of samples."""
    new = not band_test(_columns(baseline), _columns(run), alpha).holds
    old = not compare_band([s["n_correct"] for s in baseline], [s["n_correct"] for s in run], ALPHA).holds
    return new, old


def false_alarm(population: Seeds, k: int, draws: int, rng: random.Random, alpha: float, fixed: bool) -> tuple[float, float]:
    new = old = 0
    for _ in range(draws):
        baseline = population if fixed else rng.choices(population, k=len(population))
        result = fails(baseline, rng.choices(population, k=k), alpha)
        new += result[0]
        old += result[1]
    return new / draws, old / draws


def smallest_loss_shift(population: Seeds, k: int, draws: int, rng: random.Random, alpha: float) -> float | None:
    sd = statistics.stdev(seed["loss"] for seed in population)
    for shift in SHIFTS:
        worst = 1.0
        for sign in (1, -1):
            caught = 0
            for _ in range(draws):
                run = [dict(seed, loss=seed["loss"] + sign * shift * sd) for seed in rng.choices(population, k=k)]
                caught += not band_test(_columns(population), _columns(run), alpha).holds
            worst = min(worst, caught / draws)
        if worst >= POWER:
            return shift
    return None


def normal_power(draws: int, rng: random.Random, alpha: float) -> None:
    """One normal statistic, the run shifted by d standard deviations: power by B baseline and K run seeds."""
    print(f"normal model, one statistic, level {alpha:.4f}, {draws} draws per cell: share of runs caught")
    print(f"{'B':>3} {'K':>3}  " + "  ".join(f"d={d:<4g}" for d in NORMAL_SHIFTS))
    for b in (11, 20, 30):
        for k in (3, 5, 10):
            cells = []
            for shift in NORMAL_SHIFTS:
                caught = 0
                for _ in range(draws):
                    baseline = [rng.gauss(0, 1) for _ in range(b)]
                    run = [rng.gauss(shift, 1) for _ in range(k)]
                    caught += not band_test({"x": baseline}, {"x": run}, alpha).holds
                cells.append(f"{caught / draws:<6.2f}")
            print(f"{b:>3} {k:>3}  " + "  ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--k", type=int, action="append", help="run seeds (default: 5)")
    parser.add_argument("--draws", type=int, default=1000, help="draws per estimate (default: 1000)")
    parser.add_argument("--shift-draws", type=int, default=100, help="draws per shift tried (default: 100)")
    parser.add_argument("--baselines", type=Path, default=ROOT / "baselines")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--normal", action="store_true", help="also the power of a normal model by B, K and shift")
    args = parser.parse_args()
    populations = baseline_seeds(args.baselines)
    if not populations:
        sys.exit(f"no MLP baselines under {args.baselines}")
    alpha = configuration_alpha(len(populations))
    for k in args.k or [5]:
        rng = random.Random(args.seed)
        print(f"K = {k} run seeds; band: {', '.join(STATISTICS)}, minP, {ALPHA} per run = {alpha:.4f} per configuration; "
              f"old: n_correct, {ALPHA} per configuration; {args.draws} draws per rate")  # fmt: skip
        print(f"{'configuration':<22} {'B':>3} {'false alarm':>13} {'(committed)':>13} {'loss shift at 80%':>18}")
        print(f"{'':<22} {'':>3} {'band   old':>13} {'band   old':>13}")
        held = {"drawn": [1.0, 1.0], "committed": [1.0, 1.0]}
        for config_id, population in populations.items():
            drawn = false_alarm(population, k, args.draws, rng, alpha, fixed=False)
            committed = false_alarm(population, k, args.draws, rng, alpha, fixed=True)
            for index in (0, 1):
                held["drawn"][index] *= 1 - drawn[index]
                held["committed"][index] *= 1 - committed[index]
            shift = smallest_loss_shift(population, k, args.shift_draws, rng, alpha)
            shown = f"{shift:g} sd" if shift else f">{SHIFTS[-1]:g} sd"
            print(f"{config_id:<22} {len(population):>3} {drawn[0]:>6.4f} {drawn[1]:>6.4f} "
                  f"{committed[0]:>6.4f} {committed[1]:>6.4f} {shown:>18}")  # fmt: skip
        print(f"per run of the {len(populations)} configurations: false alarm band {1 - held['drawn'][0]:.4f}, "
              f"old {1 - held['drawn'][1]:.4f}; against the committed baselines: band {1 - held['committed'][0]:.4f}, "
              f"old {1 - held['committed'][1]:.4f}")  # fmt: skip
        print()
    if args.normal:
        normal_power(args.shift_draws, random.Random(args.seed), alpha)


if __name__ == "__main__":
    main()
