"""The worker pool sized for the machine: 0, 1 or 8 GPUs and 2 or 16 cores, simulated (sizing is plain code).

A spawned pool then shows each worker really gets its GPU and its frameworks' memory settings.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor

import pytest

from regcheck.engine.parallel import _init_worker
from regcheck.frameworks.devices import gpu_memory_settings, share_gpu_memory
from regcheck.frameworks.pool import (
    WORKERS_PER_GPU,
    plan_pool,
    visible_gpus,
    workers_per_gpu,
)

EIGHT = [f"NVIDIA H100 80GB HBM3 #{index}" for index in range(8)]


def test_without_a_gpu_there_is_one_worker_per_core_and_no_gpu_setting() -> None:
    for cores in (2, 16):
        plan = plan_pool(cores, [], "jax")
        assert (plan.jobs, plan.threads, plan.gpus, plan.per_gpu, plan.environment) == (cores, 1, (), 0, {})
        assert plan.worker_environment(0) == {}


def test_one_gpu_gets_eight_workers_sharing_the_cores_and_the_card() -> None:
    plan = plan_pool(16, ["0"], "jax")
    assert (plan.jobs, plan.threads, plan.per_gpu) == (WORKERS_PER_GPU, 2, 8)
    assert plan.environment == {"XLA_PYTHON_CLIENT_PREALLOCATE": "false", "XLA_PYTHON_CLIENT_MEM_FRACTION": "0.11"}
    # One GPU: every worker sees it as CUDA numbers it; nothing to choose.
    assert "CUDA_VISIBLE_DEVICES" not in plan.worker_environment(1)
    assert plan.reason == "8 worker(s) on the 1 GPU(s) (0), jax (8 per GPU), 2 thread(s) each, 16 core(s)"


def test_a_gpu_on_a_small_machine_gets_one_worker_per_core() -> None:
    plan = plan_pool(2, ["0"], "jax")
    assert (plan.jobs, plan.threads, plan.per_gpu) == (2, 1, 2)
    assert "at most one per core (2)" in plan.reason


def test_eight_gpus_on_sixteen_cores_get_two_workers_each_round_robin() -> None:
    plan = plan_pool(16, [str(index) for index in range(8)], "torch")
    assert (plan.jobs, plan.threads, plan.per_gpu) == (16, 1, 2)
    assert [plan.worker_environment(slot)["CUDA_VISIBLE_DEVICES"] for slot in range(16)] == [str(i % 8) for i in range(16)]
    assert plan.environment == {
        "PYTORCH_CUDA_ALLOC_CONF": "garbage_collection_threshold:0.8",
        "REGCHECK_GPU_MEMORY_FRACTION": "0.45",
    }


def test_more_gpus_than_cores_gives_one_worker_per_core_each_on_its_own_gpu() -> None:
    plan = plan_pool(2, [str(index) for index in range(8)], "tensorflow")
    assert (plan.jobs, plan.threads, plan.per_gpu) == (2, 1, 1)
    assert [plan.worker_environment(slot)["CUDA_VISIBLE_DEVICES"] for slot in range(2)] == ["0", "1"]
    # Alone on its card, a worker needs no share, only growth on demand.
    assert plan.environment == {"TF_FORCE_GPU_ALLOW_GROWTH": "true"}
    assert "at most one per core (2)" in plan.reason


def test_requested_jobs_are_kept_and_the_card_is_split_among_them() -> None:
    plan = plan_pool(16, ["0"], "jax", requested=16)
    assert (plan.jobs, plan.threads, plan.per_gpu) == (16, 1, 16)
    assert plan.environment["XLA_PYTHON_CLIENT_MEM_FRACTION"] == "0.06"
    assert plan.reason.startswith("16 worker(s) on the 1 GPU(s) (0), jax (--jobs 16)")


def test_fits_without_a_gpu_framework_ignore_the_gpus() -> None:
    plan = plan_pool(16, ["0"], None)
    assert (plan.jobs, plan.gpus, plan.environment) == (16, (), {})


def test_the_per_gpu_cap_comes_from_its_variable_when_valid() -> None:
    assert workers_per_gpu({"REGCHECK_WORKERS_PER_GPU": "4"}) == 4
    assert workers_per_gpu({"REGCHECK_WORKERS_PER_GPU": "0"}) == WORKERS_PER_GPU
    assert workers_per_gpu({}) == WORKERS_PER_GPU
    assert plan_pool(16, ["0"], "jax", workers_per_gpu=4).jobs == 4
    assert plan_pool(16, ["0"], "jax", workers_per_gpu=1).environment == {"XLA_PYTHON_CLIENT_PREALLOCATE": "false"}


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, [str(index) for index in range(8)]),
        ({"CUDA_VISIBLE_DEVICES": ""}, []),
        ({"CUDA_VISIBLE_DEVICES": "3,1"}, ["3", "1"]),
        ({"CUDA_VISIBLE_DEVICES": "0,-1,1"}, ["0"]),  # CUDA stops at the first entry that names no device
        ({"CUDA_VISIBLE_DEVICES": "9"}, []),
        ({"CUDA_VISIBLE_DEVICES": "GPU-5f3c,GPU-77aa"}, ["GPU-5f3c", "GPU-77aa"]),
        ({"JAX_PLATFORMS": "cpu"}, []),
        ({"JAX_PLATFORMS": "cuda,cpu"}, [str(index) for index in range(8)]),
    ],
)
def test_visible_gpus_read_the_variables_as_cuda_and_jax_do(environ: dict[str, str], expected: list[str]) -> None:
    assert visible_gpus("jax", environ, EIGHT) == expected


def test_no_gpu_is_visible_without_a_driver_or_without_a_gpu_framework() -> None:
    assert visible_gpus("torch", {}, []) == []
    assert visible_gpus(None, {}, EIGHT) == []


def test_the_users_own_memory_settings_win() -> None:
    environ = {"XLA_PYTHON_CLIENT_PREALLOCATE": "true"}
    share_gpu_memory("jax", environ)
    assert environ == {"XLA_PYTHON_CLIENT_PREALLOCATE": "true"}
    share_gpu_memory("tensorflow", environ)
    assert environ["TF_FORCE_GPU_ALLOW_GROWTH"] == "true"
    assert gpu_memory_settings("tensorflow", 4) == {"TF_FORCE_GPU_ALLOW_GROWTH": "true"}  # TF has no share variable


def _worker_view(pause: float) -> tuple[int, str | None, str | None, str | None]:
    time.sleep(pause)  # long enough that every worker of the pool takes a task
    return (
        os.getpid(),
        os.getenv("CUDA_VISIBLE_DEVICES"),
        os.getenv("XLA_PYTHON_CLIENT_MEM_FRACTION"),
        os.getenv("REGCHECK_MLP_THREADS"),
    )


@pytest.mark.slow
def test_spawned_workers_each_see_their_gpu_and_memory_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KERAS_BACKEND", "jax")  # the study's MLP model reads nothing else in prepare_worker
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    monkeypatch.delenv("XLA_PYTHON_CLIENT_MEM_FRACTION", raising=False)
    monkeypatch.delenv("REGCHECK_MLP_THREADS", raising=False)
    plan = plan_pool(4, ["0", "1"], "jax", requested=4)
    context = multiprocessing.get_context("spawn")
    slots = context.Value("i", 0)
    with ProcessPoolExecutor(plan.jobs, mp_context=context, initializer=_init_worker,
                             initargs=("heart", plan.threads, plan, slots)) as executor:  # fmt: skip
        views = set(executor.map(_worker_view, [1.0] * plan.jobs))
    assert len({pid for pid, *_ in views}) == 4
    assert sorted(gpu for _, gpu, _, _ in views) == ["0", "0", "1", "1"]
    assert {(fraction, threads) for _, _, fraction, threads in views} == {("0.45", "1")}
    assert "CUDA_VISIBLE_DEVICES" not in os.environ  # the controller's own environment is untouched
