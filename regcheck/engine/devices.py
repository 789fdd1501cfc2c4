"""Which device a Keras backend computes on, asked of the backend itself.

Each framework is imported only inside the function that asks it (importing TensorFlow
costs seconds), and ``framework_loaded`` lets a caller ask only where a fit already paid
for that import. ``nvidia_gpus`` needs no framework at all: it asks ``nvidia-smi``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from typing import Any

from regcheck.engine.environment import cpu_name
from regcheck.engine.errors import RegcheckError

KERAS_BACKENDS = ("tensorflow", "jax", "torch")
# Keras' own default when neither KERAS_BACKEND nor ~/.keras/keras.json names one.
DEFAULT_KERAS_BACKEND = "tensorflow"
_GPU_VARIABLES = ("CUDA_VISIBLE_DEVICES", "JAX_PLATFORMS", "NVIDIA_VISIBLE_DEVICES")
DEVICE_ADVICE = (
    "try fewer processes on the GPU (--jobs 1), or compute on the CPU (CUDA_VISIBLE_DEVICES= ; for JAX also JAX_PLATFORMS=cpu)"
)
_CAUSE_LENGTH = 400


class DeviceError(RegcheckError):
    """A framework could not start computing on its device: no usable driver or plugin, out of memory at start."""


def device_failure(backend: str, exc: BaseException) -> DeviceError:
    """One line naming the backend, the device, the cause and what to try; for a failure at the device's start.

    The frameworks raise different types for it (JAX ``RuntimeError``, ``XlaRuntimeError`` or a bare
    ``AssertionError`` for ``JAX_PLATFORMS=cuda`` without a CUDA plugin; PyTorch ``OutOfMemoryError`` or
    ``AcceleratorError``; TensorFlow ``InternalError``), so the caller passes whatever its first touch raised.
    """
    cause = " ".join(f"{type(exc).__name__}: {exc}".split()).rstrip(": ")
    if len(cause) > _CAUSE_LENGTH:
        cause = cause[: _CAUSE_LENGTH - 3] + "..."
    return DeviceError(f"KERAS_BACKEND={backend}: {backend} could not start on its device ({describe_gpus()}): "
                       f"{cause}; {DEVICE_ADVICE}")  # fmt: skip


def describe_gpus() -> str:
    """``1 NVIDIA GPU listed (NVIDIA H200), CUDA_VISIBLE_DEVICES='0'``: what the driver and the variables say."""
    gpus = nvidia_gpus()
    listed = f"{len(gpus)} NVIDIA GPU(s) listed ({', '.join(dict.fromkeys(gpus))})" if gpus else "nvidia-smi lists no GPU"
    chosen = [f"{name}={os.environ[name]!r}" for name in _GPU_VARIABLES if name in os.environ]
    return ", ".join([listed, *chosen])


@dataclass(frozen=True)
class DeviceInfo:
    """What one backend computes on: ``kind`` is ``gpu``, ``cpu`` or ``unknown`` (framework absent)."""

    backend: str
    kind: str
    name: str
    gpu_count: int
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def label(self) -> str:
        return f"{self.kind} ({self.name})" if self.name else self.kind


def keras_backend() -> str:
    """The backend Keras uses or will use: Keras' own answer once imported, else ``KERAS_BACKEND``."""
    keras = sys.modules.get("keras")
    if keras is not None and hasattr(keras, "backend"):
        return str(keras.backend.backend())
    return os.environ.get("KERAS_BACKEND", DEFAULT_KERAS_BACKEND)


def framework_loaded(backend: str) -> bool:
    return backend in sys.modules


def detect(backend: str) -> DeviceInfo:
    """Ask ``backend``'s framework which device it computes on by default (imports it)."""
    if backend not in KERAS_BACKENDS:
        return DeviceInfo(backend, "unknown", "", 0, f"unknown backend; expected one of {', '.join(KERAS_BACKENDS)}")
    try:
        gpu_names, how = _PROBES[backend]()
    except ImportError:
        return DeviceInfo(backend, "unknown", "", 0, f"{backend} is not installed")
    if gpu_names:
        return DeviceInfo(backend, "gpu", gpu_names[0], len(gpu_names), how)
    return DeviceInfo(backend, "cpu", cpu_name(), 0, how)


def keras_missing_reason() -> str | None:
    """Why Keras cannot run here with its configured backend, or None; asks importlib, imports no framework."""
    import importlib.util

    if importlib.util.find_spec("keras") is None:
        return "keras is not installed: pip install -e '.[tensorflow]' (or '.[jax]', '.[torch]')"
    backend = keras_backend()
    if importlib.util.find_spec(backend) is None:
        return f"KERAS_BACKEND={backend}, but {backend} is not installed"
    return None


def no_gpu_reason(backend: str) -> str | None:
    """None where ``backend`` sees a GPU, else the one line a skipped GPU-only case shows."""
    found = detect(backend)
    if found.kind == "gpu":
        return None
    hidden = {name: os.environ[name] for name in _GPU_VARIABLES if name in os.environ}
    where = f" ({', '.join(f'{k}={v!r}' for k, v in hidden.items())})" if hidden else ""
    return f"no GPU visible to the {backend} backend: {found.detail}{where}"


def _tensorflow_gpus() -> tuple[list[str], str]:
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    names = [str(tf.config.experimental.get_device_details(gpu).get("device_name", gpu.name)) for gpu in gpus]
    return names, f"tf.config.list_physical_devices('GPU') lists {len(gpus)}"


def _jax_gpus() -> tuple[list[str], str]:
    import jax

    devices = jax.devices()
    # jax.devices() lists the default platform's devices: a GPU first when one is usable.
    gpus = [device for device in devices if device.platform in ("gpu", "cuda", "rocm")]
    platforms = sorted({str(device.platform) for device in devices})
    return [str(device.device_kind) for device in gpus], f"jax.devices() lists {len(devices)} on {'/'.join(platforms)}"


def _torch_gpus() -> tuple[list[str], str]:
    import torch

    if not torch.cuda.is_available():
        return [], "torch.cuda.is_available() is False"
    count = torch.cuda.device_count()
    return [str(torch.cuda.get_device_name(index)) for index in range(count)], f"torch.cuda lists {count}"


_PROBES = {"tensorflow": _tensorflow_gpus, "jax": _jax_gpus, "torch": _torch_gpus}


def framework_threads(backend: str) -> dict[str, int]:
    """The framework's own thread pools, read only where it is already imported (never imports it)."""
    if not framework_loaded(backend):
        return {}
    module: Any = sys.modules[backend]
    if backend == "torch":
        return {
            "torch_intra_op": int(module.get_num_threads()),
            "torch_inter_op": int(module.get_num_interop_threads()),
        }
    if backend == "tensorflow" and hasattr(module, "config"):
        threading = module.config.threading
        # 0 means "the runtime chooses": usually one thread per core.
        return {
            "tf_intra_op": int(threading.get_intra_op_parallelism_threads()),
            "tf_inter_op": int(threading.get_inter_op_parallelism_threads()),
        }
    return {}


def nvidia_gpus(timeout: float = 10.0) -> list[str]:
    """GPU names from ``nvidia-smi`` (no framework import); empty where there is no NVIDIA driver."""
    executable = shutil.which("nvidia-smi")
    if executable is None:
        return []
    try:
        listed = subprocess.run(
            [executable, "--query-gpu=name", "--format=csv,noheader"],
            capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [line.strip() for line in listed.stdout.splitlines() if line.strip()] if listed.returncode == 0 else []
