"""Progress on the long grid, on stderr: a bar redrawn in place on a terminal, one line per configuration
otherwise (CI logs and pipes keep every line and never see a carriage return)."""

from __future__ import annotations

import sys
import time
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


def estimate_left(done: int, total: int, elapsed: float) -> float:
    """The mean time per finished configuration, times those left: crude, and honest about it (a '~')."""
    return elapsed / done * (total - done) if done else 0.0


class ProgressBar:
    """A ``runner_loop.Progress`` callback: ``bar(done, total, config_id, status, started)``."""

    def __init__(self, stream: TextIO | None = None, tty: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.tty = tty if tty is not None else _is_tty(self.stream)
        self._open_line = False

    def __call__(self, done: int, total: int, config_id: str, status: str, started: float) -> None:
        elapsed = time.perf_counter() - started
        left = estimate_left(done, total, elapsed)
        timing = f"{format_duration(elapsed)} elapsed, ~{format_duration(left)} left"
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
