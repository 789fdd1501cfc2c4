"""Progress on the long grid, on stderr: a bar redrawn in place on a terminal, one line per configuration
otherwise (CI logs and pipes keep every line and never see a carriage return)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TextIO

BAR_WIDTH = 24


def format_duration(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


@dataclass
class Estimate:
    """Time left, per model, from the pace at which that model's configurations finish.

    A model's configurations can take a thousand times longer than another's (a Keras fit
    against a liblinear one), so one mean over the whole run misleads. A model's pace is the
    time from its first finished configuration to its latest over the configurations finished
    in between: what came before its first (imports, worker start-up, the other models) does
    not count, and in a worker pool the parallelism does. ``workers`` fits run at once and
    finish in waves: the gaps inside a wave are near zero, so there is no pace until a wave
    and one more configuration have finished (``workers + 1``); until then ``left`` says None
    ("estimating"), which is what it honestly knows.
    """

    plan: Mapping[str, int]
    started: float
    workers: int = 1
    first_finish: dict[str, float] = field(default_factory=dict)
    last_finish: dict[str, float] = field(default_factory=dict)
    finished: dict[str, int] = field(default_factory=dict)

    def record(self, model: str, now: float) -> None:
        self.first_finish.setdefault(model, now)
        self.last_finish[model] = now
        self.finished[model] = self.finished.get(model, 0) + 1

    def left(self) -> float | None:
        """Seconds left after the latest finished configuration; None while a model with some to go has no pace."""
        total = 0.0
        for model, count in self.plan.items():
            done = self.finished.get(model, 0)
            if done >= count:
                continue
            if done < self.workers + 1:
                return None
            pace = (self.last_finish[model] - self.first_finish[model]) / (done - 1)
            total += pace * (count - done)
        return total


class ProgressBar:
    """A ``regcheck.engine.run.Progress`` callback: ``bar(done, total, model, config_id, status, started)``.

    ``plan`` (configurations per model) lets it estimate per model; without it, one model is assumed.
    ``workers``: how many configurations run at once (the run's ``--jobs``); default, the CPU count,
    which is ``--jobs``' default.
    """

    def __init__(
        self, stream: TextIO | None = None, tty: bool | None = None, plan: Mapping[str, int] | None = None,
        workers: int | None = None,
    ) -> None:  # fmt: skip
        self.stream = stream if stream is not None else sys.stderr
        self.tty = tty if tty is not None else _is_tty(self.stream)
        self.plan = plan
        self.workers = workers if workers is not None else os.cpu_count() or 1
        self._estimate: Estimate | None = None
        self._open_line = False

    def __call__(self, done: int, total: int, model: str, config_id: str, status: str, started: float) -> None:
        now = time.perf_counter()
        if self._estimate is None:
            self._estimate = Estimate(self.plan or {model: total}, started, self.workers)
        self._estimate.record(model, now)
        left = self._estimate.left()
        shown = "estimating" if left is None else f"~{format_duration(left)} left"
        timing = f"{format_duration(now - started)} elapsed, {shown}"
        if not self.tty:
            print(f"[{done}/{total}] {config_id:<24} {status:<8} {timing}", file=self.stream, flush=True)
            return
        filled = BAR_WIDTH * done // total if total else BAR_WIDTH
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        # \r returns to the line start, \x1b[K clears what a longer previous line left behind.
        self.stream.write(f"\r[{bar}] {done}/{total} {config_id} {status}, {timing}\x1b[K")
        self._open_line = done < total
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()

    def close(self) -> None:
        """End a bar left open by an interrupted or failed run, so the next message starts on its own line."""
        if self._open_line:
            self.stream.write("\n")
            self.stream.flush()
            self._open_line = False


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
