"""Keras and its backends: which one a process trains with, and a one-line error when it cannot.

A study opts in with ``Model.framework = "keras"``: the engine then sizes its worker pool for the
backend's device (``regcheck.frameworks.pool``). Nothing here imports a framework: the backend is
read from ``KERAS_BACKEND`` (or Keras' own answer once Keras is imported) and versions from package
metadata, so asking whether JAX is there costs no TensorFlow or JAX import, and a missing backend
is a ``regcheck: error:`` line with exit code 2, not an ImportError from deep inside Keras.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass

from regcheck.errors import RegcheckError
from regcheck.frameworks.environment import package_version
from regcheck.frameworks.notices import quiet_tensorflow

# The backends Keras 3 trains on (its numpy backend cannot train), each the module that must be
# importable and the extra of regcheck that installs it.
BACKENDS = ("tensorflow", "jax", "torch")
# Keras' own default when neither KERAS_BACKEND nor ~/.keras/keras.json names one.
DEFAULT_BACKEND = "tensorflow"
# tf.keras became Keras 3 in TensorFlow 2.16; up to 2.15 ``tf.keras`` is Keras 2.
KERAS3_TENSORFLOW = (2, 16)


class BackendError(RegcheckError):
    """The Keras backend a model was asked to use is unknown or not installed."""


@dataclass(frozen=True)
class KerasFlavour:
    """Which Keras this process trains with: ``keras3`` on a backend, or ``tf.keras2``."""

    api: str  # "keras3" | "tf.keras2"
    backend: str  # tensorflow | jax | torch
    keras_version: str
    framework_version: str  # the backend framework's own version (tensorflow, jax, torch)


def keras_backend() -> str:
    """The backend Keras trains with: ``KERAS_BACKEND`` where it is set (what every process started from this
    one, a pool's workers too, will load), else Keras' own answer once imported (its ``keras.json``), else the
    default."""
    chosen = os.environ.get("KERAS_BACKEND", "").strip()
    if chosen:
        return chosen
    keras = sys.modules.get("keras")
    if keras is not None and hasattr(keras, "backend"):
        return str(keras.backend.backend())
    return DEFAULT_BACKEND


def _version_tuple(version: str) -> tuple[int, int]:
    parts = [*version.split("."), "0"][:2]
    return int(parts[0]), int("".join(ch for ch in parts[1] if ch.isdigit()) or 0)


def tensorflow_version() -> str | None:
    return package_version("tensorflow") or package_version("tensorflow-cpu")


def detect_flavour() -> KerasFlavour:
    """Read from package metadata and ``KERAS_BACKEND`` only: nothing heavy is imported."""
    tf_version = tensorflow_version()
    if tf_version and _version_tuple(tf_version) < KERAS3_TENSORFLOW:
        # tf.keras 2 is the ``keras`` 2.x package TensorFlow pins (2.15.1 ships keras 2.15.0).
        return KerasFlavour("tf.keras2", "tensorflow", package_version("keras") or tf_version, tf_version)
    backend = keras_backend()
    keras_version = package_version("keras") or "not installed"
    framework = {"tensorflow": tf_version, "jax": package_version("jax"), "torch": package_version("torch")}
    return KerasFlavour("keras3", backend, keras_version, framework.get(backend) or "not installed")


def keras_missing_reason() -> str | None:
    """Why Keras cannot run here with its configured backend, or None; asks importlib, imports no framework."""
    if not _installed("keras"):
        return "keras is not installed: pip install -e '.[tensorflow]' (or '.[jax]', '.[torch]')"
    backend = keras_backend()
    if not _installed(backend):
        return f"KERAS_BACKEND={backend}, but {backend} is not installed"
    return None


def require_backend(model: str, name: str | None = None) -> str:
    """Return the backend's name, or raise naming it, the model that needs it and how to install it.

    Where it is there, TensorFlow's start-up notices are filtered from its import on
    (``regcheck.frameworks.notices``; nothing is imported here).
    """
    backend = name or keras_backend()
    source = f"KERAS_BACKEND={backend}" if name is None and "KERAS_BACKEND" in os.environ else f"backend {backend}"
    if backend not in BACKENDS:
        raise BackendError(f"{source}: unknown Keras backend for model {model}; expected one of {', '.join(BACKENDS)}")
    missing = [module for module in ("keras", backend) if not _installed(module)]
    if missing:
        raise BackendError(
            f"{source}: model {model} needs {' and '.join(missing)}, not installed here; "
            f"install it with: pip install 'regcheck[{backend}]' (or choose another --model to leave model {model} out)"
        )
    quiet_tensorflow()  # the backend is about to be imported in this process: without its start-up notices
    return backend


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a broken half-installed package counts as missing
        return False
