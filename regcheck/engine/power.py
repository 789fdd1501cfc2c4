"""Power planning for the band: how many seeds a model needs, and what a run of K seeds can see.

Everything here simulates the band as it judges (``regcheck.engine.band``'s minP test, every
statistic and score a model declares) on one configuration's blessed seeds, taken as the
distribution of its outcomes over seeds:

* **drawn**: each draw takes B baseline seeds and K run seeds from the blessed ones, independently
  and with replacement, as two environments that share a distribution but no per-seed values
  would (so the run's values are not the baseline's own, as they would be if the run were
  resampled from a fixed baseline). The band must hold: the share that fails is the false-alarm
  rate.
* **shifted**: the same, with one statistic of every run seed moved by d of its standard
  deviations over the blessed seeds (the others unchanged: the hardest case for a test over
  several statistics, since a real change moves loss, Brier score and mean probability together).
  A vector moves in every row (``all rows``) or in the row that varies most (``one row``). The
  smallest d on a grid caught in at least ``POWER`` of the draws is the table's cell.

Both for a fixed K (``fixed``) and for the sequential band (``regcheck.engine.sequential``), whose
draws take their seeds group by group as a run does. A statistic without spread over the blessed
seeds (a collapsed model's count) has no standard deviation; any change of it in every seed moves
it past every baseline value, so its cell says whether such a change is caught at all (``any``).

The simulations test with the run's precision (200,000 random subsets) but enumerate only up to
as many subsets (the run: up to 2 million), so a pool of 21 seeds, which a run enumerates, is
resampled here: the same test, its p-value off the run's by a standard error of about 0.00007
at p = 0.001.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from math import comb
from typing import TYPE_CHECKING, Literal

from regcheck.engine.band import ALPHA, RESAMPLES, component_arrays, configuration_alpha, min_p_values
from regcheck.engine.band_scores import scores_for
from regcheck.engine.sequential import SequentialPlan

if TYPE_CHECKING:
    import numpy as np

    from regcheck.engine.band import Value

POWER = 0.8
# Shifts tried, in the statistic's standard deviations over the blessed seeds.
SHIFTS = (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)
# The run's precision (200,000 random subsets), but enumerated only up to as many.
SIMULATION_RESAMPLES = RESAMPLES
SIMULATION_EXACT_LIMIT = RESAMPLES
Rows = Literal["all", "one"]


def reachable(baseline_seeds: int, run_seeds: int, level: float, components: int = 1) -> bool:
    """Whether an outcome of ``run_seeds`` against ``baseline_seeds`` can reach p < ``level``.

    The smallest p-value is one subset in C(B + K, K): the run's, when it is the most extreme in
    every component. When one statistic moves alone, each of the ``components`` has its own most
    extreme subset and minP counts them all: ``components`` / C(B + K, K).
    """
    return components / comb(baseline_seeds + run_seeds, run_seeds) < level


def baseline_seeds_needed(configurations: int, plan: SequentialPlan, alpha: float = ALPHA, components: int = 1) -> int:
    """The fewest baseline seeds with which every look of ``plan`` can say moved, at ``alpha`` per grid run.

    Each configuration's level is ``alpha / configurations``; look j spends its share of it, and
    a look that cannot reach its share can only hold or go on. ``components``: see ``reachable``
    (1: the band can fail at all; the model's number of components: a statistic moving alone can
    make it fail). Six blessed seeds and a five-seed run reach 1/462 at best: with five or more
    configurations a fixed five-seed band could never fail.
    """
    level = configuration_alpha(configurations, alpha)
    needed = 1
    for look, run_seeds in enumerate(plan.looks):
        share = plan.level_at(look, level)
        while share > 0 and not reachable(needed, run_seeds, share, components):
            needed += 1
    return needed


def fixed_seeds_needed(configurations: int, run_seeds: int, alpha: float = ALPHA, components: int = 1) -> int:
    """The fewest baseline seeds with which a fixed run of ``run_seeds`` can fail (see ``reachable``)."""
    level, needed = configuration_alpha(configurations, alpha), 1
    while not reachable(needed, run_seeds, level, components):
        needed += 1
    return needed


@dataclass(frozen=True)
class Population:
    """One configuration's blessed seeds: per statistic, seeds x columns (a number: one column), and its scores."""

    config_id: str
    values: Mapping[str, np.ndarray]
    scores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def seeds(self) -> int:
        return len(next(iter(self.values.values())))

    def is_vector(self, statistic: str) -> bool:
        return bool(self.values[statistic].shape[1] > 1)

    def components(self) -> list[tuple[str, tuple[str, ...]]]:
        """Per statistic, the scores it is tested by."""
        return [(name, scores_for(self.scores.get(name, ()), self.is_vector(name))) for name in self.values]


