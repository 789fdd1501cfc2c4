"""Fit many (configuration, seed) pairs in worker processes: the CLI's parallel path.

The standard library's process pool, nothing home-made. Workers are *spawned*: a forked
child would inherit a half-initialised TensorFlow runtime. Each worker gets
``cpu_count // jobs`` intra-op threads (at least 1), so the processes share the cores
instead of fighting over them; the thread count changes no result (proven by a test), and
each fit is seeded on its own, so a seed gives the same record in any worker, in any order.

A fit that raises comes back as a ``FitFailure`` naming its cause; the other fits go on.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import contextlib
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, CancelledError, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from regcheck.engine.cluster import DASK_SCHEME, WATCH_SECONDS
from regcheck.errors import RegcheckError, UsageError
from regcheck.frameworks.devices import DEVICE_ADVICE
from regcheck.frameworks.pool import PoolPlan, enter_worker, pool_for

if TYPE_CHECKING:
    from multiprocessing.sharedctypes import Synchronized

    from regcheck.engine.study import Configuration
    from regcheck.results.record import ResultRecord


@dataclass(frozen=True)
class FitFailure:
    config_id: str
    seed: int
    detail: str
    dependency: bool = False  # a module the model needs failed to import: bad input, exit 2
    bad_input: bool = False  # the study's own set-up of the worker (prepare_worker) failed: exit 2


# Called as each configuration's seeds are all fitted; it may answer more seeds to fit for it (the
# sequential band's next look), after which it is called again with all of them.
Done = Callable[["Configuration", "list[ResultRecord] | FitFailure", int, int], "tuple[int, ...] | None"]


def threads_per_worker(jobs: int) -> int:
    return max(1, (os.cpu_count() or 1) // jobs)


def _init_worker(study_reference: str, threads: int, pool: PoolPlan | None = None,
                 slots: Synchronized[int] | None = None) -> None:  # fmt: skip
    """Each worker sets its device's variables first (``pool``: which GPU, what memory share), then
    loads the study by the same reference as the controller and prepares its models."""
    from regcheck.engine.grid import grid_for
    from regcheck.engine.guard import call_hook
    from regcheck.engine.registry import load_study

    if pool is not None:
        enter_worker(pool, slots)
    _PREPARED.add(study_reference)
    try:
        grid = grid_for(load_study(study_reference), study_reference)
        for model in grid.models():
            call_hook(grid.name, f"model {model.name}'s prepare_worker()", partial(model.prepare_worker, threads))
    except RegcheckError as error:  # reported by the first fit this worker is given: one line, exit 2
        _UNPREPARED[study_reference] = str(error)


_PREPARED: set[str] = set()
# Why a worker could not be prepared, per study: its fits are refused with that line instead of run.
_UNPREPARED: dict[str, str] = {}


def _init_pool_worker(study_reference: str, threads: int, pool: PoolPlan | None = None,
                      slots: Synchronized[int] | None = None) -> None:  # fmt: skip
    """A worker of our own process pool: prepared as any worker, and ended without the interpreter's teardown.

    It was started with Ctrl-C ignored (``_interrupts_ignored``), so a Ctrl-C while it imported printed
    no traceback; from here on Ctrl-C ends it at once and silently: the controller, which got the same
    Ctrl-C, says what was (not) written.
    """
    _init_worker(study_reference, threads, pool, slots)
    atexit.register(end_worker_now)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _leave_on_interrupt)


def _leave_on_interrupt(signum: int, frame: Any) -> None:
    os._exit(128 + signum)


@contextlib.contextmanager
def _interrupts_ignored() -> Iterator[None]:
    """Ctrl-C ignored while worker processes start: a process inherits an ignored signal, and a
    spawned Python that is interrupted while it imports prints a traceback no user should see.
    The controller ignores it only for the moment its workers are started (``submit``)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def end_worker_now() -> None:
    """Flush and leave at once: what a pool worker does when the interpreter starts to exit.

    By then its results are sent and multiprocessing's own finalizers have run; what is left is
    the interpreter tearing down the frameworks' objects, which took 2.7 s per TensorFlow worker
    after its last fit (measured, shared 2-core machine), all of it after the run's last result.
    Registered last, it runs before every other exit handler.
    """
    import logging

    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed or broken stream has nothing left to flush
            stream.flush()
    os._exit(0)


def _fit_one(study_reference: str, config: Configuration, data: Any, seed: int) -> ResultRecord | FitFailure:
    from regcheck.engine.dependencies import DependencyError, require_modules
    from regcheck.engine.grid import grid_for
    from regcheck.engine.guard import FitError, fitted
    from regcheck.engine.registry import load_study

    if study_reference not in _PREPARED:  # a Dask worker has no initializer: prepare on its first fit
        _init_worker(study_reference, 1)
    if study_reference in _UNPREPARED:
        return FitFailure(config.config_id, seed, _UNPREPARED[study_reference], bad_input=True)
    model = grid_for(load_study(study_reference), study_reference).model(config.model)
    try:
        require_modules(model.requires, f"model {model.name}")
    except DependencyError as error:
        return FitFailure(config.config_id, seed, str(error), dependency=True)
    try:
        return fitted(model, config, data, seed)
    except FitError as error:  # crash isolation: reported as this configuration's error
        return FitFailure(config.config_id, seed, str(error))


LOCAL = "local"
EXECUTOR_EXAMPLE = f"{LOCAL} (a process pool on this machine) or {DASK_SCHEME}HOST:PORT (a Dask scheduler)"


def parse_executor(text: str) -> str:
    """``local`` or ``dask://HOST:PORT``; checked when parsing the option, connected when the fits start."""
    value = text.strip()
    if value == LOCAL:
        return value
    address = value.removeprefix(DASK_SCHEME)
    host, _, port = address.rpartition(":")
    if not value.startswith(DASK_SCHEME) or not host or not port.isascii() or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"{text!r} is not an executor; expected {EXECUTOR_EXAMPLE}")
    return value


