"""The published MLP, layer by layer: its architecture, its seeding, and the numbers of its training call.

Kept apart from the training (``mlp_training``) and its speed levers (``mlp_levers``): both build
the same layers from here, so a lever can never train another network than the published one.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from regcheck.frameworks.keras import detect_flavour
from regcheck.studies.heart.configs import MlpConfig

HIDDEN_UNITS = (128, 64)
DENSE_LAYERS = len(HIDDEN_UNITS) + 1  # the hidden layers and the sigmoid output
EPOCHS = 100
BATCH_SIZE = 10
VALIDATION_SPLIT = 0.2


def build_model(keras: Any, config: MlpConfig, seed: int) -> Any:
    """Seeded, the published architecture and ``compile``; ``l1_l2`` on the two hidden layers only."""
    model = seeded_architecture(keras, config, seed)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def seeded_architecture(keras: Any, config: MlpConfig, seed: int) -> Any:
    """Seed the fit's generators (``keras.utils.set_random_seed``) and build the published layers: the seed's initial weights.

    The published call leaves the initializers unseeded, and Keras 3 draws an unseeded
    initializer's seed from Python's process-wide ``random`` (``make_default_seed``), which every
    thread of the process shares. A Dask worker's event loop draws from it while a fit runs in the
    worker's task thread (``dask.sizeof`` samples long lists with ``random.sample``), and a draw
    landing between the seeding and the layers gave other initial weights: 1 to 3 of the nine
    configurations moved in most runs on a two-worker cluster (docs/distributed.md). So on Keras 3
    the kernel initializers get those same numbers explicitly, from a generator of their own seeded
    alike (``kernel_initializers``): the same weights as the published call (a test), whatever other
    threads draw. tf.keras 2 already draws them from a generator of its own that its
    ``set_random_seed`` seeds, so there the layers are built as published.
    """
    keras.utils.set_random_seed(seed)
    return published_architecture(keras, config, initializers=kernel_initializers(keras, seed))


# Keras 3's ``make_default_seed``: ``random.randint(1, int(1e9))`` (keras/src/random/seed_generator.py).
KERAS_SEED_RANGE = (1, int(1e9))


def kernel_initializers(keras: Any, seed: int) -> tuple[Any, ...] | None:
    """The three layers' Glorot-uniform initializers, seeded as Keras 3 would seed them after ``seed``; None on tf.keras 2."""
    if detect_flavour().api != "keras3":
        return None
    # ``set_random_seed`` calls ``random.seed(seed)``; a Random seeded alike gives the same numbers, to this fit alone.
    draws = random.Random(seed)
    return tuple(keras.initializers.GlorotUniform(seed=draws.randint(*KERAS_SEED_RANGE)) for _ in range(DENSE_LAYERS))


def published_architecture(keras: Any, config: MlpConfig, penalty: Callable[[], Any] | None = None,
                           initializers: tuple[Any, ...] | None = None) -> Any:  # fmt: skip
    """The published layers, not compiled; built right after seeding, they hold the seed's initial weights.

    ``penalty`` makes each hidden layer's regularizer; default, the published ``l1_l2(l1, l2)``.
    ``initializers``: the three layers' kernel initializers; default, Keras' own (``glorot_uniform``).
    """

    def published_penalty() -> Any:
        return keras.regularizers.l1_l2(l1=config.l1, l2=config.l2)

    make = penalty or published_penalty
    kernels = initializers or ("glorot_uniform",) * DENSE_LAYERS
    return keras.Sequential([
        keras.Input(shape=(13,)),
        keras.layers.Dense(HIDDEN_UNITS[0], activation="relu", kernel_regularizer=make(), kernel_initializer=kernels[0]),
        keras.layers.Dense(HIDDEN_UNITS[1], activation="relu", kernel_regularizer=make(), kernel_initializer=kernels[1]),
        keras.layers.Dense(1, activation="sigmoid", kernel_initializer=kernels[2]),
    ])  # fmt: skip
