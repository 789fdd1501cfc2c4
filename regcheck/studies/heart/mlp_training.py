"""The MLP half: the published Keras model and training call, seeded, on any supported Keras.

Supported: Keras 3 on the TensorFlow (default), JAX and PyTorch backends, chosen by
``KERAS_BACKEND`` as Keras itself does; and tf.keras 2 where TensorFlow 2.15 or older is
what is installed (TensorFlow 2.16 switched ``tf.keras`` to Keras 3).

Every fit is seeded the same way: op determinism where the backend has it, then
``keras.utils.set_random_seed(seed)`` (Python, NumPy and the backend's generators) right
before the model is built, with the initializers' seeds drawn from a generator of the fit's own
(``seeded_architecture``: the same numbers Keras draws from the process-wide one, which other
threads share), so the weights' initial values, the per-epoch shuffles and therefore the result
depend on the seed alone.

The published call is ``fit(x, y, validation_split=0.2, epochs=100, batch_size=10)``.
Keras takes the validation part from the END of the arrays before any shuffling and only
evaluates on it after each epoch; nothing it computes reaches a weight. So by default the
suite fits on exactly the first 80% of the training rows without the validation pass
(``validation_pass=False``), which is about 30% faster; ``tests/studies/heart/test_mlp_runner.py``
proves weights and predictions are identical to the published call, bit for bit.
"""

from __future__ import annotations

import hashlib
import math
import os
import time
from functools import cache
from typing import TYPE_CHECKING, Any

from regcheck.frameworks import devices
from regcheck.frameworks.devices import TORCH_FRACTION_VARIABLE, device_failure, share_gpu_memory
from regcheck.frameworks.keras import detect_flavour
from regcheck.frameworks.notices import quiet_tensorflow
from regcheck.results.record import ResultRecord
from regcheck.studies.heart.configs import MlpConfig
from regcheck.studies.heart.mlp_architecture import BATCH_SIZE, EPOCHS, VALIDATION_SPLIT, build_model

if TYPE_CHECKING:
    from regcheck.studies.heart.split import StudySplit

THREADS_VARIABLE = "REGCHECK_MLP_THREADS"
# "off" trains as published, without the speed levers (the identity proof's control, a user's escape hatch).
LEVERS_VARIABLE = "REGCHECK_MLP_LEVERS"


@cache
def load_keras() -> Any:
    """Import Keras once per process, with determinism and thread settings applied first.

    Thread settings must precede the framework's first operation, so they are applied here,
    at import time, from ``REGCHECK_MLP_THREADS`` (the parallel runners set it to 1 per process);
    so are the GPU memory settings (``regcheck.frameworks.pool``). The device is started here
    too, so that a device that cannot start is one line (``DeviceError``), not a traceback mid-fit.
    """
    flavour = detect_flavour()
    threads = _threads_from_environment()
    quiet_tensorflow()
    share_gpu_memory(flavour.backend)
    if flavour.api == "tf.keras2":
        import tensorflow as tf

        _configure_tensorflow(tf, threads)
        _start_device(flavour.backend)
        return tf.keras
    if flavour.backend == "jax":
        # Must be set before JAX initialises; CPU is deterministic already, GPUs need the flag.
        os.environ.setdefault("XLA_FLAGS", "--xla_gpu_deterministic_ops=true")
    if flavour.backend == "torch":
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    import keras

    if flavour.backend == "tensorflow":
        import tensorflow as tf

        _configure_tensorflow(tf, threads)
    elif flavour.backend == "torch":
        import torch

        torch.use_deterministic_algorithms(True)
        if threads:
            torch.set_num_threads(threads)
    _start_device(flavour.backend)
    return keras


def _start_device(backend: str) -> None:
    """Make the framework start its device now; a failure becomes ``DeviceError`` (one line, exit 2)."""
    try:
        if device_kind() == "gpu" and backend == "torch":
            import torch

            share = os.environ.get(TORCH_FRACTION_VARIABLE, "")
            if share:
                torch.cuda.set_per_process_memory_fraction(float(share))
            torch.zeros(1, device="cuda")  # creates the CUDA context: where an out-of-memory start shows
    except (ImportError, devices.DeviceError):
        raise
    except Exception as exc:  # whatever the framework raises at its device's start (see device_failure)
        raise device_failure(backend, exc) from exc


def _threads_from_environment() -> int | None:
    text = os.environ.get(THREADS_VARIABLE, "").strip()
    return int(text) if text.isdigit() and int(text) > 0 else None


