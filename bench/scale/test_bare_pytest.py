"""pytest alone, as many trivial tests as the scale study has configurations: the share of a pytest run that is
pytest's own (collection, reporting), beside which ``test_scale_study.py`` shows regcheck's."""

from __future__ import annotations

import os

import pytest


@pytest.mark.parametrize("index", range(int(os.environ.get("REGCHECK_SCALE_CONFIGURATIONS", "1000"))))
def test_nothing_but_pytest(index: int) -> None:
    assert index >= 0
