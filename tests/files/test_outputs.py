"""What regcheck writes: all or nothing, only after success, with the modes the umask gives.

The failures here are real ones of the file system (a target that became a folder after the
checks, a file made immutable), not mocks: each commit must put back what it had already
replaced and name the real file, never its staged temporary.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import Project

from regcheck.engine.grid import grid_for
from regcheck.errors import BaselineError, UsageError
from regcheck.files.atomic import append_files
from regcheck.files.outputs import OutputPlan
from regcheck.studies.heart import study
from regcheck.studies.heart.configs import LOGREG_GRID


def becomes_a_folder(path: Path) -> None:
    """After the checks, before the commit: a rename onto ``path`` now fails (EISDIR)."""
    path.unlink(missing_ok=True)
    path.mkdir()
    (path / "keep").write_text("a folder that is not empty\n")


def staged_json_and_summary(folder: Path, summary: Path) -> OutputPlan:
    """A checked plan of two staged outputs: ``run.json`` in ``folder`` and ``summary`` appended to."""
    plan = OutputPlan()
    plan.write("--json", folder / "run.json")
    plan.write("$GITHUB_STEP_SUMMARY", summary, append=True)
    plan.check()
    plan.stage("--json", "{}\n")
    plan.stage("$GITHUB_STEP_SUMMARY", "this run\n")
    return plan


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.endswith(".tmp"))


def test_a_commit_whose_second_rename_fails_puts_the_first_file_back_and_names_the_real_file(tmp_path: Path) -> None:
    (tmp_path / "run.json").write_text("the old run\n")
    plan = OutputPlan()
    plan.write("--json", tmp_path / "run.json")
    plan.write("--markdown", tmp_path / "summary.md")
    plan.check()
    plan.stage("--json", "the new run\n")
    plan.stage("--markdown", "the new summary\n")
    becomes_a_folder(tmp_path / "summary.md")

    with pytest.raises(UsageError) as raised:
        plan.commit()

    assert str(raised.value) == (
        f"--markdown {tmp_path / 'summary.md'}: cannot be written (Is a directory); no output was written"
    )
    assert (tmp_path / "run.json").read_text() == "the old run\n"
    assert leftovers(tmp_path) == []


def test_a_step_summary_that_cannot_be_appended_to_takes_back_every_other_output(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("an earlier step's summary\n")
    plan = staged_json_and_summary(tmp_path, summary)
    becomes_a_folder(summary)

    with pytest.raises(UsageError, match=rf"^\$GITHUB_STEP_SUMMARY {summary}: cannot be written \(Is a directory\)"):
        plan.commit()

    assert not (tmp_path / "run.json").exists()  # it was new: the rollback removes it
    assert leftovers(tmp_path) == []


def test_appends_are_all_or_none_a_later_failure_truncates_the_earlier_ones(tmp_path: Path) -> None:
    first, second = tmp_path / "first.md", tmp_path / "second.md"
    first.write_text("kept\n")
    becomes_a_folder(second)

    with pytest.raises(IsADirectoryError) as raised:
        append_files([(first, b"appended\n"), (second, b"appended\n")])

    assert raised.value.filename == str(second)
    assert first.read_text() == "kept\n"


def test_a_commit_that_succeeds_writes_every_output_and_appends_the_summary(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("before\n")
    plan = staged_json_and_summary(tmp_path, summary)

    assert plan.commit() == [f"--json written to {tmp_path / 'run.json'}", f"$GITHUB_STEP_SUMMARY written to {summary}"]
    assert (tmp_path / "run.json").read_text() == "{}\n" and summary.read_text() == "before\nthis run\n"


def renamed_baselines(project: Project, reason: str) -> list[Any]:
    """All six logistic baselines with a new reason: an update that rewrites every file."""
    store = grid_for(study).store(project.baselines)
    baselines = [store.load("logreg", config.config_id) for config in LOGREG_GRID]
    for baseline in baselines:
        assert baseline is not None
        baseline.provenance["reason"] = reason
    return baselines


def test_an_update_whose_fourth_rename_fails_puts_back_the_three_before_it_and_names_the_fourth(project: Project) -> None:
    baselines = renamed_baselines(project, "an update that cannot finish")
    fourth = project.baseline(LOGREG_GRID[3].config_id)
    becomes_a_folder(fourth)
    before = project.snapshot()

    with pytest.raises(BaselineError) as raised:
        grid_for(study).store(project.baselines).write_all(baselines)

    assert str(raised.value) == f"{fourth}: cannot write the baselines (Is a directory); no baseline was written"
    assert project.snapshot() == before
    assert leftovers(fourth.parent) == []


def test_an_update_and_the_outputs_of_its_command_are_one_commit(project: Project, tmp_path: Path) -> None:
    baselines = renamed_baselines(project, "an update whose run file cannot be written")
    outputs = OutputPlan()
    outputs.read(project.baselines, project.data)
    outputs.write("--json", tmp_path / "run.json")
    outputs.check()
    outputs.stage("--json", "{}\n")
    becomes_a_folder(tmp_path / "run.json")
    before = project.snapshot()

    with pytest.raises(UsageError) as raised:
        grid_for(study).store(project.baselines).write_all(baselines, outputs)

    assert str(raised.value) == (
        f"--json {tmp_path / 'run.json'}: cannot be written (Is a directory); no baseline and no output was written"
    )
    assert project.snapshot() == before


@pytest.fixture
def immutable() -> Iterator[list[Path]]:
    """Files made immutable (``chattr +i``: even root cannot rename over them); made mutable again after."""
    made: list[Path] = []
    yield made
    for path in made:
        subprocess.run(["chattr", "-i", str(path)], check=False, capture_output=True)


def test_bless_with_one_baseline_immutable_leaves_every_baseline_as_it_was_and_names_it(
    project: Project, immutable: list[Path]
) -> None:
    """The issue's case: four of six were renamed when it exited, and the message named the temp file."""
    for config in LOGREG_GRID:  # every configuration moved: bless rewrites all six
        path = project.baseline(config.config_id)
        document = json.loads(path.read_text())
        document["profiles"][0]["seeds"]["42"]["coefficients"][0] += 0.5
        path.write_text(json.dumps(document, indent=1))
    locked = project.baseline(LOGREG_GRID[4].config_id)
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(locked)], capture_output=True).returncode:
        pytest.skip("chattr +i is not available here (it needs root and a file system that supports it)")
    immutable.append(locked)
    before = project.snapshot()

    result = subprocess.run(
        [sys.executable, "-m", "regcheck", "bless", "--model", "logreg", "--data", str(project.data),
         "--baselines", str(project.baselines), "--json", str(project.root / "run.json"), "--reason", "blocked"],
        capture_output=True, text=True, cwd=project.root,
    )  # fmt: skip

    assert result.returncode == 2
    assert "Traceback" not in result.stderr  # above the line: the progress of the fits, which all ran
    assert result.stderr.splitlines()[-1] == (
        f"regcheck: error: {locked}: cannot write the baselines (Operation not permitted); no baseline was written"
    )
    assert project.snapshot() == before  # no baseline, no run file, no staged temporary


