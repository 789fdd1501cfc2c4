"""Faults: a writer killed mid-update, a configuration that raises, a Keras backend that is not there."""

from __future__ import annotations

import importlib.util
import json
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from support import Project

from regcheck.engine.grid import grid_for
from regcheck.studies.heart import study
from regcheck.studies.heart.configs import LOGREG_GRID

# The child rewrites all six baselines (a new reason in their provenance) and pauses at the
# moment named by argv[2], then waits to be killed: a real SIGKILL, no cleanup handler runs.
KILLED_WRITER = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from regcheck.engine.grid import grid_for
    from regcheck.studies.heart import study
    from regcheck.studies.heart.configs import LOGREG_GRID

    root, pause_at = Path(sys.argv[1]), sys.argv[2]
    store = grid_for(study).store(root)
    baselines = [store.load("logreg", config.config_id) for config in LOGREG_GRID]
    for baseline in baselines:
        baseline.provenance["reason"] = "the run that was killed"

    def pause():
        print("paused", flush=True)
        time.sleep(120)

    real_fsync, real_replace, counts = os.fsync, os.replace, {"fsync": 0, "replace": 0}

    def fsync(fd):
        real_fsync(fd)
        counts["fsync"] += 1
        if pause_at == "staging" and counts["fsync"] == 3:  # three of six files staged
            pause()

    def replace(src, dst):
        real_replace(src, dst)
        counts["replace"] += 1
        if pause_at == "renaming" and counts["replace"] == 2:  # two of six renamed
            pause()

    os.fsync, os.replace = fsync, replace
    store.write_all(baselines)
    print("finished", flush=True)
""")


def kill_writer_when_paused(root: Path, pause_at: str) -> None:
    with subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(root), pause_at],
                          stdout=subprocess.PIPE, text=True) as child:  # fmt: skip
        try:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "paused"
            child.send_signal(signal.SIGKILL)
        finally:
            child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL


def reasons(project: Project) -> list[Any]:
    store = grid_for(study).store(project.baselines)
    return [store.load("logreg", config.config_id).provenance["reason"] for config in LOGREG_GRID]  # type: ignore[union-attr]


def test_a_writer_killed_while_staging_leaves_every_old_baseline_intact(project: Project) -> None:
    before = project.snapshot()
    kill_writer_when_paused(project.baselines, "staging")

    folder = project.baselines / "heart" / "logreg"
    leftovers = sorted(path.name for path in folder.glob(".*.tmp"))
    assert len(leftovers) == 3  # the kill really came mid-update: three files were staged
    assert {name: data for name, data in project.snapshot().items() if not name.endswith(".tmp")} == before
    assert "the run that was killed" not in reasons(project)


def test_the_next_update_clears_what_a_killed_writer_left_behind(project: Project) -> None:
    kill_writer_when_paused(project.baselines, "staging")
    store = grid_for(study).store(project.baselines)
    baselines = [store.load("logreg", config.config_id) for config in LOGREG_GRID]
    store.write_all([baseline for baseline in baselines if baseline is not None])
    assert list((project.baselines / "heart" / "logreg").glob(".*.tmp")) == []


def test_a_writer_killed_between_renames_leaves_every_baseline_whole_old_or_new(project: Project) -> None:
    kill_writer_when_paused(project.baselines, "renaming")
    # Each file is either the old one or the new one, complete and valid; never torn.
    assert reasons(project).count("the run that was killed") == 2
    for config in LOGREG_GRID:
        json.loads(project.baseline(config.config_id).read_text())


# --- a configuration that raises -------------------------------------------------------------


@pytest.fixture
def one_configuration_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the fit of logreg-l1-C0.01 raise, as a broken library build would."""
    from regcheck.studies.heart.logreg import LogregModel

    real_fit = LogregModel.fit

    def fit(self: LogregModel, config: Any, split: Any, seed: int) -> Any:
        if config.config_id == "logreg-l1-C0.01":
            raise FloatingPointError("liblinear diverged")
        return real_fit(self, config, split, seed)

    monkeypatch.setattr(LogregModel, "fit", fit)


