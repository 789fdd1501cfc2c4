"""The band tier: do K seeds' outcomes come from the same distribution as the baseline's seeds?

Used where the environment profile differs from the baseline's (or where the user asks for it,
``--tier band``), so no seed is expected to reproduce its baseline value: a new Keras or backend
reshuffles which initial weights a seed draws. What should stay put is the *distribution* of
outcomes over seeds.

**Statistics.** A model names the per-seed numbers the band compares (``Model.band_statistics``):
any number a record holds (``n_correct``, the ``loss`` in its extra part) and two the engine
derives from its probabilities of the positive class and its true labels, ``brier`` (the mean
squared gap between probability and label) and ``mean_probability``. A count out of 61 moves in
steps of 1/61 and stays put where a model collapses to one class; the real-valued statistics see
a change in every seed.

**The test: an exact permutation test, maxT over the statistics.** Pool the baseline's B seeds
and the run's K seeds. Each statistic is standardized by the pool's own mean and standard
deviation (the same for every relabelling of the pool), and a K-subset's score is the largest
absolute standardized sum over the statistics: how far, in the worst statistic, its mean lies
from the pool's. The p-value is the share of the C(B+K, K) subsets whose score is at least the
run's. Under "same distribution" the B+K seeds are exchangeable (each seed's vector of
statistics, whatever their correlation), so the false-alarm rate is at most the level, whatever
the shape: ties, zero spread, two modes included. Taking the maximum over statistics is the
Westfall-Young single-step correction: exact for the family of statistics, and less
conservative than Bonferroni because loss, Brier score and mean probability move together.
Each statistic's own p-value, adjusted the same way (the share of subsets whose score reaches
that statistic's), names which statistics moved.

**The level.** ``ALPHA`` (0.01) is the false-alarm goal for one run of a model's whole grid;
each configuration is tested at ``ALPHA / number of configurations`` (Bonferroni: the
configurations are fitted independently, so the bound is nearly tight, 1 - (1 - 0.01/9)^9 is
0.00996). The subsets are enumerated (at most ``EXACT_LIMIT``; 11 baseline seeds and 10 run
seeds make 352,716); beyond that, ``RESAMPLES`` random subsets from a fixed generator
estimate the p-value as (1 + hits) / (1 + resamples), still a valid test.

Consequences, by construction: a run whose values all equal a zero-spread baseline's holds
(p = 1); one stray seed in the rare mode of a bimodal configuration holds; a whole distribution
moving fails. Against B baseline seeds a run needs K seeds with 1 / C(B+K, K) at most the level
before any outcome can fail (``min_seeds``: 4 against 11 at 0.01 / 9); fewer seeds are refused
a band verdict. Measured false-alarm rate and power: ``bench/band_simulation.py``,
``bench/perturbations.py`` and docs/gates.md.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from math import comb
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

ALPHA = 0.01
EXACT_LIMIT = 2_000_000
# Up to this many cells (subsets x pool size, 8 bytes each: 64 MB) the subsets are kept as a 0/1 matrix.
INDICATOR_LIMIT = 8_000_000
RESAMPLES = 200_000
# Scores are sums of at most a few dozen standardized values: ties that are equal in exact
# arithmetic may differ by rounding (~1e-15), never by this much.
TIE_TOLERANCE = 1e-9


def brier(fields: Mapping[str, Any]) -> float | None:
    """Mean squared gap between the positive class's probability and the 0/1 label."""
    pairs = _probability_pairs(fields)
    return None if pairs is None else math.fsum((p - y) ** 2 for p, y in pairs) / len(pairs)


def mean_probability(fields: Mapping[str, Any]) -> float | None:
    """Mean probability of the positive class over the test part."""
    pairs = _probability_pairs(fields)
    return None if pairs is None else math.fsum(p for p, _ in pairs) / len(pairs)


DERIVED: dict[str, Callable[[Mapping[str, Any]], float | None]] = {"brier": brier, "mean_probability": mean_probability}


