"""The sequential band: a first group of seeds, more only where the answer is open, the level spent across the looks.

A fixed band run fits K seeds of every configuration, whatever they show. Most configurations'
answer is clear after a few: nothing moved (a p-value far above the level) or a large move (the
smallest p-value the pool allows). The sequential band looks after each group of seeds and adds
seeds only to the configurations still open, up to a cap: a group-sequential design (Pocock
1977, O'Brien and Fleming 1979) with the level spent across the looks (alpha spending, Lan and
DeMets 1983).

**The design** (``SequentialPlan``): looks at K_1 < K_2 < ... < K_J run seeds. At look j the band's
permutation test of the B baseline seeds against the first K_j run seeds gives p_j, and

* ``moved`` if p_j < a_j, the share of the configuration's level spent at look j;
* ``held`` if p_j >= g_j (the futility bound: so far from the level that more seeds would very
  probably not get there), or at the last look;
* ``open`` otherwise: the next group of seeds is fitted.

**Why the false-alarm rate stays at the level.** Each look's permutation test is valid on its own
(the seeds are exchangeable when nothing changed), so P(look j says moved) <= a_j, and by the
union bound P(any look says moved) <= a_1 + ... + a_J = the configuration's level, whatever the
looks' correlation, the ties and the statistics' shapes. Stopping for futility only removes
chances to fail, so it cannot raise the rate (a non-binding bound). The union bound is the price of
exactness with a discrete, data-dependent test: the looks are strongly correlated, so the true
rate is below the level (measured: ``bench/sequential_band.py``, docs/gates.md).

**Why few seeds when nothing changed.** A valid p-value is at least uniform when nothing changed
(P(p < g) <= g), so the chance of reaching look j + 1 is at most min(g_1, ..., g_j), and the
average number of run seeds is at most ``K_1 + sum_j (K_{j+1} - K_j) min(g_1..g_j)``
(``seeds_bound``): 5 + 5 x 0.1 + 5 x 0.05 + 5 x 0.02 = 5.85 for the default plan, by
construction; measured lower.

**Why the power of many seeds.** Under a real change p_j falls as seeds are added, so an open
configuration goes on to the cap and is judged with all of them; a large change stops at the
first look that can show it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

Decision = Literal["moved", "held", "open"]


@dataclass(frozen=True)
class SequentialPlan:
    """When the band looks, what share of the level each look spends, and when it stops for futility.

    ``looks``: the run's seeds at each look, cumulative and increasing. ``spending``: the
    cumulative share of the configuration's level spent by each look, increasing to 1.
    ``futility``: for each look but the last, the p-value at or above which the configuration
    holds without more seeds.
    """

    looks: tuple[int, ...]
    spending: tuple[float, ...]
    futility: tuple[float, ...]

    def __post_init__(self) -> None:
        looks, spending, futility = self.looks, self.spending, self.futility
        if not looks or any(k <= 0 for k in looks) or any(b <= a for a, b in pairwise(looks)):
            raise ValueError(f"looks must be increasing seed counts; got {looks}")
        if len(spending) != len(looks) or any(b < a for a, b in pairwise(spending)) or spending[0] < 0:
            raise ValueError(f"spending must give each look a cumulative share, increasing; got {spending}")
        if abs(spending[-1] - 1) > 1e-12:
            raise ValueError(f"spending must end at 1 (the whole level); got {spending[-1]}")
        if len(futility) != len(looks) - 1 or any(not 0 < g <= 1 for g in futility):
            raise ValueError(f"futility needs one bound in (0, 1] per look but the last; got {futility}")

    @property
    def cap(self) -> int:
        return self.looks[-1]

    def level_at(self, look: int, alpha: float) -> float:
        """The share of ``alpha`` (the configuration's level) look ``look`` (0-based) may spend."""
        spent_before = self.spending[look - 1] if look else 0.0
        return alpha * (self.spending[look] - spent_before)

    def decide(self, look: int, p_value: float, alpha: float) -> Decision:
        """The answer at look ``look`` (0-based) for the band's p-value there."""
        if p_value < self.level_at(look, alpha):
            return "moved"
        if look == len(self.looks) - 1 or p_value >= self.futility[look]:
            return "held"
        return "open"

    def look_of(self, seeds: int) -> int | None:
        """Which look a run of ``seeds`` seeds is (0-based), or None when it is none of them."""
        return self.looks.index(seeds) if seeds in self.looks else None

    def seeds_bound(self) -> float:
        """The most run seeds a configuration takes on average when nothing changed (valid p-values)."""
        bound, reach = float(self.looks[0]), 1.0
        for look in range(1, len(self.looks)):
            reach = min(reach, self.futility[look - 1])
            bound += (self.looks[look] - self.looks[look - 1]) * reach
        return bound

    def describe(self) -> str:
        """``looks at 5, 10, 15, 20 seeds``: what a verdict and the docs print."""
        return f"looks at {', '.join(map(str, self.looks))} seeds"


# Five seeds first (the band's default seeds), then five more at a time up to twenty. Level spent
# 10/20/30/40%: little at the first looks, which serve mostly to stop for futility, most where the
# seeds are; futility bounds that keep the average under six seeds when nothing changed
# (``seeds_bound``: 5.85). Chosen by simulation on the heart MLP's blessed seeds against the goals
# of issue 21 (bench/sequential_band.py, docs/gates.md).
DEFAULT_PLAN = SequentialPlan(looks=(5, 10, 15, 20), spending=(0.1, 0.3, 0.6, 1.0), futility=(0.1, 0.05, 0.02))


def seeds_at(first: Sequence[int], count: int) -> tuple[int, ...]:
    """The run's first ``count`` seeds: the model's ``first`` band seeds, then the integers after the largest."""
    chosen = list(dict.fromkeys(first))[:count]
    following = max(chosen, default=-1) + 1
    while len(chosen) < count:
        chosen.append(following)
        following += 1
    return tuple(chosen)
