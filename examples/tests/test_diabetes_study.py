"""The regression example under pytest: one test per configuration, judged by regcheck's rules.

    pytest examples/tests/test_diabetes_study.py --regcheck-study examples/diabetes_study.py:study \\
        --regcheck-baselines examples/baselines
"""

from __future__ import annotations

from typing import Any


def test_configuration_holds_against_its_baseline(regcheck_config: Any, regcheck_study: Any) -> None:
    verdict = regcheck_study.check(regcheck_config)
    assert verdict.rule in ("exact", "band")
