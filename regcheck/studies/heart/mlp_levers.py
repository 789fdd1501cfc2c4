"""The MLP's fit without Keras' per-epoch overhead, on Keras 3 over TensorFlow: the same bits, faster.

Where a fit's time went with ``steps_per_execution=20`` alone (one thread, 5.1 s, cProfile,
2026-11-26): 0.9 s in the training steps; 1.9 s creating a tf.data iterator for each of the
100 epochs; about 1 s in Keras' per-epoch Python; 0.7 s tracing the training function. The
arithmetic is not the cost, so the levers keep every operation that touches a weight and cut
what is around it:

* **one epoch order for the whole fit**: Keras shuffles an array input with
  ``tf.random.shuffle`` inside its dataset, seeded from the global seed, and creates a fresh
  iterator for every epoch, so every epoch of a seeded fit sees the same order (Keras 3.15,
  measured). The order is read from Keras' own adapter (``epoch_order``), and the batches Keras
  would cut from it are trained on in every epoch; if two epochs of the adapter ever disagree
  (another Keras), the lever steps aside and the published fit runs.
* **one call into the runtime per fit** (``whole_fit``, a traced loop of our own): every step of
  every epoch in Keras' order, each a call of one traced step that does what Keras'
  ``train_step`` does to the weights (the forward pass, ``_compute_loss`` with the penalty, the
  gradient, ``apply_gradients``) and nothing else: Keras' loop around it (an optional input per
  step, two conditionals, the loss tracker and the accuracy metric, which no weight reads) took
  a third of the training time (issue 21, measured). Before it, ``steps_per_execution`` = every
  step did the same through Keras' own loop.
* **the seed's initial weights without a model** (``initial_weights``): the three layers'
  initializers called as the layers' build calls them (the same explicitly seeded
  ``GlorotUniform``, zero biases), instead of building a Keras model per fit to read them.
* **the epoch order once per seed and process** (``epoch_order``, cached): it depends on the
  seed alone (the global seed Keras' shuffle reads), and a band run fits each seed once per
  configuration.
* **one compiled model per process** (``trainer_for``): each fit loads its seed's initial
  weights into it, resets the optimizer to its state before the first step and loads the
  configuration's l1 and l2 into the two variables its penalty reads (``shared_penalty``: Keras'
  ``L1L2`` arithmetic, the factors read instead of baked into the graph), so the training
  function is traced once per process instead of once per fit. The trained weights are then
  copied into the process's evaluator, a twin compiled as published.
* **the test part through traced functions** (``evaluate_and_predict``): the evaluator's own
  ``test_step`` on each of Keras' 32-row batches and its loss tracker's result (Keras'
  batch-weighted mean) in one traced call, then its ``predict_step`` on each batch in a traced
  call of its own, instead of Keras' ``evaluate`` and ``predict`` (a data adapter, an iterator and
  callbacks each: 0.17 s of a 1.1 s fit). The probabilities came out with other last bits when the
  predict steps were traced in one graph with the test steps, and when ``predict`` ran both
  batches in one call of a model compiled with ``steps_per_execution`` (both measured), so each
  batch is its own call, as in ``predict``.

Proven bit-identical (weights sha256, the 61 labels and probabilities, the test loss) against
the published call, on the whole grid for seeds 0-4 and 42, each fit both with a fresh model and
with one last trained with another configuration or seed: ``bench/verify_published_identity.py``;
CI runs a subset covering every lever (``tests/studies/heart/test_mlp_levers.py``).

Tried and not used:

* ``jit_compile=True``: with op determinism on, Keras switches XLA off again ("Model doesn't
  support `jit_compile=True`"), so it never ran; with determinism off, XLA gave other weights
  (l1=0.01, l2=0.001 and l2=0.1, seed 3, measured 2026-11-26).
* ``unrolled_steps_per_execution`` (Keras' unrolling of its loop) and our loop with the steps of
  an epoch unrolled in one body: the same bits, but 7 and 3.5 times slower (one traced call per
  step is what the runtime runs fastest; issue 21, measured).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from regcheck.studies.heart.mlp_architecture import (
    BATCH_SIZE,
    EPOCHS,
    HIDDEN_UNITS,
    kernel_initializers,
    published_architecture,
)

if TYPE_CHECKING:
    import numpy as np

    from regcheck.studies.heart.configs import MlpConfig

LEVERS = ("whole-fit loop", "initial weights without a model", "epoch order per seed", "one model per process",
          "traced test part")  # fmt: skip
# Keras' batch size for evaluate and predict when none is given.
TEST_BATCH = 32


@dataclass(frozen=True)
class Trainer:
    """A model compiled for training, its optimizer's state before any step, its evaluator and penalty factors,
    and the traced functions of one fit and of the test part."""

    model: Any
    optimizer_start: tuple[Any, ...]
    evaluator: Any  # compiled as published: its test and predict steps give the published call's bits
    factors: tuple[Any, Any]  # the l1 and l2 the penalty of both models reads, as float32 variables
    whole_fit: Any
    test_part: Any


# Keyed by the rows of one fit and which of l1, l2 are non-zero (Keras leaves a zero term out).
_trainers: dict[tuple[int, bool, bool], Trainer] = {}
# Keyed by seed and rows: the order Keras' shuffle gives every epoch (None: epochs differ).
_orders: dict[tuple[int, int], list[int] | None] = {}


def forget_trainers() -> None:
    """Drop this process's compiled models and epoch orders: the next fit builds fresh ones."""
    _trainers.clear()
    _orders.clear()


