"""Judge pools of fitted records with regcheck's own tiers: the power table, the false alarms, the distances.

Called by ``python bench/perturbations.py table FOLDER...``; each FOLDER holds the pools one
environment fitted (``NAME__sSEEDS.json``, ``regcheck run --json`` files) and is judged on its
own: every perturbation against that folder's control pool (``none``). Nothing here re-implements
a rule: the verdicts come from ``regcheck.engine.judge.exact_tier`` and ``band_tier`` with the
MLP's own fields and statistics, as a run would judge.

* **exact tier**: seed 42 of each configuration against the control's seed 42, with the MLP's
  ``exact_fields`` (and, for comparison, the fields of the old exact tier: counts and labels).
* **band tier**: the baseline is the control's first B seeds (``--baseline-seeds``, by default
  0-9 and 42 as committed); each run is one K-subset of the perturbed pool's seeds other than
  those; all subsets when there are at most ``MAX_RUNS``, else ``MAX_RUNS`` drawn with a fixed
  generator. The share of runs whose verdict is ``moved`` is the power; with the control's own
  remaining seeds as the runs, the false-alarm rate (per configuration, and per run of the grid
  with the same subset of seeds in every configuration, as a real run has).
* **old band**: ``n_correct`` alone at 0.01 per configuration, the rule this replaces.
"""

from __future__ import annotations

import itertools
import json
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from regcheck.engine.band import ALPHA, compare_band, statistic_value
from regcheck.engine.judge import band_tier, exact_tier
from regcheck.engine.registry import load_study
from regcheck.engine.study import Model
from regcheck.files.baseline import ProfileOutcomes
from regcheck.results.record import ResultRecord

CONTROL = "none"
EXACT_SEED = 42
MAX_RUNS = 300
OLD_EXACT_FIELDS = ("n_test", "n_correct", "predictions")
Pool = dict[str, dict[int, dict[str, Any]]]  # config_id -> seed -> record fields


@dataclass
class Environment:
    folder: Path
    pools: dict[str, Pool]  # perturbation -> pool

    @property
    def name(self) -> str:
        return self.folder.name

    @property
    def control(self) -> Pool:
        return self.pools[CONTROL]


def read_pools(folder: Path) -> Environment:
    pools: dict[str, Pool] = {}
    for path in sorted(folder.glob("*__s*.json")):
        name = path.name.split("__s", 1)[0]
        for record in json.loads(path.read_text(encoding="utf-8"))["records"]:
            pools.setdefault(name, {}).setdefault(record["config_id"], {})[int(record["seed"])] = record
    if CONTROL not in pools:
        raise SystemExit(f"{folder}: no control pool ({CONTROL}__s*.json)")
    return Environment(folder, pools)


def mlp() -> Model:
    return load_study("heart").model("mlp")


def outcomes(pool: dict[int, dict[str, Any]], seeds: Sequence[int]) -> ProfileOutcomes:
    return ProfileOutcomes({}, {seed: pool[seed] for seed in seeds}, {})


def records(pool: dict[int, dict[str, Any]], seeds: Sequence[int]) -> list[ResultRecord]:
    return [ResultRecord.from_dict(pool[seed]) for seed in seeds]


def exact_caught(model: Model, config_id: str, control: Pool, perturbed: Pool, fields: tuple[str, ...]) -> str | None:
    """``None`` when seed 42 held; else the fields that moved (``labels``, ``probabilities``, ...)."""
    config = model.configuration(config_id)
    run = records(perturbed[config_id], [EXACT_SEED])
    verdict = exact_tier(model, config, run, outcomes(control[config_id], [EXACT_SEED]), "power table", fields)
    if verdict.status != "moved":
        return None
    moved = [difference.field.split(": ", 1)[-1].split("[")[0] for difference in verdict.differences]
    return ", ".join(dict.fromkeys(moved))


def subsets(seeds: Sequence[int], k: int, rng: random.Random) -> list[tuple[int, ...]]:
    if math.comb(len(seeds), k) <= MAX_RUNS:
        return list(itertools.combinations(seeds, k))
    chosen: set[tuple[int, ...]] = set()
    while len(chosen) < MAX_RUNS:
        chosen.add(tuple(sorted(rng.sample(list(seeds), k))))
    return sorted(chosen)


def band_share(model: Model, config_id: str, baseline: ProfileOutcomes, pool: dict[int, dict[str, Any]],
               runs: Sequence[tuple[int, ...]]) -> tuple[float, float, list[bool]]:  # fmt: skip
    """Share of runs the new band fails, share the old band (``n_correct`` at 0.01) fails, and which runs the new one failed."""
    config = model.configuration(config_id)
    expected = [outcome["n_correct"] for _, outcome in sorted(baseline.seeds.items())]
    moved, old = [], 0
    for run in runs:
        verdict = band_tier(model, config, records(pool, run), baseline, "power table")
        moved.append(verdict.status == "moved")
        old += not compare_band(expected, [pool[seed]["n_correct"] for seed in run], ALPHA).holds
    return sum(moved) / len(runs), old / len(runs), moved


