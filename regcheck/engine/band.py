"""The band tier: do K seeds' outcomes come from the same distribution as the baseline's seeds?

Used where the environment profile differs from the baseline's, so no seed is expected to
reproduce its baseline value: a new Keras or backend reshuffles which initial weights a seed
draws. What should stay put is the *distribution* of outcomes over seeds.

The outcomes are counts out of 61 (steps of 1/61), often tied, sometimes with zero spread
(32 for every seed) and sometimes bimodal (32, 32, 32, 53, 32, 32). A normal-theory band
(mean +- k sd) is wrong on all three counts. The rule is therefore an **exact two-sided
permutation test on the mean count**: pool the baseline's B counts and the run's K counts,
and ask how many of the C(B+K, K) ways to pick K of the pooled values give a mean at least
as far from the pooled mean as the run's. Under "same distribution" the two samples are
exchangeable, so the false-alarm rate is at most ``ALPHA`` whatever the shape of the
distribution: ties, zero spread and two modes included (the test is conservative on
discrete data). The enumeration is exact (dynamic programming over sums, no sampling).

Consequences, by construction: a run whose counts all equal a zero-spread baseline's holds
(p = 1); one stray seed in the rare mode of a bimodal configuration holds; every seed moving
to the other mode, or a shift of the whole distribution by a few counts, fails. With B = 11
baseline seeds, K must be at least 3 for any outcome to reach p <= 0.01 (1 / C(13, 2) is
0.013), so fewer seeds cannot fail and the half refuses to call them a band verdict.
Measured false-alarm rate and detectable shift: ``bench/band_simulation.py`` and the README.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import comb

ALPHA = 0.01


@dataclass(frozen=True)
class BandResult:
    """The permutation test's answer, with what a failure message needs."""

    holds: bool
    p_value: float
    baseline_counts: tuple[int, ...]
    obtained_counts: tuple[int, ...]
    alpha: float

    @property
    def rule(self) -> str:
        return f"band: exact permutation test on the mean, p >= {self.alpha:g}"

    def describe(self, counts: Sequence[int]) -> str:
        mean = sum(counts) / len(counts)
        return f"mean {mean:.2f} over {len(counts)} seeds ({_spread(counts)})"


def permutation_p_value(baseline: Sequence[int], obtained: Sequence[int]) -> float:
    """Two-sided exact p-value: the share of K-subsets of the pool whose mean is as extreme."""
    pool = list(baseline) + list(obtained)
    n, k, total = len(pool), len(obtained), sum(pool)
    # Compare n*S - k*T in integers: S is a subset's sum, k*T/n its expectation.
    observed = abs(n * sum(obtained) - k * total)
    ways = _subset_sums(pool, k)
    extreme = sum(count for subset_sum, count in ways.items() if abs(n * subset_sum - k * total) >= observed)
    return extreme / comb(n, k)


def _subset_sums(values: Sequence[int], size: int) -> dict[int, int]:
    """How many ``size``-subsets of ``values`` (as positions) have each sum."""
    by_size: list[dict[int, int]] = [{0: 1}] + [{} for _ in range(size)]
    for value in values:
        for chosen in range(size, 0, -1):
            below = by_size[chosen - 1]
            here = by_size[chosen]
            for subset_sum, count in below.items():
                here[subset_sum + value] = here.get(subset_sum + value, 0) + count
    return by_size[size]


def smallest_p_value(n_baseline: int, n_obtained: int) -> float:
    """The smallest p any outcome can reach: only one subset as extreme, one side."""
    return 1 / comb(n_baseline + n_obtained, n_obtained)


def min_seeds(n_baseline: int, alpha: float = ALPHA) -> int:
    """The fewest seeds a run needs before the band rule can detect anything at ``alpha``."""
    k = 1
    while smallest_p_value(n_baseline, k) > alpha:
        k += 1
    return k


def compare_band(baseline: Sequence[int], obtained: Sequence[int], alpha: float = ALPHA) -> BandResult:
    p_value = permutation_p_value(baseline, obtained)
    return BandResult(p_value >= alpha, p_value, tuple(baseline), tuple(obtained), alpha)


def _spread(counts: Sequence[int]) -> str:
    low, high = min(counts), max(counts)
    return f"{low}" if low == high else f"{low}-{high}"
