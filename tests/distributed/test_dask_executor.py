"""Fits on a real Dask cluster: a scheduler and two worker processes on this machine, loopback only.

The records must equal the local process pool's bit for bit (the same study, seeds and fits, only
elsewhere); a fit that raises or kills its worker is that configuration's failure, the others go on.
Dask's own ``concurrent.futures`` executor carries the fits: regcheck has no scheduler or sockets.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from regcheck.engine import parallel
from regcheck.engine.errors import UsageError
from regcheck.engine.parallel import FitFailure, fit_in_pool, parse_executor
from regcheck.engine.records import ResultRecord
from regcheck.engine.registry import load_study
from regcheck.frontends.cli import main

distributed = pytest.importorskip("distributed", reason="Dask comes with '.[test]' and '.[dask]'")
HERE = Path(__file__).resolve().parent
POOLED = f"{HERE / 'pooled_study.py'}:study"


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    import dask

    # A task whose worker dies fails at once, instead of being retried on (and killing) three more
    # workers: Dask's default of 3 retries also fails every task that was queued on a dying worker.
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                      dashboard_address="127.0.0.1:0") as running:  # fmt: skip
            yield running


@pytest.fixture
def address(cluster: Any) -> str:
    return "dask://" + str(cluster.scheduler_address).removeprefix("tcp://")


def comparable(record: ResultRecord) -> dict[str, Any]:
    """Everything but the fit's wall time."""
    document = record.to_dict()
    document.pop("fit_seconds")
    return document


def fits(results: dict[str, list[ResultRecord] | FitFailure]) -> dict[str, list[dict[str, Any]]]:
    assert not any(isinstance(found, FitFailure) for found in results.values()), results
    return {cid: [comparable(record) for record in found] for cid, found in results.items() if isinstance(found, list)}


def tasks_seen_by_the_scheduler(cluster: Any) -> int:
    """How many fits reached memory on a worker (the scheduler counts each task's visits to each state)."""
    prefix = cluster.scheduler.task_prefixes.get("fit_one")  # the key "_fit_one-<uuid>", split
    return 0 if prefix is None else int(prefix.state_counts["memory"])


def heart_plan(model: str, seeds: tuple[int, ...], first: int | None = None) -> tuple[Any, list[Any]]:
    from regcheck.engine.run import StudyRun

    run = StudyRun(load_study("heart"), "heart", HERE.parents[1] / "baselines")
    configs = run.study.model(model).configurations()[:first]
    return run.dataset.value, [(config, seeds) for config in configs]


def test_the_logistic_records_from_a_dask_cluster_equal_the_local_pools_bit_for_bit(cluster: Any, address: str) -> None:
    data, plan = heart_plan("logreg", (0, 42))
    local = fit_in_pool("heart", plan, data, jobs=2)
    remote = fit_in_pool("heart", plan, data, jobs=2, executor=address)
    assert fits(remote) == fits(local)
    assert len(fits(remote)) == 6 and all(len(records) == 2 for records in fits(remote).values())


def test_the_fits_ran_on_the_clusters_workers_and_came_back_in_completion_order(cluster: Any, address: str) -> None:
    data = load_study(POOLED).load(None).value
    plan = [(config, (0, 1, 2)) for config in load_study(POOLED).model("sgd").configurations()]
    before = tasks_seen_by_the_scheduler(cluster)
    finished: list[tuple[str, int, int]] = []
    results = fit_in_pool(POOLED, plan, data, jobs=1, executor=address,
                          done=lambda config, found, done, total: finished.append((config.config_id, done, total)))  # fmt: skip
    assert sorted(cid for cid, _, _ in finished) == ["sgd-alpha_0.0001", "sgd-alpha_0.01"]
    assert [(done, total) for _, done, total in finished] == [(1, 2), (2, 2)]
    assert tasks_seen_by_the_scheduler(cluster) - before == 6  # 2 configurations x 3 seeds, each a task there
    assert fits(results) == fits(fit_in_pool(POOLED, plan, data, jobs=2))