def shift_in_sd(baseline: Sequence[dict[str, Any]], run: Sequence[dict[str, Any]], name: str) -> float | None:
    """The run's mean minus the baseline's, in the baseline's standard deviations (None: zero spread)."""
    before = [statistic_value(name, item) for item in baseline]
    after = [statistic_value(name, item) for item in run]
    if None in before or None in after:
        return None
    mean = sum(before) / len(before)  # type: ignore[arg-type]
    sd = math.sqrt(sum((value - mean) ** 2 for value in before) / (len(before) - 1))  # type: ignore[operator]
    if sd == 0:
        return None if sum(after) / len(after) == mean else math.inf  # type: ignore[arg-type]
    return (sum(after) / len(after) - mean) / sd  # type: ignore[arg-type]


def print_tables(folders: Sequence[Path], ks: Sequence[int], baseline_seeds: Sequence[int] = (*range(10), EXACT_SEED)) -> None:
    model = mlp()
    fields = model.exact_fields or ()
    for folder in folders:
        environment = read_pools(folder)
        control = environment.control
        config_ids = [config_id for config_id in model.config_ids() if config_id in control]
        perturbations = [name for name in environment.pools if name != CONTROL]
        print(f"## {environment.name}: {len(perturbations)} perturbations, {len(config_ids)} configurations\n")
        _exact_table(model, environment, config_ids, perturbations, fields)
        base_seeds = [seed for seed in baseline_seeds if all(seed in control[c] for c in config_ids)]
        _band_tables(model, environment, config_ids, perturbations, base_seeds, ks)


SHORT = {"n_correct": "N", "predictions": "L", "probabilities": "P", "loss": "X", "weights_sha256": "W", "n_test": "T"}


def _short(moved: str | None) -> str:
    """``NLPXW``: counts, labels, probabilities, loss, weights moved (``-``: held)."""
    if not moved:
        return "-"
    return "".join(SHORT.get(field.strip(), "?") for field in moved.split(","))


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _exact_table(model: Model, environment: Environment, config_ids: Sequence[str], perturbations: Sequence[str],
                 fields: tuple[str, ...]) -> None:  # fmt: skip
    print(f"### Exact tier, seed {EXACT_SEED}: configurations caught (new fields | old fields: counts and labels)\n")
    print(f"What moved, per configuration in grid order ({', '.join(c.removeprefix('mlp-') for c in config_ids)}): "
          "N count, L labels, P probabilities, X loss, W weights, - held.\n")  # fmt: skip
    print(_row(["perturbation", "new", "old", "what moved"]))
    print(_row(["---"] * 4))
    for name in perturbations:
        pool = environment.pools[name]
        present = [c for c in config_ids if EXACT_SEED in pool.get(c, {}) and EXACT_SEED in environment.control[c]]
        if not present:
            continue
        new = [exact_caught(model, c, environment.control, pool, fields) for c in present]
        old = [exact_caught(model, c, environment.control, pool, OLD_EXACT_FIELDS) for c in present]
        moved = " ".join(_short(m) for m in new)
        caught_new = sum(m is not None for m in new)
        caught_old = sum(m is not None for m in old)
        print(_row([name, f"{caught_new}/{len(present)}", f"{caught_old}/{len(present)}", moved]))
    print()


def _band_tables(model: Model, environment: Environment, config_ids: Sequence[str], perturbations: Sequence[str],
                 base_seeds: Sequence[int], ks: Sequence[int]) -> None:  # fmt: skip
    control = environment.control
    statistics = tuple(model.band_statistics)
    print(
        f"### Band tier: share of runs caught, new band ({', '.join(statistics)}; 0.01 per run of the grid) / old band "
        f"(n_correct, 0.01 per configuration); baseline: the control's seeds {_seeds(base_seeds)} (B = {len(base_seeds)})\n"
    )
    heading = ["perturbation", "K", "runs", *[c.removeprefix("mlp-") for c in config_ids], "any"]
    print(_row(heading))
    print(_row(["---"] * len(heading)))
    for name in [CONTROL, *perturbations]:
        pool = environment.pools[name]
        excluded = {*base_seeds} if name == CONTROL else {EXACT_SEED}
        spare = {c: sorted(set(pool.get(c, {})) - excluded) for c in config_ids}
        present = [c for c in config_ids if spare[c]]
        if not present:
            continue
        common = sorted(set.intersection(*(set(spare[c]) for c in present)))
        for k in ks:
            if len(common) < k:
                continue
            runs = subsets(common, k, random.Random(k))  # the same runs in every configuration, as a real run
            cells, caught_any = [], [False] * len(runs)
            for config_id in config_ids:
                if config_id not in present:
                    cells.append("-")
                    continue
                baseline = outcomes(control[config_id], base_seeds)
                new, old, moved = band_share(model, config_id, baseline, pool[config_id], runs)
                caught_any = [a or b for a, b in zip(caught_any, moved)]
                cells.append(f"{new:.2f} / {old:.2f}")
            label = f"{name} (false alarm)" if name == CONTROL else name
            any_share = sum(caught_any) / len(runs)
            print(_row([label, str(k), f"{len(runs)} of seeds {_seeds(common)}", *cells, f"{any_share:.2f}"]))
    print()
    print("### Shift of each statistic's mean, in the control's standard deviations (baseline seeds vs the pool's others)\n")
    statistics_heading = ["perturbation", "statistic", *[c.removeprefix("mlp-") for c in config_ids]]
    print(_row(statistics_heading))
    print(_row(["---"] * len(statistics_heading)))
    some = control[config_ids[0]][base_seeds[0]]
    numbers = [name for name in statistics if not isinstance(statistic_value(name, some), list)]  # a vector has no mean shift
    for name in [CONTROL, *perturbations]:
        pool = environment.pools[name]
        excluded = {*base_seeds} if name == CONTROL else {EXACT_SEED}
        for statistic in numbers:
            cells = []
            for config_id in config_ids:
                after = [pool[config_id][s] for s in sorted(pool.get(config_id, {})) if s not in excluded]
                if not after:
                    cells.append("-")
                    continue
                before = [control[config_id][s] for s in base_seeds]
                shift = shift_in_sd(before, after, statistic)
                cells.append("0 sd" if shift is None else f"{shift:+.1f}")
            if any(cell != "-" for cell in cells):
                print(_row([name, statistic, *cells]))
    print()


