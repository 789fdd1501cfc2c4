"""The logistic half of the study, one test per configuration, against published.json and the baselines."""

from __future__ import annotations

import pytest

from regcheck.frontends.pytest_plugin import StudyFixture
from regcheck.studies.heart.configs import LOGREG_GRID, LogregConfig


@pytest.mark.parametrize("config", LOGREG_GRID, ids=lambda config: config.config_id)
def test_logreg_configuration_matches_published_table_and_baseline(config: LogregConfig, regcheck_study: StudyFixture) -> None:
    verdict = regcheck_study.check(config)
    assert verdict.rule == "exact"


def test_l1_claims_of_the_study_hold(regcheck_study: StudyFixture) -> None:
    claims = regcheck_study.check_claims("logreg")
    assert [claim.name for claim in claims] == [
        "logreg-l1-C0.001 zeroes every coefficient",
        "logreg-l1-C0.01 zeroes every coefficient",
        "L1 zero coefficients do not grow as C grows",
    ]
