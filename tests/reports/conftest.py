"""Fixtures of the report tests: a real logistic run (the CLI, fitted here) and the files it is merged with."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from report_fixtures import ROOT, merged_run

from regcheck.frontends.cli import main


@pytest.fixture(scope="session")
def logreg_run_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real run file: ``regcheck run --model logreg --json`` against the committed baselines."""
    path = tmp_path_factory.mktemp("run") / "run.json"
    code = main(["run", "--model", "logreg", "--baselines", str(ROOT / "baselines"), "--json", str(path)])
    assert code == 0, "the logistic half no longer holds against its baselines; fix that first"
    return path


@pytest.fixture(scope="session")
def logreg_run(logreg_run_file: Path) -> dict[str, Any]:
    return json.loads(logreg_run_file.read_text(encoding="utf-8"))


@pytest.fixture
def whole_run_file(logreg_run: dict[str, Any], tmp_path: Path) -> Path:
    path = tmp_path / "whole-run.json"
    path.write_text(json.dumps(merged_run(logreg_run)), encoding="utf-8")
    return path
