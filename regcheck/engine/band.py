"""The band tier: do K seeds' outcomes come from the same distribution as the baseline's seeds?

Used where the environment profile differs from the baseline's (or where the user asks for it,
``--tier band``), so no seed is expected to reproduce its baseline value: a new Keras or backend
reshuffles which initial weights a seed draws. What should stay put is the *distribution* of
outcomes over seeds.

**Statistics.** A model names the per-seed values the band compares (``Model.band_statistics``):
any number a record holds (``n_correct``, the ``loss`` in its extra part), two numbers the engine
derives from its probabilities of the positive class and its true labels, ``brier`` (the mean
squared gap between probability and label) and ``mean_probability``, and any list of numbers
(``probabilities``: one per test row), compared row by row. A count out of 61 moves in steps of
1/61 and stays put where a model collapses to one class; the real-valued statistics see a change
in every seed; the rows see a change that moves some test rows one way and others the other,
which no average does.

**The test: an exact permutation test, minP over the statistics.** Pool the baseline's B seeds
and the run's K seeds. Each statistic is standardized by the pool's own mean and standard
deviation (per row for a vector; the same for every relabelling of the pool), and a K-subset's
score for it is the squared norm of its standardized sum: for a number, how far the subset's
mean lies from the pool's; for a vector, the sum of that over the rows. Each subset gets a
p-value per statistic (the share of the C(B+K, K) subsets scoring at least as high) and keeps
the smallest; the run's p-value is the share of subsets whose smallest p-value is at most the
run's. Under "same distribution" the B+K seeds are exchangeable (each seed's values of every
statistic together, whatever their correlation), so the false-alarm rate is at most the level,
whatever the shape: ties, zero spread, two modes included. Taking the smallest p-value over the
statistics is the Westfall-Young single-step minP correction: exact for the family, and less
conservative than Bonferroni because loss, Brier score and mean probability move together.
Each statistic's own p-value, adjusted the same way (the share of subsets whose smallest
p-value reaches that statistic's), names which statistics moved.

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from math import comb
from typing import TYPE_CHECKING, Any

from regcheck.results.metrics import METRICS, metric_value
from regcheck.results.values import flatten

if TYPE_CHECKING:
    import numpy as np

# One seed's value of a statistic: a number, or one number per test row.
Value = float | list[float]

ALPHA = 0.01
EXACT_LIMIT = 2_000_000
# Up to this many cells (subsets x pool size, 8 bytes each: 64 MB) the subsets are kept as a 0/1 matrix.
INDICATOR_LIMIT = 8_000_000
CHUNK = 65536
RESAMPLES = 200_000
# Scores are sums of at most a few dozen standardized values: ties that are equal in exact
# arithmetic may differ by rounding (~1e-15), never by this much.
TIE_TOLERANCE = 1e-9


def statistic_value(name: str, fields: Mapping[str, Any]) -> Value | None:
    """A band statistic of one seed's outcome (a record's flat fields or a baseline's): ``None`` when it has none.

    A metric (``regcheck.results.metrics``: ``n_correct``, ``log_loss``, ``brier``, ``mse``, ...) or a
    number the record holds is a scalar statistic; an array the record holds (``probabilities``: one
    per test row, or an ``n x k`` matrix) is a vector statistic, compared entry by entry.
    """
    if name in METRICS:
        return metric_value(name, fields)
    value = fields.get(name)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, list):
        entries = flatten(value)
        if entries and all(_is_number(item) for item in entries):
            return [float(item) for item in entries]
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass(frozen=True)
class StatisticShift:
    """One statistic on both sides (per seed: its value, or a vector's mean) and its adjusted p-value."""

    name: str
    baseline: tuple[float, ...]
    obtained: tuple[float, ...]
    p_value: float
    # A vector statistic: how many rows it has, and the row whose mean moved most (standardized).
    rows: int = 0
    largest: str = ""

    def describe(self, values: Sequence[float]) -> str:
        text = describe(values)
        return f"{self.rows} rows, seed means: {text}" if self.rows else text


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
        return f"band: {kind}, minP over {', '.join(tested)}, p >= {self.alpha:.2g}"

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
    baseline: Mapping[str, Sequence[Value]], obtained: Mapping[str, Sequence[Value]], alpha: float = ALPHA
) -> BandResult:
    """Test the run's seeds against the baseline's, jointly over the statistics both name (minP).

    ``baseline`` and ``obtained`` map each statistic to its per-seed values (every list of one
    side has one value per seed, in the same seed order; a vector statistic has the same number
    of rows for every seed). A statistic whose pooled values are all equal cannot tell the sides
    apart and is left out (listed in ``constant``).
    """
    import numpy as np

    names = [name for name in baseline if name in obtained]
    b, k = _side_size(baseline, names), _side_size(obtained, names)
    standardized: dict[str, np.ndarray] = {}
    constant = []
    for name in names:
        pool = _matrix(name, [*baseline[name], *obtained[name]])  # (B+K) x rows
        spread = pool.std(axis=0)
        varying = spread > 0
        if not varying.any():
            constant.append(name)
            continue
        standardized[name] = (pool[:, varying] - pool[:, varying].mean(axis=0)) / spread[varying]
    summaries = {name: _summary(baseline[name], obtained[name]) for name in names}
    if not standardized:
        shifts = tuple(StatisticShift(n, *summaries[n], 1.0, *_vector_note(n, baseline, obtained)) for n in names)
        return BandResult(True, 1.0, alpha, shifts, tuple(constant))
    subsets, exact = _subsets(b + k, k)
    # Each statistic's score for every subset: the squared norm of its standardized sum (for a
    # number, the square of a sum: the distance of the subset's mean from the pool's).
    scores = {name: _scores(values, subsets) for name, values in standardized.items()}
    observed = {name: float((values[b:].sum(axis=0) ** 2).sum()) for name, values in standardized.items()}
    # Each subset's p-value per statistic, then the smallest over the statistics (minP).
    ranked = {name: np.sort(score) for name, score in scores.items()}
    smallest = np.min([_share_at_least(ranked[name], scores[name]) for name in scores], axis=0)
    own = {name: float(_share_at_least(ranked[name], np.array([observed[name]]))[0]) for name in scores}
    adjusted = {name: _share_at_most(np.sort(smallest), value) for name, value in own.items()}
    p_value = min(adjusted.values())
    shifts = tuple(
        StatisticShift(name, *summaries[name], adjusted.get(name, 1.0), *_vector_note(name, baseline, obtained)) for name in names
    )
    return BandResult(p_value >= alpha, p_value, alpha, shifts, tuple(constant), exact)