def statistic_value(name: str, fields: Mapping[str, Any]) -> float | None:
    """A band statistic of one seed's outcome (a record's flat fields or a baseline's): ``None`` when it has none."""
    if name in DERIVED:
        return DERIVED[name](fields)
    value = fields.get(name)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _probability_pairs(fields: Mapping[str, Any]) -> list[tuple[float, int]] | None:
    probabilities, labels = fields.get("probabilities"), fields.get("true_labels")
    if not isinstance(probabilities, list) or not isinstance(labels, list) or not probabilities:
        return None
    if len(probabilities) != len(labels) or any(label not in (0, 1) for label in labels):
        return None  # not a binary classifier's outcome
    return [(float(p), int(y)) for p, y in zip(probabilities, labels)]


@dataclass(frozen=True)
class StatisticShift:
    """One statistic's values on both sides, and its p-value adjusted over the statistics."""

    name: str
    baseline: tuple[float, ...]
    obtained: tuple[float, ...]
    p_value: float

    def describe(self, values: Sequence[float]) -> str:
        return describe(values)


@dataclass(frozen=True)
class BandResult:
    """The permutation test's answer, with what a verdict and a failure message need."""

    holds: bool
    p_value: float
    alpha: float
    statistics: tuple[StatisticShift, ...]
    constant: tuple[str, ...] = ()  # the same value for every seed on both sides: nothing to test
    exact: bool = True  # every subset enumerated (False: estimated from RESAMPLES)

    @property
    def rule(self) -> str:
        kind = "exact permutation test" if self.exact else f"permutation test ({RESAMPLES} random subsets)"
        tested = [item.name for item in self.statistics if item.name not in self.constant]
        if len(tested) <= 1:
            return f"band: {kind} on the mean, p >= {self.alpha:.2g}"
        return f"band: {kind} on the means, maxT over {', '.join(tested)}, p >= {self.alpha:.2g}"

    @property
    def moved(self) -> tuple[StatisticShift, ...]:
        """The statistics whose adjusted p-value is below the level (the worst first)."""
        return tuple(sorted((item for item in self.statistics if item.p_value < self.alpha), key=lambda item: item.p_value))

    # The one-statistic view kept for callers that compare counts (``compare_band``).
    @property
    def baseline_counts(self) -> tuple[float, ...]:
        return self.statistics[0].baseline if self.statistics else ()

    @property
    def obtained_counts(self) -> tuple[float, ...]:
        return self.statistics[0].obtained if self.statistics else ()

    def describe(self, values: Sequence[float]) -> str:
        return describe(values)


def describe(values: Sequence[float]) -> str:
    """``mean 51.20 over 5 seeds (50-53)``: counts with two decimals, real values with four digits."""
    if not values:
        return "no seeds"
    mean = math.fsum(values) / len(values)
    low, high = min(values), max(values)
    counts = all(float(value).is_integer() for value in values)
    shown = f"{mean:.2f}" if counts else f"{mean:.4g}"
    spread = (f"{low:g}" if low == high else f"{low:g}-{high:g}") if counts else (
        f"{low:.4g}" if low == high else f"{low:.4g}-{high:.4g}")  # fmt: skip
    return f"mean {shown} over {len(values)} seeds ({spread})"


def band_test(
    baseline: Mapping[str, Sequence[float]], obtained: Mapping[str, Sequence[float]], alpha: float = ALPHA
) -> BandResult:
    """Test the run's seeds against the baseline's, jointly over the statistics both name (maxT).

    ``baseline`` and ``obtained`` map each statistic to its per-seed values (every list of one
    side has one value per seed, in the same seed order). A statistic whose pooled values are all
    equal cannot tell the sides apart and is left out of the maximum (listed in ``constant``).
    """
    names = [name for name in baseline if name in obtained]
    b, k = _side_size(baseline, names), _side_size(obtained, names)
    varying = [name for name in names if len(set(baseline[name]) | set(obtained[name])) > 1]
    constant = tuple(name for name in names if name not in varying)
    if not varying:
        shifts = tuple(StatisticShift(n, tuple(baseline[n]), tuple(obtained[n]), 1.0) for n in names)
        return BandResult(True, 1.0, alpha, shifts, constant)
    import numpy as np

    pool = np.array([[*baseline[name], *obtained[name]] for name in varying], dtype=float).T  # (B+K) x m
    z = (pool - pool.mean(axis=0)) / pool.std(axis=0)
    observed = np.abs(z[b:].sum(axis=0))  # each statistic's score for the run's own subset
    scores, exact = _subset_scores(z, k)
    maxima = scores.max(axis=1)
    adjusted = [_share_at_least(maxima, value, exact) for value in observed]
    p_value = min(adjusted)
    p_of = dict(zip(varying, adjusted))
    shifts = tuple(StatisticShift(name, tuple(baseline[name]), tuple(obtained[name]), p_of.get(name, 1.0)) for name in names)
    return BandResult(p_value >= alpha, p_value, alpha, shifts, constant, exact)


