"""How many worker processes, how many threads each, and what each is told about the GPU.

``plan_pool`` is a pure function of the machine (CPU count, visible GPUs), the framework the
pooled fits use and the user's ``--jobs``, so tests size pools for 0, 1 or 8 GPUs on any
machine; ``pool_for`` asks this machine and calls it.

Why these defaults:

* **No GPU: one worker per CPU core**, ``cores // workers`` intra-op threads each (at least 1).
* **GPUs: ``WORKERS_PER_GPU`` (8) workers per GPU**, never more than the cores. The study's fits
  are kernel-launch bound on a GPU (a batch of 10 rows through a 128-64-1 network: one fit 2-3x
  slower than on the CPU), so one process leaves the card idle most of the time and several
  processes fill it. Measured on one H200 with 16 cores (docs/gpu.md), ``regcheck run --model mlp
  --seeds 0-2`` under JAX (27 fits): 2 workers 80 s, 4 35 s, 8 29 s, 16 28 s. Eight take nearly
  all of the gain while each keeps an eighth of the card and two cores. Issue 12's 16 workers
  crashed only because each JAX process preallocated most of the card (below). Override with
  ``--jobs`` or ``REGCHECK_WORKERS_PER_GPU``.
* **No framework takes the whole card.** Every process (the controller too, which asks the
  framework for its device) gets its framework's own switches, set only where the user has not
  set them: JAX allocates on demand (``XLA_PYTHON_CLIENT_PREALLOCATE=false``; by default it
  takes 75% of the card at start) and, with several workers on a GPU, may grow to its share
  (``XLA_PYTHON_CLIENT_MEM_FRACTION``); TensorFlow grows its memory as needed
  (``TF_FORCE_GPU_ALLOW_GROWTH``; by default it maps nearly all of it); PyTorch allocates on
  demand but its caching allocator keeps what it freed, so it is told to give cached blocks
  back above 80% of its share (``PYTORCH_CUDA_ALLOC_CONF=garbage_collection_threshold:0.8``;
  PyTorch 2.8-2.11 print a one-line notice that the variable's new name is
  ``PYTORCH_ALLOC_CONF``, which 2.9 still ignored for CUDA settings), the share itself set by
  ``REGCHECK_GPU_MEMORY_FRACTION`` through ``torch.cuda.set_per_process_memory_fraction``
  (PyTorch has no variable for it).
* **Several GPUs: each worker sees one**, round-robin (``CUDA_VISIBLE_DEVICES``), so the
  workers spread over the cards instead of all computing on the first.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from regcheck.frameworks.devices import gpu_memory_settings, nvidia_gpus
from regcheck.frameworks.environment import package_version
from regcheck.frameworks.keras import BACKENDS, keras_backend

if TYPE_CHECKING:
    from multiprocessing.sharedctypes import Synchronized

WORKERS_PER_GPU = 8
WORKERS_PER_GPU_VARIABLE = "REGCHECK_WORKERS_PER_GPU"


@dataclass(frozen=True)
class PoolPlan:
    """The pool for one run: ``jobs`` workers of ``threads`` threads, each with its environment."""

    jobs: int
    threads: int
    gpus: tuple[str, ...]  # the GPUs the workers compute on (CUDA_VISIBLE_DEVICES ids); empty: the CPU
    per_gpu: int  # workers sharing one GPU (the busiest one); 0 without GPUs
    environment: dict[str, str] = field(default_factory=dict)  # for every worker
    reason: str = ""

    def worker_environment(self, slot: int) -> dict[str, str]:
        """Worker ``slot``'s variables: the shared ones and, with several GPUs, the one GPU it sees."""
        variables = dict(self.environment)
        if len(self.gpus) > 1:
            variables["CUDA_VISIBLE_DEVICES"] = self.gpus[slot % len(self.gpus)]
        return variables


