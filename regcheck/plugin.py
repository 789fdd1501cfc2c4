"""The pytest plugin: options, the ``regcheck_study`` fixture, the report header, baseline updates.

Only hooks and fixtures live here; running, comparing and writing belong to ``regcheck.suite``.
Under pytest-xdist each worker judges its own configurations and hands the baselines it
would write to the controller, which writes them once, only after a run without failures.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from regcheck.baselines import Baseline, parse_baseline
from regcheck.comparison import Verdict
from regcheck.errors import DataError, RegcheckError
from regcheck.experiments import GRIDS, Config
from regcheck.invariants import Claim, logreg_claims
from regcheck.options import BASELINES, DATA, MODEL, REASON, SEEDS, SHARED_OPTIONS, UPDATE, models_for

_STATE = pytest.StashKey["_PluginState"]()
_WORKER_KEY = "regcheck_updates"


class _PluginState:
    def __init__(self) -> None:
        self.verdicts: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []
        self.messages: list[str] = []


class StudyFixture:
    """What a study test gets: ``check(config)`` fails the test, with a table, when a result moved."""

    def __init__(self, config: pytest.Config) -> None:
        from regcheck.suite import Study

        root = config.getoption(BASELINES.dest) or Path(str(config.rootpath)) / "baselines"
        self.study = Study(
            Path(root), config.getoption(DATA.dest), config.getoption(SEEDS.dest),
            config.getoption(UPDATE.dest), config.getoption(REASON.dest),
        )  # fmt: skip
        self.models = models_for(config.getoption(MODEL.dest))
        self._state = config.stash[_STATE]

    def check(self, config: Config) -> Verdict:
        __tracebackhide__ = True
        if config.model not in self.models:
            pytest.skip(f"--regcheck-model {'/'.join(self.models)} leaves out the {config.model} half")
        verdict = self._judge(config)
        self._state.verdicts.append({"config_id": verdict.config_id, "status": verdict.status, "rule": verdict.rule})
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
        records = {}
        for config in GRIDS[model]:
            records[config.config_id] = self._call(lambda config=config: self.study.run(config))[0]
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
        except DataError as error:
            # No configuration can run without the table: stop the session with the one line.
            pytest.exit(f"regcheck: error: {error}", returncode=2)
        except RegcheckError as error:
            pytest.fail(f"regcheck: error: {error}", pytrace=False)

    def planned_updates(self) -> list[dict[str, Any]]:
        return [baseline.to_document() for baseline in self.study.plan.baselines]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("regcheck", "regcheck: regression checks of ML results")
    for option in SHARED_OPTIONS:
        group.addoption(option.pytest_flag, dest=option.dest, **option.argparse_kwargs())


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_STATE] = _PluginState()
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:  # an xdist worker: share the cores with the other workers
        from regcheck.parallel import threads_per_worker
        from regcheck.runners.mlp import THREADS_VARIABLE

        os.environ.setdefault(THREADS_VARIABLE, str(threads_per_worker(int(workerinput.get("workercount", 1)))))
    config.addinivalue_line("markers", "regcheck_study: a test that runs part of the study (slow for the MLP)")


@pytest.fixture(scope="session")
def regcheck_study(request: pytest.FixtureRequest) -> StudyFixture:
    """One study per session (per worker under xdist): each configuration is fitted once."""
    fixture = StudyFixture(request.config)
    request.config.stash[_STATE].fixture = fixture  # type: ignore[attr-defined]
    return fixture


def pytest_report_header(config: pytest.Config) -> list[str]:
    data = config.getoption(DATA.dest) or os.environ.get("REGCHECK_DATA") or (
        f"$REGCHECK_DATA_DIR={os.environ['REGCHECK_DATA_DIR']}" if "REGCHECK_DATA_DIR" in os.environ else "cache or download"
    )  # fmt: skip
    seeds = config.getoption(SEEDS.dest)
    return [
        f"regcheck: model={config.getoption(MODEL.dest)} seeds={','.join(map(str, seeds)) if seeds else 'default'} "
        f"update={'yes' if config.getoption(UPDATE.dest) else 'no'} backend={os.environ.get('KERAS_BACKEND', 'tensorflow')}",
        f"regcheck: data={data} (verified by sha256 of its LF text)",
        *_mlp_header(config),
    ]


def _mlp_header(config: pytest.Config) -> list[str]:
    if "mlp" not in models_for(config.getoption(MODEL.dest)):
        return []
    from regcheck.mlp_half import MlpHalf, profile_text

    return [f"regcheck: mlp profile: {profile_text(MlpHalf().profile())}"]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    state = config.stash.get(_STATE, None)
    if state is None or not config.getoption(UPDATE.dest):
        return
    fixture: StudyFixture | None = getattr(state, "fixture", None)
    own = fixture.planned_updates() if fixture else []
    if hasattr(config, "workerinput"):  # an xdist worker: the controller decides and writes
        config.workeroutput[_WORKER_KEY] = own  # type: ignore[attr-defined]
        return
    state.updates += own
    if exitstatus != 0 or session.shouldfail or session.shouldstop:
        state.messages.append("regcheck: baselines NOT updated: the run failed or stopped early; nothing was written")
        return
    if not state.updates:
        state.messages.append("regcheck: baselines unchanged: every result held")
        return
    from regcheck.baselines import BaselineStore

    root = Path(config.getoption(BASELINES.dest) or Path(str(config.rootpath)) / "baselines")
    baselines = [_from_document(document, root) for document in state.updates]
    written = BaselineStore(root).write_all(baselines)
    state.messages.append(f"regcheck: updated {len(written)} baseline(s): " + ", ".join(b.config_id for b in baselines))


def _from_document(document: dict[str, Any], root: Path) -> Baseline:
    return parse_baseline(document, root / f"{document['config_id']}.json", document["model"], document["config_id"])


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist controller: collect the baselines a finished worker would write."""
    updates = getattr(node, "workeroutput", {}).get(_WORKER_KEY, [])
    node.config.stash[_STATE].updates += updates


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
