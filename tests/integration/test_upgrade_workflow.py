"""The upgrade pull request's workflow: actionlint passes it, it runs on the pins, and it runs what the docs say."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from test_ci_workflow import actionlint

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "upgrade.yml"


def workflow() -> dict[str, Any]:
    import yaml

    loaded: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return loaded


def steps() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = workflow()["jobs"]["upgrade"]["steps"]
    return found


def test_actionlint_finds_nothing_wrong_in_the_upgrade_workflow() -> None:
    done = subprocess.run([actionlint(), "-no-color", str(WORKFLOW)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_it_runs_on_pull_requests_that_change_the_lock_it_compares() -> None:
    # PyYAML reads the key "on" as True (YAML 1.1).
    triggers = workflow()[True]
    lock = workflow()["env"]["LOCK"]
    assert lock in triggers["pull_request"]["paths"]
    assert (ROOT / lock).is_file()


def test_it_compares_the_base_commits_lock_with_the_heads() -> None:
    script = "\n".join(step.get("run", "") for step in steps())
    assert 'git show "$BASE:$LOCK"' in script
    checkout = next(step for step in steps() if step.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    assert '.venv/bin/regcheck upgrade "$OLD" "$NEW"' in script


def test_the_comment_is_the_file_regcheck_wrote_and_one_comment_is_kept_up_to_date() -> None:
    upgrade = next(step for step in steps() if step.get("id") == "upgrade")
    comment = next(step for step in steps() if "gh pr comment" in step.get("run", ""))
    assert '--comment "$RUNNER_TEMP/comment.md"' in upgrade["run"]
    assert '--body-file "$RUNNER_TEMP/comment.md" --edit-last --create-if-none' in comment["run"]
    assert workflow()["permissions"]["pull-requests"] == "write"


def test_the_job_fails_with_regchecks_own_exit_code_after_the_comment() -> None:
    names = [step.get("name", step.get("uses", "")) for step in steps()]
    assert names.index("Comment on the pull request") < names.index("The verdict")
    assert steps()[-1]["run"] == 'exit "$STATUS"'
    assert steps()[-1]["env"]["STATUS"] == "${{ steps.upgrade.outputs.status }}"


def test_a_broken_expression_is_caught(tmp_path: Path) -> None:
    """The lint is real: a step output read from a step id that does not exist fails it."""
    broken = tmp_path / ".github" / "workflows" / "upgrade.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(WORKFLOW.read_text(encoding="utf-8").replace("steps.upgrade.outputs.status == '0'",
                                                                   "steps.upgrades.outputs.status == '0'"))  # fmt: skip
    done = subprocess.run([actionlint(), "-no-color", str(broken)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert 'property "upgrades" is not defined' in done.stdout