def trainer_for(keras: Any, config: MlpConfig, rows: int) -> Trainer:
    """This process's compiled model, built on first use, with ``config``'s l1 and l2 loaded; ``rows``: trained on."""
    key = (rows, config.l1 != 0.0, config.l2 != 0.0)
    found = _trainers.get(key)
    if found is None:
        steps = EPOCHS * math.ceil(rows / BATCH_SIZE)
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
        start = tuple(variable.numpy() for variable in model.optimizer.variables)
        found = Trainer(model, start, evaluator, factors, whole_fit_function(model, rows), test_part_function(evaluator))
        _trainers[key] = found
    for factor, name, value in zip(found.factors, ("l1", "l2"), (config.l1, config.l2), strict=True):
        # What keras.regularizers.L1L2 checks when it is made; a variable would take any number.
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"Invalid value for argument {name}: expected a non-negative float.Received: {name}={value}")
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


def epoch_order(seed: int, rows: int) -> list[int] | None:
    """The row order Keras' array adapter gives every epoch under ``seed``; None where epochs differ.

    Keras' shuffle reads the global seed that ``keras.utils.set_random_seed(seed)`` set, so the
    order is the seed's alone: read once per seed and process (the proof compares every fit
    with the published call, reused orders included).
    """
    key = (seed, rows)
    if key not in _orders:
        _orders[key] = _read_epoch_order(rows)
    return _orders[key]


def _read_epoch_order(rows: int) -> list[int] | None:
    import numpy as np

    try:
        from keras.src.trainers.data_adapters.array_data_adapter import ArrayDataAdapter
    except ImportError:  # Keras moved its adapter: train as published
        return None
    index = np.arange(rows, dtype="float32")  # row numbers, exact in float32
    dataset = ArrayDataAdapter(index, index, batch_size=BATCH_SIZE, shuffle=True).get_tf_dataset()
    epochs = [[int(value) for x_batch, _ in dataset for value in x_batch.numpy()] for _ in range(2)]
    return epochs[0] if epochs[0] == epochs[1] else None


def whole_fit_function(model: Any, rows: int) -> Any:
    """A traced function training ``model`` for every epoch on batches already in Keras' order.

    Its inputs: the full batches of one epoch (batches x 10 x features), their labels, and the
    partial last batch and its labels. Each step is one call of a traced step doing what Keras'
    ``train_step`` does to the weights, in the same order, and no more.
    """
    import tensorflow as tf

    def train_step(x: Any, y: Any) -> Any:
        with tf.GradientTape() as tape:
            y_pred = model(x, training=True)
            loss = model._compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=None, training=True)
            loss = model.optimizer.scale_loss(loss)
        model.optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_weights), model.trainable_weights))
        return loss

    step = tf.function(train_step, reduce_retracing=True)
    full, partial = divmod(rows, BATCH_SIZE)

    @tf.function  # type: ignore[untyped-decorator]  # TensorFlow ships no types
    def whole_fit(x_full: Any, y_full: Any, x_rest: Any, y_rest: Any) -> Any:
        def epoch(done: Any) -> tuple[Any]:
            def batch(index: Any) -> tuple[Any]:
                step(x_full[index], y_full[index])
                return (index + 1,)

            tf.while_loop(lambda index: index < full, batch, (tf.constant(0),))
            if partial:
                step(x_rest, y_rest)
            return (done + 1,)

        tf.while_loop(lambda done: done < EPOCHS, epoch, (tf.constant(0),))
        return tf.constant(0)

    return whole_fit


