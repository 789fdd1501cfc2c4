"""Logistic-regression timings: fit and predict per configuration, and the whole grid.

These cases take a millisecond or less, so pytest-benchmark calibrates them normally (many
rounds, each of many calls). Each case also stores what its model got right and the verdict
against the committed baselines, so a saved run shows results and timings side by side.
"""

from __future__ import annotations

import pytest

from regcheck.studies.heart.configs import LOGREG_GRID, LogregConfig
from regcheck.studies.heart.logreg import fit_logreg, make_estimator
from regcheck.timing.cases import count_correct


def _verdict(bench, config: LogregConfig) -> str:
    return bench.study.judge(config).status


@pytest.mark.benchmark(group="logreg fit")
@pytest.mark.parametrize("config", LOGREG_GRID, ids=lambda config: config.config_id)
def test_logreg_fit(benchmark, bench, config: LogregConfig) -> None:
    split = bench.split
    estimator = make_estimator(config, bench.seed)
    benchmark(bench.slowed(estimator.fit), split.x_train, split.y_train)
    bench.describe(benchmark, "logreg", "fit", config.config_id, "calibrated",
                   n_correct=count_correct(estimator.predict(split.x_test), split.y_test), n_test=len(split.y_test),
                   verdict=_verdict(bench, config))  # fmt: skip


@pytest.mark.benchmark(group="logreg predict")
@pytest.mark.parametrize("config", LOGREG_GRID, ids=lambda config: config.config_id)
def test_logreg_predict(benchmark, bench, config: LogregConfig) -> None:
    split = bench.split
    estimator = make_estimator(config, bench.seed).fit(split.x_train, split.y_train)
    predicted = benchmark(bench.slowed(estimator.predict), split.x_test)
    bench.describe(benchmark, "logreg", "predict", config.config_id, "calibrated",
                   n_correct=count_correct(predicted, split.y_test), n_test=len(split.y_test),
                   verdict=_verdict(bench, config))  # fmt: skip


@pytest.mark.benchmark(group="logreg grid")
def test_logreg_grid(benchmark, bench) -> None:
    """The six fits as the suite runs them (runner, predictions and record included)."""
    split = bench.split

    def fit_grid() -> list:
        return [fit_logreg(config, split, bench.seed) for config in LOGREG_GRID]

    records = benchmark(bench.slowed(fit_grid))
    bench.describe(benchmark, "logreg", "grid", None, "calibrated",
                   n_correct={record.config_id: record.n_correct for record in records},
                   verdicts={config.config_id: _verdict(bench, config) for config in LOGREG_GRID})  # fmt: skip
