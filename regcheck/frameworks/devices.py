"""Which device a framework computes on, asked of the framework itself; the one probe there is.

Each framework is imported only inside the function that asks it (importing TensorFlow
costs seconds), and ``framework_loaded`` lets a caller ask only where a fit already paid
for that import. ``nvidia_gpus`` needs no framework at all: it asks ``nvidia-smi``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, MutableMapping
from dataclasses import asdict, dataclass
from typing import Any

from regcheck.errors import RegcheckError
from regcheck.frameworks.environment import cpu_name, package_version
from regcheck.frameworks.keras import BACKENDS
from regcheck.frameworks.notices import quiet_tensorflow

# Read by a PyTorch worker (the study's model, when it starts its framework): its share of the card.
TORCH_FRACTION_VARIABLE = "REGCHECK_GPU_MEMORY_FRACTION"
# What the processes sharing one GPU may take together; the rest is for their CUDA contexts.
GPU_MEMORY_USABLE = 0.9
# Set in every process that may compute on a GPU with that framework, before the framework is imported.
GPU_MEMORY_SETTINGS: Mapping[str, Mapping[str, str]] = {
    "jax": {"XLA_PYTHON_CLIENT_PREALLOCATE": "false"},
    "tensorflow": {"TF_FORCE_GPU_ALLOW_GROWTH": "true"},
    "torch": {"PYTORCH_CUDA_ALLOC_CONF": "garbage_collection_threshold:0.8"},
}
# With several processes on one GPU, the variable that caps each one's share of the card.
GPU_SHARE_VARIABLES: Mapping[str, str] = {"jax": "XLA_PYTHON_CLIENT_MEM_FRACTION", "torch": TORCH_FRACTION_VARIABLE}
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


def framework_loaded(backend: str) -> bool:
    return backend in sys.modules


def detect(backend: str) -> DeviceInfo:
    """Ask ``backend``'s framework which device it computes on by default (imports it)."""
    if backend not in BACKENDS:
        return DeviceInfo(backend, "unknown", "", 0, f"unknown backend; expected one of {', '.join(BACKENDS)}")
    try:
        gpu_names, how = _PROBES[backend]()
    except ImportError:
        return DeviceInfo(backend, "unknown", "", 0, f"{backend} is not installed")
    if gpu_names:
        return DeviceInfo(backend, "gpu", gpu_names[0], len(gpu_names), how)
    return DeviceInfo(backend, "cpu", cpu_name(), 0, how)


def device_kind(backend: str) -> str:
    """``cpu`` or ``gpu``: where ``backend`` places arrays by default; ``not installed`` where it is missing.

    The controller asks too, so it first sets the framework's memory switches (it must not take
    the card from its workers) and quiets TensorFlow's start-up notices. Raises ``DeviceError``
    (one line, exit 2) when the device cannot start.
    """
    quiet_tensorflow()
    share_gpu_memory(backend)
    if backend == "tensorflow" and package_version("tensorflow") is None:  # tensorflow-cpu alone has no GPU kernels
        return "cpu"
    try:
        found = detect(backend)
    except Exception as exc:  # the framework's first touch of its device (see device_failure)
        raise device_failure(backend, exc) from exc
    return "not installed" if found.kind == "unknown" else found.kind


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


def gpu_memory_settings(backend: str | None, sharing: int = 1) -> dict[str, str]:
    """The variables that keep each of ``sharing`` ``backend`` processes on one GPU to its share of the card."""
    settings = dict(GPU_MEMORY_SETTINGS.get(backend or "", {}))
    share_variable = GPU_SHARE_VARIABLES.get(backend or "")
    if sharing > 1 and share_variable:
        settings[share_variable] = f"{GPU_MEMORY_USABLE / sharing:.2f}"
    return settings


def share_gpu_memory(backend: str | None, environ: MutableMapping[str, str] | None = None) -> None:
    """Set ``backend``'s switches in ``environ`` (this process's) where the user has not: before its import."""
    target = os.environ if environ is None else environ
    for name, value in gpu_memory_settings(backend).items():
        target.setdefault(name, value)
