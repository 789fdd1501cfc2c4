"""How the band scores one statistic for one subset of seeds, and how a model declares which scores.

The band's permutation test (``regcheck.engine.band``) gives every K-subset of the pooled seeds a
score per *component* (a statistic and one way of scoring it) and takes the smallest p-value over
the components (minP). Three ways of scoring:

* ``mean``: the squared norm of the subset's sum of standardized values. For a number, how far
  the subset's mean lies from the pool's; for a vector (one number per test row, per feature),
  that summed over the rows. It sees a shift spread over many rows, and is diluted by the rows that
  did not move: halving the five largest of 64 feature importances moved that sum by little.
* ``largest``: the largest absolute standardized sum over the rows (a vector only): how far the
  one row that moved most lies from the pool's. It sees a change in a few rows that ``mean``
  dilutes. A vector gets both by default; minP over the two is the adaptive choice between a
  sum of squares and a maximum (Pan et al. 2014, the aSPU test, takes the same two ends).
* ``spread``: how far the subset's mean squared standardized value lies from the pool's (1), either
  way (a number only): a wider or a narrower spread over seeds with the mean in place (training
  that became unstable for some seeds, or a collapse to one outcome).
* ``distribution``: the two-sample Anderson-Darling distance between the subset's values and the
  pool's (a number only), in the form for ties (counts): for each distinct pooled value but the
  largest, the squared gap between the subset's and the pool's empirical distribution functions,
  weighted by the pool's share at that value over H(1 - H). It sees any change of shape (more
  seeds in a rarer mode, a second mode); for a change of spread alone ``spread`` is the stronger
  (ten seeds three times as spread against twenty: p = 0.000005 by ``spread``, 0.007 by
  ``distribution``; ``tests/engine/test_band_scores.py``).

A study asks for ``spread`` or ``distribution`` per statistic, since each component of the family
costs the others a little power.

A model names its statistics in ``Model.band_statistics``; each is tested by its kind's defaults
(``mean``; ``mean`` and ``largest`` for a vector) unless ``Model.band_scores`` names its scores::

    band_statistics = ("n_correct", "log_loss", "probabilities")
    band_scores = {"log_loss": ("default", "spread")}  # its mean, and its spread over seeds

Every score is valid under exchangeability whatever it is (the permutation test calibrates it);
the choice is only about which changes it sees.

Why written here rather than taken from scipy (``scipy.stats.anderson_ksamp``,
``permutation_test``): the band scores every subset of a small pool at once, several statistics
sharing one enumeration, as matrix products over the subsets; scipy scores one sample pair per
call, and the engine does not import scipy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

MEAN = "mean"
LARGEST = "largest"
SPREAD = "spread"
DISTRIBUTION = "distribution"
DEFAULT = "default"  # the kind's defaults: mean for a number, mean and largest for a vector
SCORES = (DEFAULT, MEAN, LARGEST, SPREAD, DISTRIBUTION)
# How each score reads in a verdict ("loss (distribution)", "probabilities (largest row)").
SCORE_LABELS = {MEAN: "", LARGEST: "largest row", SPREAD: "spread", DISTRIBUTION: "distribution"}
NUMBER_ONLY = (SPREAD, DISTRIBUTION)


def scores_problem(declared: object, statistics: Sequence[str]) -> str | None:
    """What is wrong with a model's ``band_scores`` (statistic name -> scores), in words; None when it is usable."""
    if not isinstance(declared, Mapping):
        return f"band_scores {declared!r:.60}; expected a mapping of band statistics to tuples of scores"
    for name, scores in declared.items():
        if name not in statistics:
            return f"band_scores names {name!r}, which is not one of band_statistics ({', '.join(statistics)})"
        if not isinstance(scores, (tuple, list)) or not scores or any(score not in SCORES for score in scores):
            return f"band_scores[{name!r}] {scores!r:.60}; expected a tuple of {', '.join(SCORES)}"
        if len(set(scores)) != len(scores):
            return f"band_scores[{name!r}] names a score twice: {tuple(scores)}"
    return None


def scores_for(scores: Sequence[str], vector: bool) -> tuple[str, ...]:
    """The scores a statistic is tested by: the declared ones, ``default`` (or none) standing for the kind's."""
    defaults = (MEAN, LARGEST) if vector else (MEAN,)
    chosen: list[str] = []
    for score in scores or (DEFAULT,):
        for one in defaults if score in (DEFAULT, "") else (score,):
            if one not in chosen:
                chosen.append(one)
    refused = [score for score in chosen if score in NUMBER_ONLY]
    if vector and refused:
        raise ValueError(f"the {refused[0]} score compares one number per seed; a vector statistic has rows")
    if not vector:  # one row: its largest row orders the subsets as its mean does
        chosen = list(dict.fromkeys(MEAN if score == LARGEST else score for score in chosen))
    return tuple(chosen)


def component_label(name: str, score: str) -> str:
    label = SCORE_LABELS[score]
    return f"{name} ({label})" if label else name


@dataclass(frozen=True)
class DistributionGrid:
    """What the distribution score needs of a pool: at each distinct value but the largest, which seeds lie at or below it."""

    at_or_below: np.ndarray  # pool size x points, 0/1
    pool_share: np.ndarray  # H: the pool's share at or below each point
    weight: np.ndarray  # the pool's share at each point over H(1 - H)


def distribution_grid(values: np.ndarray) -> DistributionGrid:
    """``values``: one number per pooled seed."""
    import numpy as np

    points, counts = np.unique(values, return_counts=True)
    points, counts = points[:-1], counts[:-1]  # at the largest value H = 1: no gap is possible
    at_or_below = (values[:, None] <= points[None, :]).astype(float)
    share = at_or_below.mean(axis=0)
    return DistributionGrid(at_or_below, share, (counts / len(values)) / (share * (1 - share)))


def distribution_scores(counts: np.ndarray, size: int, pool_share: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Each subset's distance from the pool; ``counts``: per subset and point (last axis), its seeds at or below the point.

    The gap between a subset's distribution function and its complement's is a fixed multiple
    of the gap between the subset's and the pool's (the pool is their mixture), so this orders
    subsets as the two-sample Anderson-Darling statistic does, and a subset and its complement
    alike (the band may enumerate either).
    """
    import numpy as np

    return np.asarray((((counts / size - pool_share) ** 2) * weight).sum(axis=-1))


def sum_scores(sums: np.ndarray, score: str) -> np.ndarray:
    """From each subset's sums of its component's columns: ``mean`` the squared norm, ``largest`` the largest
    absolute sum; ``spread`` (one column: the squared standardized values less 1) the absolute sum."""
    import numpy as np

    if score == MEAN:
        return np.asarray((sums**2).sum(axis=-1))
    if sums.shape[-1] == 0:
        return np.zeros(sums.shape[:-1])
    return np.asarray(np.abs(sums).max(axis=-1))


def spread_columns(standardized: np.ndarray) -> np.ndarray:
    """Each seed's squared standardized value less the pool's mean of them (1): sums to zero over the pool,
    so a subset and its complement score alike."""
    return standardized**2 - 1
