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

from regcheck.engine.band_scores import (
    DISTRIBUTION,
    LARGEST,
    MEAN,
    SPREAD,
    component_label,
    distribution_grid,
    distribution_scores,
    scores_for,
    spread_columns,
    sum_scores,
)
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
# Up to this many numbers (8 bytes each: 64 MB) in one chunk of subset sums, and this many subsets.
CELLS = 8_000_000
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
    # The score that gave the statistic its p-value (``regcheck.engine.band_scores``).
    score: str = MEAN

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
    exact: bool = True  # every subset enumerated (False: estimated from ``resampled`` random ones)
    # The components tested, as a verdict names them ("probabilities (largest row)").
    tested: tuple[str, ...] = ()
    resampled: int = RESAMPLES

    @property
    def rule(self) -> str:
        kind = "exact permutation test" if self.exact else f"permutation test ({self.resampled} random subsets)"
        if len(self.tested) <= 1:
            one = self.tested[0] if self.tested else ""
            label = one.rsplit(" (", 1)[1].rstrip(")") if one.endswith(")") else "mean"
            on = "the largest row" if label == "largest row" else f"the {label}"
            return f"band: {kind} on {on}, p >= {self.alpha:.2g}"
        return f"band: {kind}, minP over {', '.join(self.tested)}, p >= {self.alpha:.2g}"

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
    baseline: Mapping[str, Sequence[Value]], obtained: Mapping[str, Sequence[Value]], alpha: float = ALPHA,
    scores: Mapping[str, Sequence[str]] | None = None, *, resamples: int | None = None, exact_limit: int | None = None,
) -> BandResult:  # fmt: skip
    """Test the run's seeds against the baseline's, jointly over the statistics both name (minP).

    ``baseline`` and ``obtained`` map each statistic to its per-seed values (every list of one
    side has one value per seed, in the same seed order; a vector statistic has the same number
    of rows for every seed). ``scores`` names, per statistic, how it is scored
    (``regcheck.engine.band_scores``: ``mean``, ``largest``, ``spread``, ``distribution``;
    ``default`` or absent: the defaults, ``mean`` for a number, ``mean`` and ``largest`` for a vector); every score of every
    statistic is one component of the minP family. A statistic whose pooled values are all equal
    cannot tell the sides apart and is left out (listed in ``constant``). ``resamples`` and
    ``exact_limit``: how many random subsets beyond how many subsets (default ``RESAMPLES`` beyond
    ``EXACT_LIMIT``; a simulation that runs the test thousands of times takes fewer,
    ``regcheck.engine.power``).
    """
    names = [name for name in baseline if name in obtained]
    _side_size(baseline, names)  # one value per seed on each side, or refused
    k = _side_size(obtained, names)
    labels: list[tuple[str, str]] = []  # (statistic, score) of each component
    pooled = []
    constant = []
    for name in names:
        pool = _matrix(name, [*baseline[name], *obtained[name]])  # (B+K) x rows
        if not (pool.std(axis=0) > 0).any():
            constant.append(name)
            continue
        vector = isinstance(baseline[name][0], list) if baseline[name] else False
        chosen = scores_for((scores or {}).get(name, ()), vector)
        labels += [(name, score) for score in chosen]
        pooled += component_arrays(chosen, pool[None])
    summaries = {name: _summary(baseline[name], obtained[name]) for name in names}
    if not labels:
        shifts = tuple(StatisticShift(n, *summaries[n], 1.0, *_vector_note(n, baseline, obtained)) for n in names)
        return BandResult(True, 1.0, alpha, shifts, tuple(constant))
    found_p, exact = min_p_values([score for _, score in labels], pooled, k, resamples, exact_limit)
    adjusted = [float(value) for value in found_p[0]]
    p_value = min(adjusted)
    best: dict[str, tuple[float, str]] = {}  # per statistic: its smallest adjusted p-value and the score that gave it
    for (name, score), value in zip(labels, adjusted):
        if name not in best or value < best[name][0]:
            best[name] = (value, score)
    found: list[StatisticShift] = []
    for name in names:
        p_of_name, score_of_name = best.get(name, (1.0, MEAN))
        rows, largest = _vector_note(name, baseline, obtained)
        found.append(StatisticShift(name, *summaries[name], p_of_name, rows, largest, score_of_name))
    tested = tuple(component_label(name, score) for name, score in labels)
    return BandResult(p_value >= alpha, p_value, alpha, tuple(found), tuple(constant), exact, tested, resamples or RESAMPLES)


