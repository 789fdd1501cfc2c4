"""The pytest plugin: options, the ``regcheck_study`` fixture, the report header, baseline updates.

Only hooks and fixtures live here; running, comparing and writing belong to ``regcheck.engine.run``.
Under pytest-xdist each worker judges its own configurations and hands the baselines it
would write to the controller, which writes them once, only after a run without failures.

Bad input exits with code 2 and one ``regcheck: error:`` line, as the CLI does: a bad option
value stops pytest before collection; bad data stops it before the first study test runs
(under xdist, each study test fails with the line); a corrupt or missing baseline, or a
missing Keras backend, fails the test it concerns and makes the session's exit code 2 (the
other configurations are still compared).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

from regcheck.engine.baselines import Baseline, BaselineStore, parse_baseline
from regcheck.engine.errors import EXIT_USAGE, DataError, RegcheckError
from regcheck.engine.exact import Verdict
from regcheck.frontends.options import BASELINES, DATA, MODEL, REASON, SEEDS, SHARED_OPTIONS, UPDATE, SharedOption, models_for
from regcheck.studies.heart.claims import Claim, logreg_claims
from regcheck.studies.heart.configs import GRIDS, Config
from regcheck.studies.heart.keras_backends import require_backend

_STATE = pytest.StashKey["_PluginState"]()
_WORKER_KEY = "regcheck_updates"
_WORKER_VERDICTS = "regcheck_verdicts"
_WORKER_BAD_INPUT = "regcheck_bad_input"
_WORKER_CHANGES = "regcheck_changes"


class _PluginState:
    def __init__(self) -> None:
        self.verdicts: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []
        self.changes: list[str] = []
        self.messages: list[str] = []
        self.bad_input = False  # a RegcheckError or a missing baseline: the session exits with 2


def option_value(config: pytest.Config, option: SharedOption) -> Any:
    """An option's parsed value (pytest keeps it as text; ``pytest_cmdline_main`` validated it)."""
    return option.value(config.getoption(option.dest))


class StudyFixture:
    """What a study test gets: ``check(config)`` fails the test, with a table, when a result moved."""

    def __init__(self, config: pytest.Config) -> None:
        from regcheck.engine.run import Study

        self.study = Study(
            _baselines_root(config), option_value(config, DATA), option_value(config, SEEDS),
            option_value(config, UPDATE), option_value(config, REASON),
        )  # fmt: skip
        self.models = models_for(option_value(config, MODEL))
        self._state = config.stash[_STATE]

    def check(self, config: Config) -> Verdict:
        __tracebackhide__ = True
        if config.model not in self.models:
            pytest.skip(f"--regcheck-model {'/'.join(self.models)} leaves out the {config.model} half")
        if config.model == "mlp":  # asked for: a missing backend fails here, it never skips
            self._call(require_backend)
        verdict = self._judge(config)
        self._state.verdicts.append({"config_id": verdict.config_id, "status": verdict.status, "rule": verdict.rule})
        if verdict.status == "missing":
            self._state.bad_input = True
        if verdict.failed:
            from regcheck.reports.console import explain

            obtained = self.study.write_obtained(config) if verdict.status == "moved" else None
            pytest.fail(explain(verdict, str(obtained) if obtained else None), pytrace=False)
        return verdict

    def check_claims(self, model: str) -> list[Claim]:
        """Run what the claims need and fail, naming each broken claim, if one does not hold."""
        __tracebackhide__ = True
        if model not in self.models:
            pytest.skip(f"--regcheck-model {'/'.join(self.models)} leaves out the {model} half")
        records, raised = {}, []
        for config in GRIDS[model]:
            try:
                records[config.config_id] = self._call(lambda config=config: self.study.run(config))[0]
            except Exception as exc:  # the configuration's own test reports it with its cause
                raised.append(f"{config.config_id} raised {type(exc).__name__}: {exc}")
        if raised:  # failed outside the except block, so no chained traceback reaches the user
            pytest.fail(f"study claims not checked: {'; '.join(raised)}", pytrace=False)
        claims = logreg_claims(records)
        broken = [f"{claim.name}: {claim.detail}" for claim in claims if not claim.holds]
        if broken:
            pytest.fail("study claim broken: " + "; ".join(broken), pytrace=False)
        return claims

    def _judge(self, config: Config) -> Verdict:
        __tracebackhide__ = True
        verdict: Verdict = self._call(lambda: self.study.judge(config))
        return verdict

    def _call(self, action: Any) -> Any:
        __tracebackhide__ = True
        try:
            return action()
        except RegcheckError as error:
            # Bad data is caught before the first test (pytest_runtestloop) except under xdist,
            # where each study test fails with the line; either way the session exits with 2.
            self._state.bad_input = True
            pytest.fail(f"regcheck: error: {error}", pytrace=False)

    def planned_updates(self) -> list[dict[str, Any]]:
        return [baseline.to_document() for baseline in self.study.plan.baselines]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("regcheck", "regcheck: regression checks of ML results")
    for option in SHARED_OPTIONS:
        group.addoption(option.pytest_flag, dest=option.dest, **option.pytest_kwargs())


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> int | None:
    """Validate regcheck's options before anything runs: one line and exit code 2, as the CLI."""
    for option in SHARED_OPTIONS:
        try:
            option_value(config, option)
        except RegcheckError as error:
            print(f"regcheck: error: {error}", file=sys.stderr)
            return EXIT_USAGE
    return None


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_STATE] = _PluginState()
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:  # an xdist worker: share the cores with the other workers
        from regcheck.engine.parallel import threads_per_worker
        from regcheck.studies.heart.mlp_training import THREADS_VARIABLE

        os.environ.setdefault(THREADS_VARIABLE, str(threads_per_worker(int(workerinput.get("workercount", 1)))))
    config.addinivalue_line("markers", "regcheck_study: a test that runs part of the study (slow for the MLP)")


