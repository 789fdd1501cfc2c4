"""An example regression study: the diabetes table that ships inside scikit-learn (442 rows, 10 features).

It shows what a regression study provides (``docs/extending.md`` walks through it):

* a deterministic model judged **exactly** in every environment: ridge regression, three strengths,
  its coefficients and intercept recorded in ``extra``;
* a seeded model judged by the **band** outside its profile: a random forest with
  ``random_state=seed``, the band comparing each seed's test ``mse`` and ``r2``, and the forest's
  feature importances recorded as an array;
* ``task = "regression"`` and headline metrics ``r2`` and ``mse``, which every report shows.

Run it from the repository root::

    regcheck run   --study examples/diabetes_study.py:study --baselines examples/baselines
    regcheck bless --study examples/diabetes_study.py:study --baselines examples/baselines --reason "first baselines"
"""

from __future__ import annotations

import hashlib
import platform
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from regcheck.engine.study import Dataset, Model, ResultRecord, Setting, Study
from regcheck.errors import UsageError

RIDGE_ALPHAS = (0.1, 1.0, 10.0)
FOREST_DEPTHS = (3, 6)
TEST_SIZE = 0.25
SPLIT_SEED = 0


@dataclass(frozen=True)
class DiabetesSplit:
    """The scaled train and test parts; ``test_rows`` are the rows of the full table in the test part."""

    x_train: Any
    x_test: Any
    y_train: Any
    y_test: Any
    test_rows: tuple[int, ...]


class RidgeModel(Model):
    name = "ridge"
    task = "regression"
    metrics = ("r2", "mse")
    exact_reason = "ridge regression has a closed-form solution: exact in every environment"

    def configurations(self) -> Sequence[Setting]:
        return [Setting(self.name, {"alpha": alpha}) for alpha in RIDGE_ALPHAS]

    def fit(self, config: Setting, data: DiabetesSplit, seed: int) -> ResultRecord:
        from sklearn.linear_model import Ridge

        estimator = Ridge(alpha=config.values["alpha"])
        started = time.perf_counter()
        estimator.fit(data.x_train, data.y_train)
        seconds = time.perf_counter() - started
        return ResultRecord.on_test_part(
            config, data.y_test, data.test_rows, seed, estimator.predict(data.x_test), None, seconds,
            coefficients=estimator.coef_, intercept=float(estimator.intercept_),
        )  # fmt: skip


class ForestModel(Model):
    name = "forest"
    task = "regression"
    metrics = ("r2", "mse")
    rule = "band"
    # In a matching profile every seed repeats bit for bit; elsewhere the band compares the error over seeds.
    band_statistics = ("mse", "r2")
    baseline_seeds = (0, 1, 2, 3, 4, 5, 6, 7, 8, 9)
    band_seeds = (10, 11, 12, 13, 14)
    exact_seeds = (0,)

    def configurations(self) -> Sequence[Setting]:
        return [Setting(self.name, {"max_depth": depth}) for depth in FOREST_DEPTHS]

    def fit(self, config: Setting, data: DiabetesSplit, seed: int) -> ResultRecord:
        from sklearn.ensemble import RandomForestRegressor

        estimator = RandomForestRegressor(n_estimators=20, max_depth=config.values["max_depth"], random_state=seed, n_jobs=1)
        started = time.perf_counter()
        estimator.fit(data.x_train, data.y_train)
        seconds = time.perf_counter() - started
        return ResultRecord.on_test_part(
            config, data.y_test, data.test_rows, seed, estimator.predict(data.x_test), None, seconds,
            importances=estimator.feature_importances_,
        )  # fmt: skip

    def profile(self) -> dict[str, str]:
        # What decides the forest's arithmetic: scikit-learn's trees, numpy, the machine.
        return {"scikit-learn": version("scikit-learn"), "numpy": version("numpy"), "machine": platform.machine()}


class DiabetesStudy(Study):
    name = "diabetes"

    def models(self) -> Sequence[Model]:
        return (RidgeModel(), ForestModel())

    def load(self, data_path: Path | None) -> Dataset:
        import numpy as np
        from sklearn.datasets import load_diabetes
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler

        if data_path is not None:
            raise UsageError(f"--data {data_path}: the diabetes study reads the table scikit-learn ships; pass no --data")
        features, target = load_diabetes(return_X_y=True)
        digest = hashlib.sha256(np.ascontiguousarray(features).tobytes() + np.ascontiguousarray(target).tobytes())
        rows = np.arange(len(target))
        x_train, x_test, y_train, y_test, _, test_rows = train_test_split(
            features, target, rows, test_size=TEST_SIZE, random_state=SPLIT_SEED
        )
        scaler = StandardScaler().fit(x_train)
        split = DiabetesSplit(scaler.transform(x_train), scaler.transform(x_test), y_train, y_test,
                              tuple(int(row) for row in test_rows))  # fmt: skip
        return Dataset(digest.hexdigest(), "sklearn.datasets.load_diabetes", split)

    def data_description(self, data_path: Path | None) -> str:
        return "sklearn.datasets.load_diabetes (ships with scikit-learn)"


study = DiabetesStudy()
