"""The environment fingerprint: everything that can make a number differ between two runs.

Versions are read from package metadata, never by importing: asking for TensorFlow's
version must not cost a TensorFlow import.
"""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata
from typing import Any

TRACKED_PACKAGES = (
    "numpy", "scipy", "pandas", "scikit-learn", "tensorflow", "tensorflow-cpu",
    "keras", "tf-keras", "jax", "jaxlib", "torch",
)  # fmt: skip
_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "KERAS_BACKEND")


def package_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def package_versions() -> dict[str, str]:
    """Installed tracked packages only, so two fingerprints differ only where it matters."""
    found = {name: package_version(name) for name in TRACKED_PACKAGES}
    return {name: version for name, version in found.items() if version is not None}


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def blas_info() -> list[dict[str, Any]]:
    import numpy  # noqa: F401  (threadpoolctl only sees the BLAS of modules already loaded)
    from threadpoolctl import threadpool_info

    keys = ("user_api", "internal_api", "version", "num_threads", "architecture")
    return [{key: pool.get(key) for key in keys} for pool in threadpool_info()]


def fingerprint() -> dict[str, Any]:
    from regcheck import __version__

    return {
        "regcheck": __version__,
        "python": platform.python_version(),
        "implementation": sys.implementation.name,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu": cpu_name(),
        "cpu_count": os.cpu_count(),
        "blas": blas_info(),
        "packages": package_versions(),
        "variables": {name: os.environ[name] for name in _THREAD_VARIABLES if name in os.environ},
    }
