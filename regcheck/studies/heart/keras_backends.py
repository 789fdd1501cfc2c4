"""Which Keras backend model mlp would use, and a one-line error when it cannot be used.

Checked without importing the backend (``importlib.util.find_spec``): asking whether JAX is
there must not cost a TensorFlow or JAX import, and a missing backend must be a clear
``regcheck: error:`` line with exit code 2, not an ImportError from deep inside Keras.
"""

from __future__ import annotations

import importlib.util
import os

from regcheck.engine.errors import RegcheckError

DEFAULT_BACKEND = "tensorflow"
# The backends the study can train on (Keras' numpy backend cannot train), with the module
# that must be importable and the extra that installs it.
BACKEND_MODULES = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}
BACKEND_EXTRAS = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}


class BackendError(RegcheckError):
    """The Keras backend model mlp was asked to use is unknown or not installed."""


def chosen_backend() -> str:
    """The backend Keras will load: ``KERAS_BACKEND``, else TensorFlow (Keras' own default)."""
    return os.environ.get("KERAS_BACKEND", "").strip() or DEFAULT_BACKEND


def require_backend(name: str | None = None) -> str:
    """Return the backend's name, or raise naming it and how to install it.

    Where it is there, the framework's start-up notices are filtered from its import on
    (``regcheck.studies.heart.mlp_training.quiet_frameworks``; nothing is imported here).
    """
    backend = name or chosen_backend()
    source = f"KERAS_BACKEND={backend}" if name is None and "KERAS_BACKEND" in os.environ else f"backend {backend}"
    if backend not in BACKEND_MODULES:
        raise BackendError(f"{source}: unknown Keras backend for model mlp; expected one of {', '.join(BACKEND_MODULES)}")
    missing = [module for module in ("keras", BACKEND_MODULES[backend]) if not _installed(module)]
    if missing:
        raise BackendError(
            f"{source}: model mlp needs {' and '.join(missing)}, not installed here; "
            f"install it with: pip install 'regcheck[{BACKEND_EXTRAS[backend]}]' "
            f"(or choose --model logreg to leave model mlp out)"
        )
    from regcheck.studies.heart.mlp_training import quiet_frameworks

    quiet_frameworks()  # the backend is about to be imported in this process: without its start-up notices
    return backend


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a broken half-installed package counts as missing
        return False
