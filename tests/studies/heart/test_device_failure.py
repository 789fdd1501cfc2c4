"""A backend whose device cannot start is one line and exit code 2, never a traceback: a REAL failing start.

JAX installed without a CUDA plugin (as on this CPU machine) and told to use the GPU fails the way
a GPU machine's JAX failed in issue 12 when the card was full: ``JAX_PLATFORMS=gpu`` raises
``RuntimeError: Unable to initialize backend ...``, ``JAX_PLATFORMS=cuda`` (JAX 0.10) a bare
``AssertionError``. The environment is built with uv (as the tox matrix builds its own), so the
test runs wherever the package index or uv's cache is reachable, CI included.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
UV = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
JAX_PINS = ("jax==0.10.2", "jaxlib==0.10.2", "keras==3.15.1")
FIRST_WORDS = "regcheck: error: KERAS_BACKEND=jax: jax could not start on its device ("
ADVICE = (
    "try fewer processes on the GPU (--jobs 1), or compute on the CPU (CUDA_VISIBLE_DEVICES= ; for JAX also JAX_PLATFORMS=cpu)"
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(UV is None, reason="uv is not installed (it comes with '.[test]')"),
    pytest.mark.skipif(shutil.which("nvidia-smi") is not None, reason="this machine has an NVIDIA driver"),
]


@pytest.fixture(scope="module")
def jax_regcheck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with CPU-only JAX, Keras and regcheck (no TensorFlow), built by uv from its cache or the index."""
    assert UV is not None
    folder = tmp_path_factory.mktemp("jax-environment")
    subprocess.run([UV, "venv", "-q", "--python", sys.executable, str(folder)], check=True)
    env = {**os.environ, "VIRTUAL_ENV": str(folder)}
    constraints = str(ROOT / "requirements" / "reference.txt")
    subprocess.run([UV, "pip", "install", "-q", "-c", constraints, *JAX_PINS, "-e", str(ROOT)], check=True, env=env)
    return folder / "bin" / "regcheck"


def run_mlp(executable: Path, platforms: str, *options: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": platforms}
    command = [str(executable), "run", "--model", "mlp", "--baselines", str(ROOT / "baselines"), *options]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, env=env, cwd=ROOT)


def assert_one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(FIRST_WORDS), result.stderr
    assert lines[0].endswith(ADVICE) or "(in a worker process, fitting mlp-" in lines[0]
    return lines[0]


def test_a_gpu_jax_cannot_start_fails_the_run_in_one_line_naming_the_cause(jax_regcheck: Path) -> None:
    line = assert_one_line(run_mlp(jax_regcheck, "gpu", "--jobs", "1"))
    assert "JAX_PLATFORMS='gpu'): RuntimeError: Unable to initialize backend" in line


def test_a_jax_that_cannot_start_stops_a_pooled_run_in_one_line_before_any_worker_starts(jax_regcheck: Path) -> None:
    # The controller asks the model's profile (its device) while it checks the inputs, before the pool
    # starts: the failure is one line, and no worker is spawned to meet it again.
    line = assert_one_line(run_mlp(jax_regcheck, "cuda", "--jobs", "2", "--seeds", "0"))
    assert "JAX_PLATFORMS='cuda'): AssertionError" in line
    assert "(in a worker process" not in line and line.endswith(ADVICE)