@pytest.fixture
def umask() -> Iterator[Any]:
    """Set the process's umask for one test and put the old one back."""
    old = os.umask(0o022)

    def set_mask(mask: int) -> None:
        os.umask(mask)

    yield set_mask
    os.umask(old)


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_a_written_file_gets_the_mode_the_umask_gives_not_0600(
    mask: int, mode: int, project: Project, cli: Any, umask: Any
) -> None:
    umask(mask)
    result = cli("run", "--model", "logreg", "--data", str(project.data), "--json", str(project.root / "run.json"))
    assert result.rc == 0
    assert stat.S_IMODE((project.root / "run.json").stat().st_mode) == mode


def test_an_updated_baseline_keeps_its_mode_and_a_created_one_gets_the_umasks(project: Project, cli: Any, umask: Any) -> None:
    kept, created = project.baseline("logreg-l1-C0.1"), project.baseline("logreg-l2-C0.1")
    kept.chmod(0o664)
    document = json.loads(kept.read_text())
    document["profiles"][0]["seeds"]["42"]["coefficients"][0] += 0.5
    kept.write_text(json.dumps(document, indent=1))
    created.unlink()
    umask(0o027)

    result = cli("bless", "--model", "logreg", "--data", str(project.data), "--reason", "modes")

    assert result.rc == 0
    assert stat.S_IMODE(kept.stat().st_mode) == 0o664
    assert stat.S_IMODE(created.stat().st_mode) == 0o640


