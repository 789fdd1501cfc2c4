"""The heart study's logistic regression: liblinear, as published, seeded, on any scikit-learn 1.3+.

Its rule is ``exact``: liblinear with a fixed ``random_state`` is deterministic, so every field of
its one seed must equal the baseline's in every environment (``regcheck.results.compare``).
"""

from __future__ import annotations

import functools
import time
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from regcheck.engine.study import DEFAULT_SEED, Model
from regcheck.frameworks.environment import package_version
from regcheck.results.record import ResultRecord
from regcheck.studies.heart.configs import LOGREG_GRID, LogregConfig
from regcheck.studies.heart.data import N_FEATURES, impossible_in_heart

if TYPE_CHECKING:
    from sklearn.linear_model import LogisticRegression

    from regcheck.studies.heart.split import StudySplit

# scikit-learn 1.8 deprecated ``penalty`` (removed in 1.10) in favour of ``l1_ratio``;
# with liblinear, l1_ratio 1.0 is the L1 penalty and 0.0 the L2 penalty.
L1_RATIO_SINCE = (1, 8)
_L1_RATIO = {"l1": 1.0, "l2": 0.0}


@functools.cache  # a metadata lookup costs ~1 ms, as much as a fit; the version cannot change in-process
def sklearn_version() -> tuple[int, int]:
    version = package_version("scikit-learn") or "0.0"
    major, minor = version.split(".")[:2]
    return int(major), int("".join(ch for ch in minor if ch.isdigit()) or 0)


def uses_l1_ratio_api() -> bool:
    return sklearn_version() >= L1_RATIO_SINCE


def make_estimator(config: LogregConfig, seed: int, api: str | None = None) -> LogisticRegression:
    """Build the estimator through the API this scikit-learn wants.

    ``api`` forces ``"penalty"`` or ``"l1_ratio"`` (the test that proves both paths
    agree uses it); by default the version decides, so no deprecation warning is raised.
    """
    from sklearn.linear_model import LogisticRegression

    chosen = api or ("l1_ratio" if uses_l1_ratio_api() else "penalty")
    common: dict[str, Any] = {"C": config.C, "solver": "liblinear", "random_state": seed}
    if chosen == "l1_ratio":
        return LogisticRegression(l1_ratio=_L1_RATIO[config.penalty], **common)
    return LogisticRegression(penalty=config.penalty, **common)


def fit_logreg(config: LogregConfig, split: StudySplit, seed: int, api: str | None = None) -> ResultRecord:
    estimator = make_estimator(config, seed, api)
    started = time.perf_counter()
    with warnings.catch_warnings():
        if api == "penalty" and uses_l1_ratio_api():
            # Only the equivalence proof takes the deprecated path on purpose; 1.8+ warns
            # that penalty is deprecated and that it disagrees with the default l1_ratio.
            warnings.simplefilter("ignore", FutureWarning)
            warnings.filterwarnings("ignore", message="Inconsistent values: penalty=", category=UserWarning)
        estimator.fit(split.x_train, split.y_train)
    fit_seconds = time.perf_counter() - started
    coefficients = estimator.coef_.ravel()
    return ResultRecord.on_test_part(
        config,
        split.y_test,
        split.test_rows,
        seed,
        estimator.predict(split.x_test),
        estimator.predict_proba(split.x_test)[:, 1],
        fit_seconds,
        coefficients=[float(value) for value in coefficients],
        intercept=[float(value) for value in estimator.intercept_],
        n_zero_coefficients=int((coefficients == 0).sum()),
    )


class LogregModel(Model):
    """Deterministic: one seed, the exact rule everywhere."""

    name = "logreg"
    rule = "exact"
    # FACTS: the six accuracies are the same for every random_state 0..199, and the fit is
    # bit-reproducible for a given one; more seeds would only repeat the check.
    exact_seeds = (DEFAULT_SEED,)
    band_seeds = (DEFAULT_SEED,)
    exact_reason = "liblinear with a fixed random_state is deterministic: exact in every environment"
    # Everything a fit records but its timing: named, so that a baseline lacking one is refused.
    exact_fields = ("params", "n_test", "n_correct", "predictions", "probabilities", "test_rows", "true_labels",
                    "coefficients", "intercept", "n_zero_coefficients")  # fmt: skip

    def configurations(self) -> Sequence[LogregConfig]:
        return LOGREG_GRID

    def impossible(self, outcome: Mapping[str, Any]) -> tuple[str, str, Any] | None:
        return impossible_in_heart(outcome) or _impossible_fit(outcome)

    def fit(self, config: Any, data: StudySplit, seed: int) -> ResultRecord:
        return fit_logreg(config, data, seed)


def _impossible_fit(outcome: Mapping[str, Any]) -> tuple[str, str, Any] | None:
    """One coefficient per feature, one intercept, at most that many zero coefficients."""
    coefficients = outcome.get("coefficients")
    if coefficients is not None and len(coefficients) != N_FEATURES:
        return "coefficients", f"{N_FEATURES} numbers (one per feature)", f"{len(coefficients)} numbers"
    if outcome.get("intercept") is not None and (not isinstance(outcome["intercept"], list) or len(outcome["intercept"]) != 1):
        return "intercept", "a list of one number", outcome["intercept"]
    zeros = outcome.get("n_zero_coefficients")
    if zeros is not None and (type(zeros) is not int or not 0 <= zeros <= N_FEATURES):
        return "n_zero_coefficients", f"a count from 0 to {N_FEATURES}", zeros
    return None
