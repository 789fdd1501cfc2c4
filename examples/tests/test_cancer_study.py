"""The example study under pytest: one test per configuration, judged by regcheck's rules.

pytest examples/tests --regcheck-study examples/cancer_study.py:study --regcheck-baselines examples/baselines
"""

from __future__ import annotations

from typing import Any


def test_configuration_holds_against_its_baseline(regcheck_config: Any, regcheck_study: Any) -> None:
    verdict = regcheck_study.check(regcheck_config)
    assert verdict.rule in ("exact", "band")


def test_the_study_claims_hold(regcheck_study: Any) -> None:
    claims = regcheck_study.check_claims("logistic")
    assert [claim.name for claim in claims] == ["logistic accuracy does not drop as C grows"]
