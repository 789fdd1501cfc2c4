"""A study of trivial fits for the scale benchmark (``bench/test_scale.py``): what is timed is regcheck itself.

``REGCHECK_SCALE_CONFIGURATIONS`` configurations (default 1,000) of one exact model whose fit costs
nothing: each configuration predicts ten rows from its own index, records a probability per row,
a score and a small array in ``extra``, so every part of a record is exercised as a real study's
would be. The grid is built once per process, as a user's would be.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

from regcheck.engine.study import Dataset, Model, ResultRecord, Setting, Study

ROWS = 10
TRUTH = [row % 2 for row in range(ROWS)]


def configurations_wanted() -> int:
    return int(os.environ.get("REGCHECK_SCALE_CONFIGURATIONS", "1000"))


class TrivialModel(Model):
    name = "trivial"
    exact_reason = "the fit is arithmetic on the configuration's index: exact everywhere"

    @cached_property
    def grid(self) -> tuple[Setting, ...]:
        return tuple(Setting(self.name, {"index": index}) for index in range(configurations_wanted()))

    def configurations(self) -> Sequence[Setting]:
        return self.grid

    def fit(self, config: Setting, data: object, seed: int) -> ResultRecord:
        index = int(config.values["index"])
        predictions = [(index + row) % 2 for row in range(ROWS)]
        probabilities = [((index + row) % 7) / 7 for row in range(ROWS)]
        return ResultRecord.on_test_part(config, TRUTH, range(ROWS), seed, predictions, probabilities, 0.0,
                                         score=index / 1000, curve=[index % 3, index % 5, 0.5])  # fmt: skip


class ScaleStudy(Study):
    name = "scale"

    def models(self) -> Sequence[Model]:
        if not hasattr(self, "_models"):
            self._models = (TrivialModel(),)
        return self._models

    def load(self, data_path: Path | None) -> Dataset:
        return Dataset("0" * 64, "no data: the fits compute from the configuration", None)


study = ScaleStudy()
