"""An example study written outside regcheck: the breast-cancer table that ships inside scikit-learn.

It shows everything a study provides (``docs/extending.md`` walks through it):

* its data, loaded and verified (``load``; scikit-learn ships the table, nothing is downloaded);
* a deterministic model judged **exactly** in every environment: logistic regression (lbfgs),
  three strengths;
* a seeded stochastic model judged by the **band** outside its profile: ``SGDClassifier`` with
  ``random_state=seed``, three strengths; exact where scikit-learn, numpy and the machine match
  the baseline's, the band on ``n_correct`` over seeds anywhere else;
* fields of its own in the record's ``extra`` part (the coefficients, the test log-loss);
* one claim the study makes about its own numbers.

Run it from the repository root::

    regcheck run --study examples/cancer_study.py:study --baselines examples/baselines
    regcheck bless --study examples/cancer_study.py:study --baselines examples/baselines --reason "first baselines"
"""

from __future__ import annotations

import hashlib
import platform
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from itertools import pairwise
from pathlib import Path
from typing import Any

from regcheck.engine.study import Claim, Dataset, Model, Setting, Study
from regcheck.errors import UsageError
from regcheck.results.record import ResultRecord

STRENGTHS = (0.001, 0.01, 0.1)
SGD_ALPHAS = (0.0001, 0.001, 0.01)
TEST_SIZE = 0.25
SPLIT_SEED = 0


@dataclass(frozen=True)
class CancerSplit:
    """The scaled train and test parts; ``test_rows`` are the rows of the full table in the test part."""

    x_train: Any
    x_test: Any
    y_train: Any
    y_test: Any
    test_rows: tuple[int, ...]


def _record(config: Setting, data: CancerSplit, seed: int, estimator: Any, seconds: float) -> ResultRecord:
    from sklearn.metrics import log_loss

    probabilities = estimator.predict_proba(data.x_test)[:, 1]
    return ResultRecord.on_test_part(
        config,
        data.y_test,
        data.test_rows,
        seed,
        estimator.predict(data.x_test),
        probabilities,
        seconds,
        coefficients=[float(value) for value in estimator.coef_.ravel()],
        log_loss=float(log_loss(data.y_test, probabilities)),
    )


class LogisticModel(Model):
    name = "logistic"
    rule = "exact"
    exact_reason = "lbfgs on a fixed split is deterministic: exact in every environment"

    def configurations(self) -> Sequence[Setting]:
        return [Setting(self.name, {"C": strength}) for strength in STRENGTHS]

    def fit(self, config: Setting, data: CancerSplit, seed: int) -> ResultRecord:
        from sklearn.linear_model import LogisticRegression

        estimator = LogisticRegression(C=config.values["C"], max_iter=1000, random_state=seed)
        started = time.perf_counter()
        estimator.fit(data.x_train, data.y_train)
        return _record(config, data, seed, estimator, time.perf_counter() - started)


class SgdModel(Model):
    name = "sgd"
    rule = "band"
    exact_fields = ("n_test", "n_correct", "predictions", "probabilities", "log_loss")
    band_statistics = ("n_correct",)

    def configurations(self) -> Sequence[Setting]:
        return [Setting(self.name, {"alpha": alpha}) for alpha in SGD_ALPHAS]

    def fit(self, config: Setting, data: CancerSplit, seed: int) -> ResultRecord:
        from sklearn.linear_model import SGDClassifier

        # Five epochs, no early stop: short enough that the seed shows in the result (135-140 of 143).
        estimator = SGDClassifier(loss="log_loss", alpha=config.values["alpha"], max_iter=5, tol=None,
                                  random_state=seed)  # fmt: skip
        started = time.perf_counter()
        estimator.fit(data.x_train, data.y_train)
        return _record(config, data, seed, estimator, time.perf_counter() - started)

    def profile(self) -> dict[str, str]:
        # What decides SGD's floating-point path: its own code, numpy's kernels, the machine.
        return {"scikit-learn": version("scikit-learn"), "numpy": version("numpy"), "machine": platform.machine()}


class CancerStudy(Study):
    name = "cancer"
    # The seeded model's fits go to workers with --jobs N or --executor dask://HOST:PORT.
    pooled_models = ("sgd",)

    def models(self) -> Sequence[Model]:
        return (LogisticModel(), SgdModel())

    def load(self, data_path: Path | None) -> Dataset:
        import numpy as np
        from sklearn.datasets import load_breast_cancer
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler

        if data_path is not None:
            raise UsageError(f"--data {data_path}: the cancer study reads the table scikit-learn ships; pass no --data")
        features, target = load_breast_cancer(return_X_y=True)
        digest = hashlib.sha256(np.ascontiguousarray(features).tobytes() + np.ascontiguousarray(target).tobytes())
        rows = np.arange(len(target))
        x_train, x_test, y_train, y_test, _, test_rows = train_test_split(
            features, target, rows, test_size=TEST_SIZE, random_state=SPLIT_SEED, stratify=target
        )
        scaler = StandardScaler().fit(x_train)
        split = CancerSplit(scaler.transform(x_train), scaler.transform(x_test), y_train, y_test,
                          tuple(int(row) for row in test_rows))  # fmt: skip
        return Dataset(digest.hexdigest(), "sklearn.datasets.load_breast_cancer", split)

    def claims(self, records: Mapping[str, Sequence[ResultRecord]]) -> list[Claim]:
        """Weaker regularization never makes the logistic model worse on this split."""
        counts = [(config_id, found[0].n_correct or 0) for config_id, found in records.items()
                  if found and found[0].model == "logistic"]  # fmt: skip
        if len(counts) < 2:
            return []
        drops = [f"{a} {ca} -> {b} {cb}" for (a, ca), (b, cb) in pairwise(counts) if cb < ca]
        detail = "; ".join(drops) or ", ".join(f"{cid}: {n}" for cid, n in counts)
        return [Claim("logistic accuracy does not drop as C grows", not drops, detail)]

    def data_description(self, data_path: Path | None) -> str:
        return "sklearn.datasets.load_breast_cancer (ships with scikit-learn)"


study = CancerStudy()
