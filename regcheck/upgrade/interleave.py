"""Timings of two environments taken interleaved, and each environment's rounds pooled into one timing.

Measured one after the other (all of OLD's rounds, then all of NEW's, as the tox matrix does), a
shared machine's drift between the two reads as a change of the upgrade, and nothing in the table
tells the two apart. So the rounds alternate: OLD round 1, NEW round 1, OLD round 2, NEW round 2 ...;
a drift then falls on both sides alike.

One *round* is one process of the benchmark suite in one environment (``pytest bench/ ...
--benchmark-json``); a case's time in that round is its median there (many calls of a logistic fit,
one MLP fit). An environment's rounds of one case are pooled into one ``Timing`` whose rounds are
those medians, so ``regcheck.timing.compare.judge_change`` (median ratio and quartiles, at least
three rounds) judges the two environments as ``regcheck compare`` judges two saved runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from regcheck.errors import UsageError
from regcheck.files.benchmark import Timing

if TYPE_CHECKING:
    from regcheck.files.benchmark import BenchmarkRun

SIDES = ("old", "new")
CaseKey = tuple[str, str]  # (config_id or the model's name for a whole-grid case, phase)


def interleaved(rounds: int, sides: Sequence[str] = SIDES) -> list[tuple[int, str]]:
    """The order the rounds are taken in: (round, side), every side once per round, rounds in turn."""
    return [(number, side) for number in range(rounds) for side in sides]


def case_key(timing: Timing) -> CaseKey | None:
    """Where a case belongs: its configuration (or model, for a grid) and phase, as the bench suite stores them."""
    extra = timing.extra_info
    phase, config_id, model = extra.get("phase"), extra.get("config_id"), extra.get("model")
    if not isinstance(phase, str):
        return None  # not a case of regcheck's bench suite: nothing to join it on
    where = config_id if isinstance(config_id, str) else model
    return (where, phase) if isinstance(where, str) else None


def pooled(samples: Sequence[Timing]) -> Timing:
    """One case's rounds in one environment as one timing: the statistics of the rounds' medians.

    The quartiles are pytest-benchmark's own (``pytest_benchmark.stats.Stats``), so a pooled timing
    reads like a saved run of as many rounds.
    """
    try:
        from pytest_benchmark.stats import Stats
    except ImportError:
        raise UsageError("timings need pytest-benchmark: pip install 'regcheck[bench]' (or --rounds 0)") from None
    stats = Stats()  # type: ignore[no-untyped-call]
    for sample in samples:
        stats.update(sample.median)  # type: ignore[no-untyped-call]
    first = samples[0]
    return Timing(first.name, first.case, first.group, float(stats.median), float(stats.q1), float(stats.q3),
                  float(stats.iqr), float(stats.min), float(stats.max), len(samples), dict(first.extra_info))  # fmt: skip


def pool_rounds(runs: Sequence[BenchmarkRun]) -> dict[CaseKey, Timing]:
    """Every case the rounds of one environment timed, pooled over the rounds that timed it."""
    samples: dict[CaseKey, list[Timing]] = {}
    for run in runs:
        for timing in run.timings.values():
            key = case_key(timing)
            if key is not None:
                samples.setdefault(key, []).append(timing)
    return {key: pooled(found) for key, found in samples.items()}
