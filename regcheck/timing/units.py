"""How a time reads, in every table and plot of timings: one format for seconds, one for an axis tick."""

from __future__ import annotations


def format_seconds(seconds: float) -> str:
    """Three significant digits in the largest unit that keeps the number at least 1: ``10.4 s``, ``2.54 ms``."""
    units = (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9))
    unit, scale = next(((unit, scale) for unit, scale in units if seconds >= scale), units[-1])
    value = seconds / scale
    decimals = 0 if value >= 100 else 1 if value >= 10 else 2
    return f"{value:.{decimals}f} {unit}"


def format_tick(seconds: float) -> str:
    """Axis labels: ``20 ms``, ``1 s``: as short as the 1-2-5 steps allow."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:g} {unit}"
    return f"{seconds / 1e-9:g} ns"
