"""A change to how the MLP trains, injected from outside regcheck's code, moves every configuration in the exact tier.

The change is one of ``bench/perturbations.py`` (Python imports ``bench/inject/sitecustomize.py``
at start-up, which patches Keras): Adam's epsilon 1e-8 instead of Keras' 1e-7, the smallest
measured (docs/gates.md). It changes no label at seed 42 in most configurations; the exact tier
sees it in the probabilities, the loss and the weights. The baselines are blessed first in this
environment, so the exact tier applies whatever processor runs the test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from regcheck.studies.heart.configs import MLP_GRID

ROOT = Path(__file__).resolve().parents[3]
PERTURBATION = "adam_epsilon"

pytestmark = pytest.mark.slow


def regcheck(*args: str, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "regcheck", *args, "--model", "mlp", "--seeds", "42", "--jobs", "2"]
    return subprocess.run(command, env=environment, capture_output=True, text=True, check=False, cwd=ROOT)


def test_adam_epsilon_changed_from_outside_moves_every_configuration_in_the_exact_tier(tmp_path: Path) -> None:
    baselines = tmp_path / "baselines"
    baselines.mkdir()
    shutil.copy(ROOT / "baselines" / "published.json", baselines / "published.json")
    plain = {key: value for key, value in os.environ.items() if key != "REGCHECK_PERTURBATION"}
    blessed = regcheck("bless", "--baselines", str(baselines), "--reason", "control", environment=plain)
    assert blessed.returncode == 0, blessed.stdout + blessed.stderr

    injected = dict(plain, REGCHECK_PERTURBATION=PERTURBATION)
    injected["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "bench" / "inject"), plain.get("PYTHONPATH")]))
    moved = regcheck("run", "--baselines", str(baselines), environment=injected)

    assert moved.returncode == 1, moved.stdout + moved.stderr
    for config in MLP_GRID:
        assert f"\n{config.config_id}: moved (rule: exact; profile matches baseline" in moved.stdout
    assert "regcheck: 0 held, 9 moved, 0 errors" in moved.stdout
