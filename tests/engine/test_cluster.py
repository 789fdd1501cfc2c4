"""A Dask cluster that is not there, is no scheduler, or has no worker: one line naming --executor, in bounded time.

Real sockets and a real Dask scheduler on loopback; the waits are shortened (the module's
constants), nothing else is replaced.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from regcheck.engine import cluster as cluster_module
from regcheck.frontends.cli import main

distributed = pytest.importorskip("distributed", reason="Dask comes with '.[test]' and '.[dask]'")
ROOT = Path(__file__).resolve().parents[2]
STUDY = f"{ROOT / 'examples' / 'cancer_study.py'}:study"
BASELINES = ROOT / "examples" / "baselines"


class Server:
    """A TCP server on loopback that accepts and then says ``answer`` (nothing, when empty) and stays open."""

    def __init__(self, answer: bytes) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.answer = answer
        self.open: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.open.append(connection)
            if self.answer:
                connection.sendall(self.answer)

    def close(self) -> None:
        self.socket.close()
        for connection in self.open:
            connection.close()


@pytest.fixture
def short_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cluster_module, "CONNECT_SECONDS", 2)
    monkeypatch.setattr(cluster_module, "WORKER_SECONDS", 2)


def run_on(address: str, tmp_path: Path) -> list[str]:
    return ["run", "--study", STUDY, "--baselines", str(BASELINES), "--model", "sgd", "--executor", f"dask://{address}",
            "--json", str(tmp_path / "out.json")]  # fmt: skip


@pytest.mark.parametrize(
    "answer",
    [b"", b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", bytes(range(256)) * 16],
    ids=["says-nothing", "an-http-error", "garbage-bytes"],
)
def test_a_server_that_is_no_dask_scheduler_is_one_line_and_exit_2_in_bounded_time(
    answer: bytes, short_waits: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = Server(answer)
    started = time.monotonic()
    try:
        code = main(run_on(f"127.0.0.1:{server.port}", tmp_path))
    finally:
        server.close()
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("regcheck: error:") == 1
    assert f"--executor dask://127.0.0.1:{server.port}: no Dask scheduler answers there" in err
    assert "Traceback" not in err
    assert time.monotonic() - started < 30
    assert not (tmp_path / "out.json").exists()


@pytest.fixture
def scheduler_alone() -> Iterator[Any]:
    with distributed.LocalCluster(n_workers=0, processes=True, host="127.0.0.1",
                                  dashboard_address="127.0.0.1:0") as running:  # fmt: skip
        yield running


def test_a_scheduler_without_workers_is_one_line_and_exit_2_after_the_bounded_wait(
    scheduler_alone: Any, short_waits: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    address = str(scheduler_alone.scheduler_address).removeprefix("tcp://")
    assert main(run_on(address, tmp_path)) == 2
    err = capsys.readouterr().err
    assert f"--executor dask://{address}: the scheduler has no worker (waited 2 s)" in err
    assert not (tmp_path / "out.json").exists()