def _configure_tensorflow(tf: Any, threads: int | None) -> None:
    # Python-side notices (tf.function retracing) stay out of the progress lines; errors still show.
    tf.get_logger().setLevel("ERROR")
    tf.config.experimental.enable_op_determinism()
    if threads:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)


def device_kind() -> str:
    """``cpu`` or ``gpu``: where this process's Keras backend computes (``regcheck.frameworks.devices``)."""
    return devices.device_kind(detect_flavour().backend)


def levers_in_use() -> tuple[str, ...]:
    """The speed levers this process trains with; empty where they are unproven or switched off.

    Proven on Keras 3 over TensorFlow, the reference environment, against the published call
    (weights sha256, the 61 labels and probabilities and the test loss, all nine configurations,
    seeds 0-4 and 42: ``bench/verify_published_identity.py``; a subset runs in CI,
    ``tests/studies/heart/test_mlp_levers.py``). See ``regcheck.studies.heart.mlp_levers`` for each lever.
    Elsewhere (tf.keras 2, the JAX and PyTorch backends) the published call stands.
    """
    flavour = detect_flavour()
    if flavour.api != "keras3" or flavour.backend != "tensorflow" or os.environ.get(LEVERS_VARIABLE) == "off":
        return ()
    from regcheck.studies.heart.mlp_levers import LEVERS

    return LEVERS


def training_rows(n_rows: int) -> int:
    """How many leading rows Keras trains on under ``validation_split`` (its own formula)."""
    return math.floor(n_rows * (1.0 - VALIDATION_SPLIT))


def weights_sha256(weights: list[Any]) -> str:
    """A digest of every weight array's shape, dtype and bytes: equal digests, identical weights."""
    import numpy as np

    digest = hashlib.sha256()
    for array in weights:
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def build_and_train(config: MlpConfig, split: StudySplit, seed: int, validation_pass: bool = False) -> Any:
    """Seed, build and train one model; return the trained Keras model (no evaluation).

    ``validation_pass=True`` is the published call verbatim; the default trains on the same
    rows without the per-epoch validation pass (identical weights, proven by a test), with the
    levers of ``levers_in_use()`` where there are any.
    """
    keras = load_keras()
    # The input's dtype is the model's: cast once, as Keras would on every batch.
    x_train = split.x_train.astype("float32")
    y_train = split.y_train.astype("float32")
    if validation_pass:
        model = build_model(keras, config, seed)
        model.fit(x_train, y_train, validation_split=VALIDATION_SPLIT, epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=0)
        return model
    rows = training_rows(len(x_train))
    if levers_in_use():
        from regcheck.studies.heart.mlp_levers import train_with_levers

        trained = train_with_levers(keras, config, x_train[:rows], y_train[:rows], seed)
        if trained is not None:
            return trained
    model = build_model(keras, config, seed)
    model.fit(x_train[:rows], y_train[:rows], epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=0)
    return model


def _evaluate(model: Any, x_test: Any, y_test: Any) -> tuple[float, Any]:
    """The test loss and the probabilities: through traced functions where a lever trained the model, else as published."""
    if levers_in_use():
        from regcheck.studies.heart.mlp_levers import evaluate_and_predict

        found = evaluate_and_predict(model, x_test, y_test)
        if found is not None:
            return found
    loss, _ = model.evaluate(x_test, y_test, verbose=0)
    return float(loss), model.predict(x_test, verbose=0).reshape(-1)


def fit_mlp(config: MlpConfig, split: StudySplit, seed: int, validation_pass: bool = False) -> ResultRecord:
    """Train one configuration for one seed and evaluate it on the test part (the suite's runner)."""
    flavour = detect_flavour()
    load_keras()  # the first import is not training time
    started = time.perf_counter()
    model = build_and_train(config, split, seed, validation_pass)
    fit_seconds = time.perf_counter() - started
    x_test = split.x_test.astype("float32")
    y_test = split.y_test.astype("float32")
    weights = weights_sha256(model.get_weights())
    loss, probabilities = _evaluate(model, x_test, y_test)
    # Keras' "accuracy" for a sigmoid output counts y_pred > 0.5 as class 1; so do we.
    return ResultRecord.on_test_part(
        config,
        split.y_test,
        split.test_rows,
        seed,
        (int(value > 0.5) for value in probabilities),
        probabilities,
        fit_seconds,
        loss=float(loss),
        backend=flavour.backend,
        device=device_kind(),
        weights_sha256=weights,
    )  # fmt: skip
