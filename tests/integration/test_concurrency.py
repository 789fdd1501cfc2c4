"""Concurrency: xdist workers judge each configuration once; parallel baseline updates never interleave."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import textwrap
import time

import pytest
from support import Project

from regcheck.engine.grid import grid_for
from regcheck.files.atomic import exclusive_lock
from regcheck.studies.heart import study
from regcheck.studies.heart.configs import LOGREG_GRID


def test_under_xdist_every_configuration_is_judged_once_and_its_update_written_once(
    pytester: pytest.Pytester, study_project: Project
) -> None:
    for config_id in ("logreg-l1-C0.001", "logreg-l2-C0.1"):  # to be created
        study_project.baseline(config_id).unlink()
    moved = study_project.baseline("logreg-l1-C0.1")  # to be rewritten
    document = json.loads(moved.read_text())
    document["profiles"][0]["seeds"]["42"]["coefficients"][0] += 1e-3
    moved.write_text(json.dumps(document))

    result = pytester.runpytest("-n", "4", "--regcheck-update", "--regcheck-reason", "xdist")

    result.assert_outcomes(passed=7)
    assert result.ret == 0
    result.stdout.fnmatch_lines([
        "regcheck: 3 held, 3 updated (rules: exact)",
        "regcheck: updated 3 baseline(s): *",
    ])  # fmt: skip
    updated_line = next(line for line in result.stdout.lines if line.startswith("regcheck: updated 3"))
    written = sorted(updated_line.split(": ", 2)[2].split(", "))
    assert written == ["logreg-l1-C0.001", "logreg-l1-C0.1", "logreg-l2-C0.1"]  # each once
    store = grid_for(study).store(study_project.baselines)
    for config in LOGREG_GRID:
        baseline = store.load("logreg", config.config_id)
        assert baseline is not None
    assert store.load("logreg", "logreg-l1-C0.1").provenance["reason"] == "xdist"  # type: ignore[union-attr]
    assert store.load("logreg", "logreg-l2-C0.01").provenance["reason"] != "xdist"  # type: ignore[union-attr]


WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from regcheck.engine.grid import grid_for
    from regcheck.studies.heart import study

    store = grid_for(study).store(Path(sys.argv[1]))
    baseline = store.load("logreg", "logreg-l2-C0.01")
    baseline.provenance["reason"] = "second writer"
    print("writing", flush=True)
    store.write_all([baseline])
    print("written", flush=True)
""")


def test_a_second_process_waits_for_the_first_update_to_finish_before_it_writes(project: Project) -> None:
    target = project.baseline("logreg-l2-C0.01")
    before = target.read_bytes()
    command = [sys.executable, "-c", WRITER, str(project.baselines)]
    first_update = contextlib.ExitStack()
    first_update.enter_context(exclusive_lock(project.baselines))  # this process is in the middle of an update
    try:
        with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as writer:
            assert writer.stdout is not None
            assert writer.stdout.readline().strip() == "writing"
            time.sleep(0.5)  # ample time to write one small file, had it not waited
            assert writer.poll() is None
            assert target.read_bytes() == before
            first_update.close()  # the first update is done: the second writer goes on
            assert writer.wait(timeout=30) == 0
    finally:
        first_update.close()
    assert json.loads(target.read_text())["profiles"][0]["provenance"]["reason"] == "second writer"


def test_two_concurrent_updates_with_different_outcomes_never_leave_a_mix(project: Project) -> None:
    """Ten times: two real ``regcheck bless`` processes at once, each planning all six baselines.

    Both runs find every logistic baseline moved (a coefficient edited) and would rewrite all six
    with their own reason. Whichever takes the lock first writes its update whole; the other either
    read the folder after that (nothing to update) or is refused because a baseline it planned
    from changed (exit 2, one line). Never a folder with some files from each.
    """
    paths = [project.baseline(config.config_id) for config in LOGREG_GRID]
    originals = {path: json.loads(path.read_text()) for path in paths}
    for attempt in range(10):
        for path, document in originals.items():
            moved = json.loads(json.dumps(document))
            moved["profiles"][0]["seeds"]["42"]["coefficients"][0] += 0.5
            path.write_text(json.dumps(moved))
        commands = [
            [sys.executable, "-m", "regcheck", "bless", "--model", "logreg", "--baselines", str(project.baselines),
             "--data", str(project.data), "--reason", f"update {name}"]
            for name in ("A", "B")
        ]  # fmt: skip
        processes = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for command in commands]
        results = [(process.wait(timeout=120), *process.communicate()) for process in processes]
        reasons = {json.loads(path.read_text())["profiles"][0]["provenance"]["reason"] for path in paths}
        assert len(reasons) == 1, f"attempt {attempt}: a mix of {reasons}"
        assert any(code == 0 for code, _, _ in results)
        for code, _, err in results:
            assert code == 0 or (code == 2 and "changed by another update since this run read it" in err), err