def _seeds(seeds: Sequence[int]) -> str:
    seeds = sorted(seeds)
    parts, start = [], None
    for index, seed in enumerate(seeds):
        if start is None:
            start = seed
        if index + 1 == len(seeds) or seeds[index + 1] != seed + 1:
            parts.append(str(start) if start == seed else f"{start}-{seed}")
            start = None
    return ",".join(parts)


def reference_outcomes(baselines: Path, profile: int = 0) -> dict[str, ProfileOutcomes]:
    """Per configuration, the outcomes of one profile of the committed MLP baselines (0: the reference)."""
    found = {}
    for path in sorted((baselines / "heart" / "mlp").glob("mlp-*.json")):
        if path.name.endswith(".obtained.json"):
            continue
        document = json.loads(path.read_text(encoding="utf-8"))
        entry = document["profiles"][profile]
        seeds = {int(seed): outcome for seed, outcome in entry["seeds"].items()}
        found[document["config_id"]] = ProfileOutcomes(entry["profile"], seeds, entry["provenance"])
    return found


def print_distances(run_files: Sequence[Path], baselines: Path, profile: int = 0, k: int = 5) -> None:
    """Each environment's records judged by the band against one profile of the committed baselines."""
    model = mlp()
    reference = reference_outcomes(baselines, profile)
    config_ids = [config_id for config_id in model.config_ids() if config_id in reference]
    some = next(iter(reference.values()))
    print(f"### Real environments against the baselines' profile {profile} ({', '.join(map(str, some.profile.values()))})\n")
    print("Per configuration: the band's p-value with all the environment's seeds (K), then the largest shift of a")
    print(f"number statistic in the baseline's standard deviations; with more than {k} seeds, the share of the")
    print(f"{k}-seed runs (every {k}-subset, at most {MAX_RUNS}) the band fails.\n")
    heading = ["environment", "seeds", *[c.removeprefix("mlp-") for c in config_ids]]
    print(_row(heading))
    print(_row(["---"] * len(heading)))
    for path in run_files:
        pool: Pool = {}
        first: dict[str, Any] = {}
        for record in json.loads(path.read_text(encoding="utf-8"))["records"]:
            pool.setdefault(record["config_id"], {})[int(record["seed"])] = record
            first = first or record
        cells = []
        for config_id in config_ids:
            seeds = sorted(pool.get(config_id, {}))
            if not seeds:
                cells.append("-")
                continue
            baseline = reference[config_id]
            config = model.configuration(config_id)
            verdict = band_tier(model, config, records(pool[config_id], seeds), baseline, "distance")
            p_value = verdict.detail.split(" ", 3)[2] if verdict.detail.startswith("p = ") else verdict.status
            before = [baseline.seeds[s] for s in sorted(baseline.seeds)]
            after = [pool[config_id][s] for s in seeds]
            shifts = {name: shift_in_sd(before, after, name) for name in ("n_correct", "loss", "brier", "mean_probability")}
            known = [(n, v) for n, v in shifts.items() if v is not None and math.isfinite(v)]  # inf: a zero-spread count moved
            name, value = max(known, key=lambda item: abs(item[1]), default=("-", 0.0))
            cell = f"{verdict.status} p={p_value}, {name} {value:+.1f}"
            if len(seeds) > k:
                runs = subsets(seeds, k, random.Random(k))
                judged = [band_tier(model, config, records(pool[config_id], run), baseline, "d") for run in runs]
                caught = sum(verdict.status == "moved" for verdict in judged)
                cell += f", K={k}: {caught}/{len(runs)} fail"
            cells.append(cell)
        environment = first.get("environment", {})
        packages = environment.get("packages", {})
        label = f"{path.stem} ({environment.get('cpu', '?')}; keras {packages.get('keras', '?')})"
        print(_row([label, _seeds(sorted({s for c in pool.values() for s in c})), *cells]))
    print()
