"""The pytest plugin: options, the ``regcheck_study`` fixture, the report header, baseline updates.

Only hooks and fixtures live here; running, judging, claims and the update decision belong to
``regcheck.engine.run``, which the CLI calls too. Under pytest-xdist each worker judges its own
configurations and hands the baselines it would write to the controller, which decides once,
only after a run without failures.

Any study plugs in: ``--regcheck-study MODULE:OBJECT`` (or a registered name); a test that
takes ``regcheck_config`` is run once per configuration of the study's selected models::

    def test_configuration_holds(regcheck_config, regcheck_study):
        regcheck_study.check(regcheck_config)

Bad input exits with code 2 and one ``regcheck: error:`` line, as the CLI does: a bad option
value stops pytest before collection; bad data stops it before the first study test runs
(under xdist, each study test fails with the line); a corrupt or missing baseline, or a
missing Keras backend, fails the test it concerns and makes the session's exit code 2 (the
other configurations are still compared).
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import pytest

from regcheck.engine.grid import grid_for
from regcheck.engine.guard import FitError, call_hook
from regcheck.engine.judge import Verdict, profile_text
from regcheck.engine.run import RunOptions, StudyRun, UpdatePlan, decide_update
from regcheck.engine.study import Claim, Configuration, Model, Study
from regcheck.errors import EXIT_USAGE, RegcheckError, UsageError, error_line
from regcheck.files.baseline import Baseline, BaselineStore, parse_baseline
from regcheck.frontends.options import (
    BASELINES,
    DATA,
    MODEL,
    REASON,
    SEEDS,
    SHARED_OPTIONS,
    STUDY,
    TIER,
    UPDATE,
    SharedOption,
    models_for,
    study_for,
)

_STATE = pytest.StashKey["_PluginState"]()
_WORKER_KEY = "regcheck_updates"
_WORKER_VERDICTS = "regcheck_verdicts"
_WORKER_BAD_INPUT = "regcheck_bad_input"
_WORKER_CHANGES = "regcheck_changes"
_WORKER_DIGESTS = "regcheck_read_digests"
CONFIG_FIXTURE = "regcheck_config"
T = TypeVar("T")


class _PluginState:
    def __init__(self) -> None:
        self.verdicts: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []
        self.changes: list[str] = []
        self.messages: list[str] = []
        self.bad_input = False  # a RegcheckError or a missing baseline: the session exits with 2
        self.unprepared = ""  # an xdist worker's prepare_worker() failure, the line each study test fails with
        self.fixture: StudyFixture | None = None
        self.read_digests: dict[str, str | None] = {}  # what the workers read, for the controller's update


def option_value(config: pytest.Config, option: SharedOption) -> Any:
    """An option's parsed value (pytest keeps it as text; ``pytest_cmdline_main`` validated it)."""
    return option.value(config.getoption(option.dest))


