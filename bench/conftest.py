"""Benchmarks of the study: options, the environment a saved run carries, and shared fixtures.

Run with ``pytest bench/`` (the project's ``testpaths`` leaves bench/ out of the test run).
Timing helpers live in ``regcheck.timing.cases``; this file only wires them into pytest.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from regcheck.errors import RegcheckError
from regcheck.studies.heart.configs import DEFAULT_SEED

DEFAULT_DL_ROUNDS = 1
PREDICT_ROUNDS = 10
# The scale study's pytest file is run by bench/test_scale.py in a folder of its own, against the
# scale study; collected by `pytest bench/` it would fit the heart study's configurations instead.
collect_ignore = ["scale/test_scale_study.py", "scale/test_bare_pytest.py"]


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a whole number of rounds >= 1")
    return int(text)


def _delay(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected seconds, e.g. 0.05") from None
    if not 0 <= value <= 10:
        raise argparse.ArgumentTypeError(f"{text!r}: expected seconds between 0 and 10")
    return value


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("regcheck", "regcheck: regression checks of ML results")
    group.addoption(
        "--regcheck-bench-rounds", dest="regcheck_bench_rounds", metavar="N", type=_positive_int,
        default=DEFAULT_DL_ROUNDS,
        help=f"rounds of each deep-learning fit and grid case (pedantic mode; default: {DEFAULT_DL_ROUNDS}; "
        "'regcheck compare --fail-slower' judges only cases with 3 or more)",
    )  # fmt: skip
    group.addoption(
        "--regcheck-bench-label", dest="regcheck_bench_label", metavar="NAME", default=None,
        help="name this run in machine_info['label'] (tox.ini passes the environment's name; 'regcheck matrix "
        "--bench' puts the run's times in that column, reports show it) (default: device and backend)",
    )  # fmt: skip
    group.addoption(
        "--regcheck-inject-delay", dest="regcheck_inject_delay", metavar="SECONDS", type=_delay, default=0.0,
        help="TESTING ONLY: sleep SECONDS inside every timed call, to prove the slowdown check fires; "
        "recorded in the saved run (default: 0)",
    )  # fmt: skip


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "gpu: needs a GPU visible to the Keras backend; skipped elsewhere")


def pytest_report_header(config: pytest.Config) -> list[str]:
    from regcheck.frameworks.keras import keras_backend

    rounds = config.getoption("regcheck_bench_rounds")
    lines = [f"regcheck bench: keras backend={keras_backend()} deep-learning rounds={rounds} seed={DEFAULT_SEED}"]
    delay = config.getoption("regcheck_inject_delay")
    if delay:
        lines.append(f"regcheck bench: INJECTED DELAY of {delay} s per timed call (testing the slowdown check only)")
    return lines


@pytest.hookimpl(optionalhook=True)
def pytest_benchmark_update_machine_info(config: pytest.Config, machine_info: dict[str, Any]) -> None:
    from regcheck.timing.cases import run_environment

    machine_info["regcheck"] = run_environment(config.getoption("regcheck_inject_delay"))
    label = config.getoption("regcheck_bench_label")
    if label:
        machine_info["label"] = label


class BenchContext:
    """What every case needs: the split, the seed, the rounds, and the (test-only) injected delay."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.seed = DEFAULT_SEED
        self.rounds: int = config.getoption("regcheck_bench_rounds")
        self.predict_rounds = PREDICT_ROUNDS
        self.delay: float = config.getoption("regcheck_inject_delay")
        self.trained: dict[str, Any] = {}  # config_id -> trained model, so predict cases need not train again
        self._study: Any = None

    @property
    def study(self) -> Any:
        """One run of the heart study per session: the data, the split and the baselines, loaded once."""
        if self._study is None:
            from regcheck.engine.run import RunOptions, StudyRun
            from regcheck.studies.heart import study

            self._study = StudyRun(study, RunOptions("heart", Path(str(self.config.rootpath)) / "baselines"))
        return self._study

    @property
    def split(self) -> Any:
        try:
            return self.study.dataset.value
        except RegcheckError as error:
            pytest.exit(f"regcheck: error: {error}", returncode=2)

    def slowed(self, target: Callable[..., Any]) -> Callable[..., Any]:
        """``target`` itself, or (only under --regcheck-inject-delay) ``target`` after a sleep."""
        if not self.delay:
            return target
        delay = self.delay

        def delayed(*args: Any, **kwargs: Any) -> Any:
            time.sleep(delay)
            return target(*args, **kwargs)

        return delayed

    def describe(self, benchmark: Any, model: str, phase: str, config_id: str | None, rounds: str,
                 **results: Any) -> None:  # fmt: skip
        from regcheck.timing.cases import case_info

        benchmark.extra_info.update(case_info(model, phase, config_id, self.seed, rounds))
        benchmark.extra_info.update(results)
        if self.delay:
            benchmark.extra_info["injected_delay_s"] = self.delay


@pytest.fixture(scope="session")
def bench(request: pytest.FixtureRequest) -> BenchContext:
    return BenchContext(request.config)