@contextlib.contextmanager
def open_executor(executor: str, study_reference: str, workers: PoolPlan) -> Iterator[tuple[Executor, Watch]]:
    """The ``concurrent.futures`` executor the fits go to (no scheduler of our own in either case), and what the
    run calls while it waits for them, which raises where the executor can no longer finish them.

    ``local``: the standard library's process pool, spawned workers as ``workers`` sizes and sets them up
    (it notices a dead worker itself). ``dask://HOST:PORT``: Dask distributed's own executor on a running
    cluster, checked and watched (``regcheck.engine.cluster``); its workers load the study by the same reference.
    """
    if executor == LOCAL:
        context = multiprocessing.get_context("spawn")
        slots = context.Value("i", 0)
        with ProcessPoolExecutor(workers.jobs, mp_context=context, initializer=_init_pool_worker,
                                 initargs=(study_reference, workers.threads, workers, slots)) as pool:  # fmt: skip
            yield pool, _nothing_to_watch
        return
    from regcheck.engine.cluster import dask_executor

    with dask_executor(executor, _init_worker, study_reference, 1) as (pool, watch):
        yield pool, watch


Watch = Callable[[], None]


def _nothing_to_watch() -> None:
    return None


def fit_in_pool(
    study_reference: str, plan: Sequence[tuple[Configuration, tuple[int, ...]]], data: Any, jobs: int,
    done: Done | None = None, executor: str = LOCAL, workers: PoolPlan | None = None,
) -> dict[str, list[ResultRecord] | FitFailure]:  # fmt: skip
    """Fit every seed of every configuration; call ``done`` as each configuration completes (and again after
    the seeds it answers, if any).

    ``workers``: how to size and set up a local pool (``regcheck.frameworks.pool.pool_for``); by
    default ``jobs`` workers set up for the Keras backend's device. Returns, per configuration id,
    its records in seed order, or the first failure among its seeds. Raises the first
    ``RegcheckError`` a fit raised in a worker, after cancelling the fits not yet started.
    """
    if workers is None:
        workers = pool_for(None, jobs)
    pending = {config.config_id: len(seeds) for config, seeds in plan}
    fitted: dict[str, dict[int, ResultRecord | FitFailure]] = {config.config_id: {} for config, _ in plan}
    by_id = {config.config_id: (config, tuple(seeds)) for config, seeds in plan}
    results: dict[str, list[ResultRecord] | FitFailure] = {}
    with open_executor(executor, study_reference, workers) as (pool, watch):
        futures: dict[Future[Any], tuple[str, int]] = {}

        def submit(config: Configuration, seeds: Sequence[int]) -> set[Future[Any]]:
            submitted = set()
            with _interrupts_ignored():  # the local pool starts its workers as fits are submitted
                for seed in seeds:
                    future = pool.submit(_fit_one, study_reference, config, data, seed)
                    futures[future] = (config.config_id, seed)
                    submitted.add(future)
            return submitted

        running: set[Future[Any]] = set()
        for config, seeds in plan:
            running |= submit(config, seeds)
        while running:  # not as_completed: a configuration's next seeds join the pool as soon as it asks for them
            finished, running = wait(running, timeout=WATCH_SECONDS, return_when=FIRST_COMPLETED)
            if not finished:
                try:
                    watch()  # a cluster whose scheduler or last worker is gone would leave this wait forever
                except BaseException:
                    _cancel(futures)
                    raise
            for future in finished:
                config_id, seed = futures[future]
                try:
                    fitted[config_id][seed] = future.result()
                except RegcheckError as error:
                    _cancel(futures)
                    raise type(error)(f"{error} (in a worker process, fitting {config_id} seed {seed})") from error
                except (CancelledError, asyncio.CancelledError):  # not by us: the executor gave up its fits
                    _cancel(futures)
                    watch()
                    raise UsageError(f"--executor {executor}: the executor cancelled the fit of {config_id} seed {seed}; "
                                     "expected it to run every fit it was given") from None  # fmt: skip
                except Exception as exc:  # the worker itself died (killed, out of memory)
                    cause = f"worker process failed: {type(exc).__name__}: {exc}"
                    detail = f"{cause}; {DEVICE_ADVICE}" if workers.gpus else cause
                    fitted[config_id][seed] = FitFailure(config_id, seed, detail)
                pending[config_id] -= 1
                if pending[config_id] > 0:
                    continue
                config, seeds = by_id[config_id]
                results[config_id] = _collect(fitted[config_id], seeds)
                if not done:
                    continue
                try:
                    more = done(config, results[config_id], len(results), len(plan))
                except BaseException:  # the run stops (bad input, Ctrl-C): fit nothing more
                    _cancel(futures)
                    raise
                if more:  # the configuration is open again: its next seeds, judged again when they are in
                    del results[config_id]
                    by_id[config_id] = (config, (*seeds, *more))
                    pending[config_id] = len(more)
                    running |= submit(config, more)
    return results


def _cancel(futures: Iterable[Future[Any]]) -> None:
    # One by one: Dask's executor has no ``shutdown(cancel_futures=...)``, every Future has ``cancel``.
    for future in futures:
        future.cancel()


def _collect(fitted: dict[int, ResultRecord | FitFailure], seeds: tuple[int, ...]) -> list[ResultRecord] | FitFailure:
    failures = [fitted[seed] for seed in seeds if isinstance(fitted[seed], FitFailure)]
    if failures:
        failure = failures[0]
        assert isinstance(failure, FitFailure)
        return failure
    return [record for seed in seeds if not isinstance(record := fitted[seed], FitFailure)]
