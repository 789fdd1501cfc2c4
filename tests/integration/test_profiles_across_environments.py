"""Several profiles per baseline, in real environments: one folder blessed in two, exact in both, band in a third.

The example study's seeded model (SGD) has the profile scikit-learn x numpy x machine. Two more
environments are built with uv (as the tox matrix builds its own): the second is blessed into the
same folder and must append its profile without touching the first's; each of the two is then
judged by the exact tier against its own outcomes, and a third by the band against the reference.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STUDY = f"{ROOT / 'examples' / 'cancer_study.py'}:study"
ENVIRONMENTS = {"second": ("numpy==2.2.6", "scikit-learn==1.7.2"), "third": ("numpy==2.1.3", "scikit-learn==1.6.1")}
UV = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")

pytestmark = [pytest.mark.slow, pytest.mark.skipif(UV is None, reason="uv is not installed (it comes with '.[test]')")]


def make_environment(folder: Path, pins: tuple[str, ...]) -> Path:
    """A venv on this interpreter with regcheck and the pinned packages, built by uv from its cache or the index."""
    assert UV is not None
    subprocess.run([UV, "venv", "-q", "--python", sys.executable, str(folder)], check=True)
    env = {**os.environ, "VIRTUAL_ENV": str(folder)}
    subprocess.run([UV, "pip", "install", "-q", *pins, "-e", str(ROOT)], check=True, env=env)
    return folder / "bin" / "regcheck"


def regcheck(executable: Path | str, *args: str) -> subprocess.CompletedProcess[str]:
    command = [str(executable), *args] if Path(executable).name == "regcheck" else [sys.executable, "-m", "regcheck", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def sgd_rules(result: subprocess.CompletedProcess[str]) -> list[list[str]]:
    return [line.split()[-2:] for line in result.stdout.splitlines() if line.startswith("sgd-")]


@pytest.fixture(scope="module")
def environments(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("environments")
    return {name: make_environment(folder / name, pins) for name, pins in ENVIRONMENTS.items()}


def test_a_baseline_blessed_in_two_environments_is_exact_in_both_and_band_in_a_third(
    tmp_path: Path, environments: dict[str, Path]
) -> None:
    here = sys.executable
    baselines = tmp_path / "baselines"
    baselines.mkdir()
    options = ["--study", STUDY, "--baselines", str(baselines), "--model", "sgd"]

    first = regcheck(here, "bless", *options, "--reason", "this machine")
    assert first.returncode == 0, first.stdout + first.stderr
    path = baselines / "cancer" / "sgd" / "sgd-alpha_0.001.json"
    reference = json.loads(path.read_text(encoding="utf-8"))["profiles"][0]

    second = regcheck(environments["second"], "bless", *options, "--reason", "the second machine")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "profile added (seeds 0, 1, 2, 3, 4, 5, 6, 7, 8, 42)" in second.stdout  # blessed_seeds: every look of the band
    profiles = json.loads(path.read_text(encoding="utf-8"))["profiles"]
    assert len(profiles) == 2 and profiles[0] == reference  # the first profile is untouched
    assert profiles[1]["profile"]["scikit-learn"] == "1.7.2"

    for executable in (here, environments["second"]):
        judged = regcheck(executable, "run", *options)
        assert judged.returncode == 0, judged.stdout + judged.stderr
        assert sgd_rules(judged) == [["exact", "held"]] * 3

    third = regcheck(environments["third"], "run", *options, "--json", str(tmp_path / "third.json"))
    assert [rule for rule, _ in sgd_rules(third)] == ["band"] * 3, third.stdout + third.stderr
    verdicts = json.loads((tmp_path / "third.json").read_text(encoding="utf-8"))["verdicts"]
    assert all("none of the baseline's 2 profiles matches, the band uses the closest" in v["reason"] for v in verdicts)

    matrix = regcheck(here, "matrix", "--study", STUDY, "--baselines", str(baselines), str(tmp_path / "third.json"))
    assert "  sgd: 2 profile(s), the band compares a run none matches with the closest: scikit-learn " in matrix.stdout, (
        matrix.stderr
    )
