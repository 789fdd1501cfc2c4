"""The heart study: the Cleveland table, logistic regression (exact) and a Keras MLP (band).

A published study of regularization on the 303-row Cleveland heart-disease table
(``/work/shared/FACTS.md`` in the project's notes; ``docs/heart-study.md``): its data and
verification (``data.py``, ``uci.py``), the published split and scaling (``split.py``), the two
models (``logreg.py``, ``mlp.py``), the published numbers (``published.py``) and its claims
(``claims.py``). The engine knows none of this: it runs whatever a ``Study`` gives it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from regcheck.engine.study import Claim, Dataset, GridAxes, Model, Study
from regcheck.studies.heart.data import CANONICAL_SHA256, DATASET_NAME

if TYPE_CHECKING:
    from regcheck.results.record import ResultRecord
    from regcheck.studies.heart.published import PublishedTable


class HeartStudy(Study):
    name = DATASET_NAME
    dataset_sha256 = CANONICAL_SHA256
    # An MLP fit takes seconds: those go to the worker pool; a logistic fit takes a millisecond.
    pooled_models = ("mlp",)
    requires = ("numpy", "pandas", "sklearn")

    def models(self) -> Sequence[Model]:
        from regcheck.studies.heart.logreg import LogregModel
        from regcheck.studies.heart.mlp import MlpModel

        if not hasattr(self, "_models"):
            self._models: tuple[Model, ...] = (LogregModel(), MlpModel())
        return self._models

    def load(self, data_path: Path | None) -> Dataset:
        from regcheck.studies.heart.data import load_heart
        from regcheck.studies.heart.split import prepare_split

        table = load_heart(data_path)
        return Dataset(table.sha256, table.source, prepare_split(table.frame), table.path)

    def claims(self, records: Mapping[str, Sequence[ResultRecord]]) -> list[Claim]:
        from regcheck.studies.heart.claims import heart_claims

        return heart_claims(records)

    def published(self, baselines_root: Path) -> PublishedTable:
        from regcheck.studies.heart.published import load_published

        return load_published(baselines_root)

    def grid_axes(self) -> list[GridAxes]:
        # As the publication prints its table (penalty rows named L1, L2) and FACTS.md the MLP grid.
        penalties = {"l1": "L1", "l2": "L2"}
        return [
            GridAxes("logreg", "Logistic regression: accuracy by penalty and C", "penalty", "C", "penalty", "lines", penalties),
            GridAxes("mlp", "MLP: correct predictions by l1 and l2, per seed", "l1", "l2", "l1", "heatmap"),
        ]

    def data_description(self, data_path: Path | None) -> str:
        if data_path:
            return str(data_path)
        if os.environ.get("REGCHECK_DATA"):
            return os.environ["REGCHECK_DATA"]
        if "REGCHECK_DATA_DIR" in os.environ:
            return f"$REGCHECK_DATA_DIR={os.environ['REGCHECK_DATA_DIR']}"
        return "cache or download"


study = HeartStudy()
