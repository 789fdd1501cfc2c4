"""A Dask cluster as the fits' executor: found, checked and watched, so that no fault of the cluster hangs a run.

Measured with distributed 2025 on this machine: ``Client(address, timeout=5)`` waits forever on a TCP
server that accepts and says nothing; one that answers garbage (or an HTTP error) has its bytes
read as a frame length, a ``MemoryError``; a scheduler without workers holds every task forever,
and so does one whose last worker died; a scheduler that dies cancels every future (an
``asyncio.CancelledError``, a ``BaseException``). Each of them is one line naming ``--executor``,
in bounded time: the scheduler is asked who it is (Dask's own ``identity`` call) under a time
limit before a client connects; the run waits a bounded time for a worker; while fits are out,
the run looks at the cluster every few seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from typing import Any

from regcheck.errors import UsageError

DASK_SCHEME = "dask://"
CONNECT_SECONDS = 10
# How long a run waits for a worker: when it starts, and after the last one left (an adaptive
# cluster may take that long to start one; a cluster none joins fails instead of hanging).
WORKER_SECONDS = 60
# How often the run looks at the cluster while it waits for fits.
WATCH_SECONDS = 2.0


def _no_scheduler(executor: str, exc: BaseException) -> UsageError:
    cause = f"no answer in {CONNECT_SECONDS} s" if isinstance(exc, TimeoutError) else f"{type(exc).__name__}: {exc}"
    return UsageError(f"--executor {executor}: no Dask scheduler answers there ({cause}); expected a running "
                      "scheduler (dask scheduler)")  # fmt: skip


def check_scheduler(executor: str, address: str) -> None:
    """Refuse ``address`` unless a Dask scheduler says, within ``CONNECT_SECONDS``, that it is one."""
    from distributed.core import rpc

    async def identity() -> Any:
        async with rpc(address, timeout=CONNECT_SECONDS) as scheduler:  # type: ignore[no-untyped-call]
            return await scheduler.identity()

    try:
        answer = asyncio.run(asyncio.wait_for(identity(), CONNECT_SECONDS))
    except Exception as exc:  # whatever a server that is no scheduler makes Dask's reader do (MemoryError included)
        raise _no_scheduler(executor, exc) from None
    kind = answer.get("type") if isinstance(answer, dict) else None
    if kind != "Scheduler":
        raise UsageError(f"--executor {executor}: what answers there says it is {kind!r}; expected a Dask scheduler")


class ClusterWatch:
    """What the run asks while it waits for fits: is the cluster still there, and does it have a worker?"""

    def __init__(self, client: Any, executor: str) -> None:
        self.client = client
        self.executor = executor
        self._alone_since: float | None = None

    def __call__(self) -> None:
        """Raise ``UsageError`` where the scheduler is gone, or has had no worker for ``WORKER_SECONDS``."""
        if self.client.status != "running":
            raise self.lost()
        if self.client.scheduler_info().get("workers"):  # refreshed by the client every 2 s
            self._alone_since = None
            return
        if self._alone_since is None:
            self._alone_since = time.monotonic()
        elif time.monotonic() - self._alone_since > WORKER_SECONDS:
            raise UsageError(f"--executor {self.executor}: the cluster has had no worker for {WORKER_SECONDS} s, "
                             "so the fits left cannot finish; expected a cluster that keeps a worker")  # fmt: skip

    def lost(self) -> UsageError:
        return UsageError(f"--executor {self.executor}: the Dask scheduler went away during the run; "
                          "expected it to run until the run ends")  # fmt: skip


@contextlib.contextmanager
def dask_executor(executor: str, prepare: Callable[..., None], *prepare_args: Any) -> Iterator[tuple[Executor, ClusterWatch]]:
    """Dask distributed's own ``concurrent.futures`` executor on the running cluster ``executor`` names, with
    the watch the run calls while it waits; every worker there is first given ``prepare(*prepare_args)``."""
    try:
        from distributed import Client
    except ImportError:
        raise UsageError(f"--executor {executor}: Dask is not installed here; pip install 'regcheck[dask]'") from None
    address = "tcp://" + executor.removeprefix(DASK_SCHEME)
    check_scheduler(executor, address)
    # Dask logs a lost connection with its traceback; the run says it in one line instead. Dask's
    # logging configuration gives some of its loggers levels of their own (distributed.client).
    for name in ["distributed", *logging.root.manager.loggerDict]:
        if name == "distributed" or name.startswith("distributed."):
            logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        client = Client(address, timeout=CONNECT_SECONDS)  # type: ignore[no-untyped-call]  # Dask ships no types here
    except Exception as exc:
        raise _no_scheduler(executor, exc) from None
    with client:
        try:
            client.wait_for_workers(1, timeout=WORKER_SECONDS)
        except TimeoutError:
            raise UsageError(f"--executor {executor}: the scheduler has no worker (waited {WORKER_SECONDS} s); "
                             f"expected at least one (dask worker {address})") from None  # fmt: skip
        # Each worker loads the study first: a study given as a file defines the classes of the
        # fits' arguments in a module only load_study can import, and Dask unpickles arguments
        # before it runs a task. (Workers that join later load it on their first fit: too late
        # for such a study, so start the cluster first; docs/distributed.md.)
        client.run(prepare, *prepare_args)
        pool = client.get_executor()  # type: ignore[no-untyped-call]
        try:
            yield pool, ClusterWatch(client, executor)
        except BaseException:
            pool.shutdown(wait=False)  # waiting would wait for fits a cluster without workers never finishes
            raise
        pool.shutdown(wait=True)
