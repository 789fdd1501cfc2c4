"""Fits on a real Dask cluster (a scheduler and two worker processes on this machine, loopback only).

The records must equal a local run's bit for bit: the same study reference, the same seeds, the
same fits, only elsewhere. Dask's own ``concurrent.futures`` executor carries them; regcheck has
no scheduler or sockets of its own.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from regcheck.frontends.cli import main

distributed = pytest.importorskip("distributed", reason="Dask comes with '.[test]' and '.[dask]'")
ROOT = Path(__file__).resolve().parents[2]
STUDY = f"{ROOT / 'examples' / 'cancer_study.py'}:study"
BASELINES = ROOT / "examples" / "baselines"
# Fields that say where and how long, not what: the rest must be identical.
WHERE_AND_WHEN = ("fit_seconds", "environment")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address="127.0.0.1:0") as running:  # fmt: skip
        yield running


def records(path: Path) -> list[dict[str, Any]]:
    found = json.loads(path.read_text(encoding="utf-8"))["records"]
    return sorted(({k: v for k, v in r.items() if k not in WHERE_AND_WHEN} for r in found),
                  key=lambda r: (r["config_id"], r["seed"]))  # fmt: skip


def test_a_run_on_a_dask_cluster_gives_the_records_of_a_local_run_bit_for_bit(
    cluster: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scheduler = str(cluster.scheduler_address).removeprefix("tcp://")
    common = ["run", "--study", STUDY, "--baselines", str(BASELINES), "--model", "sgd", "--seeds", "0-4"]
    assert main([*common, "--jobs", "1", "--json", str(tmp_path / "local.json")]) == 0
    code = main([*common, "--executor", f"dask://{scheduler}", "--json", str(tmp_path / "dask.json")])
    assert code == 0, capsys.readouterr().out
    assert records(tmp_path / "dask.json") == records(tmp_path / "local.json")
    assert len(records(tmp_path / "local.json")) == 15
    # The cluster did the fitting: its scheduler has seen regcheck's fit tasks (and finished them all).
    assert "fit_one" in cluster.scheduler.task_prefixes
    assert not cluster.scheduler.tasks or all(
        task.state in ("memory", "released", "forgotten") for task in cluster.scheduler.tasks.values()
    )


@pytest.mark.slow
def test_the_heart_mlp_on_two_dask_workers_gives_the_records_of_a_local_run_bit_for_bit(
    cluster: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two workers fitting at once, each beside Dask's event loop (which draws from Python's ``random``):
    before the MLP's initializers were seeded explicitly, 1 to 3 of the nine configurations moved in most runs."""
    pytest.importorskip("keras", reason="the MLP needs Keras: pip install -e '.[tensorflow]'")
    baselines = tmp_path / "baselines"  # a copy: a configuration judged moved writes its obtained record beside it
    shutil.copytree(ROOT / "baselines", baselines)
    scheduler = str(cluster.scheduler_address).removeprefix("tcp://")
    common = ["run", "--baselines", str(baselines), "--model", "mlp", "--seeds", "42"]
    local = main([*common, "--jobs", "2", "--json", str(tmp_path / "local.json")])
    on_dask = main([*common, "--executor", f"dask://{scheduler}", "--json", str(tmp_path / "dask.json")])
    assert on_dask == local, capsys.readouterr().out
    assert records(tmp_path / "dask.json") == records(tmp_path / "local.json")
    assert len(records(tmp_path / "local.json")) == 9


def test_an_unreachable_scheduler_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    code = main(["run", "--study", STUDY, "--baselines", str(BASELINES), "--model", "sgd", "--executor", "dask://127.0.0.1:9"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("regcheck: error: --executor dask://127.0.0.1:9: no Dask scheduler answers there (")
    assert err.count("\n") == 1


@pytest.mark.parametrize("value", ["dask://", "dask://host", "dask://host:99999", "spark://h:1", "dask://h:٣"])
def test_an_executor_that_is_neither_local_nor_a_dask_address_is_refused(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--executor", value]) == 2
    assert f"argument --executor: '{value}' is not an executor; expected local" in capsys.readouterr().err


def test_a_run_stopped_by_the_controller_cancels_the_fits_left_on_the_cluster(cluster: Any) -> None:
    """Ctrl-C or bad input seen while judging stops the run: the fits not started are cancelled on
    the cluster (Dask's executor has no ``shutdown(cancel_futures=...)``), the stop propagates."""
    from regcheck.engine.parallel import fit_in_pool
    from regcheck.engine.registry import load_study

    class Stopped(Exception):
        pass

    def stop_at_the_first(*_: object) -> None:
        raise Stopped

    study = load_study(STUDY)
    model = study.model("sgd")
    plan = [(config, tuple(range(20))) for config in model.configurations()]
    scheduler = str(cluster.scheduler_address).removeprefix("tcp://")
    with pytest.raises(Stopped):
        fit_in_pool(STUDY, plan, study.load(None).value, 1, stop_at_the_first, f"dask://{scheduler}")
