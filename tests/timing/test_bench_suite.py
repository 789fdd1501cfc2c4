"""``pytest bench/`` on its own: every configuration of both models is a case, and absent parts skip with a reason."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from regcheck.studies.heart.configs import LOGREG_GRID, MLP_GRID

ROOT = Path(__file__).resolve().parents[2]


def _pytest(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args], cwd=ROOT,
                          capture_output=True, text=True, env=os.environ.copy(), timeout=300)  # fmt: skip


def test_bench_has_fit_and_predict_per_configuration_and_a_grid_per_model() -> None:
    done = _pytest("bench", "--collect-only", "-q")
    assert done.returncode == 0, done.stdout + done.stderr
    # Other files in bench/ (the MLP speed goal) may add cases: count only the per-configuration files.
    ours = ("bench/test_logreg_bench.py::", "bench/test_mlp_bench.py::")
    collected = {line.split("::")[1] for line in done.stdout.splitlines() if line.startswith(ours)}
    for config in LOGREG_GRID:
        assert {f"test_logreg_fit[{config.config_id}]", f"test_logreg_predict[{config.config_id}]"} <= collected
    for config in MLP_GRID:
        assert {f"test_mlp_fit[{config.config_id}]", f"test_mlp_predict[{config.config_id}]"} <= collected
    assert {"test_logreg_grid", "test_mlp_grid", "test_mlp_fit_on_the_gpu"} <= collected
    assert len(collected) == 2 * len(LOGREG_GRID) + 1 + 2 * len(MLP_GRID) + 2


def test_a_bad_rounds_value_is_a_usage_error() -> None:
    done = _pytest("bench", "--collect-only", "-q", "--regcheck-bench-rounds", "0")
    assert done.returncode == 4  # pytest's exit code for a usage error
    assert "--regcheck-bench-rounds: '0': expected a whole number of rounds >= 1" in done.stderr
