"""Fit many (configuration, seed) pairs in worker processes: the CLI's parallel path.

Where the fits run is an *executor*, always a ``concurrent.futures`` one, never home-made:

* ``local`` (the default): the standard library's process pool on this machine;
* ``dask://HOST:PORT``: the ``concurrent.futures`` executor of a running Dask distributed
  cluster (``Client.get_executor``), for more seeds than one machine fits in time
  (``docs/distributed.md``). Its workers must run the controller's versions (checked before
  the first fit), and each worker process fits one at a time (a lock), so a study's global
  seeding (Keras' ``set_random_seed``) never races another fit in the same process.

The local pool's workers are *spawned*: a forked
child would inherit a half-initialised TensorFlow runtime. Each worker gets
``cpu_count // jobs`` intra-op threads (at least 1), so the processes share the cores
instead of fighting over them; the thread count changes no result (proven by a test), and
each fit is seeded on its own, so a seed gives the same record in any worker, in any order.

A fit that raises comes back as a ``FitFailure`` naming its cause; the other fits go on.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from regcheck.engine.errors import UsageError

if TYPE_CHECKING:
    from regcheck.engine.records import ResultRecord
    from regcheck.engine.study import Configuration


@dataclass(frozen=True)
class FitFailure:
    config_id: str
    seed: int
    detail: str
    dependency: bool = False  # a module the model needs failed to import: bad input, exit 2


Done = Callable[["Configuration", "list[ResultRecord] | FitFailure", int, int], None]


def threads_per_worker(jobs: int) -> int:
    return max(1, (os.cpu_count() or 1) // jobs)


# Studies prepared in this process (a pool worker's initializer, or a Dask worker's first fit),
# and the lock that makes a Dask worker process, which runs tasks in threads, fit one at a time.
_PREPARED: set[str] = set()
_ONE_FIT_AT_A_TIME = threading.Lock()


def _init_worker(study_reference: str, threads: int) -> None:
    """Each worker loads the study by the same reference as the controller and prepares its models."""
    from regcheck.engine.registry import load_study

    for model in load_study(study_reference).models():
        model.prepare_worker(threads)
    _PREPARED.add(study_reference)


def _dask_worker_threads() -> int:
    """A Dask worker's ``--nthreads``: its fits run one at a time, so each may use them all."""
    try:
        from distributed import get_worker

        return max(1, int(get_worker().state.nthreads))
    except (ImportError, ValueError, AttributeError):
        return 1


def _fit_one(study_reference: str, config: Configuration, data: Any, seed: int) -> ResultRecord | FitFailure:
    from regcheck.engine.dependencies import DependencyError, require_modules
    from regcheck.engine.registry import load_study
    from regcheck.engine.run import describe_exception

    with _ONE_FIT_AT_A_TIME:
        if study_reference not in _PREPARED:  # a Dask worker has no initializer: prepare before its first fit
            _init_worker(study_reference, _dask_worker_threads())
        model = load_study(study_reference).model(config.model)
        try:
            require_modules(model.requires, f"model {model.name}")
        except DependencyError as error:
            return FitFailure(config.config_id, seed, str(error), dependency=True)
        try:
            return model.fit(config, data, seed)
        except Exception as exc:  # crash isolation: reported as this configuration's error
            return FitFailure(config.config_id, seed, describe_exception(exc))


# --- where the fits run ---------------------------------------------------------------------------

LOCAL = "local"
DASK_SCHEME = "dask://"
EXECUTOR_EXAMPLE = f"{LOCAL} (a process pool on this machine) or {DASK_SCHEME}HOST:PORT (a running Dask scheduler)"
# How long to wait for a scheduler to answer, and for it to have a worker.
CONNECT_SECONDS = 10.0


def parse_executor(text: str) -> str:
    """The ``--executor`` value: ``local`` or ``dask://HOST:PORT`` (HOST may be ``[IPv6]``).

    Checked when the option is parsed (``argparse.ArgumentTypeError``); connected when the fits start.
    """
    if text == LOCAL:
        return text
    host, _, port = text.removeprefix(DASK_SCHEME).rpartition(":")
    bracketed = host.startswith("[") and host.endswith("]") and len(host) > 2
    host_ok = bool(host) and (bracketed or not any(char in host for char in "[]/@ "))
    port_ok = port.isascii() and port.isdigit() and 0 < int(port) < 65536
    if not text.startswith(DASK_SCHEME) or not host_ok or not port_ok:
        raise argparse.ArgumentTypeError(f"{text!r} is not an executor; expected {EXECUTOR_EXAMPLE}")
    return text