def _matrix(name: str, values: Sequence[Value]) -> np.ndarray:
    import numpy as np

    rows = [value if isinstance(value, list) else [value] for value in values]
    if len({len(row) for row in rows}) != 1:
        raise ValueError(f"{name}: every seed needs the same number of values; got {sorted({len(row) for row in rows})}")
    return np.array(rows, dtype=float)


def _summary(baseline: Sequence[Value], obtained: Sequence[Value]) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Per seed: the value, or a vector's mean (what a message can show)."""

    def one(value: Value) -> float:
        return math.fsum(value) / len(value) if isinstance(value, list) else float(value)

    return tuple(one(value) for value in baseline), tuple(one(value) for value in obtained)


def _vector_note(name: str, baseline: Mapping[str, Sequence[Value]], obtained: Mapping[str, Sequence[Value]]) -> tuple[int, str]:
    """A vector statistic's row count and its row whose mean moved most, in pooled standard deviations."""
    first = baseline[name][0] if baseline[name] else None
    if not isinstance(first, list):
        return 0, ""
    import numpy as np

    before, after = np.array(baseline[name], dtype=float), np.array(obtained[name], dtype=float)
    spread = np.concatenate([before, after]).std(axis=0)
    shift = np.where(spread > 0, (after.mean(axis=0) - before.mean(axis=0)) / np.where(spread > 0, spread, 1), 0.0)
    row = int(np.abs(shift).argmax())
    return len(first), f"row {row}: mean {before[:, row].mean():.4g} -> {after[:, row].mean():.4g}"


def _side_size(side: Mapping[str, Sequence[Value]], names: Sequence[str]) -> int:
    sizes = {len(side[name]) for name in names}
    if len(sizes) != 1:
        raise ValueError(f"every statistic needs one value per seed; got lengths {sorted(sizes)}")
    return sizes.pop()


def _share_at_least(ranked: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """For each score: the share of subsets scoring at least as high (its p-value among the subsets)."""
    import numpy as np

    below = np.searchsorted(ranked, scores - TIE_TOLERANCE * (1 + np.abs(scores)), side="left")
    return np.asarray((len(ranked) - below) / len(ranked))


def _share_at_most(ranked: np.ndarray, value: float) -> float:
    """The share of subsets whose smallest p-value is at most ``value`` (resampled: the run's own subset is one)."""
    import numpy as np

    hits = int(np.searchsorted(ranked, value * (1 + TIE_TOLERANCE), side="right"))
    return hits / len(ranked)


@dataclass(frozen=True)
class _Subsets:
    """The K-subsets scored: as 0/1 rows (small), as index rows, or a random sample plus the run's own."""

    indicator: np.ndarray | None
    index: np.ndarray | None


def _subsets(n: int, k: int) -> tuple[_Subsets, bool]:
    """Every K-subset of the pool, or ``RESAMPLES`` random ones and the run's own (positions n-K..n-1).

    The standardized values sum to zero over the pool, so a subset and its complement have the
    same score: the smaller of the two sizes is enumerated.
    """
    import numpy as np

    small = min(k, n - k)
    if comb(n, small) * n <= INDICATOR_LIMIT:  # every subset as a 0/1 row: one matrix product
        return _Subsets(_indicator(n, small), None), True
    if comb(n, small) <= EXACT_LIMIT:
        return _Subsets(None, _all_subsets(n, small)), True
    generator = np.random.default_rng(0)  # fixed: the same run gets the same verdict every time
    drawn = np.argpartition(generator.random((RESAMPLES, n)), small, axis=1)[:, :small]
    own = np.arange(n - small, n) if small == k else np.arange(small)  # the run's seeds, or its complement
    return _Subsets(None, np.vstack([drawn, own[None, :]])), False


def _scores(values: np.ndarray, subsets: _Subsets) -> np.ndarray:
    """The squared norm of each subset's sum of standardized values."""
    import numpy as np

    rows = subsets.indicator if subsets.indicator is not None else subsets.index
    assert rows is not None
    scores = np.empty(len(rows))
    for start in range(0, len(rows), CHUNK):  # bounded memory: a chunk of subsets x the statistic's rows
        chunk = rows[start : start + CHUNK]
        sums = chunk @ values if subsets.indicator is not None else values[chunk].sum(axis=1)
        scores[start : start + len(chunk)] = (sums**2).sum(axis=1)
    return scores


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
