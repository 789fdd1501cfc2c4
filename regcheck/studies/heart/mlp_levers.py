"""The MLP's fit without Keras' per-epoch overhead, on Keras 3 over TensorFlow: the same bits, faster.

Where a fit's time went with ``steps_per_execution=20`` alone (one thread, 5.1 s, cProfile,
2026-11-26): 0.9 s in the training steps; 1.9 s creating a tf.data iterator for each of the
100 epochs; about 1 s in Keras' per-epoch Python; 0.7 s tracing the training function. The
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
* **one compiled model per process** (``trainer_for``): each fit loads its seed's initial
  weights into it, resets the optimizer to its state before the first step and loads the
  configuration's l1 and l2 into the two variables its penalty reads (``shared_penalty``: Keras'
  ``L1L2`` arithmetic, the factors read instead of baked into the graph), so the training
  function is traced once per process instead of once per fit. The trained weights are then
  copied into the process's evaluator, a twin compiled as published, whose ``evaluate`` and
  ``predict`` are traced once too: ``predict`` on the model compiled with
  ``steps_per_execution`` runs both test batches in one traced call and gives other last bits
  in the probabilities (measured), so it is not used.

Proven bit-identical (weights sha256, the 61 labels and probabilities, the test loss) against
the published call, on the whole grid for seeds 0-4 and 42, each fit both with a fresh model and
with one last trained with another configuration or seed: ``bench/verify_published_identity.py``;
CI runs a subset covering every lever (``tests/studies/heart/test_mlp_levers.py``).

Tried and not used:

* ``jit_compile=True``: with op determinism on, Keras switches XLA off again ("Model doesn't
  support `jit_compile=True`"), so it never ran; with determinism off, XLA gave other weights
  (l1=0.01, l2=0.001 and l2=0.1, seed 3, measured 2026-11-26).
* ``evaluate`` and ``predict`` folded into one call (not tried): the test loss would have to be
  recomputed from the probabilities as Keras sums it (cross-entropy plus penalty per 32-row
  batch, then a batch-weighted mean) to the last bit, for a saving of one call whose function
  the reused evaluator has traced already.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from regcheck.studies.heart.mlp_architecture import BATCH_SIZE, EPOCHS, published_architecture, seeded_architecture

if TYPE_CHECKING:
    import numpy as np

    from regcheck.studies.heart.configs import MlpConfig

LEVERS = ("whole-fit dataset", "steps_per_execution", "one model per process")


@dataclass(frozen=True)
class Trainer:
    """A model compiled for training, its optimizer's state before any step, its evaluator and penalty factors."""

    model: Any
    optimizer_start: tuple[Any, ...]
    evaluator: Any  # compiled as published: evaluate and predict give the published call's bits
    factors: tuple[Any, Any]  # the l1 and l2 the penalty of both models reads, as float32 variables


# Keyed by the steps of one fit and which of l1, l2 are non-zero (Keras leaves a zero term out).
_trainers: dict[tuple[int, bool, bool], Trainer] = {}


def forget_trainers() -> None:
    """Drop this process's compiled models: the next fit builds a fresh one."""
    _trainers.clear()


def trainer_for(keras: Any, config: MlpConfig, steps: int) -> Trainer:
    """This process's compiled model, built on first use, with ``config``'s l1 and l2 loaded; ``steps``: of one fit."""
    key = (steps, config.l1 != 0.0, config.l2 != 0.0)
    found = _trainers.get(key)
    if found is None:
        factors = (
            keras.Variable(config.l1, dtype="float32", trainable=False),
            keras.Variable(config.l2, dtype="float32", trainable=False),
        )
        penalty = shared_penalty(keras)

        def make() -> Any:
            return penalty(*factors, with_l1=key[1], with_l2=key[2])

        model = published_architecture(keras, config, make)
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"], steps_per_execution=steps)
        # Built now, as ``fit`` would before its first step, so its starting state can be restored.
        model.optimizer.build(model.trainable_variables)
        evaluator = published_architecture(keras, config, make)
        evaluator.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        found = Trainer(model, tuple(variable.numpy() for variable in model.optimizer.variables), evaluator, factors)
        _trainers[key] = found
    for factor, value in zip(found.factors, (config.l1, config.l2), strict=True):
        factor.assign(value)
    return found


def shared_penalty(keras: Any) -> Any:
    """A regularizer class doing ``keras.regularizers.L1L2``'s arithmetic, its factors read from variables.

    The same operations in the same order as Keras 3.15's ``L1L2.__call__``; only where the two
    factors come from differs, so that one traced training function serves every configuration.
    """

    class SharedPenalty(keras.regularizers.Regularizer):  # type: ignore[misc]  # Keras ships no types
        def __init__(self, l1: Any, l2: Any, with_l1: bool, with_l2: bool) -> None:
            self.l1, self.l2, self.with_l1, self.with_l2 = l1, l2, with_l1, with_l2

        def __call__(self, x: Any) -> Any:
            ops = keras.ops
            regularization = ops.convert_to_tensor(0.0, dtype=x.dtype)
            if self.with_l1:
                regularization += ops.cast(self.l1, dtype=x.dtype) * ops.sum(ops.absolute(x))
            if self.with_l2:
                regularization += ops.cast(self.l2, dtype=x.dtype) * ops.sum(ops.square(x))
            return regularization

    return SharedPenalty


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
    # Seeded and built as the published call builds its model: the same initial weights.
    initial = seeded_architecture(keras, config, seed)
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