def population(
    config_id: str, seeds: Sequence[Mapping[str, Value]], scores: Mapping[str, tuple[str, ...]] | None = None
) -> Population:
    """From the blessed seeds' band statistics (one mapping per seed); a statistic some seed lacks is left out."""
    import numpy as np

    names = [name for name in seeds[0] if all(seed.get(name) is not None for seed in seeds)] if seeds else []
    values = {}
    for name in names:
        rows = [value if isinstance(value, list) else [value] for value in (seed[name] for seed in seeds)]
        if len({len(row) for row in rows}) == 1:
            values[name] = np.array(rows, dtype=float)
    return Population(config_id, values, dict(scores or {}))


@dataclass(frozen=True)
class Shift:
    """Move ``statistic`` of every run seed by ``size`` of its standard deviations (a vector: in ``rows``)."""

    statistic: str
    size: float
    rows: Rows = "all"


def standard_deviations(values: np.ndarray) -> np.ndarray:
    """Per column, the spread over the blessed seeds (ddof 1)."""
    import numpy as np

    return np.asarray(values.std(axis=0, ddof=1) if len(values) > 1 else values.std(axis=0) * 0)


def _offset(population: Population, shift: Shift) -> np.ndarray:
    """What ``shift`` adds to each column of its statistic; a column without spread moves by one of its units."""
    import numpy as np

    values = population.values[shift.statistic]
    spread = standard_deviations(values)
    offset = np.where(spread > 0, shift.size * spread, 1.0 if shift.size else 0.0)
    if shift.rows == "one":
        keep = np.zeros_like(offset)
        keep[int(spread.argmax())] = 1.0
        offset = offset * keep
    return np.asarray(offset)


@dataclass
class Draws:
    """Seed indices drawn once and reused for every shift (common random numbers: a smoother power curve)."""

    baseline: np.ndarray  # draws x B
    run: np.ndarray  # draws x K (the sequential band's cap)


def draw(population: Population, draws: int, run_seeds: int, generator: np.random.Generator) -> Draws:
    size = population.seeds
    return Draws(generator.integers(0, size, (draws, size)), generator.integers(0, size, (draws, run_seeds)))


def p_values(population: Population, chosen: Draws, run_seeds: int, shift: Shift | None = None,
             rows: np.ndarray | None = None) -> np.ndarray:  # fmt: skip
    """The band's p-value of each draw (or of the draws ``rows``), with the first ``run_seeds`` of its run seeds."""
    import numpy as np

    picked = slice(None) if rows is None else rows
    baseline, run = chosen.baseline[picked], chosen.run[picked, :run_seeds]
    scores: list[str] = []
    pooled: list[np.ndarray] = []
    for name, tested in population.components():
        values = population.values[name]
        after = values[run] + (_offset(population, shift) if shift and shift.statistic == name else 0.0)
        scores += tested
        pooled += component_arrays(tested, np.concatenate([values[baseline], after], axis=1))
    if not pooled or not len(baseline):
        return np.ones(len(baseline))
    found, _ = min_p_values(scores, pooled, run_seeds, SIMULATION_RESAMPLES, SIMULATION_EXACT_LIMIT)
    return np.asarray(found.min(axis=1))


def fixed_moved(population: Population, chosen: Draws, run_seeds: int, level: float, shift: Shift | None = None) -> float:
    """The share of draws a fixed band run of ``run_seeds`` judges moved."""
    return float((p_values(population, chosen, run_seeds, shift) < level).mean())


@dataclass(frozen=True)
class SequentialRates:
    """What the sequential band did over the draws: the share moved, the mean run seeds, the share stopped at each look."""

    moved: float
    mean_seeds: float
    stopped: tuple[float, ...]


