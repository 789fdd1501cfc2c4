"""The publication's MLP loop, verbatim but for the seed: the reference for identity and speed.

Nine ``model.fit`` calls in sequence, in this process, with the framework's default threads,
``validation_split=0.2`` and no op-determinism switch: what a reader of the publication runs.
The only addition is ``keras.utils.set_random_seed(seed)`` before each model, without which
no two runs agree. The suite's fast path must give the same weights and predictions as this
loop for every configuration (tests/studies/heart/test_mlp_runner.py, bench/test_mlp_speed_goal.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from regcheck.studies.heart.configs import MLP_GRID, MlpConfig
from regcheck.studies.heart.mlp_training import weights_sha256

if TYPE_CHECKING:
    from regcheck.studies.heart.split import StudySplit


@dataclass(frozen=True)
class PublishedOutcome:
    config_id: str
    n_correct: int
    predictions: tuple[int, ...]
    weights_sha256: str
    probabilities: tuple[float, ...] = ()
    loss: float = 0.0


def published_fit(config: MlpConfig, split: StudySplit, seed: int) -> PublishedOutcome:
    import keras
    from keras.regularizers import l1_l2

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input(shape=(13,)),
        keras.layers.Dense(128, activation="relu", kernel_regularizer=l1_l2(l1=config.l1, l2=config.l2)),
        keras.layers.Dense(64, activation="relu", kernel_regularizer=l1_l2(l1=config.l1, l2=config.l2)),
        keras.layers.Dense(1, activation="sigmoid"),
    ])  # fmt: skip
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(split.x_train, split.y_train, validation_split=0.2, epochs=100, batch_size=10, verbose=0)
    loss, _ = model.evaluate(split.x_test, split.y_test, verbose=0)
    probabilities = tuple(float(p) for p in model.predict(split.x_test, verbose=0).reshape(-1))
    predictions = tuple(int(p > 0.5) for p in probabilities)
    n_correct = sum(int(p == t) for p, t in zip(predictions, split.y_test, strict=True))
    return PublishedOutcome(config.config_id, n_correct, predictions, weights_sha256(model.get_weights()),
                            probabilities, float(loss))  # fmt: skip


def published_loop(split: StudySplit, seed: int, grid: tuple[MlpConfig, ...] = MLP_GRID) -> list[PublishedOutcome]:
    return [published_fit(config, split, seed) for config in grid]