class StudyFixture:
    """What a study test gets: ``check(config)`` fails the test, with a table, when a result moved."""

    def __init__(self, config: pytest.Config) -> None:
        reference = option_value(config, STUDY)
        study = study_for(reference)
        options = RunOptions(
            reference, _baselines_root(config), option_value(config, DATA), option_value(config, SEEDS),
            option_value(config, UPDATE), option_value(config, REASON), option_value(config, TIER),
        )  # fmt: skip
        self.run = StudyRun(study, options)
        self.hint = _update_hint(config)
        self.models = models_for(study, option_value(config, MODEL))
        self._state = config.stash[_STATE]

    @property
    def study(self) -> Study:
        return self.run.study

    def check(self, config: Configuration) -> Verdict:
        __tracebackhide__ = True
        self._skip_unless_selected(config.model)
        self._refuse_if_worker_unprepared()
        self._call(lambda: self.run.check_ready(config.model))  # asked for: a missing backend fails, never skips
        verdict = self._call(lambda: self.run.judge(config))
        self._state.verdicts.append({"config_id": verdict.config_id, "status": verdict.status, "rule": verdict.rule})
        if verdict.status == "missing":
            self._state.bad_input = True
        if verdict.failed:
            from regcheck.reports.console import explain

            obtained = self._call(lambda: self.run.write_obtained(config)) if verdict.status == "moved" else None
            pytest.fail(explain(verdict, str(obtained) if obtained else None, self.hint), pytrace=False)
        return verdict

    def check_claims(self, model: str) -> list[Claim]:
        """Run what the claims need (every configuration of ``model``) and fail, naming each broken claim."""
        __tracebackhide__ = True
        self._skip_unless_selected(model)
        self._refuse_if_worker_unprepared()
        raised = []
        for config in self.run.grid.configurations(model):
            try:
                self._call(partial(self.run.run, config))
            except FitError as error:  # the configuration's own test reports it with its cause
                raised.append(f"{config.config_id} raised {error}")
        if raised:  # failed outside the except block, so no chained traceback reaches the user
            pytest.fail(f"study claims not checked: {'; '.join(raised)}", pytrace=False)
        claims = self._call(self.run.claims)
        broken = [f"{claim.name}: {claim.detail}" for claim in claims if not claim.holds]
        if broken:
            pytest.fail("study claim broken: " + "; ".join(broken), pytrace=False)
        return claims

    def _skip_unless_selected(self, model: str) -> None:
        __tracebackhide__ = True
        if model not in self.models:
            pytest.skip(f"--regcheck-model {'/'.join(self.models)} of study {self.study.name} leaves out {model}")

    def _refuse_if_worker_unprepared(self) -> None:
        """An xdist worker whose ``prepare_worker()`` raised fits nothing: each study test fails with that line."""
        __tracebackhide__ = True
        if self._state.unprepared:
            self._state.bad_input = True
            pytest.fail(self._state.unprepared, pytrace=False)

    def _call(self, action: Callable[[], T]) -> T:
        __tracebackhide__ = True
        try:
            return action()
        except RegcheckError as error:
            # Bad data is caught before the first test (pytest_runtestloop) except under xdist,
            # where each study test fails with the line; either way the session exits with 2.
            self._state.bad_input = True
            pytest.fail(error_line(error), pytrace=False)

    def planned_updates(self) -> list[dict[str, Any]]:
        return [baseline.to_document() for baseline in self.run.plan.baselines]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("regcheck", "regcheck: regression checks of ML results")
    for option in SHARED_OPTIONS:
        group.addoption(option.pytest_flag, dest=option.dest, **option.pytest_kwargs())


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> int | None:
    """Validate regcheck's options before anything runs: one line and exit code 2, as the CLI."""
    try:
        for option in SHARED_OPTIONS:
            option_value(config, option)
        baselines = option_value(config, BASELINES)
        if baselines is not None and not option_value(config, UPDATE) and not Path(baselines).is_dir():
            # An update creates the folder; a check needs the baselines it checks against.
            raise UsageError(f"argument {BASELINES.pytest_flag}: {baselines}: no such folder")
        study = study_for(option_value(config, STUDY))
        models_for(study, option_value(config, MODEL))
    except RegcheckError as error:
        print(error_line(error), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:  # Ctrl-C, or a study module raising it, while the study loads: pytest's own code
        print("regcheck: interrupted while loading the study; nothing ran", file=sys.stderr)
        return int(pytest.ExitCode.INTERRUPTED)
    return None


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_STATE] = _PluginState()
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:  # an xdist worker: share the cores with the other workers
        from regcheck.engine.parallel import threads_per_worker

        threads = threads_per_worker(int(workerinput.get("workercount", 1)))
        study = study_for(option_value(config, STUDY))
        grid = grid_for(study)
        try:  # raising here would be pytest's INTERNALERROR: the worker's tests fail with the line instead
            for model in grid.models():
                call_hook(grid.name, f"model {model.name}'s prepare_worker()", partial(model.prepare_worker, threads))
        except RegcheckError as error:
            config.stash[_STATE].unprepared = error_line(error)
    config.addinivalue_line("markers", "regcheck_study: a test that runs part of the study (slow for the MLP)")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test that takes ``regcheck_config`` runs once per configuration of the selected models."""
    if CONFIG_FIXTURE not in metafunc.fixturenames:
        return
    study = study_for(option_value(metafunc.config, STUDY))
    names = models_for(study, option_value(metafunc.config, MODEL))
    grid = grid_for(study)
    configs = [config for name in names for config in grid.configurations(name)]
    metafunc.parametrize(CONFIG_FIXTURE, configs, ids=[config.config_id for config in configs])


@pytest.fixture(scope="session")
def regcheck_study(request: pytest.FixtureRequest) -> StudyFixture:
    """One study run per session (per worker under xdist): each configuration is fitted once."""
    return _study_fixture(request.config)


def _study_fixture(config: pytest.Config) -> StudyFixture:
    state = config.stash[_STATE]
    if state.fixture is None:
        state.fixture = StudyFixture(config)
    return state.fixture


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> bool | None:
    """Check the study's inputs once before the first study test: bad input is one line and exit code 2.

    xdist workers skip this (their loop belongs to xdist); there each study test fails with
    the same line instead, and the session still exits with code 2.
    """
    config = session.config
    if hasattr(config, "workerinput") or config.option.collectonly:
        return None
    if not any("regcheck_study" in getattr(item, "fixturenames", ()) for item in session.items):
        return None
    try:
        fixture = _study_fixture(config)
        # Every file the collected tests' models read, as the CLI checks them: a corrupt baseline
        # stops the session before any test fits or writes anything (an obtained record, the lock
        # file). A model's missing framework stays that model's failed tests (check_ready).
        fixture.run.check_files(_models_of(session.items) or fixture.models)
    except RegcheckError as error:
        config.stash[_STATE].bad_input = True
        print(error_line(error), file=sys.stderr)
        return True  # no test runs; pytest_sessionfinish turns the exit code into 2
    return None


def _models_of(items: list[pytest.Item]) -> tuple[str, ...]:
    """The models whose configurations the collected tests take, in the order first met."""
    found: dict[str, None] = {}
    for item in items:
        config = getattr(item, "callspec", None) and item.callspec.params.get(CONFIG_FIXTURE)  # type: ignore[attr-defined]
        if config is not None:
            found[config.model] = None
    return tuple(found)


def pytest_report_header(config: pytest.Config) -> list[str]:
    study = study_for(option_value(config, STUDY))
    seeds, data = option_value(config, SEEDS), option_value(config, DATA)
    header = [
        f"regcheck: study={study.name} model={config.getoption(MODEL.dest)} "
        f"seeds={','.join(map(str, seeds)) if seeds else 'default'} tier={option_value(config, TIER)} "
        f"update={'yes' if config.getoption(UPDATE.dest) else 'no'}",
        f"regcheck: data={_guarded(study.name, 'data_description()', lambda: study.data_description(data))}",
    ]
    grid = grid_for(study)
    for name in models_for(study, option_value(config, MODEL)):
        model = grid.model(name)
        if model.rule == "band":
            text = _guarded(study.name, f"model {name}'s profile()", partial(_profile_line, model))
            header.append(f"regcheck: {name} profile: {text}")
    return header


def _profile_line(model: Model) -> str:
    return profile_text(model.profile())


def _guarded(study: str, hook: str, action: Callable[[], str]) -> str:
    """A header line's value: what the study's hook says, or why it cannot say (its tests fail with the line)."""
    from regcheck.engine.guard import call_hook

    try:
        return str(call_hook(study, hook, action))
    except RegcheckError as error:  # a device that cannot start, a hook that raises: one line
        return f"unavailable ({error})"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    state = config.stash.get(_STATE, None)
    if state is None:
        return
    update = bool(config.getoption(UPDATE.dest))
    fixture = state.fixture
    if hasattr(config, "workerinput"):  # an xdist worker: the controller reports, decides and writes
        config.workeroutput.update({  # type: ignore[attr-defined]
            _WORKER_KEY: fixture.planned_updates() if fixture and update else [],
            _WORKER_VERDICTS: state.verdicts, _WORKER_BAD_INPUT: state.bad_input,
            _WORKER_CHANGES: fixture.run.plan.changes if fixture and update else [],
            _WORKER_DIGESTS: fixture.run.store.read_digests if fixture and update else {},
        })  # fmt: skip
        return
    if state.bad_input and session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        session.exitstatus = EXIT_USAGE
    if not update:
        return
    if fixture:
        state.updates += fixture.planned_updates()
        state.changes += fixture.run.plan.changes
    failed = exitstatus != 0 or state.bad_input or bool(session.shouldfail) or bool(session.shouldstop)
    try:
        store = _store(config)
        for path, digest in state.read_digests.items():
            store.read_digests.setdefault(path, digest)
        plan = UpdatePlan([_from_document(document, store) for document in state.updates], state.changes)
        lines = decide_update(store, plan, failed)
    except RegcheckError as error:
        session.exitstatus = EXIT_USAGE
        lines = [f"error: {error}", "baselines NOT updated; nothing was written"]
    state.messages += [line if line.startswith("  ") else f"regcheck: {line}" for line in lines]


def _store(config: pytest.Config) -> BaselineStore:
    fixture = config.stash[_STATE].fixture
    if fixture is not None:
        return fixture.run.store
    return grid_for(study_for(option_value(config, STUDY))).store(_baselines_root(config))


def _update_hint(config: pytest.Config) -> str:
    """``pytest --regcheck-update`` with the regcheck options this session was given, as the CLI's hint carries its own."""
    words = ["pytest", "--regcheck-update"]
    for option in (STUDY, BASELINES, DATA, SEEDS):
        raw = config.getoption(option.dest)
        if raw is not None and not (option is STUDY and raw == STUDY.default):
            words += [option.pytest_flag, shlex.quote(str(raw))]
    return " ".join([*words, "--regcheck-model", "{model}", "--regcheck-reason", "'...'"])


def _baselines_root(config: pytest.Config) -> Path:
    root = option_value(config, BASELINES)
    return Path(root) if root else Path(str(config.rootpath)) / "baselines"


def _from_document(document: dict[str, Any], store: BaselineStore) -> Baseline:
    model, config_id = str(document.get("model")), str(document.get("config_id"))
    path = store.path_for(model, config_id)  # validates both names before any use
    return parse_baseline(document, path, store, model, config_id)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist controller: collect the baselines a finished worker would write."""
    output = getattr(node, "workeroutput", {})
    state = node.config.stash[_STATE]
    state.updates += output.get(_WORKER_KEY, [])
    state.changes += output.get(_WORKER_CHANGES, [])
    state.verdicts += output.get(_WORKER_VERDICTS, [])
    for path, digest in output.get(_WORKER_DIGESTS, {}).items():
        state.read_digests.setdefault(path, digest)
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