def sequential_rates(population: Population, chosen: Draws, plan: SequentialPlan, level: float,
                     shift: Shift | None = None) -> SequentialRates:  # fmt: skip
    """Run ``plan`` on every draw: look after each group, stop where the answer is clear, as a run does."""
    import numpy as np

    total = len(chosen.run)
    open_rows = np.arange(total)
    moved = np.zeros(total, dtype=bool)
    seeds = np.zeros(total)
    stopped = []
    for look, run_seeds in enumerate(plan.looks):
        if not len(open_rows):
            stopped.append(0.0)
            continue
        found = p_values(population, chosen, run_seeds, shift, open_rows)
        decisions = np.array([plan.decide(look, float(p), level) for p in found])
        seeds[open_rows] = run_seeds
        moved[open_rows[decisions == "moved"]] = True
        stopped.append(float((decisions != "open").sum()) / total)
        open_rows = open_rows[decisions == "open"]
    return SequentialRates(float(moved.mean()), float(seeds.mean()), tuple(stopped))


Design = int | SequentialPlan


def caught(population: Population, chosen: Draws, design: Design, level: float, shift: Shift | None) -> float:
    if isinstance(design, SequentialPlan):
        return sequential_rates(population, chosen, design, level, shift).moved
    return fixed_moved(population, chosen, design, level, shift)


def smallest_shift(population: Population, chosen: Draws, design: Design, level: float, statistic: str,
                   rows: Rows = "all") -> float | None:  # fmt: skip
    """The smallest shift on ``SHIFTS`` caught in at least ``POWER`` of the draws (power rises with the shift:
    a search by halves), or None beyond the largest; for a statistic without spread, 0 when any change is caught."""
    spread = standard_deviations(population.values[statistic])
    if not (spread > 0).any():
        return 0.0 if caught(population, chosen, design, level, Shift(statistic, 1.0, rows)) >= POWER else None
    low, high = 0, len(SHIFTS) - 1
    if caught(population, chosen, design, level, Shift(statistic, SHIFTS[high], rows)) < POWER:
        return None
    while low < high:
        middle = (low + high) // 2
        if caught(population, chosen, design, level, Shift(statistic, SHIFTS[middle], rows)) >= POWER:
            high = middle
        else:
            low = middle + 1
    return SHIFTS[low]


@dataclass(frozen=True)
class Cell:
    """One statistic (a vector: ``rows``) under one design: the smallest shift caught in 80%, and the power at 2 sd."""

    statistic: str
    rows: Rows | None
    smallest: float | None
    at_two: float


@dataclass(frozen=True)
class ConfigurationPower:
    """One configuration: per design, the false-alarm rate, the cells, and (sequential) the mean seeds when nothing changed."""

    config_id: str
    baseline_seeds: int
    false_alarm: dict[str, float]
    cells: dict[str, list[Cell]]
    mean_seeds: float


def design_name(design: Design) -> str:
    return "sequential" if isinstance(design, SequentialPlan) else f"K={design}"


def configuration_power(population: Population, designs: Sequence[Design], level: float, draws: int,
                        generator: np.random.Generator) -> ConfigurationPower:  # fmt: skip
    """Every design's false-alarm rate and smallest shifts for one configuration."""
    cap = max(design.cap if isinstance(design, SequentialPlan) else design for design in designs)
    chosen = draw(population, draws, cap, generator)
    false_alarm, cells, mean_seeds = {}, {}, math.nan
    for design in designs:
        name = design_name(design)
        if isinstance(design, SequentialPlan):
            rates = sequential_rates(population, chosen, design, level)
            false_alarm[name], mean_seeds = rates.moved, rates.mean_seeds
        else:
            false_alarm[name] = fixed_moved(population, chosen, design, level)
        found = []
        for statistic in population.values:
            for rows in ("all", "one") if population.is_vector(statistic) else (None,):
                smallest = smallest_shift(population, chosen, design, level, statistic, rows or "all")
                at_two = caught(population, chosen, design, level, Shift(statistic, 2.0, rows or "all"))
                found.append(Cell(statistic, rows, smallest, at_two))
        cells[name] = found
    return ConfigurationPower(population.config_id, population.seeds, false_alarm, cells, mean_seeds)


def per_grid_run(rates: Sequence[float]) -> float:
    """The chance that at least one of the configurations fails in a run of the grid (independent configurations)."""
    held = 1.0
    for rate in rates:
        held *= 1 - rate
    return 1 - held
