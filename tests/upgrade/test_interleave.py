"""The timing rounds' order (OLD, NEW, OLD, NEW ...) and how one environment's rounds are pooled and judged."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from regcheck.files.benchmark import BenchmarkRun, Timing
from regcheck.timing.compare import judge_change
from regcheck.upgrade.interleave import case_key, interleaved, pool_rounds, pooled


def test_the_rounds_alternate_between_the_two_environments() -> None:
    assert interleaved(3) == [(0, "old"), (0, "new"), (1, "old"), (1, "new"), (2, "old"), (2, "new")]


def test_no_environment_runs_twice_in_a_row() -> None:
    order = [side for _, side in interleaved(5)]
    assert all(first != second for first, second in pairwise(order))
    assert order.count("old") == order.count("new") == 5


def test_no_rounds_no_timings() -> None:
    assert interleaved(0) == []


def timing(median: float, config_id: str = "logreg-l1-C0.1", phase: str = "fit") -> Timing:
    extra = {"model": "logreg", "phase": phase, "config_id": config_id}
    return Timing(f"test_{phase}[{config_id}]", f"{config_id} {phase}", "g", median, median, median, 0.0, median, median, 50,
                  extra)  # fmt: skip


def test_a_case_is_known_by_its_configuration_and_phase_and_a_grid_by_its_model() -> None:
    assert case_key(timing(1.0)) == ("logreg-l1-C0.1", "fit")
    grid = Timing("test_grid", "grid", "g", 1, 1, 1, 0, 1, 1, 5, {"model": "logreg", "phase": "grid", "config_id": None})
    assert case_key(grid) == ("logreg", "grid")
    assert case_key(Timing("test_other", "other", "g", 1, 1, 1, 0, 1, 1, 5, {})) is None


def test_rounds_pool_into_one_timing_of_their_medians() -> None:
    pool = pooled([timing(3.0), timing(1.0), timing(2.0)])
    assert (pool.median, pool.min, pool.max, pool.rounds) == (2.0, 1.0, 3.0, 3)
    assert (pool.q1, pool.q3) == (1.25, 2.75)  # pytest-benchmark's quartiles of three rounds


def runs(*medians: float) -> list[BenchmarkRun]:
    return [BenchmarkRun(Path(f"round{index}.json"), f"round {index}", {}, {}, "", {"case": timing(value)})
            for index, value in enumerate(medians)]  # fmt: skip


def test_pooled_rounds_are_judged_by_regcheck_compares_noise_rule() -> None:
    old = pool_rounds(runs(1.00, 1.02, 0.99))[("logreg-l1-C0.1", "fit")]
    slower = pool_rounds(runs(1.30, 1.31, 1.29))[("logreg-l1-C0.1", "fit")]
    noisy = pool_rounds(runs(0.80, 1.40, 1.00))[("logreg-l1-C0.1", "fit")]
    assert judge_change(old, slower, 1.0).status == "slower"
    assert judge_change(old, noisy, 1.0).status in ("ok", "overlap")  # its quartiles reach below OLD's


def test_two_rounds_are_too_few_to_judge() -> None:
    old, new = pooled([timing(1.0), timing(1.0)]), pooled([timing(2.0), timing(2.0)])
    assert judge_change(old, new, 1.0).status == "unjudged"


@pytest.mark.parametrize("rounds", [1, 2, 7])
def test_each_environment_gets_every_round_number_once(rounds: int) -> None:
    order = interleaved(rounds)
    for side in ("old", "new"):
        assert [number for number, name in order if name == side] == list(range(rounds))