def test_a_configuration_that_raises_is_an_error_with_its_cause_and_the_others_are_still_compared(
    project: Project, cli: Any, one_configuration_raises: None
) -> None:
    before = project.snapshot()
    result = cli("run", "--model", "logreg", "--data", str(project.data), "--update")
    assert result.rc == 1
    lines = result.out.splitlines()
    assert "logreg-l1-C0.01   0.48       -                            none   error" in lines
    assert [line.split()[-1] for line in lines[2:8]] == ["held", "error", "held", "held", "held", "held"]
    assert "logreg-l1-C0.01: error (rule: none; the fit raised)" in lines
    cause = "  the fit raised FloatingPointError: liblinear diverged (test_faults.py:"
    assert any(line.startswith(cause) for line in lines)
    assert "baselines NOT updated: the run had failures or stopped early; nothing was written" in lines
    assert project.snapshot() == before


def test_a_configuration_that_raises_under_pytest_fails_its_own_test_with_its_cause(
    pytester: pytest.Pytester, study_project: Project, one_configuration_raises: None
) -> None:
    result = pytester.runpytest()
    result.assert_outcomes(passed=5, failed=2)
    assert result.ret == 1
    result.stdout.fnmatch_lines([
        "logreg-l1-C0.01: error (rule: none; the fit raised)",
        "  the fit raised FloatingPointError: liblinear diverged (test_faults.py:*)",
        "study claims not checked: logreg-l1-C0.01 raised FloatingPointError: liblinear diverged (test_faults.py:*)",
        "regcheck: 1 error, 5 held (rules: exact, none)",
    ])  # fmt: skip


# --- a Keras backend that is not installed -----------------------------------------------------

MLP_AND_LOGREG_TESTS = """
from regcheck.studies.heart.configs import LOGREG_GRID, MLP_GRID


def test_logreg(regcheck_study):
    regcheck_study.check(LOGREG_GRID[4])


def test_mlp(regcheck_study):
    regcheck_study.check(MLP_GRID[3])
"""


@pytest.fixture
def absent_backend(monkeypatch: pytest.MonkeyPatch) -> str:
    """KERAS_BACKEND set to a real backend that this environment does not have."""
    for name in ("jax", "torch"):
        if importlib.util.find_spec(name) is None:
            monkeypatch.setenv("KERAS_BACKEND", name)
            return name
    pytest.skip("jax and torch are both installed: no backend is missing here")


def absent_backend_line(name: str) -> str:
    return (
        f"regcheck: error: KERAS_BACKEND={name}: model mlp needs {name}, not installed here; "
        f"install it with: pip install 'regcheck[{name}]' (or choose another --model to leave model mlp out)"
    )


def test_a_missing_backend_fails_when_the_mlp_half_is_asked_for(project: Project, cli: Any, absent_backend: str) -> None:
    for model in ("mlp", "all"):
        result = cli("run", "--model", model, "--data", str(project.data))
        assert (result.rc, result.err, result.out) == (2, absent_backend_line(absent_backend) + "\n", "")


def test_a_missing_backend_does_not_matter_when_the_user_leaves_the_mlp_half_out(
    project: Project, cli: Any, absent_backend: str
) -> None:
    result = cli("run", "--model", "logreg", "--data", str(project.data))
    assert result.rc == 0
    assert result.out.splitlines()[-1].startswith("regcheck: 6 held, 0 moved, 0 errors | tier: logreg exact")


def test_a_missing_backend_under_pytest_fails_the_mlp_test_unless_the_user_chose_logreg(
    pytester: pytest.Pytester, study_project: Project, absent_backend: str
) -> None:
    pytester.makepyfile(test_halves=MLP_AND_LOGREG_TESTS)

    asked = pytester.runpytest("test_halves.py")
    asked.assert_outcomes(passed=1, failed=1)
    assert asked.ret == 2
    asked.stdout.fnmatch_lines(["*_ test_mlp _*", absent_backend_line(absent_backend)])

    left_out = pytester.runpytest("test_halves.py", "--regcheck-model", "logreg", "-rs")
    left_out.assert_outcomes(passed=1, skipped=1)
    assert left_out.ret == 0
    left_out.stdout.fnmatch_lines(["SKIPPED [[]1[]] test_halves.py:*: --regcheck-model logreg of study heart leaves out mlp"])
