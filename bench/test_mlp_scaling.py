"""Where the GPU wins: the study's MLP scaled up, a fixed number of training steps on the CPU and the GPU.

Outside the study's baselines (nothing here is judged against one): the study's network
(``Dense(w) -> Dense(w/2) -> Dense(1)``, ``l1_l2`` on the hidden layers, Adam, binary
cross-entropy, Keras' default compile options) trained on random rows for ``STEPS`` steps of
``batch`` rows, for every batch size in ``BATCHES`` and width in ``WIDTHS``, once placed on the
CPU and once on the GPU (``keras.device``). The study's own size is batch 10, width 128: there
the GPU loses (a step is a few small kernels, and launching them costs more than computing them).

Each case's ``extra_info`` carries ``family="scaling"``, ``batch``, ``width``, ``device`` and
``steps``, so ``regcheck compare`` and ``regcheck report`` add a crossover table (GPU time / CPU
time per size) for every run that holds these cases. A GPU case skips, with the reason, where
the backend sees no GPU. A timed round is ``STEPS`` calls of ``train_on_batch``; one step before
the first round traces and compiles the training step and is not timed.

Cheap on purpose (a 2-core machine runs it in minutes): three batch sizes, three widths, few steps.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from regcheck.frameworks.devices import no_gpu_reason
from regcheck.frameworks.keras import keras_backend, keras_missing_reason

BATCHES = (10, 256, 4096)
WIDTHS = (128, 1024, 4096)
DEVICES = ("cpu", "gpu")
STEPS = 5
FEATURES = 13  # the heart table's columns
# The study's best configuration's penalties (the publication's 0.885).
L1, L2 = 0.01, 0.001


@pytest.fixture(scope="session")
def keras_module() -> Any:
    reason = keras_missing_reason()
    if reason:
        pytest.skip(reason)
    from regcheck.studies.heart.mlp_training import load_keras

    return load_keras()


@pytest.fixture(scope="session")
def gpu_skip_reason() -> str | None:
    return no_gpu_reason(keras_backend())


def parameters(width: int) -> int:
    """Weights and biases of the scaled network (13 inputs, ``width``, ``width // 2``, 1 output)."""
    half = width // 2
    return FEATURES * width + width + width * half + half + half + 1


def build_scaled(keras: Any, width: int) -> Any:
    def penalty() -> Any:
        return keras.regularizers.l1_l2(l1=L1, l2=L2)

    model = keras.Sequential([
        keras.Input(shape=(FEATURES,)),
        keras.layers.Dense(width, activation="relu", kernel_regularizer=penalty()),
        keras.layers.Dense(width // 2, activation="relu", kernel_regularizer=penalty()),
        keras.layers.Dense(1, activation="sigmoid"),
    ])  # fmt: skip
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def random_rows(rows: int, seed: int) -> tuple[Any, Any]:
    import numpy as np

    generator = np.random.default_rng(seed)
    x = generator.standard_normal((rows, FEATURES), dtype=np.float32)
    y = generator.integers(0, 2, size=(rows, 1)).astype(np.float32)
    return x, y


# Keras' names for the two devices. "cpu", not "cpu:0": under the PyTorch backend a variable made on
# the CPU is on torch.device("cpu"), which is not "cpu:0", so every step would copy the weights off the
# graph and train nothing ("No gradients provided for any variable", seen on an H200 with Keras 3.15.1).
KERAS_DEVICES = {"cpu": "cpu", "gpu": "gpu:0"}


def on_device(keras: Any, device: str, target: Callable[[], Any]) -> Callable[[], Any]:
    """``target`` run with new arrays placed on ``device`` (``keras.device``), each time it is called."""

    def placed() -> Any:
        with keras.device(KERAS_DEVICES[device]):
            return target()

    return placed


@pytest.mark.benchmark(group="mlp scaling")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("width", WIDTHS, ids=lambda width: f"w{width}")
@pytest.mark.parametrize("batch", BATCHES, ids=lambda batch: f"b{batch}")
def test_mlp_scaling(benchmark, bench, keras_module, gpu_skip_reason, batch: int, width: int, device: str) -> None:
    if device == "gpu" and gpu_skip_reason:
        pytest.skip(gpu_skip_reason)
    keras = keras_module
    x, y = random_rows(batch * STEPS, bench.seed)

    batches = [(x[start : start + batch], y[start : start + batch]) for start in range(0, batch * STEPS, batch)]

    def build_and_warm() -> Any:
        keras.utils.set_random_seed(bench.seed)
        model = build_scaled(keras, width)
        model.train_on_batch(*batches[0])  # traces and compiles the training step
        return model

    model = on_device(keras, device, build_and_warm)()

    def train() -> Any:
        # One call per step, each returning its loss (so each step has finished when the next starts):
        # the per-step cost the study pays, without fit()'s per-call set-up, which would hide it.
        return [model.train_on_batch(rows, labels) for rows, labels in batches]

    benchmark.pedantic(bench.slowed(on_device(keras, device, train)), rounds=bench.rounds, iterations=1)
    bench.describe(benchmark, "mlp-scaling", "train", None, f"pedantic {bench.rounds}")
    benchmark.extra_info.update({
        "case": f"scaling b{batch} w{width} {device}", "family": "scaling", "batch": batch, "width": width,
        "device": device, "steps": STEPS, "parameters": parameters(width),
        "flop_per_step": 6 * batch * parameters(width), "backend": keras_backend(),
    })  # fmt: skip