def test_part_function(evaluator: Any) -> Any:
    """A function giving the test loss and probabilities as ``evaluate`` and ``predict`` do, batch by batch."""
    import tensorflow as tf

    @tf.function  # type: ignore[untyped-decorator]  # TensorFlow ships no types
    def test_part(x_batches: Any, y_batches: Any) -> Any:
        for x, y in zip(x_batches, y_batches):
            evaluator.test_step((x, y))
        return evaluator._loss_tracker.result()

    # Each batch's probabilities in a traced call of its own, as ``predict`` runs them: traced
    # with the test step in one graph they came out with other last bits (measured).
    predict_batch = tf.function(lambda x: evaluator.predict_step((x,)), reduce_retracing=True)

    def both(x_batches: Any, y_batches: Any) -> Any:
        return test_part(x_batches, y_batches), tf.concat([predict_batch(x) for x in x_batches], axis=0)

    return both


def initial_weights(keras: Any, config: MlpConfig, seed: int) -> list[Any] | None:
    """The weights ``seeded_architecture(keras, config, seed)`` starts with, without building a model.

    Each kernel from its layer's explicitly seeded initializer called as the layer's build calls
    it, each bias zero (Dense's default). None where the kernels are not explicitly seeded (tf.keras 2).
    """
    import numpy as np

    initializers = kernel_initializers(keras, seed)
    if initializers is None:
        return None
    sizes = (13, *HIDDEN_UNITS, 1)
    weights = []
    for initializer, (inputs, units) in zip(initializers, pairwise(sizes), strict=True):
        weights += [np.asarray(initializer((inputs, units), dtype="float32")), np.zeros(units, dtype="float32")]
    return weights


def train_with_levers(keras: Any, config: MlpConfig, x: np.ndarray, y: np.ndarray, seed: int) -> Any | None:
    """Train as ``fit(x, y, epochs=100, batch_size=10)`` would, bit for bit; None where a lever cannot apply.

    Returns a model compiled as published, holding the trained weights: this process's evaluator
    for ``config``, so read it before the next fit of the same configuration, which reloads it.
    """
    keras.utils.set_random_seed(seed)  # the global seed the epoch order comes from, as the published call sets it
    initial = initial_weights(keras, config, seed)
    order = epoch_order(seed, len(x))
    if order is None or initial is None or not hasattr(keras.Model, "_compute_loss"):
        return None
    trainer = trainer_for(keras, config, len(x))
    trainer.model.set_weights(initial)
    for variable, value in zip(trainer.model.optimizer.variables, trainer.optimizer_start, strict=True):
        variable.assign(value)
    x, y = x[order], y[order]
    full = len(x) // BATCH_SIZE * BATCH_SIZE
    trainer.whole_fit(
        x[:full].reshape(-1, BATCH_SIZE, *x.shape[1:]), y[:full].reshape(-1, BATCH_SIZE, *y.shape[1:]), x[full:], y[full:]
    )
    trainer.evaluator.set_weights(trainer.model.get_weights())
    return trainer.evaluator


def evaluate_and_predict(evaluator: Any, x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray] | None:
    """The test loss and probabilities ``evaluate`` and ``predict`` give for a model ``train_with_levers`` returned.

    None when ``evaluator`` is not one of this process's (train as published, evaluate as published).
    """
    trainer = next((found for found in _trainers.values() if found.evaluator is evaluator), None)
    if trainer is None:
        return None
    for metric in evaluator.metrics:  # as evaluate starts: its loss tracker and accuracy from zero
        metric.reset_state()
    starts = range(0, len(x), TEST_BATCH)
    loss, probabilities = trainer.test_part(
        tuple(x[start : start + TEST_BATCH] for start in starts), tuple(y[start : start + TEST_BATCH] for start in starts)
    )
    return float(loss), probabilities.numpy().reshape(-1)
