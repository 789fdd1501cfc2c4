"""Device detection per Keras backend, asked of the real frameworks that are installed here."""

from __future__ import annotations

import importlib.util
import shutil
import sys

import pytest

from regcheck.frameworks.devices import detect, framework_threads, no_gpu_reason
from regcheck.frameworks.environment import cpu_name
from regcheck.frameworks.keras import BACKENDS, keras_backend

needs_no_gpu = pytest.mark.skipif(shutil.which("nvidia-smi") is not None, reason="this machine has an NVIDIA driver")


@needs_no_gpu
@pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None, reason="tensorflow is not installed")
def test_tensorflow_without_a_gpu_computes_on_the_named_cpu() -> None:
    found = detect("tensorflow")
    assert (found.kind, found.name, found.gpu_count) == ("cpu", cpu_name(), 0)
    assert "tf.config.list_physical_devices('GPU') lists 0" in found.detail


@needs_no_gpu
@pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None, reason="tensorflow is not installed")
def test_a_gpu_only_case_is_told_why_it_skips(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    reason = no_gpu_reason("tensorflow")
    assert reason == (
        "no GPU visible to the tensorflow backend: tf.config.list_physical_devices('GPU') lists 0 (CUDA_VISIBLE_DEVICES='')"
    )


def test_a_backend_whose_framework_is_absent_is_unknown_not_cpu() -> None:
    absent = [name for name in BACKENDS if importlib.util.find_spec(name) is None]
    if not absent:
        pytest.skip("every Keras backend is installed here")
    found = detect(absent[0])
    assert (found.kind, found.detail) == ("unknown", f"{absent[0]} is not installed")


def test_an_unknown_backend_is_named_with_the_known_ones() -> None:
    found = detect("mxnet")
    assert found.kind == "unknown" and "tensorflow, jax, torch" in found.detail


def test_the_backend_is_keras_backend_variable_else_keras_own_answer_else_tensorflow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "keras", raising=False)
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    assert keras_backend() == "jax"
    monkeypatch.delenv("KERAS_BACKEND")
    assert keras_backend() == "tensorflow"
    # The variable wins over a Keras already imported here: it is what a pool's new workers will load.
    import keras

    monkeypatch.setitem(sys.modules, "keras", keras)
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    assert keras_backend() == "torch"


def test_thread_pools_are_read_only_from_frameworks_already_imported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "torch", raising=False)
    assert framework_threads("torch") == {}
