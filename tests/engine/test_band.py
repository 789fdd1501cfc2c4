"""The band rule: an exact permutation test, minP over several per-seed statistics, robust to ties and two modes."""

from __future__ import annotations

import itertools
import random
import statistics
from typing import Any

import pytest

from regcheck.engine import band
from regcheck.engine.band import (
    ALPHA,
    band_test,
    compare_band,
    configuration_alpha,
    min_seeds,
    permutation_p_value,
    statistic_value,
)

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


def test_three_seeds_are_the_fewest_that_can_fail_against_eleven_at_one_percent() -> None:
    assert min_seeds(11) == 3
    assert compare_band([52] * 11, [60, 60]).holds  # two seeds can never reach p < 0.01
    assert not compare_band([52] * 11, [60, 60, 60]).holds


def test_four_seeds_are_the_fewest_that_can_fail_against_eleven_at_the_grid_level() -> None:
    level = configuration_alpha(9)
    assert min_seeds(11, level) == 4
    assert compare_band([52] * 11, [60, 60, 60], level).holds  # 1 / C(14, 3) = 0.0027 > 0.0011
    assert not compare_band([52] * 11, [60] * 4, level).holds


def test_failure_description_names_mean_spread_and_seed_count() -> None:
    result = compare_band(BIMODAL, [53] * 5)
    assert result.describe(result.obtained_counts) == "mean 53.00 over 5 seeds (53)"
    assert result.describe(result.baseline_counts) == "mean 35.82 over 11 seeds (32-53)"
    assert result.rule == "band: exact permutation test on the mean, p >= 0.01"


LOSS = [0.547, 0.552, 0.546, 0.507, 0.553, 0.529, 0.551, 0.556, 0.554, 0.571, 0.547]
MEAN_P = [0.466, 0.461, 0.458, 0.471, 0.455, 0.466, 0.456, 0.456, 0.456, 0.463, 0.452]


def anderson_darling(chosen: list[float], rest: list[float]) -> float:
    """The two-sample Anderson-Darling distance by its definition: the gap between the two samples' distribution functions."""
    pool = chosen + rest
    total = 0.0
    for point in sorted(set(pool))[:-1]:
        share = sum(v <= point for v in pool) / len(pool)
        at = sum(v == point for v in pool) / len(pool)
        gap = sum(v <= point for v in chosen) / len(chosen) - sum(v <= point for v in rest) / len(rest)
        total += at * gap**2 / (share * (1 - share))
    return total


def brute_force_min_p(baseline: dict[str, list[Any]], obtained: dict[str, list[Any]],
                      distribution: tuple[str, ...] = ()) -> float:  # fmt: skip
    """The minP p-value by its definition, one subset at a time: per number its mean (and its distribution where
    asked), per vector the sum of squares over its rows and its largest row."""
    names = list(baseline)
    columns: dict[str, list[list[float]]] = {}
    raw: dict[str, list[float]] = {}
    for name in names:
        pool = [value if isinstance(value, list) else [value] for value in baseline[name] + obtained[name]]
        by_row = [list(row) for row in zip(*pool)]
        columns[name] = [[(v - statistics.fmean(row)) / statistics.pstdev(row) for v in row] for row in by_row]
        raw[name] = [row[0] for row in pool]
    n, k = len(baseline[names[0]]) + len(obtained[names[0]]), len(obtained[names[0]])
    subsets = list(itertools.combinations(range(n), k))

    def sums(name: str, subset: tuple[int, ...]) -> list[float]:
        return [sum(row[i] for i in subset) for row in columns[name]]

    components = []
    for name in names:
        components.append(lambda subset, name=name: sum(value**2 for value in sums(name, subset)))
        if isinstance(baseline[name][0], list):
            components.append(lambda subset, name=name: max(abs(value) for value in sums(name, subset)))
        if name in distribution:
            components.append(lambda subset, name=name: anderson_darling(
                [raw[name][i] for i in subset], [raw[name][i] for i in range(n) if i not in subset]))  # fmt: skip
    scores = [[component(subset) for subset in subsets] for component in components]

    def p_of(index: int, value: float) -> float:
        return sum(other >= value - 1e-9 * (1 + abs(value)) for other in scores[index]) / len(subsets)

    smallest = [min(p_of(c, scores[c][i]) for c in range(len(components))) for i in range(len(subsets))]
    own = tuple(range(n - k, n))
    observed = min(p_of(c, component(own)) for c, component in enumerate(components))
    return sum(value <= observed * (1 + 1e-9) for value in smallest) / len(subsets)


def test_real_valued_statistic_p_value_equals_brute_force_enumeration() -> None:
    run = [0.560, 0.571, 0.549, 0.566, 0.558]
    assert band_test({"loss": LOSS}, {"loss": run}).p_value == pytest.approx(
        brute_force_min_p({"loss": LOSS}, {"loss": run}), abs=1e-12
    )


