"""Fixtures for the tests of regcheck itself: a throw-away project, the CLI in-process, snapshots.

Every test works on a copy of the committed baselines in a temporary folder, never on the
repository's own files, and points regcheck at a copy of the verified heart table, so no test
depends on the user's cache or the network.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from report_fixtures import ROOT, merged_run
from support import STUDY_TESTS, UNREACHABLE_URL, CliResult, Project, make_project, uci_original_path

from regcheck.frontends.cli import main
from regcheck.studies.heart.data import FILE_NAME, load_heart


@pytest.fixture(scope="session")
def heart_bytes() -> bytes:
    """The canonical (LF) heart.csv text, from wherever regcheck finds the verified table."""
    table = load_heart()
    assert table.path is not None
    if table.path.name == FILE_NAME:
        return table.path.read_bytes().replace(b"\r\n", b"\n")
    from regcheck.studies.heart.uci import convert_original

    return convert_original(table.path.read_bytes(), str(table.path))


@pytest.fixture
def uci_original() -> Path:
    path = uci_original_path()
    if path is None:
        pytest.skip("no UCI original processed.cleveland.data here (set REGCHECK_DATA_DIR to the shared data)")
    return path


@pytest.fixture
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No user cache, no download, no Keras backend choice leaking in from the caller's shell."""
    for name in ("REGCHECK_DATA", "REGCHECK_DATA_DIR", "KERAS_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REGCHECK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("REGCHECK_UCI_URL", UNREACHABLE_URL)
    yield


@pytest.fixture
def project(tmp_path: Path, heart_bytes: bytes, isolated_env: None) -> Project:
    return make_project(tmp_path / "project", heart_bytes)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, project: Project):  # type: ignore[no-untyped-def]
    """Run ``regcheck ARGS`` in-process from the project folder; return its exit code and output."""
    from regcheck.frontends.cli import main

    monkeypatch.chdir(project.root)

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        rc = main(list(args))
        captured = capsys.readouterr()
        return CliResult(rc, captured.out, captured.err)

    return run


@pytest.fixture(scope="session")
def fitted_once(heart_bytes: bytes, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Fit the grid once in this process before any in-process pytester run.

    ``runpytest`` (in-process) forgets the modules a run imported; numpy's C extensions
    cannot be loaded twice in one process, so everything a fit imports must be imported here.
    """
    from regcheck.studies.heart.configs import LOGREG_GRID
    from regcheck.studies.heart.logreg import fit_logreg
    from regcheck.studies.heart.split import prepare_split

    path = tmp_path_factory.mktemp("warm") / FILE_NAME
    path.write_bytes(heart_bytes)
    split = prepare_split(load_heart(path).frame)
    for config in LOGREG_GRID:
        fit_logreg(config, split, 42)


@pytest.fixture
def study_project(pytester: pytest.Pytester, heart_bytes: bytes, isolated_env: None, fitted_once: None,
                  monkeypatch: pytest.MonkeyPatch) -> Project:  # fmt: skip
    """A pytester folder laid out like a user's project that runs the logistic half as tests."""
    project = make_project(pytester.path, heart_bytes)
    pytester.makepyfile(test_study=STUDY_TESTS)
    monkeypatch.setenv("REGCHECK_DATA", str(project.data))
    return project


# --- a real run file, for the tests of the readers and reports -----------------------------------


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
