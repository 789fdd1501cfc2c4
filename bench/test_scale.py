"""regcheck's own cost per configuration, under pytest-benchmark: every verb on the trivial study at two sizes.

    pytest bench/test_scale.py --benchmark-json scale.json        # 1,000 and 10,000 configurations
    REGCHECK_SCALE_SIZES=1000,3000 pytest bench/test_scale.py     # other sizes

Each case is one verb at one size, a process of its own timed once by pytest-benchmark (one round:
a 10,000-configuration bless is not repeated), in the order a user runs them (bless, run, pytest,
report, matrix) in one folder per size (``bench/scale/measure.py``). ``extra_info`` holds the
milliseconds per configuration and the process's peak MiB; the session ends with both sizes side
by side and the ratio of their times (10 for linear cost). Not a timed test: nothing fails on a number.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "scale"))
from measure import VERBS, Measurement, prepare, run_verb, table

SIZES = tuple(int(text) for text in os.environ.get("REGCHECK_SCALE_SIZES", "1000,10000").split(","))
MEASURED: list[Measurement] = []


@pytest.fixture(scope="module", params=SIZES, ids=lambda size: f"{size}-configurations")
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int]]:
    folder = tmp_path_factory.mktemp(f"scale-{request.param}")
    prepare(folder)
    yield folder, int(request.param)


@pytest.mark.parametrize("verb", VERBS)
def test_the_cost_per_configuration_of(verb: str, project: tuple[Path, int], benchmark: Any) -> None:
    folder, size = project
    found: Measurement = benchmark.pedantic(run_verb, args=(verb, folder, size), rounds=1, iterations=1)
    MEASURED.append(found)
    benchmark.extra_info.update({
        "case": f"{verb} {size}", "configurations": size, "ms_per_configuration": round(found.ms_per_configuration, 4),
        "peak_mib": round(found.peak_mib, 1),
    })  # fmt: skip
    if len(MEASURED) == len(SIZES) * len(VERBS):
        print("\n" + table(MEASURED))
