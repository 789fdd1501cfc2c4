"""The CLI's process pool: a configuration that raises is an error with its cause; the others still finish."""

from __future__ import annotations

from pathlib import Path

import pytest

from regcheck.engine.parallel import FitFailure, fit_in_pool, threads_per_worker
from regcheck.engine.run import RunOptions, StudyRun
from regcheck.results.record import ResultRecord
from regcheck.studies.heart import study
from regcheck.studies.heart.configs import MlpConfig
from regcheck.studies.heart.data import load_heart
from regcheck.studies.heart.split import prepare_split

ROOT = Path(__file__).resolve().parents[3]
# Keras rejects a negative penalty factor when the layer is built: a real crash, raised in a worker.
BROKEN = MlpConfig(-1.0, 0.001)
HEALTHY = MlpConfig(0.1, 0.1)


def test_one_thread_per_worker_when_workers_fill_the_cores() -> None:
    assert threads_per_worker(10**6) == 1


@pytest.mark.slow
def test_failing_configuration_is_reported_with_its_cause_while_the_other_is_judged() -> None:
    split = prepare_split(load_heart(None).frame)
    finished: list[str] = []
    results = fit_in_pool("heart", [(BROKEN, (42,)), (HEALTHY, (42,))], split, jobs=2,
                          done=lambda config, result, done, total: finished.append(config.config_id))  # fmt: skip

    failure = results[BROKEN.config_id]
    assert isinstance(failure, FitFailure)
    assert failure.detail.startswith("ValueError: Invalid value for argument l1")
    assert sorted(finished) == sorted([BROKEN.config_id, HEALTHY.config_id])

    records = results[HEALTHY.config_id]
    assert isinstance(records, list) and isinstance(records[0], ResultRecord)
    run = StudyRun(study, RunOptions("heart", ROOT / "baselines"))
    run.adopt(HEALTHY, records)
    verdict = run.judge(HEALTHY)
    assert (verdict.status, verdict.rule) == ("held", "exact")
    error = run.record_error(BROKEN, failure.detail)
    assert (error.status, error.rule, error.reason) == ("error", "none", "the fit raised")