def test_a_stale_obtained_record_is_removed_once_its_configuration_holds_again(project: Project, cli: Any) -> None:
    path = project.baseline("logreg-l2-C0.01")
    original = path.read_text()
    document = json.loads(original)
    document["profiles"][0]["seeds"]["42"]["coefficients"][0] += 0.5
    path.write_text(json.dumps(document, indent=1))
    obtained = path.with_name("logreg-l2-C0.01.obtained.json")

    assert cli("run", "--model", "logreg", "--data", str(project.data)).rc == 1
    assert obtained.is_file()
    path.write_text(original)  # the move is gone (reverted, or fixed upstream)
    assert cli("run", "--model", "logreg", "--data", str(project.data)).rc == 0
    assert not obtained.exists()


def test_bless_whose_step_summary_cannot_grow_writes_no_baseline_and_no_run_file(project: Project) -> None:
    """The baselines, the run file and the step summary are one commit. The summary passes every
    check, then the append fails (the process may not grow a file past 1 MiB: RLIMIT_FSIZE, and
    the summary is just under it): every baseline stays as it was, no run file, the summary whole."""
    import resource

    path = project.baseline("logreg-l1-C0.1")
    document = json.loads(path.read_text())
    document["profiles"][0]["seeds"]["42"]["coefficients"][0] += 0.5
    path.write_text(json.dumps(document, indent=1))
    limit = 1024 * 1024
    summary = project.root / "summary.md"
    summary.write_text("x" * (limit - 10))
    before = project.snapshot()

    def at_most_one_mib() -> None:  # Python ignores SIGXFSZ: a write past the limit is an OSError (EFBIG)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = subprocess.run(
        [sys.executable, "-m", "regcheck", "bless", "--model", "logreg", "--data", str(project.data),
         "--baselines", str(project.baselines), "--json", str(project.root / "run.json"), "--reason", "blocked"],
        capture_output=True, text=True, cwd=project.root, env={**os.environ, "GITHUB_STEP_SUMMARY": str(summary)},
        preexec_fn=at_most_one_mib,
    )  # fmt: skip

    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        f"regcheck: error: $GITHUB_STEP_SUMMARY {summary}: cannot be written (File too large); "
        "no baseline and no output was written"
    )
    assert project.snapshot() == before


def test_an_interrupt_just_after_a_rename_puts_that_file_back_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C can land between a rename and the bookkeeping that follows it: the file it replaced
    must still be put back, or the CLI's "no baseline was written" would be false (found by an
    attacker's poller, 5 of 5 tries, before the fix)."""
    from regcheck.files import atomic

    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text("old a\n")
    second.write_text("old b\n")
    real_replace = os.replace

    def replace_then_interrupt(source: str, target: Any) -> None:
        real_replace(source, target)
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "replace", replace_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        atomic.write_files_atomically([(first, b"new a\n"), (second, b"new b\n")])
    monkeypatch.undo()
    assert (first.read_text(), second.read_text()) == ("old a\n", "old b\n")
    assert leftovers(tmp_path) == []


def test_an_output_that_outgrows_the_file_size_limit_is_named_with_its_option(tmp_path: Path) -> None:
    """A write's own error (a full disk, a file-size limit) carries no file name: the line names the target."""
    import resource

    def one_kib_at_most() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))

    data = os.environ["REGCHECK_DATA_DIR"]
    result = subprocess.run(
        [sys.executable, "-m", "regcheck", "run", "--model", "logreg", "--data", str(Path(data) / "heart.csv"),
         "--baselines", str(Path(__file__).resolve().parents[2] / "baselines"), "--json", "run.json"],
        capture_output=True, text=True, cwd=tmp_path, preexec_fn=one_kib_at_most,
    )  # fmt: skip
    assert result.returncode == 2
    assert (
        result.stderr.splitlines()[-1]
        == "regcheck: error: --json run.json: cannot be written (File too large); no output was written"
    )
    assert list(tmp_path.iterdir()) == []
