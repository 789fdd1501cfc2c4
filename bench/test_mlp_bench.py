"""Keras MLP timings: fit and predict per configuration, the whole grid, and a GPU-only case.

One fit is seconds (100 epochs), so every case runs in pedantic mode with a fixed number of
rounds (``--regcheck-bench-rounds``, default 1) instead of pytest-benchmark's calibration.
The runner is ``regcheck.studies.heart.mlp_training``; it imports Keras itself, lazily, so collecting this
file imports no framework and ``pytest bench/ -k logreg`` never pays for one.

What the cases time from the runner:

* ``fit_mlp(config, split, seed) -> ResultRecord`` (the suite's runner): the grid case;
* ``build_and_train(config, split, seed) -> keras.Model`` (training only, no evaluation): the fit
  cases, and its model is what the predict cases time ``model.predict`` on.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

import pytest

from regcheck.frameworks.devices import no_gpu_reason
from regcheck.frameworks.keras import keras_backend, keras_missing_reason
from regcheck.studies.heart.configs import MLP_GRID, MlpConfig
from regcheck.timing.cases import count_correct, keras_predict_labels

RUNNER = "regcheck.studies.heart.mlp_training"
# The configuration the publication reports as its best (0.885): the GPU-only case times it.
BEST = MlpConfig(0.01, 0.001)


@pytest.fixture(scope="session")
def mlp_runner() -> Any:
    reason = keras_missing_reason()
    if reason:
        pytest.skip(reason)
    return importlib.import_module(RUNNER)


def _train(runner: Any, bench: Any, config: MlpConfig) -> Any:
    return runner.build_and_train(config, bench.split, bench.seed)


def _device() -> str:
    from regcheck.frameworks.devices import detect

    return detect(keras_backend()).label


@pytest.mark.benchmark(group="mlp fit")
@pytest.mark.parametrize("config", MLP_GRID, ids=lambda config: config.config_id)
def test_mlp_fit(benchmark, bench, mlp_runner, config: MlpConfig) -> None:
    split = bench.split
    model = benchmark.pedantic(bench.slowed(mlp_runner.build_and_train), args=(config, split, bench.seed),
                               rounds=bench.rounds, iterations=1)  # fmt: skip
    bench.trained[config.config_id] = model
    n_correct = count_correct(keras_predict_labels(model, split.x_test), split.y_test)
    timed = "build_and_train"
    bench.describe(benchmark, "mlp", "fit", config.config_id, f"pedantic {bench.rounds}", n_correct=n_correct,
                   n_test=len(split.y_test), timed=timed, backend=keras_backend(), device=_device())  # fmt: skip


@pytest.mark.benchmark(group="mlp predict")
@pytest.mark.parametrize("config", MLP_GRID, ids=lambda config: config.config_id)
def test_mlp_predict(benchmark, bench, mlp_runner, config: MlpConfig) -> None:
    split = bench.split
    model = bench.trained.get(config.config_id) or _train(mlp_runner, bench, config)
    # The first predict call builds (traces) the predict function: a warm-up round, not a timing.
    predicted = benchmark.pedantic(bench.slowed(keras_predict_labels), args=(model, split.x_test),
                                   rounds=bench.predict_rounds, warmup_rounds=1, iterations=1)  # fmt: skip
    bench.describe(benchmark, "mlp", "predict", config.config_id, f"pedantic {bench.predict_rounds}",
                   n_correct=count_correct(predicted, split.y_test), n_test=len(split.y_test),
                   backend=keras_backend(), device=_device())  # fmt: skip


@pytest.mark.benchmark(group="mlp grid")
def test_mlp_grid(benchmark, bench, mlp_runner) -> None:
    """The nine fits as the suite runs them (the runner, evaluation included), one seed."""
    split = bench.split

    def fit_grid() -> list[Any]:
        return [mlp_runner.fit_mlp(config, split, bench.seed) for config in MLP_GRID]

    records = benchmark.pedantic(bench.slowed(fit_grid), rounds=bench.rounds, iterations=1)
    bench.describe(benchmark, "mlp", "grid", None, f"pedantic {bench.rounds}",
                   n_correct={record.config_id: record.n_correct for record in records},
                   backend=keras_backend(), device=_device())  # fmt: skip


@pytest.mark.gpu
@pytest.mark.benchmark(group="mlp fit gpu")
def test_mlp_fit_on_the_gpu(benchmark, bench, mlp_runner) -> None:
    """GPU only: the best configuration's fit placed on the GPU explicitly (keras.device)."""
    reason = no_gpu_reason(keras_backend())
    if reason:
        pytest.skip(reason)
    import keras

    def fit_on_gpu() -> Any:
        with keras.device("gpu:0"):
            return mlp_runner.fit_mlp(BEST, bench.split, bench.seed)

    record = benchmark.pedantic(bench.slowed(fit_on_gpu), rounds=bench.rounds, iterations=1)
    bench.describe(benchmark, "mlp", "fit-gpu", BEST.config_id, f"pedantic {bench.rounds}", n_correct=record.n_correct,
                   n_test=record.n_test, backend=keras_backend(), device=_device())  # fmt: skip
