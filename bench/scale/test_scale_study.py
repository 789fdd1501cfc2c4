"""The scale study under pytest, one test per configuration (collected and run by ``bench/test_scale.py``)."""

from __future__ import annotations

from typing import Any


def test_configuration_holds(regcheck_config: Any, regcheck_study: Any) -> None:
    regcheck_study.check(regcheck_config)
