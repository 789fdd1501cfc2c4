"""The sequential band's plan: its looks, the level each spends, when it stops, and its cost when nothing changed."""

from __future__ import annotations

import random

import pytest

from regcheck.engine.band import band_test
from regcheck.engine.sequential import DEFAULT_PLAN, SequentialPlan, seeds_at

SMALL = SequentialPlan(looks=(3, 6), spending=(0.3, 1.0), futility=(0.2,))


def test_the_looks_spend_the_whole_level_and_no_more() -> None:
    shares = [DEFAULT_PLAN.level_at(look, 0.009) for look in range(len(DEFAULT_PLAN.looks))]
    assert sum(shares) == pytest.approx(0.009)
    assert shares == pytest.approx([0.0009, 0.0018, 0.0027, 0.0036])


def test_a_look_says_moved_below_its_share_held_at_or_above_its_futility_bound_and_open_between() -> None:
    assert DEFAULT_PLAN.decide(0, 0.00005, 0.001) == "moved"  # below 10% of the level
    assert DEFAULT_PLAN.decide(0, 0.1, 0.001) == "held"
    assert DEFAULT_PLAN.decide(0, 0.0002, 0.001) == "open"
    assert DEFAULT_PLAN.decide(3, 0.0002, 0.001) == "moved"  # the last look spends 40%
    assert DEFAULT_PLAN.decide(3, 0.05, 0.001) == "held"  # the last look: held whatever the bound


def test_the_default_plan_takes_at_most_six_seeds_on_average_when_nothing_changed_by_construction() -> None:
    assert DEFAULT_PLAN.seeds_bound() == pytest.approx(5 + 5 * 0.1 + 5 * 0.05 + 5 * 0.02)
    assert DEFAULT_PLAN.seeds_bound() <= 6


@pytest.mark.parametrize(
    ("looks", "spending", "futility", "message"),
    [
        ((5, 5), (0.5, 1.0), (0.1,), "looks must be increasing"),
        ((5, 10), (0.5, 0.9), (0.1,), "spending must end at 1"),
        ((5, 10), (0.6, 0.5), (0.1,), "spending must give each look a cumulative share"),
        ((5, 10), (0.5, 1.0), (), "futility needs one bound"),
        ((5, 10), (0.5, 1.0), (0.0,), "futility needs one bound in"),
    ],
)
def test_an_inconsistent_plan_is_refused_when_made(looks: tuple[int, ...], spending: tuple[float, ...],
                                                   futility: tuple[float, ...], message: str) -> None:  # fmt: skip
    with pytest.raises(ValueError, match=message):
        SequentialPlan(looks, spending, futility)


def test_added_seeds_follow_the_models_band_seeds() -> None:
    assert seeds_at((0, 1, 2, 3, 4), 10) == tuple(range(10))
    assert seeds_at((7, 3), 4) == (7, 3, 8, 9)
    assert seeds_at((0, 1, 2, 3, 4), 3) == (0, 1, 2)


def sequential(baseline: list[float], run: list[float], plan: SequentialPlan, level: float) -> tuple[str, int]:
    """The plan on one run, look by look, as the run loop applies it: (answer, seeds used)."""
    for look, seeds in enumerate(plan.looks):
        decision = plan.decide(look, band_test({"x": baseline}, {"x": run[:seeds]}, level).p_value, level)
        if decision != "open":
            return decision, seeds
    raise AssertionError("the last look always answers")


def test_false_alarms_stay_within_the_level_and_seeds_within_the_bound_on_exchangeable_seeds() -> None:
    rng = random.Random(2)
    level, draws = 0.05, 300
    answers = [sequential([rng.gauss(0, 1) for _ in range(8)], [rng.gauss(0, 1) for _ in range(6)], SMALL, level)
               for _ in range(draws)]  # fmt: skip
    alarms = sum(answer == "moved" for answer, _ in answers) / draws
    assert alarms <= level + 3 * (level * (1 - level) / draws) ** 0.5
    assert sum(seeds for _, seeds in answers) / draws <= SMALL.seeds_bound() + 0.3


def test_a_large_shift_stops_at_the_first_look_and_a_middling_one_goes_on_to_the_cap() -> None:
    rng = random.Random(4)
    baseline = [rng.gauss(0, 1) for _ in range(20)]
    assert sequential(baseline, [10.0 + rng.gauss(0, 1) for _ in range(6)], SMALL, 0.01) == ("moved", 3)
    # p = 0.06 after three seeds (open: above 30% of the level 0.02, below the futility bound), 0.008 after six.
    assert sequential(baseline, [1.2, 1.0, 1.4, 1.1, 1.3, 1.2], SMALL, 0.02) == ("moved", 6)
