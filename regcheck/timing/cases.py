"""What a saved benchmark run carries, so that two saved runs say what differs between them.

``bench/conftest.py`` puts ``run_environment()`` into pytest-benchmark's ``machine_info`` and
``case_info()`` into each case's ``extra_info``; ``regcheck compare`` reads both back.
The Keras backend's framework is asked for its device only where a deep-learning case already
imported it, so a run of the logistic cases never pays for a TensorFlow import.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from regcheck.frameworks.devices import detect, framework_loaded, framework_threads, nvidia_gpus
from regcheck.frameworks.environment import fingerprint
from regcheck.frameworks.keras import keras_backend

if TYPE_CHECKING:
    import numpy as np

_THREAD_VARIABLES = (
    "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "TF_NUM_INTRAOP_THREADS",
    "TF_NUM_INTEROP_THREADS", "XLA_FLAGS", "CUDA_VISIBLE_DEVICES", "JAX_PLATFORMS", "KERAS_BACKEND",
)  # fmt: skip


def device_summary(backend: str) -> dict[str, Any]:
    if not framework_loaded(backend):
        why = f"no deep-learning case imported {backend} in this run; the logistic cases run on the CPU"
        return {"backend": backend, "kind": "not probed", "name": "", "detail": why}
    return detect(backend).to_dict()


def thread_counts(backend: str) -> dict[str, Any]:
    from regcheck.frameworks.environment import blas_info

    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "cpu_count": os.cpu_count(),
        "usable_cpus": affinity,
        "blas": [pool.get("num_threads") for pool in blas_info()],
        **framework_threads(backend),
        "variables": {name: os.environ[name] for name in _THREAD_VARIABLES if name in os.environ},
    }


def result_profiles() -> dict[str, Any]:
    """Each model's profile (the environment its results' exact tier is bound to), for the study benchmarked."""
    from regcheck.engine.grid import grid_for
    from regcheck.engine.registry import DEFAULT_STUDY, load_study

    profiles: dict[str, Any] = {}
    for model in grid_for(load_study(os.environ.get("REGCHECK_STUDY", DEFAULT_STUDY))).models():
        try:
            profiles[model.name] = model.profile()
        except ImportError as exc:
            profiles[model.name] = f"unavailable: {exc}"
    return profiles


def run_environment(delay: float = 0.0) -> dict[str, Any]:
    backend = keras_backend()
    environment = fingerprint()
    info: dict[str, Any] = {
        "keras_backend": backend,
        "device": device_summary(backend),
        "nvidia_gpus": nvidia_gpus(),
        "threads": thread_counts(backend),
        "packages": environment.pop("packages"),
        "profile": result_profiles(),
        "environment": environment,
    }
    if delay:
        info["injected_delay_s"] = delay
    return info


def case_info(model: str, phase: str, config_id: str | None, seed: int, rounds: str) -> dict[str, Any]:
    """The extra_info every case starts from; ``case`` is the key ``regcheck compare`` joins runs on."""
    case = f"{config_id or model} {phase}"
    return {"case": case, "model": model, "phase": phase, "config_id": config_id, "seed": seed, "rounds": rounds}


def count_correct(predicted: np.ndarray, truth: np.ndarray) -> int:
    return int((predicted.ravel() == truth.ravel()).sum())


def keras_predict_labels(model: Any, x: np.ndarray) -> np.ndarray:
    """The predict phase of a trained Keras model: sigmoid outputs thresholded at 0.5, as Keras' accuracy does."""
    import numpy as np

    probabilities = np.asarray(model.predict(x, verbose=0)).ravel()
    return (probabilities > 0.5).astype(int)
