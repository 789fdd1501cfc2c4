"""The MLP half of the study, one test per configuration, against the baselines and the published facts.

Seeds: ``--regcheck-seeds`` (default: 42 where this environment's profile matches the
baselines', the exact tier; 0-4 elsewhere, the band tier). Spread over processes with
pytest-xdist: ``pytest tests/study -n 2``.
"""

from __future__ import annotations

import pytest

from regcheck.frontends.pytest_plugin import StudyFixture
from regcheck.studies.heart.configs import MLP_GRID, MlpConfig


@pytest.mark.slow
@pytest.mark.parametrize("config", MLP_GRID, ids=lambda config: config.config_id)
def test_mlp_configuration_matches_its_baseline(config: MlpConfig, regcheck_study: StudyFixture) -> None:
    verdict = regcheck_study.check(config)
    assert verdict.rule in ("exact", "band")