def test_min_p_over_numbers_and_a_vector_equals_brute_force_enumeration() -> None:
    rows = [[0.1 + 0.07 * seed, 0.9 - 0.05 * seed, 0.5 + 0.01 * (seed % 3)] for seed in range(11)]
    baseline = {"n_correct": [float(v) for v in UNIMODAL], "loss": LOSS, "probabilities": rows}
    run_rows = [[0.4, 0.6, 0.52], [0.3, 0.7, 0.5], [0.5, 0.5, 0.51], [0.2, 0.8, 0.5], [0.6, 0.4, 0.52]]
    obtained = {"n_correct": [50.0, 52, 51, 49, 53], "loss": [0.56, 0.57, 0.55, 0.56, 0.55], "probabilities": run_rows}
    assert band_test(baseline, obtained).p_value == pytest.approx(brute_force_min_p(baseline, obtained), abs=1e-12)


def test_rows_that_move_in_opposite_directions_fail_where_every_average_holds() -> None:
    rng = random.Random(3)
    base = [[0.5 + rng.gauss(0, 0.02), 0.5 + rng.gauss(0, 0.02)] for _ in range(11)]
    run = [[0.6 + rng.gauss(0, 0.02), 0.4 + rng.gauss(0, 0.02)] for _ in range(5)]  # one row up, the other down

    def means(seeds: list[list[float]]) -> list[float]:
        return [sum(seed) / 2 for seed in seeds]

    level = configuration_alpha(9)
    assert band_test({"mean_probability": means(base)}, {"mean_probability": means(run)}, level).holds
    result = band_test({"mean_probability": means(base), "probabilities": base},
                       {"mean_probability": means(run), "probabilities": run}, level)  # fmt: skip
    assert not result.holds
    assert [shift.name for shift in result.moved] == ["probabilities"]
    assert result.moved[0].rows == 2
    assert result.moved[0].largest.startswith("row ")


def test_a_loss_shifted_for_every_seed_fails_where_the_counts_alone_hold() -> None:
    counts = [51, 51, 50, 53, 51]
    shifted = [value + 0.06 for value in LOSS[:5]]  # about three standard deviations of the baseline's loss
    baseline = {"n_correct": [float(v) for v in UNIMODAL], "loss": LOSS}
    result = band_test(baseline, {"n_correct": [float(v) for v in counts], "loss": shifted}, configuration_alpha(9))
    assert compare_band(UNIMODAL, counts).holds
    assert not result.holds
    assert [shift.name for shift in result.moved] == ["loss"]


def test_a_statistic_equal_for_every_seed_on_both_sides_is_left_out_and_named() -> None:
    result = band_test({"n_correct": [32.0] * 11, "loss": LOSS}, {"n_correct": [32.0] * 5, "loss": LOSS[:5]})
    assert result.holds
    assert result.constant == ("n_correct",)
    assert result.rule == "band: exact permutation test on the mean, p >= 0.01"  # only the loss was tested


def test_a_statistic_with_a_different_number_of_rows_per_seed_is_refused() -> None:
    with pytest.raises(ValueError, match="probabilities: every seed needs the same number of values"):
        band_test({"probabilities": [[0.1, 0.2]] * 11}, {"probabilities": [[0.1]] * 5})


def test_configuration_level_is_the_run_level_shared_by_the_configurations() -> None:
    assert configuration_alpha(9) == pytest.approx(ALPHA / 9)
    assert 1 - (1 - configuration_alpha(9)) ** 9 <= ALPHA  # independent configurations: at most 1% per run


def test_false_alarm_rate_on_exchangeable_seeds_stays_within_the_level() -> None:
    rng = random.Random(0)
    level, draws = 0.05, 400
    alarms = 0
    for _ in range(draws):
        seeds = [(rng.gauss(0, 1), rng.gauss(0, 1)) for _ in range(16)]  # two correlated-by-nothing statistics
        baseline, run = seeds[:11], seeds[11:]
        alarms += not band_test({"a": [s[0] for s in baseline], "b": [s[1] for s in baseline]},
                                {"a": [s[0] for s in run], "b": [s[1] for s in run]}, level).holds  # fmt: skip
    assert alarms / draws <= level + 3 * (level * (1 - level) / draws) ** 0.5


def test_resampled_p_value_beyond_the_enumeration_limit_is_reproducible_and_close(monkeypatch: pytest.MonkeyPatch) -> None:
    baseline, obtained = {"loss": LOSS}, {"loss": [0.560, 0.571, 0.549, 0.566, 0.558]}
    exact = band_test(baseline, obtained)
    monkeypatch.setattr(band, "INDICATOR_LIMIT", 0)
    monkeypatch.setattr(band, "EXACT_LIMIT", 100)
    first, second = band_test(baseline, obtained), band_test(baseline, obtained)
    assert not first.exact
    assert first.p_value == second.p_value
    assert first.p_value == pytest.approx(exact.p_value, abs=0.005)
    assert first.rule.startswith("band: permutation test (200000 random subsets)")


def test_brier_score_and_mean_probability_come_from_probabilities_and_true_labels() -> None:
    fields = {"probabilities": [0.9, 0.2, 0.6, 0.4], "true_labels": [1, 0, 0, 1]}
    assert statistic_value("brier", fields) == pytest.approx((0.01 + 0.04 + 0.36 + 0.36) / 4)
    assert statistic_value("mean_probability", fields) == pytest.approx(0.525)
    assert statistic_value("loss", {"loss": 0.5}) == 0.5
    assert statistic_value("brier", {"probabilities": [0.3], "true_labels": [2.5]}) is None  # not a binary outcome
    assert statistic_value("loss", {}) is None
