"""The band rule: an exact permutation test on counts out of 61, robust to ties and two modes."""

from __future__ import annotations

import itertools

import pytest

from regcheck.engine.band import ALPHA, compare_band, min_seeds, permutation_p_value

UNIMODAL = [51, 51, 50, 50, 51, 51, 50, 51, 52, 51, 51]
BIMODAL = [32, 32, 32, 53, 32, 32, 32, 32, 53, 32, 32]


def brute_force_p_value(baseline: list[int], obtained: list[int]) -> float:
    pool = baseline + obtained
    n, k = len(pool), len(obtained)
    observed = abs(sum(obtained) / k - (sum(pool) - sum(obtained)) / (n - k))
    subsets = list(itertools.combinations(range(n), k))
    extreme = 0
    for subset in subsets:
        chosen = sum(pool[i] for i in subset)
        if abs(chosen / k - (sum(pool) - chosen) / (n - k)) >= observed - 1e-12:
            extreme += 1
    return extreme / len(subsets)


@pytest.mark.parametrize(
    ("baseline", "obtained"),
    [(UNIMODAL, [50, 52, 51, 49, 53]), (BIMODAL, [32, 53, 53, 32, 32]), ([32] * 11, [32, 32, 33, 32, 32])],
)
def test_p_value_equals_brute_force_enumeration(baseline: list[int], obtained: list[int]) -> None:
    assert permutation_p_value(baseline, obtained) == pytest.approx(brute_force_p_value(baseline, obtained), abs=1e-12)


def test_run_equal_to_a_zero_spread_baseline_holds_with_p_one() -> None:
    result = compare_band([32] * 11, [32] * 5)
    assert result.holds
    assert result.p_value == 1.0


def test_one_seed_in_the_rare_mode_of_a_bimodal_baseline_holds() -> None:
    assert compare_band(BIMODAL, [32, 32, 53, 32, 32]).holds


def test_every_seed_in_the_other_mode_fails() -> None:
    result = compare_band(BIMODAL, [53, 53, 53, 53, 53])
    assert not result.holds
    assert result.p_value < ALPHA


def test_whole_distribution_shifted_by_two_counts_fails() -> None:
    assert not compare_band(UNIMODAL, [value + 2 for value in UNIMODAL[:5]]).holds


def test_one_count_more_on_a_zero_spread_baseline_for_every_seed_fails() -> None:
    assert not compare_band([52] * 11, [53] * 5).holds


def test_three_seeds_are_the_fewest_that_can_fail_against_eleven() -> None:
    assert min_seeds(11) == 3
    assert compare_band([52] * 11, [60, 60]).holds  # two seeds can never reach p < 0.01
    assert not compare_band([52] * 11, [60, 60, 60]).holds


def test_failure_description_names_mean_spread_and_seed_count() -> None:
    result = compare_band(BIMODAL, [53] * 5)
    assert result.describe(result.obtained_counts) == "mean 53.00 over 5 seeds (53)"
    assert result.describe(result.baseline_counts) == "mean 35.82 over 11 seeds (32-53)"
    assert result.rule == "band: exact permutation test on the mean, p >= 0.01"
