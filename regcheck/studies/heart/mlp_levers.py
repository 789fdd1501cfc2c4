"""The MLP's fit without Keras' per-epoch overhead, on Keras 3 over TensorFlow: the same bits, faster.

Where the published call's time goes (one fit, one thread, 5.1 s, measured with cProfile): 0.9 s
in the training steps; 1.9 s creating a tf.data iterator for each of the 100 epochs; about 1 s
in Keras' per-epoch Python; 0.7 s tracing the training function; the rest evaluation. The
arithmetic is not the cost, so the levers keep every operation that touches a weight and cut
what is around it:

* **one dataset for the whole fit** (``whole_fit_dataset``): Keras shuffles an array input with
  ``tf.random.shuffle`` inside its dataset, seeded from the global seed, and creates a fresh
  iterator for every epoch, so every epoch of a seeded fit sees the same order (Keras 3.15,
  measured). The order is read once from Keras' own adapter (``epoch_order``), and the batches
  Keras would cut from it are laid out for all 100 epochs; if two epochs of the adapter ever
  disagree (another Keras), the lever steps aside and the published fit runs.
* **one call into the runtime per fit** (``steps_per_execution`` = every step of every epoch):
  the same steps in the same order, without 100 returns to Python.
* **one compiled model per configuration and process** (``trainer_for``): a worker that fits a
  configuration again (another seed) loads the new seed's initial weights into it, resets the
  optimizer to its state before the first step, and reuses the traced training function
  instead of tracing it again. The trained weights are then copied into the configuration's
  evaluator, a twin compiled as published, whose ``evaluate`` and ``predict`` are traced once too:
  ``predict`` on the model compiled with ``steps_per_execution`` runs both test batches in one
  traced call and gives other last bits in the probabilities (measured), so it is not used.

Proven bit-identical (weights sha256, the 61 labels and probabilities, the test loss) against
the published call, on the whole grid for seeds 0-4 and 42, each fit both with a fresh and with
a reused model: ``bench/verify_published_identity.py``; CI runs a subset covering every lever
(``tests/study/test_mlp_levers.py``).

Tried and not used:

* ``jit_compile=True``: with op determinism on, Keras switches XLA off again ("Model doesn't
  support `jit_compile=True`"), so it never ran; with determinism off, XLA gave other weights
  (l1=0.01, l2=0.001 and l2=0.1, seed 3, measured 2026-11-26).
* ``evaluate`` and ``predict`` folded into one call: the test loss is a batch-weighted mean of
  the cross-entropy plus the penalty over 32-row batches, and recomputing it from the
  probabilities is not the same sum in the same order; the two calls cost about 0.1 s once
  their functions are traced, and the reused model traces them once per configuration.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from regcheck.studies.heart.mlp_training import BATCH_SIZE, EPOCHS, build_model, published_architecture

if TYPE_CHECKING:
    import numpy as np

    from regcheck.studies.heart.configs import MlpConfig

LEVERS = ("whole-fit dataset", "steps_per_execution", "model reuse")


@dataclass(frozen=True)
class Trainer:
    """A configuration's model compiled for training, its optimizer's state before any step, and its evaluator."""

    model: Any
    optimizer_start: tuple[Any, ...]
    evaluator: Any  # compiled as published: evaluate and predict give the published call's bits


_trainers: dict[tuple[float, float, int], Trainer] = {}


def forget_trainers() -> None:
    """Drop this process's compiled models: the next fit of each configuration builds a fresh one."""
    _trainers.clear()


def trainer_for(keras: Any, config: MlpConfig, steps: int) -> Trainer:
    """This process's compiled model for ``config``, built on first use; ``steps``: all steps of one fit."""
    key = (config.l1, config.l2, steps)
    found = _trainers.get(key)
    if found is None:
        model = published_architecture(keras, config)
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"], steps_per_execution=steps)
        # Built now, as ``fit`` would before its first step, so its starting state can be restored.
        model.optimizer.build(model.trainable_variables)
        found = Trainer(model, tuple(variable.numpy() for variable in model.optimizer.variables), build_model(keras, config))
        _trainers[key] = found
    return found


def epoch_order(rows: int) -> list[int] | None:
    """The row order Keras' array adapter gives every epoch under the current seed; None where epochs differ."""
    import numpy as np

    try:
        from keras.src.trainers.data_adapters.array_data_adapter import ArrayDataAdapter
    except ImportError:  # Keras moved its adapter: train as published
        return None
    index = np.arange(rows, dtype="float32")  # row numbers, exact in float32
    dataset = ArrayDataAdapter(index, index, batch_size=BATCH_SIZE, shuffle=True).get_tf_dataset()
    epochs = [[int(value) for x_batch, _ in dataset for value in x_batch.numpy()] for _ in range(2)]
    return epochs[0] if epochs[0] == epochs[1] else None


def whole_fit_dataset(x: np.ndarray, y: np.ndarray) -> Any:
    """The batches of one epoch (already in Keras' order), for all epochs: full batches, then the partial one."""
    import tensorflow as tf

    full = len(x) // BATCH_SIZE * BATCH_SIZE
    epoch = tf.data.Dataset.from_tensor_slices(
        (x[:full].reshape(-1, BATCH_SIZE, *x.shape[1:]), y[:full].reshape(-1, BATCH_SIZE, *y.shape[1:]))
    )
    if full < len(x):
        epoch = epoch.concatenate(tf.data.Dataset.from_tensors((x[full:], y[full:])))
    return epoch.repeat(EPOCHS)


def train_with_levers(keras: Any, config: MlpConfig, x: np.ndarray, y: np.ndarray, seed: int) -> Any | None:
    """Train as ``fit(x, y, epochs=100, batch_size=10)`` would, bit for bit; None where a lever cannot apply.

    Returns a model compiled as published, holding the trained weights: this process's evaluator
    for ``config``, so read it before the next fit of the same configuration, which reloads it.
    """
    keras.utils.set_random_seed(seed)
    # Built right after seeding, as the published call builds its model: the same initial weights.
    initial = published_architecture(keras, config)
    order = epoch_order(len(x))
    if order is None:
        return None
    trainer = trainer_for(keras, config, EPOCHS * math.ceil(len(x) / BATCH_SIZE))
    trainer.model.set_weights(initial.get_weights())
    for variable, value in zip(trainer.model.optimizer.variables, trainer.optimizer_start, strict=True):
        variable.assign(value)
    trainer.model.fit(whole_fit_dataset(x[order], y[order]), epochs=1, shuffle=False, verbose=0)
    trainer.evaluator.set_weights(trainer.model.get_weights())
    return trainer.evaluator