def test_a_fit_that_raises_or_kills_its_worker_is_that_configurations_failure_and_the_cluster_goes_on(
    address: str,
) -> None:
    study = load_study(POOLED)
    data = study.load(None).value
    exits, raises, fine = study.model("faulty").configurations()
    results = fit_in_pool(POOLED, [(exits, (0,)), (raises, (0,))], data, jobs=1, executor=address)
    raised, exited = results["faulty-raises"], results["faulty-exits"]
    assert isinstance(raised, FitFailure) and raised.detail.startswith("ValueError: this configuration cannot be fitted")
    assert isinstance(exited, FitFailure) and exited.detail.startswith("worker process failed: KilledWorker")
    # The nanny restarts the dead worker: the next fits run as if nothing happened.
    again = fit_in_pool(POOLED, [(fine, (0, 1))], data, jobs=1, executor=address)
    assert fits(again) == fits(fit_in_pool(POOLED, [(fine, (0, 1))], data, jobs=2))


@pytest.mark.slow
def test_an_mlp_fit_from_a_dask_cluster_equals_the_local_pools_bit_for_bit(address: str) -> None:
    data, plan = heart_plan("mlp", (42,), first=1)
    local = fits(fit_in_pool("heart", plan, data, jobs=1))
    remote = fits(fit_in_pool("heart", plan, data, jobs=1, executor=address))
    assert remote == local
    (records,) = remote.values()
    assert records[0]["weights_sha256"]  # the trained weights themselves are equal, not only the scores


def test_a_scheduler_that_does_not_answer_is_one_line_naming_the_address(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:  # a port nothing listens on: bound, then released
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setattr(parallel, "CONNECT_SECONDS", 1.0)
    data = load_study(POOLED).load(None).value
    plan = [(config, (0,)) for config in load_study(POOLED).model("sgd").configurations()]
    with pytest.raises(UsageError, match=rf"^--executor dask://127.0.0.1:{port}: no Dask scheduler answers at "
                                         rf"tcp://127.0.0.1:{port} \(") as raised:  # fmt: skip
        fit_in_pool(POOLED, plan, data, jobs=1, executor=f"dask://127.0.0.1:{port}")
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize("value", ["local", "dask://127.0.0.1:8786", "dask://scheduler.example:1", "dask://[::1]:8786"])
def test_local_and_dask_addresses_are_executors(value: str) -> None:
    assert parse_executor(value) == value


@pytest.mark.parametrize(
    "value", ["", "dask://", "dask://host", "dask://:8786", "dask://host:0", "dask://host:99999", "spark://h:1",
              "tcp://h:1", "dask://h:٣", "dask://a/b:1", "Local"],
)  # fmt: skip
def test_anything_else_is_refused_naming_both_forms(value: str) -> None:
    import argparse

    with pytest.raises(argparse.ArgumentTypeError, match=r"is not an executor; expected local \(a process pool"):
        parse_executor(value)


def test_regcheck_run_on_a_dask_cluster_writes_the_records_of_a_local_run(
    address: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Needs the ``--executor`` option on ``regcheck run`` (the option plumbing in verbs/run.py and engine/run.py)."""
    (tmp_path / "baselines").mkdir()
    where = ["--study", POOLED, "--baselines", str(tmp_path / "baselines"), "--model", "sgd", "--seeds", "0-2"]
    assert main(["bless", *where, "--jobs", "1", "--reason", "the local run"]) == 0, capsys.readouterr()
    local = main(["run", *where, "--jobs", "2", "--json", str(tmp_path / "local.json")])
    remote = main(["run", *where, "--executor", address, "--json", str(tmp_path / "dask.json")])
    assert remote == local == 0, capsys.readouterr()

    def records(path: Path) -> list[dict[str, Any]]:
        found = json.loads(path.read_text(encoding="utf-8"))["records"]  # in the order the fits completed
        kept = [{k: v for k, v in r.items() if k not in ("fit_seconds", "environment")} for r in found]
        return sorted(kept, key=lambda record: (record["config_id"], record["seed"]))

    assert records(tmp_path / "dask.json") == records(tmp_path / "local.json")
    assert len(records(tmp_path / "local.json")) == 6
