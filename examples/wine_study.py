"""An example multi-class study: the wine table that ships inside scikit-learn (178 rows, 13 features, 3 classes).

It shows what a multi-class study provides (``docs/extending.md`` walks through it):

* a deterministic classifier judged **exactly** in every environment: multinomial logistic
  regression (lbfgs), three strengths; its probabilities an ``n x 3`` matrix whose columns are the
  classes in ``classes`` order, its coefficients a ``3 x 13`` array in ``extra``;
* a seeded classifier judged by the **band** outside its profile: ``SGDClassifier`` with
  ``random_state=seed``, the band comparing each seed's count of correct predictions, its
  multi-class log-loss and Brier score;
* headline metrics ``accuracy`` and ``log_loss``, which every report shows.

Run it from the repository root::

    regcheck run   --study examples/wine_study.py:study --baselines examples/baselines
    regcheck bless --study examples/wine_study.py:study --baselines examples/baselines --reason "first baselines"
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

STRENGTHS = (0.01, 0.1, 1.0)
SGD_ALPHAS = (0.001, 0.01)
TEST_SIZE = 0.3
SPLIT_SEED = 1


@dataclass(frozen=True)
class WineSplit:
    x_train: Any
    x_test: Any
    y_train: Any
    y_test: Any
    test_rows: tuple[int, ...]


def _record(config: Setting, data: WineSplit, seed: int, estimator: Any, seconds: float) -> ResultRecord:
    # The log-loss and Brier score are derived by regcheck from the probabilities, the classes and the labels.
    probabilities = estimator.predict_proba(data.x_test)
    return ResultRecord.on_test_part(
        config, data.y_test, data.test_rows, seed, estimator.predict(data.x_test), probabilities, seconds,
        classes=estimator.classes_, coefficients=estimator.coef_,
    )  # fmt: skip


class LogisticModel(Model):
    name = "logistic"
    metrics = ("accuracy", "log_loss")
    exact_reason = "lbfgs on a fixed split is deterministic: exact in every environment"

    def configurations(self) -> Sequence[Setting]:
        return [Setting(self.name, {"C": strength}) for strength in STRENGTHS]

    def fit(self, config: Setting, data: WineSplit, seed: int) -> ResultRecord:
        from sklearn.linear_model import LogisticRegression

        estimator = LogisticRegression(C=config.values["C"], max_iter=2000, random_state=seed)
        started = time.perf_counter()
        estimator.fit(data.x_train, data.y_train)
        return _record(config, data, seed, estimator, time.perf_counter() - started)


class SgdModel(Model):
    name = "sgd"
    rule = "band"
    metrics = ("accuracy", "log_loss")
    band_statistics = ("n_correct", "log_loss", "brier")
    baseline_seeds = tuple(range(10))
    band_seeds = (10, 11, 12, 13, 14)
    exact_seeds = (0,)

    def configurations(self) -> Sequence[Setting]:
        return [Setting(self.name, {"alpha": alpha}) for alpha in SGD_ALPHAS]

    def fit(self, config: Setting, data: WineSplit, seed: int) -> ResultRecord:
        from sklearn.linear_model import SGDClassifier

        # Five epochs, no early stop: short enough that the seed shows in the result.
        estimator = SGDClassifier(loss="log_loss", alpha=config.values["alpha"], max_iter=5, tol=None, random_state=seed)
        started = time.perf_counter()
        estimator.fit(data.x_train, data.y_train)
        return _record(config, data, seed, estimator, time.perf_counter() - started)

    def profile(self) -> dict[str, str]:
        return {"scikit-learn": version("scikit-learn"), "numpy": version("numpy"), "machine": platform.machine()}


class WineStudy(Study):
    name = "wine"

    def models(self) -> Sequence[Model]:
        return (LogisticModel(), SgdModel())

    def load(self, data_path: Path | None) -> Dataset:
        import numpy as np
        from sklearn.datasets import load_wine
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler

        if data_path is not None:
            raise UsageError(f"--data {data_path}: the wine study reads the table scikit-learn ships; pass no --data")
        features, target = load_wine(return_X_y=True)
        digest = hashlib.sha256(np.ascontiguousarray(features).tobytes() + np.ascontiguousarray(target).tobytes())
        rows = np.arange(len(target))
        x_train, x_test, y_train, y_test, _, test_rows = train_test_split(
            features, target, rows, test_size=TEST_SIZE, random_state=SPLIT_SEED, stratify=target
        )
        scaler = StandardScaler().fit(x_train)
        split = WineSplit(scaler.transform(x_train), scaler.transform(x_test), y_train, y_test,
                          tuple(int(row) for row in test_rows))  # fmt: skip
        return Dataset(digest.hexdigest(), "sklearn.datasets.load_wine", split)

    def data_description(self, data_path: Path | None) -> str:
        return "sklearn.datasets.load_wine (ships with scikit-learn)"


study = WineStudy()
