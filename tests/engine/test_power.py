"""Power planning: how many baseline seeds the band needs, and what the simulation of the band says, on small cases."""

from __future__ import annotations

import numpy as np
import pytest

from regcheck.engine import power
from regcheck.engine.sequential import DEFAULT_PLAN, SequentialPlan


def test_six_blessed_seeds_and_five_run_cannot_judge_five_configurations_and_seven_can() -> None:
    # 1 / C(11, 5) = 1/462 = 0.00216 > 0.01 / 5: every verdict would be an error (issue 21).
    assert not power.reachable(6, 5, 0.01 / 5)
    assert power.fixed_seeds_needed(5, 5) == 7
    assert power.reachable(7, 5, 0.01 / 5)


def test_every_look_of_the_default_plan_can_say_moved_with_the_seeds_the_planner_asks_for() -> None:
    for configurations in (1, 3, 6, 9):
        needed = power.baseline_seeds_needed(configurations, DEFAULT_PLAN)
        level = 0.01 / configurations
        assert all(power.reachable(needed, k, DEFAULT_PLAN.level_at(j, level)) for j, k in enumerate(DEFAULT_PLAN.looks))
        assert not power.reachable(needed - 1, 5, DEFAULT_PLAN.level_at(0, level))


def test_a_family_of_statistics_needs_more_seeds_than_one_statistic() -> None:
    # One statistic moving alone while five others do not: the run's subset shares the top with five others.
    assert power.baseline_seeds_needed(9, DEFAULT_PLAN, components=6) > power.baseline_seeds_needed(9, DEFAULT_PLAN)


def normal_population(seeds: int = 20) -> power.Population:
    generator = np.random.default_rng(1)
    return power.Population("x", {"x": generator.normal(0, 1, (seeds, 1))})


def test_the_simulated_power_rises_with_the_shift_and_the_false_alarms_stay_at_the_level() -> None:
    population = normal_population()
    chosen = power.draw(population, 200, 10, np.random.default_rng(0))
    level = 0.05
    null = power.fixed_moved(population, chosen, 10, level)
    small = power.fixed_moved(population, chosen, 10, level, power.Shift("x", 0.5))
    large = power.fixed_moved(population, chosen, 10, level, power.Shift("x", 2.0))
    assert null <= level + 3 * (level * (1 - level) / 200) ** 0.5
    assert null < small < large
    assert large > 0.9


def test_the_smallest_shift_caught_is_on_the_grid_and_larger_with_fewer_seeds() -> None:
    population = normal_population()
    chosen = power.draw(population, 100, 10, np.random.default_rng(0))
    few = power.smallest_shift(population, chosen, 3, 0.01, "x")
    many = power.smallest_shift(population, chosen, 10, 0.01, "x")
    assert few in power.SHIFTS and many in power.SHIFTS
    assert many < few


def test_a_statistic_without_spread_is_caught_at_any_change_once_the_seeds_can_reach_the_level() -> None:
    population = power.Population("collapsed", {"n_correct": np.full((11, 1), 32.0)})
    chosen = power.draw(population, 20, 5, np.random.default_rng(0))
    assert power.smallest_shift(population, chosen, 5, 0.001, "n_correct") == 0.0  # 1 / C(16, 5) < 0.001
    assert power.smallest_shift(population, chosen, 2, 0.001, "n_correct") is None  # 1 / C(13, 2) > 0.001


def test_the_sequential_simulation_stops_most_unchanged_draws_at_the_first_look() -> None:
    plan = SequentialPlan(looks=(4, 8), spending=(0.3, 1.0), futility=(0.2,))
    population = normal_population()
    chosen = power.draw(population, 200, 8, np.random.default_rng(3))
    rates = power.sequential_rates(population, chosen, plan, 0.05)
    assert rates.moved <= 0.05 + 3 * (0.05 * 0.95 / 200) ** 0.5
    assert rates.mean_seeds <= plan.seeds_bound() + 0.3
    assert rates.stopped[0] > 0.7
    shifted = power.sequential_rates(population, chosen, plan, 0.05, power.Shift("x", 2.0))
    assert shifted.moved > 0.8


def test_one_row_of_a_vector_moves_alone() -> None:
    population = power.Population("v", {"p": np.random.default_rng(2).normal(0, [1.0, 3.0, 2.0], (10, 3))})
    offset = power._offset(population, power.Shift("p", 2.0, "one"))
    assert offset[0] == 0 and offset[2] == 0 and offset[1] > 0  # the row that varies most


@pytest.mark.parametrize("rates", [[0.0, 0.0], [0.001] * 9])
def test_the_rate_per_grid_run_compounds_the_configurations(rates: list[float]) -> None:
    assert power.per_grid_run(rates) == pytest.approx(1 - np.prod([1 - r for r in rates]))