def component_values(score: str, pools: np.ndarray) -> np.ndarray:
    """What a score sums over the subsets, from ``pools`` (draws x pooled seeds x columns): the values
    standardized by each pool's mean and standard deviation per column (``mean``, ``largest``), their
    squares less 1 (``spread``), or the raw first column (``distribution``). A column without spread
    in a pool is 0 there: it adds nothing to any subset's score, as if left out."""
    import numpy as np

    if score == DISTRIBUTION:
        return pools[:, :, :1]
    spread = pools.std(axis=1, keepdims=True)
    varying = spread > 0
    standardized = np.where(varying, (pools - pools.mean(axis=1, keepdims=True)) / np.where(varying, spread, 1), 0.0)
    return np.where(varying, spread_columns(standardized), 0.0) if score == SPREAD else standardized


def component_arrays(scores: Sequence[str], pools: np.ndarray) -> list[np.ndarray]:
    """``component_values`` of one statistic for each of its scores; ``mean`` and ``largest`` share one array
    (the test then sums the subsets once for both)."""
    sums: np.ndarray | None = None
    found = []
    for score in scores:
        if score in (MEAN, LARGEST):
            sums = component_values(MEAN, pools) if sums is None else sums
            found.append(sums)
        else:
            found.append(component_values(score, pools))
    return found


def min_p_values(
    scores: Sequence[str], pooled: Sequence[np.ndarray], k: int, resamples: int | None = None,
    exact_limit: int | None = None,
) -> tuple[np.ndarray, bool]:  # fmt: skip
    """The minP test of many pools at once: per pool (draw) and component, its adjusted p-value.

    ``pooled[c]``: component c's ``component_values``, draws x (B + K) seeds x columns, the run's K
    seeds last. A real run is one draw; a power simulation scores hundreds of draws with one
    enumeration of the subsets (``regcheck.engine.power``). Returns the draws x components
    adjusted p-values (the run's p-value is each row's smallest) and whether every subset was
    enumerated.
    """
    import numpy as np

    draws, n = pooled[0].shape[:2]
    subsets, exact = _subsets(n, k, resamples or RESAMPLES, EXACT_LIMIT if exact_limit is None else exact_limit)
    own = _own_subset(n, k)
    # Each component's score for every subset, and for the run's own seeds (components that share
    # their values, a vector's mean and largest row, share the subsets' sums).
    scored = _grouped_scores(scores, pooled, subsets)
    observed = [score[:, 0] for score in _grouped_scores(scores, pooled, own)]
    adjusted = np.empty((draws, len(scores)))
    for draw in range(draws):
        adjusted[draw] = _adjusted([score[draw] for score in scored], [float(seen[draw]) for seen in observed])
    return adjusted, exact


def _adjusted(scored: Sequence[np.ndarray], observed: Sequence[float]) -> np.ndarray:
    """One draw's adjusted p-value per component: the share of subsets whose smallest p-value over the components
    (minP) is at most the run's own p-value in that component.

    A subset's p-value in a component is the share of subsets scoring at least as high; it is at
    most the run's (``m`` of the S subsets score at least as high as the run) exactly when fewer
    than m + 1 subsets reach its score, that is when its score lies above the (m + 1)-th highest.
    So each threshold is one ``numpy.partition`` (linear) instead of ranking every subset (a sort).
    Every score is at least 0, so "above within the tie tolerance" is ``score > (t + tol) / (1 - tol)``.
    """
    import numpy as np

    total = len(scored[0])
    reach = [int((score >= seen - TIE_TOLERANCE * (1 + abs(seen))).sum()) for score, seen in zip(scored, observed)]
    wanted = sorted({m for m in reach if m < total})
    found = np.zeros((len(reach), total), dtype=bool)  # per component's reach: which subsets are at least as extreme
    for score in scored:
        if wanted:
            highest = np.partition(score, [total - m - 1 for m in wanted])
            limits = {m: (float(highest[total - m - 1]) + TIE_TOLERANCE) / (1 - TIE_TOLERANCE) for m in wanted}
        for index, m in enumerate(reach):
            found[index] |= True if m >= total else score > limits[m]
    return np.asarray(found.mean(axis=1))


def _grouped_scores(scores: Sequence[str], pooled: Sequence[np.ndarray], subsets: _Subsets) -> list[np.ndarray]:
    """``_component_scores`` of every component, once per distinct values array."""
    groups: dict[int, tuple[np.ndarray, list[str]]] = {}
    for score, values in zip(scores, pooled):
        groups.setdefault(id(values), (values, []))[1].append(score)
    done = {key: dict(zip(named, _component_scores(values, tuple(named), subsets))) for key, (values, named) in groups.items()}
    return [done[id(values)][score] for score, values in zip(scores, pooled)]


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


