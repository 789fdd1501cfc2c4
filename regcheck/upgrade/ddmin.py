"""Delta debugging: the smallest set of changes that still moves the result (Zeller's ``ddmin``).

A. Zeller and R. Hildebrandt, "Simplifying and Isolating Failure-Inducing Input", IEEE TSE 28(2),
2002. Each *trial* applies a subset of the changes to OLD and says one of three things:

* ``SAME``: the result is OLD's (Zeller's "pass");
* ``MOVED``: the result is NEW's (Zeller's "fail": the change reproduces);
* ``UNRESOLVED``: neither (another result, or no environment could be made of that subset).

``ddmin`` returns a *1-minimal* subset that moves: taking away any one of its changes no longer
gives NEW's result. It needs ``test(all changes) == MOVED`` and ``test(no change) == SAME``, which
the caller has (NEW's run and OLD's run) and so never asks for. With every trial resolved and one
change to blame among n, it runs at most 2 * ceil(log2 n) trials; its worst case, with many
unresolved trials, is (n**2 + 3n) / 2 (the paper's bounds). A subset is never tried twice.

No library on the package index offers ddmin as a maintained function (the published ones are
teaching code or tied to one input format), and it is 40 lines: written here, tested against the
paper's cases in ``tests/upgrade/test_ddmin.py``.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


class Outcome(enum.Enum):
    SAME = "same"
    MOVED = "moved"
    UNRESOLVED = "unresolved"


@dataclass
class Search(Generic[T]):
    """What ddmin found, and every trial it ran in order (subsets in the changes' own order)."""

    smallest: tuple[T, ...]
    trials: list[tuple[tuple[T, ...], Outcome]] = field(default_factory=list)


def split(items: Sequence[T], parts: int) -> list[tuple[T, ...]]:
    """``items`` in ``parts`` contiguous pieces whose sizes differ by at most one (the larger ones first)."""
    size, extra = divmod(len(items), parts)
    pieces, start = [], 0
    for index in range(parts):
        end = start + size + (1 if index < extra else 0)
        pieces.append(tuple(items[start:end]))
        start = end
    return pieces


def ddmin(changes: Sequence[T], test: Callable[[tuple[T, ...]], Outcome]) -> Search[T]:
    """A 1-minimal subset of ``changes`` whose trial gives ``MOVED`` (see the module docstring)."""
    found: Search[T] = Search(tuple(changes))
    seen: dict[tuple[T, ...], Outcome] = {}

    def moves(subset: tuple[T, ...]) -> bool:
        if subset not in seen:
            seen[subset] = test(subset)
            found.trials.append((subset, seen[subset]))
        return seen[subset] is Outcome.MOVED

    current, granularity = tuple(changes), 2
    while len(current) >= 2:
        pieces = split(current, granularity)
        smaller = next((piece for piece in pieces if moves(piece)), None)
        if smaller is not None:  # reduce to a piece
            current, granularity = smaller, 2
            continue
        complements = [tuple(item for item in current if item not in piece) for piece in pieces]
        # With two pieces each complement is the other piece, already tried.
        smaller = next((rest for rest in complements if granularity > 2 and moves(rest)), None)
        if smaller is not None:  # reduce to a complement
            current, granularity = smaller, max(granularity - 1, 2)
            continue
        if granularity >= len(current):
            break  # every single change has been taken away once: 1-minimal
        granularity = min(2 * granularity, len(current))
    found.smallest = current
    return found