@pytest.fixture(scope="session")
def regcheck_study(request: pytest.FixtureRequest) -> StudyFixture:
    """One study per session (per worker under xdist): each configuration is fitted once."""
    return _study_fixture(request.config)


def _study_fixture(config: pytest.Config) -> StudyFixture:
    state = config.stash[_STATE]
    if getattr(state, "fixture", None) is None:
        state.fixture = StudyFixture(config)  # type: ignore[attr-defined]
    fixture: StudyFixture = state.fixture  # type: ignore[attr-defined]
    return fixture


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> bool | None:
    """Check the heart table once before the first study test: bad data is one line and exit code 2.

    xdist workers skip this (their loop belongs to xdist); there each study test fails with
    the same line instead, and the session still exits with code 2.
    """
    config = session.config
    if hasattr(config, "workerinput") or config.option.collectonly:
        return None
    if not any("regcheck_study" in getattr(item, "fixturenames", ()) for item in session.items):
        return None
    try:
        _study_fixture(config).study.table  # noqa: B018
    except DataError as error:
        config.stash[_STATE].bad_input = True
        print(f"regcheck: error: {error}", file=sys.stderr)
        return True  # no test runs; pytest_sessionfinish turns the exit code into 2
    return None


def pytest_report_header(config: pytest.Config) -> list[str]:
    data = config.getoption(DATA.dest) or os.environ.get("REGCHECK_DATA") or (
        f"$REGCHECK_DATA_DIR={os.environ['REGCHECK_DATA_DIR']}" if "REGCHECK_DATA_DIR" in os.environ else "cache or download"
    )  # fmt: skip
    seeds = option_value(config, SEEDS)
    return [
        f"regcheck: model={config.getoption(MODEL.dest)} seeds={','.join(map(str, seeds)) if seeds else 'default'} "
        f"update={'yes' if config.getoption(UPDATE.dest) else 'no'} backend={os.environ.get('KERAS_BACKEND', 'tensorflow')}",
        f"regcheck: data={data} (verified by sha256 of its LF text)",
        *_mlp_header(config),
    ]


def _mlp_header(config: pytest.Config) -> list[str]:
    if "mlp" not in models_for(config.getoption(MODEL.dest)):
        return []
    from regcheck.studies.heart.mlp import MlpHalf, profile_text

    return [f"regcheck: mlp profile: {profile_text(MlpHalf().profile())}"]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    state = config.stash.get(_STATE, None)
    if state is None:
        return
    fixture: StudyFixture | None = getattr(state, "fixture", None)
    own = fixture.planned_updates() if fixture and config.getoption(UPDATE.dest) else []
    own_changes = fixture.study.plan.changes if fixture and config.getoption(UPDATE.dest) else []
    if hasattr(config, "workerinput"):  # an xdist worker: the controller reports, decides and writes
        config.workeroutput.update({  # type: ignore[attr-defined]
            _WORKER_KEY: own, _WORKER_VERDICTS: state.verdicts, _WORKER_BAD_INPUT: state.bad_input,
            _WORKER_CHANGES: own_changes,
        })  # fmt: skip
        return
    if state.bad_input and session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        session.exitstatus = EXIT_USAGE
    if not config.getoption(UPDATE.dest):
        return
    state.updates += own
    state.changes += own_changes
    if exitstatus != 0 or state.bad_input or session.shouldfail or session.shouldstop:
        state.messages.append("regcheck: baselines NOT updated: the run failed or stopped early; nothing was written")
        return
    if not state.updates:
        state.messages.append("regcheck: baselines unchanged: every result held")
        return
    root = _baselines_root(config)
    try:
        baselines = [_from_document(document, root) for document in state.updates]
        written = BaselineStore(root).write_all(baselines)
    except RegcheckError as error:
        session.exitstatus = EXIT_USAGE
        state.messages.append(f"regcheck: error: {error}")
        state.messages.append("regcheck: baselines NOT updated; nothing was written")
        return
    state.messages.append(f"regcheck: updated {len(written)} baseline(s): " + ", ".join(b.config_id for b in baselines))
    state.messages += [f"  {change}" for change in sorted(state.changes)]


def _baselines_root(config: pytest.Config) -> Path:
    root = option_value(config, BASELINES)
    return Path(root) if root else Path(str(config.rootpath)) / "baselines"


def _from_document(document: dict[str, Any], root: Path) -> Baseline:
    model, config_id = str(document.get("model")), str(document.get("config_id"))
    path = BaselineStore(root).path_for(model, config_id)  # validates both names before any use
    return parse_baseline(document, path, model, config_id)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist controller: collect the baselines a finished worker would write."""
    output = getattr(node, "workeroutput", {})
    state = node.config.stash[_STATE]
    state.updates += output.get(_WORKER_KEY, [])
    state.changes += output.get(_WORKER_CHANGES, [])
    state.verdicts += output.get(_WORKER_VERDICTS, [])
    state.bad_input = state.bad_input or bool(output.get(_WORKER_BAD_INPUT, False))


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    state = config.stash.get(_STATE, None)
    if state is None:
        return
    if state.verdicts:
        counts: dict[str, int] = {}
        for verdict in state.verdicts:
            counts[verdict["status"]] = counts.get(verdict["status"], 0) + 1
        rules = sorted({verdict["rule"] for verdict in state.verdicts})
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        terminalreporter.write_line(f"regcheck: {summary} (rules: {', '.join(rules)})")
    for message in state.messages:
        terminalreporter.write_line(message)