def plan_pool(cpu_count: int, gpus: Sequence[str], backend: str | None, requested: int | None = None,
              workers_per_gpu: int = WORKERS_PER_GPU) -> PoolPlan:  # fmt: skip
    """Size the pool: ``requested`` workers where given (``--jobs``), else as the module docstring says.

    ``gpus``: the GPUs the framework would compute on (``visible_gpus``); ``backend``: the framework
    of the pooled fits (``tensorflow``, ``jax``, ``torch``), or None where they use no GPU framework.
    """
    cores = max(1, cpu_count)
    on_gpu = tuple(gpus) if backend in BACKENDS else ()
    per_gpu_cap = max(1, workers_per_gpu)
    if requested is not None and requested >= 1:
        jobs, why = requested, f"--jobs {requested}"
    elif on_gpu:
        jobs = min(cores, per_gpu_cap * len(on_gpu))
        why = f"{per_gpu_cap} per GPU" + (f", at most one per core ({cores})" if jobs < per_gpu_cap * len(on_gpu) else "")
    else:
        jobs, why = cores, "one per core"
    threads = max(1, cores // jobs)
    per_gpu = -(-jobs // len(on_gpu)) if on_gpu else 0
    environment = gpu_memory_settings(backend, per_gpu) if on_gpu else {}
    where = f"{len(on_gpu)} GPU(s) ({', '.join(on_gpu)}), {backend}" if on_gpu else "CPU"
    reason = f"{jobs} worker(s) on the {where} ({why}), {threads} thread(s) each, {cores} core(s)"
    return PoolPlan(jobs, threads, on_gpu, per_gpu, environment, reason)


def enter_worker(pool: PoolPlan, slots: Synchronized[int] | None = None) -> int:
    """In a new worker process, before any framework is imported: take the next slot (which GPU it
    sees) from ``slots``, a counter shared by the pool's workers, and set the slot's variables.

    ``CUDA_VISIBLE_DEVICES`` is set outright (it was chosen from the user's own list: it narrows,
    never overrides); every other variable only where the user has not set it. Returns the slot.
    """
    slot = 0
    if slots is not None:
        with slots.get_lock():
            slot = slots.value
            slots.value += 1
    for name, value in pool.worker_environment(slot).items():
        if name == "CUDA_VISIBLE_DEVICES":
            os.environ[name] = value
        else:
            os.environ.setdefault(name, value)
    return slot


def visible_gpus(backend: str | None, environ: Mapping[str, str], listed: Sequence[str]) -> list[str]:
    """The GPU ids ``backend`` would compute on: ``listed`` (``nvidia-smi``'s GPUs, by index) narrowed
    by ``CUDA_VISIBLE_DEVICES`` as CUDA reads it, and none where the framework is told to use the CPU."""
    if backend not in BACKENDS or not listed:
        return []
    if backend == "jax" and not _jax_may_use_gpu(environ.get("JAX_PLATFORMS", "")):
        return []
    if backend == "tensorflow" and package_version("tensorflow") is None:  # tensorflow-cpu has no GPU kernels
        return []
    chosen = environ.get("CUDA_VISIBLE_DEVICES")
    if chosen is None:
        return [str(index) for index in range(len(listed))]
    ids = []
    for entry in (part.strip() for part in chosen.split(",")):
        # CUDA stops at the first entry that names no device ("", "-1", an index out of range).
        if not entry or entry.startswith("-") or (entry.isdigit() and int(entry) >= len(listed)):
            break
        ids.append(entry)
    return ids[: len(listed)]


def _jax_may_use_gpu(platforms: str) -> bool:
    names = {name.strip() for name in platforms.split(",") if name.strip()}
    return not names or bool(names & {"cuda", "gpu", "rocm"})


def workers_per_gpu(environ: Mapping[str, str]) -> int:
    text = environ.get(WORKERS_PER_GPU_VARIABLE, "").strip()
    return int(text) if text.isdigit() and int(text) > 0 else WORKERS_PER_GPU


def usable_cpus() -> int:
    """The cores this process may run on (its affinity mask, as a container or ``taskset`` sets it)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def pool_for(backend: str | None, requested: int | None = None) -> PoolPlan:
    """``plan_pool`` for this machine: its usable cores, the GPUs ``nvidia-smi`` lists and this environment."""
    listed = nvidia_gpus() if backend in BACKENDS else []
    gpus = visible_gpus(backend, os.environ, listed)
    return plan_pool(usable_cpus(), gpus, backend, requested, workers_per_gpu(os.environ))


def pooled_backend(frameworks: Sequence[str | None]) -> str | None:
    """The framework whose device the pool is sized for: the pooled models' (``Model.framework``).

    ``keras``: its backend (TensorFlow, JAX, PyTorch), whose GPUs the workers share; none (every
    pooled model computes on the CPU alone): None, and no device is asked about.
    """
    return keras_backend() if "keras" in frameworks else None
