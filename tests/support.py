"""Helpers shared by the tests of regcheck itself (fixtures live in conftest.py)."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from regcheck.studies.heart.data import FILE_NAME

REPO = Path(__file__).resolve().parents[1]
# Read before any test removes it: where the shared data (and its UCI original) lives.
SHARED_DATA_DIR = os.environ.get("REGCHECK_DATA_DIR")
UNREACHABLE_URL = "https://127.0.0.1:9/processed.cleveland.data"  # the discard port: refused at once

STUDY_TESTS = """
import pytest

from regcheck.studies.heart.configs import LOGREG_GRID


@pytest.mark.parametrize("config", LOGREG_GRID, ids=lambda config: config.config_id)
def test_configuration(config, regcheck_study):
    regcheck_study.check(config)


def test_claims(regcheck_study):
    regcheck_study.check_claims("logreg")
"""


def uci_original_path() -> Path | None:
    """The UCI original beside the shared data (CI: REGCHECK_DATA_DIR), if this machine has it."""
    folders = [Path(SHARED_DATA_DIR)] if SHARED_DATA_DIR else []
    folders.append(REPO.parent / "shared" / "data")
    for folder in folders:
        if (folder / "processed.cleveland.data").is_file():
            return folder / "processed.cleveland.data"
    return None


@dataclass
class Project:
    """A temporary project: ``baselines/`` copied from the repository and a verified ``heart.csv``."""

    root: Path

    @property
    def baselines(self) -> Path:
        return self.root / "baselines"

    @property
    def data(self) -> Path:
        return self.root / FILE_NAME

    def baseline(self, config_id: str) -> Path:
        return self.baselines / "heart" / config_id.split("-")[0] / f"{config_id}.json"

    def snapshot(self) -> dict[str, bytes]:
        """Every file under the project: compare two to prove nothing was written.

        Left out: caches, and the ``stdout``/``stderr`` files of pytester's subprocess runs. (No lock
        file to leave out: an update locks the baselines folder itself.)
        """
        return {
            str(path.relative_to(self.root)): path.read_bytes()
            for path in sorted(self.root.rglob("*"))
            if path.is_file()
            and not {"__pycache__", ".pytest_cache"} & set(path.parts)
            and str(path.relative_to(self.root)) not in ("stdout", "stderr")
        }


def make_project(root: Path, heart: bytes) -> Project:
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(
        REPO / "baselines", root / "baselines", dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("*.obtained.json", ".regcheck.lock", ".*.tmp"),
    )  # fmt: skip
    (root / FILE_NAME).write_bytes(heart)
    return Project(root)


@dataclass
class CliResult:
    rc: int
    out: str
    err: str
