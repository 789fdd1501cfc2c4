"""The band's scores: a vector's largest row, a number's distribution, and how a model declares them."""

from __future__ import annotations

import random

import pytest

from regcheck.engine.band import band_test, configuration_alpha
from regcheck.engine.band_scores import scores_for, scores_problem
from tests.engine.test_band import brute_force_min_p

COUNTS = [51.0, 51, 50, 50, 51, 51, 50, 51, 52, 51, 51]


def importances(rng: random.Random, moved: int = 0) -> list[float]:
    """64 feature importances of one seed's forest, a few large and many small; the ``moved`` largest halved."""
    values = [0.2 / (1 + row) + rng.gauss(0, 0.004) for row in range(64)]
    return [value / 2 if row < moved else value for row, value in enumerate(values)]


def test_a_change_in_two_of_64_importances_is_caught_by_the_largest_row_where_the_sum_of_squares_holds() -> None:
    rng = random.Random(5)
    baseline = [importances(rng) for _ in range(11)]
    run = [importances(rng, moved=2) for _ in range(5)]
    level = configuration_alpha(9)
    diluted = band_test({"importances": baseline}, {"importances": run}, level, {"importances": ("mean",)})
    both = band_test({"importances": baseline}, {"importances": run}, level)
    assert diluted.holds  # the sum over 64 rows: two moved rows drown in the 62 that did not
    assert not both.holds
    assert both.moved[0].score == "largest"
    assert both.tested == ("importances", "importances (largest row)")


def test_a_wider_spread_with_the_same_mean_is_caught_by_the_spread_where_the_mean_holds() -> None:
    rng = random.Random(1)
    baseline = [rng.gauss(0, 1) for _ in range(20)]
    run = [-4.0, 4.1, -3.9, 4.0, -4.2, 3.8]  # mean about 0, spread four times the baseline's
    level = configuration_alpha(9)
    assert band_test({"loss": baseline}, {"loss": run}, level).holds
    result = band_test({"loss": baseline}, {"loss": run}, level, {"loss": ("mean", "spread")})
    assert not result.holds
    assert result.moved[0].score == "spread"
    assert result.rule == "band: exact permutation test, minP over loss, loss (spread), p >= 0.0011"


def test_spread_p_value_equals_brute_force_enumeration() -> None:
    import itertools
    import statistics

    baseline, run = [0.1, 0.5, 0.2, 0.9, 0.4, 0.45, 0.3], [0.0, 1.2, 0.35, 1.0]
    pool = baseline + run
    mean, sd = statistics.fmean(pool), statistics.pstdev(pool)
    z2 = [((v - mean) / sd) ** 2 - 1 for v in pool]
    subsets = list(itertools.combinations(range(len(pool)), len(run)))
    observed = abs(sum(z2[len(baseline) :]))
    expected = sum(abs(sum(z2[i] for i in subset)) >= observed - 1e-9 for subset in subsets) / len(subsets)
    assert band_test({"x": baseline}, {"x": run}, scores={"x": ("spread",)}).p_value == pytest.approx(expected, abs=1e-12)


def test_distribution_p_value_with_tied_counts_equals_brute_force_enumeration() -> None:
    obtained = {"n_correct": [53.0, 50, 53, 49, 51]}
    found = band_test({"n_correct": COUNTS}, obtained, scores={"n_correct": ("default", "distribution")})
    assert found.p_value == pytest.approx(brute_force_min_p({"n_correct": COUNTS}, obtained, ("n_correct",)), abs=1e-12)


def test_distribution_p_value_is_the_same_whether_the_run_or_the_baseline_is_the_smaller_side() -> None:
    # Enumerating the smaller side's subsets (here the baseline's 4 of 11) must order them as the run's would.
    baseline, run = [0.1, 0.5, 0.2, 0.9], [0.3, 0.35, 0.4, 0.3, 0.8, 0.45, 0.33]
    found = band_test({"x": baseline}, {"x": run}, scores={"x": ("distribution",)})
    assert found.p_value == pytest.approx(_distribution_only(baseline, run), abs=1e-12)
    assert found.rule == "band: exact permutation test on the distribution, p >= 0.01"


def _distribution_only(baseline: list[float], run: list[float]) -> float:
    import itertools

    from tests.engine.test_band import anderson_darling

    pool = baseline + run
    n, k = len(pool), len(run)
    subsets = list(itertools.combinations(range(n), k))

    def score(subset: tuple[int, ...]) -> float:
        return anderson_darling([pool[i] for i in subset], [pool[i] for i in range(n) if i not in subset])

    observed = score(tuple(range(n - k, n)))
    return sum(score(subset) >= observed - 1e-9 for subset in subsets) / len(subsets)


def test_a_plain_name_takes_the_defaults_of_its_kind() -> None:
    assert scores_for((), vector=False) == ("mean",)
    assert scores_for((), vector=True) == ("mean", "largest")
    assert scores_for(("default", "distribution"), vector=False) == ("mean", "distribution")
    assert scores_for(("largest",), vector=False) == ("mean",)  # one row: its largest row is its mean


@pytest.mark.parametrize(
    ("declared", "problem"),
    [
        ({"loss": ("default", "spread")}, None),
        ({"lost": ("spread",)}, "band_scores names 'lost', which is not one of band_statistics (n_correct, loss)"),
        ({"loss": ("median",)}, "band_scores['loss'] ('median',); expected a tuple of default, mean, largest, spread"),
        ({"loss": ("spread", "spread")}, "band_scores['loss'] names a score twice"),
        ({"loss": ()}, "band_scores['loss'] (); expected a tuple of"),
        (["loss"], "band_scores ['loss']; expected a mapping"),
    ],
)
def test_a_models_band_scores_are_checked_against_its_statistics(declared: object, problem: str | None) -> None:
    found = scores_problem(declared, ("n_correct", "loss"))
    assert found == problem if problem is None else (found or "").startswith(problem)


@pytest.mark.parametrize("score", ["spread", "distribution"])
def test_the_spread_or_distribution_of_a_vector_is_refused(score: str) -> None:
    with pytest.raises(ValueError, match=f"the {score} score compares one number per seed"):
        band_test({"p": [[0.1, 0.2]] * 6}, {"p": [[0.3, 0.1]] * 5}, scores={"p": (score,)})
