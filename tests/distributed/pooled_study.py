"""A small study whose fits go to workers: seeded SGD (fast), and fits that raise or kill their process.

Used by the Dask executor's tests: ``tests/distributed/pooled_study.py:study``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from regcheck.engine.records import ResultRecord
from regcheck.engine.study import Dataset, Model, Setting, Study


class SgdModel(Model):
    name = "sgd"
    rule = "band"
    band_statistic = "n_correct"

    def configurations(self) -> Sequence[Setting]:
        return [Setting(self.name, {"alpha": alpha}) for alpha in (0.0001, 0.01)]

    def fit(self, config: Setting, data: Any, seed: int) -> ResultRecord:
        from sklearn.linear_model import SGDClassifier

        x_train, x_test, y_train, y_test = data
        estimator = SGDClassifier(loss="log_loss", alpha=config.values["alpha"], max_iter=5, tol=None, random_state=seed)
        started = time.perf_counter()
        estimator.fit(x_train, y_train)
        probabilities = estimator.predict_proba(x_test)[:, 1]
        return ResultRecord.on_test_part(config, y_test, range(len(y_test)), seed, estimator.predict(x_test),
                                         probabilities, time.perf_counter() - started)  # fmt: skip


class FaultyModel(SgdModel):
    """``exits`` ends its worker process (as a segfault or the OOM killer would); ``raises`` raises."""

    name = "faulty"

    def configurations(self) -> Sequence[Setting]:
        return [Setting(self.name, {}, name=name) for name in ("faulty-exits", "faulty-raises", "faulty-fits")]

    def fit(self, config: Setting, data: Any, seed: int) -> ResultRecord:
        if config.config_id == "faulty-exits":
            os._exit(3)
        if config.config_id == "faulty-raises":
            raise ValueError("this configuration cannot be fitted")
        return super().fit(Setting("sgd", {"alpha": 0.01}), data, seed)


class PooledStudy(Study):
    name = "pooled"
    pooled_models = ("sgd", "faulty")

    def models(self) -> Sequence[Model]:
        return (SgdModel(), FaultyModel())

    def load(self, data_path: Path | None) -> Dataset:
        from sklearn.datasets import load_breast_cancer
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler

        features, target = load_breast_cancer(return_X_y=True)
        x_train, x_test, y_train, y_test = train_test_split(features, target, test_size=0.25, random_state=0)
        scaler = StandardScaler().fit(x_train)
        return Dataset("", "sklearn.datasets.load_breast_cancer", (scaler.transform(x_train), scaler.transform(x_test),
                                                                   y_train, y_test))  # fmt: skip


study = PooledStudy()
