"""scikit-learn 1.8 deprecated ``penalty``: both APIs must give the same numbers, bit for bit."""

from __future__ import annotations

import pytest

from regcheck.studies.heart.configs import LOGREG_GRID, LogregConfig
from regcheck.studies.heart.data import parse_heart_csv
from regcheck.studies.heart.logreg import L1_RATIO_SINCE, sklearn_version, uses_l1_ratio_api


@pytest.mark.skipif(
    sklearn_version() < L1_RATIO_SINCE,
    reason=f"scikit-learn {'.'.join(map(str, sklearn_version()))} has no l1_ratio for liblinear (added in 1.8)",
)
@pytest.mark.parametrize("config", LOGREG_GRID, ids=lambda config: config.config_id)
def test_the_penalty_and_l1_ratio_apis_give_identical_numbers(config: LogregConfig, heart_bytes: bytes) -> None:
    from regcheck.studies.heart.logreg import fit_logreg
    from regcheck.studies.heart.split import prepare_split

    split = prepare_split(parse_heart_csv(heart_bytes, "heart.csv"))
    by_penalty = fit_logreg(config, split, 42, api="penalty")
    by_l1_ratio = fit_logreg(config, split, 42, api="l1_ratio")
    assert by_penalty.extra["coefficients"] == by_l1_ratio.extra["coefficients"]
    assert by_penalty.extra["intercept"] == by_l1_ratio.extra["intercept"]
    assert by_penalty.probabilities == by_l1_ratio.probabilities
    assert by_penalty.predictions == by_l1_ratio.predictions


def test_the_installed_version_gets_the_api_that_raises_no_warning(heart_bytes: bytes) -> None:
    """``filterwarnings = error`` turns a deprecation warning from the default path into a failure."""
    from regcheck.studies.heart.logreg import fit_logreg
    from regcheck.studies.heart.split import prepare_split

    split = prepare_split(parse_heart_csv(heart_bytes, "heart.csv"))
    for config in LOGREG_GRID:
        fit_logreg(config, split, 42)
    assert uses_l1_ratio_api() == (sklearn_version() >= L1_RATIO_SINCE)