@dataclass(frozen=True)
class _Subsets:
    """The K-subsets scored: as 0/1 rows (small), as index rows, or a random sample plus the run's own."""

    indicator: np.ndarray | None
    index: np.ndarray | None


def _subsets(n: int, k: int, resamples: int, exact_limit: int) -> tuple[_Subsets, bool]:
    """Every K-subset of the pool, or ``resamples`` random ones and the run's own (positions n-K..n-1).

    Every score orders a subset as its complement (the standardized values sum to zero over the
    pool; a distribution's gap to the pool scales by a constant), so the smaller of the two sizes
    is enumerated.
    """
    small = min(k, n - k)
    if comb(n, small) <= exact_limit and comb(n, small) * n <= INDICATOR_LIMIT:  # 0/1 rows: one matrix product
        return _Subsets(_indicator(n, small), None), True
    if comb(n, small) <= exact_limit:
        return _Subsets(None, _all_subsets(n, small)), True
    drawn = _random_subsets(n, k, resamples)
    if len(drawn) * n <= INDICATOR_LIMIT:
        return _Subsets(_random_indicator(n, k, resamples), None), False
    return _Subsets(None, drawn), False


@lru_cache(maxsize=2)
def _random_indicator(n: int, k: int, resamples: int) -> np.ndarray:
    return _as_indicator(_random_subsets(n, k, resamples), n)


@lru_cache(maxsize=16)
def _random_subsets(n: int, k: int, resamples: int) -> np.ndarray:
    """``resamples`` random subsets from a fixed generator (the same run gets the same verdict every time), then the run's own."""
    import numpy as np

    small = min(k, n - k)
    generator = np.random.default_rng(0)
    drawn = np.argpartition(generator.random((resamples, n)), small, axis=1)[:, :small]
    own = np.arange(n - small, n) if small == k else np.arange(small)  # the run's seeds, or its complement
    return np.vstack([drawn, own[None, :]])


def _component_scores(values: np.ndarray, scores: tuple[str, ...], subsets: _Subsets) -> list[np.ndarray]:
    """Each of ``scores`` for every subset, per draw (draws x subsets), from one array of values: of its sums, or
    (``distribution``, alone) of its distribution."""
    import numpy as np

    rows = subsets.indicator if subsets.indicator is not None else subsets.index
    assert rows is not None
    size = int(rows[0].sum()) if subsets.indicator is not None else rows.shape[1]
    columns, grid = _padded_grids(values[:, :, 0]) if DISTRIBUTION in scores else (values, None)
    draws, n, width = columns.shape
    found = [np.empty((draws, len(rows))) for _ in scores]
    step = max(1, min(CHUNK, CELLS // max(1, draws * width)))  # bounded memory: draws x a chunk of subsets x columns
    for start in range(0, len(rows), step):
        chunk = rows[start : start + step]
        if subsets.indicator is None:  # index rows as 0/1 rows: a matrix product is far faster than gathering
            chunk = _as_indicator(chunk, n)
        # One matrix product for every draw: (subsets x n) by (n x draws*columns).
        sums = (chunk @ columns.transpose(1, 0, 2).reshape(n, -1)).reshape(len(chunk), draws, width).transpose(1, 0, 2)
        for out, score in zip(found, scores):
            part = distribution_scores(sums, size, *grid) if grid is not None else sum_scores(sums, score)
            out[:, start : start + len(chunk)] = part
    return found


def _as_indicator(index: np.ndarray, n: int) -> np.ndarray:
    import numpy as np

    rows = np.zeros((len(index), n))
    np.put_along_axis(rows, index.astype(np.intp), 1.0, axis=1)
    return rows


def _padded_grids(values: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Each draw's ``distribution_grid`` (draws x pooled seeds), padded to one width with points that weigh nothing."""
    import numpy as np

    grids = [distribution_grid(row) for row in values]
    width = max(len(grid.pool_share) for grid in grids)
    at_or_below = np.zeros((len(grids), values.shape[1], width))
    share, weight = np.zeros((len(grids), 1, width)), np.zeros((len(grids), 1, width))
    for draw, grid in enumerate(grids):
        points = len(grid.pool_share)
        at_or_below[draw, :, :points] = grid.at_or_below
        share[draw, 0, :points], weight[draw, 0, :points] = grid.pool_share, grid.weight
    return at_or_below, (share, weight)


def _own_subset(n: int, k: int) -> _Subsets:
    """The run's own seeds (positions n-K..n-1) as the enumeration sees them: itself, or its complement."""
    import numpy as np

    small = min(k, n - k)
    own = np.arange(n - small, n) if small == k else np.arange(small)
    return _Subsets(None, own[None, :])


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