def _side_size(side: Mapping[str, Sequence[float]], names: Sequence[str]) -> int:
    sizes = {len(side[name]) for name in names}
    if len(sizes) != 1:
        raise ValueError(f"every statistic needs one value per seed; got lengths {sorted(sizes)}")
    return sizes.pop()


def _share_at_least(maxima: np.ndarray, observed: float, exact: bool) -> float:
    hits = int((maxima >= observed - TIE_TOLERANCE).sum())
    if exact:
        return hits / len(maxima)
    return (1 + hits) / (1 + len(maxima))  # the observed subset counts as one of the resamples


def _subset_scores(z: np.ndarray, k: int) -> tuple[np.ndarray, bool]:
    """|sum over a K-subset| of each standardized statistic, for every subset (or ``RESAMPLES`` of them).

    The standardized values sum to zero over the pool, so a subset and its complement have the
    same score: the smaller of the two sizes is enumerated.
    """
    import numpy as np

    n = len(z)
    k = min(k, n - k)
    if comb(n, k) * n <= INDICATOR_LIMIT:  # every subset as a 0/1 row: one matrix product
        return np.abs(_indicator(n, k) @ z), True
    if comb(n, k) <= EXACT_LIMIT:
        subsets, exact = _all_subsets(n, k), True
    else:
        generator = np.random.default_rng(0)  # fixed: the same run gets the same verdict every time
        subsets, exact = np.argpartition(generator.random((RESAMPLES, n)), k, axis=1)[:, :k], False
    scores = np.empty((len(subsets), z.shape[1]))
    for start in range(0, len(subsets), 65536):  # bounded memory: subsets x K x statistics
        chunk = subsets[start : start + 65536]
        scores[start : start + len(chunk)] = np.abs(z[chunk].sum(axis=1))
    return scores, exact


@lru_cache(maxsize=16)
def _all_subsets(n: int, k: int) -> np.ndarray:
    import numpy as np

    flat = itertools.chain.from_iterable(itertools.combinations(range(n), k))
    return np.fromiter(flat, dtype=np.int16, count=comb(n, k) * k).reshape(-1, k)


@lru_cache(maxsize=4)
def _indicator(n: int, k: int) -> np.ndarray:
    import numpy as np

    rows = np.zeros((comb(n, k), n))
    np.put_along_axis(rows, _all_subsets(n, k).astype(np.intp), 1.0, axis=1)
    return rows


def compare_band(
    baseline: Sequence[float], obtained: Sequence[float], alpha: float = ALPHA, name: str = "n_correct"
) -> BandResult:
    """The band on one statistic (``n_correct`` by default): ``band_test`` with one entry."""
    return band_test({name: list(baseline)}, {name: list(obtained)}, alpha)


def permutation_p_value(baseline: Sequence[float], obtained: Sequence[float]) -> float:
    """Two-sided exact p-value of one statistic: the share of K-subsets of the pool whose mean is as extreme."""
    return compare_band(baseline, obtained).p_value


def smallest_p_value(n_baseline: int, n_obtained: int) -> float:
    """The smallest p any outcome can reach: only one subset as extreme."""
    return 1 / comb(n_baseline + n_obtained, n_obtained)


def min_seeds(n_baseline: int, alpha: float = ALPHA) -> int:
    """The fewest seeds a run needs before the band rule can detect anything at ``alpha``."""
    k = 1
    while smallest_p_value(n_baseline, k) > alpha:
        k += 1
    return k


def configuration_alpha(configurations: int, alpha: float = ALPHA) -> float:
    """Each configuration's level, so that a run of the whole grid raises a false alarm at most ``alpha`` (Bonferroni)."""
    return alpha / max(1, configurations)