@contextlib.contextmanager
def open_executor(executor: str, study_reference: str, jobs: int) -> Iterator[Executor]:
    """The ``concurrent.futures`` executor the fits go to (see the module docstring).

    ``jobs`` sizes the local pool only: a Dask cluster has the workers it was started with.
    Raises ``UsageError`` (one line, exit 2) when Dask is not installed, no scheduler answers,
    it has no worker, or a worker runs other versions than this process.
    """
    if executor == LOCAL:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker,
                                 initargs=(study_reference, threads_per_worker(jobs))) as pool:  # fmt: skip
            yield pool
        return
    with _dask_client(executor) as client:
        _check_workers(executor, client)
        # pure=False: every fit is its own task, never merged with an equal-looking one.
        with client.get_executor(pure=False) as pool:
            yield pool


@contextlib.contextmanager
def _dask_client(executor: str) -> Iterator[Any]:
    try:
        from distributed import Client
    except ImportError:
        raise UsageError(f"--executor {executor}: Dask is not installed here; pip install 'regcheck[dask]'") from None
    address = f"tcp://{executor.removeprefix(DASK_SCHEME)}"
    try:
        client = Client(address, timeout=CONNECT_SECONDS, set_as_default=False)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UsageError(f"--executor {executor}: no Dask scheduler answers at {address} ({reason})") from None
    with client:
        yield client


def _check_workers(executor: str, client: Any) -> None:
    """A worker with other versions would fit other numbers: refuse before the first fit."""
    try:
        client.wait_for_workers(1, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError):
        raise UsageError(f"--executor {executor}: the scheduler has no worker (start one: dask worker HOST:PORT)") from None
    here = versions_here()
    try:
        found = client.run(versions_here)
    except Exception as exc:  # raised on a worker: regcheck not installed there, most often
        raise UsageError(f"--executor {executor}: a worker cannot run regcheck ({type(exc).__name__}: {exc})") from None
    for worker, theirs in sorted(found.items()):
        differing = [f"{name} {theirs.get(name) or 'not installed'} there, {here.get(name) or 'not installed'} here"
                     for name in sorted(set(here) | set(theirs)) if here.get(name) != theirs.get(name)]  # fmt: skip
        if differing:
            raise UsageError(f"--executor {executor}: worker {worker} runs other versions: {', '.join(differing)}")


def versions_here() -> dict[str, str]:
    """What must be the same where the fits run: Python, regcheck and the tracked packages."""
    import platform

    from regcheck import __version__
    from regcheck.engine.environment import package_versions

    return {"python": platform.python_version(), "regcheck": __version__, **package_versions()}


def fit_in_pool(
    study_reference: str, plan: Sequence[tuple[Configuration, tuple[int, ...]]], data: Any, jobs: int,
    done: Done | None = None, executor: str = LOCAL,
) -> dict[str, list[ResultRecord] | FitFailure]:  # fmt: skip
    """Fit every seed of every configuration; call ``done`` as each configuration completes.

    ``executor``: ``local`` (a process pool of ``jobs`` workers) or ``dask://HOST:PORT``.
    Returns, per configuration id, its records in seed order, or the first failure among its seeds.
    """
    pending = {config.config_id: len(seeds) for config, seeds in plan}
    fitted: dict[str, dict[int, ResultRecord | FitFailure]] = {config.config_id: {} for config, _ in plan}
    by_id = {config.config_id: (config, seeds) for config, seeds in plan}
    results: dict[str, list[ResultRecord] | FitFailure] = {}
    with open_executor(executor, study_reference, jobs) as pool:
        futures = {pool.submit(_fit_one, study_reference, config, data, seed): (config.config_id, seed)
                   for config, seeds in plan for seed in seeds}  # fmt: skip
        for future in as_completed(futures):
            config_id, seed = futures[future]
            try:
                fitted[config_id][seed] = future.result()
            except Exception as exc:  # the worker itself died (killed, out of memory; Dask: KilledWorker)
                cause = f"worker process failed: {type(exc).__name__}: {exc}"
                fitted[config_id][seed] = FitFailure(config_id, seed, cause)
            pending[config_id] -= 1
            if pending[config_id] == 0:
                config, seeds = by_id[config_id]
                results[config_id] = _collect(fitted[config_id], seeds)
                if done:
                    try:
                        done(config, results[config_id], len(results), len(plan))
                    except BaseException:  # the run stops (bad input, Ctrl-C): fit nothing more
                        _stop(pool, futures)
                        raise
    return results


def _stop(pool: Executor, futures: dict[Future[Any], tuple[str, int]]) -> None:
    """Cancel what has not started; Dask's executor has no ``cancel_futures`` option, so cancel each."""
    for future in futures:
        future.cancel()
    pool.shutdown(wait=False)


def _collect(fitted: dict[int, ResultRecord | FitFailure], seeds: tuple[int, ...]) -> list[ResultRecord] | FitFailure:
    failures = [fitted[seed] for seed in seeds if isinstance(fitted[seed], FitFailure)]
    if failures:
        failure = failures[0]
        assert isinstance(failure, FitFailure)
        return failure
    return [record for seed in seeds if not isinstance(record := fitted[seed], FitFailure)]
