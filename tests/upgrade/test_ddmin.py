"""Delta debugging as a pure function: predicates over fourteen changes (the real MLP upgrade changes fourteen)."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from regcheck.upgrade.ddmin import Outcome, ddmin, split

CHANGES = [f"package-{index:02d}" for index in range(14)]
SAME, MOVED, UNRESOLVED = Outcome.SAME, Outcome.MOVED, Outcome.UNRESOLVED


def moved_by(*culprits: str) -> Callable[[tuple[str, ...]], Outcome]:
    """NEW's result with every culprit applied, OLD's with none, another result with some (interacting changes)."""

    def test(subset: tuple[str, ...]) -> Outcome:
        present = sum(culprit in subset for culprit in culprits)
        return MOVED if present == len(culprits) else SAME if present == 0 else UNRESOLVED

    return test


def test_pieces_are_contiguous_and_their_sizes_differ_by_at_most_one() -> None:
    assert split(CHANGES[:5], 2) == [tuple(CHANGES[:3]), tuple(CHANGES[3:5])]
    assert [len(piece) for piece in split(CHANGES, 4)] == [4, 4, 3, 3]
    assert sum(split(CHANGES, 3), ()) == tuple(CHANGES)


@pytest.mark.parametrize("culprit", CHANGES)
def test_one_culprit_is_found_in_at_most_twice_log2_n_trials(culprit: str) -> None:
    found = ddmin(CHANGES, moved_by(culprit))
    assert found.smallest == (culprit,)
    assert len(found.trials) <= 2 * math.ceil(math.log2(len(CHANGES)))


@pytest.mark.parametrize(("first", "second"), [(CHANGES[0], CHANGES[1]), (CHANGES[2], CHANGES[11]), (CHANGES[6], CHANGES[7])])
def test_two_interacting_culprits_are_both_named(first: str, second: str) -> None:
    """Either alone gives a third result (neither OLD's nor NEW's); only both together give NEW's."""
    found = ddmin(CHANGES, moved_by(first, second))
    assert found.smallest == (first, second)
    # 1-minimal: taking either away loses NEW's result, and ddmin saw it do so.
    outcomes = dict(found.trials)
    assert outcomes.get((first,), UNRESOLVED) is not MOVED and outcomes.get((second,), UNRESOLVED) is not MOVED


def test_two_culprits_that_each_move_nothing_alone_are_found_too() -> None:
    def test(subset: tuple[str, ...]) -> Outcome:
        return MOVED if CHANGES[3] in subset and CHANGES[9] in subset else SAME

    assert ddmin(CHANGES, test).smallest == (CHANGES[3], CHANGES[9])


def test_with_no_culprit_every_change_is_needed_and_each_single_one_was_tried() -> None:
    """No subset gives NEW's result (it takes all fourteen together): ddmin ends at all of them, 1-minimal."""
    found = ddmin(CHANGES, lambda subset: MOVED if len(subset) == len(CHANGES) else UNRESOLVED)
    assert found.smallest == tuple(CHANGES)
    tried = {subset for subset, _ in found.trials}
    assert all(tuple(change for change in CHANGES if change != left_out) in tried for left_out in CHANGES)


def test_a_subset_that_cannot_resolve_is_searched_around() -> None:
    """The culprit alone cannot be built (it needs CHANGES[5] too): the smallest set that moves holds both."""
    culprit, needed = CHANGES[4], CHANGES[5]

    def test(subset: tuple[str, ...]) -> Outcome:
        if culprit in subset and needed not in subset:
            return UNRESOLVED  # no environment can be made of it
        return MOVED if culprit in subset else SAME

    found = ddmin(CHANGES, test)
    assert found.smallest == (culprit, needed)
    assert ((culprit,), UNRESOLVED) in found.trials


def test_no_subset_is_tried_twice() -> None:
    seen: list[tuple[str, ...]] = []

    def test(subset: tuple[str, ...]) -> Outcome:
        seen.append(subset)
        return moved_by(CHANGES[2], CHANGES[12])(subset)

    ddmin(CHANGES, test)
    assert len(seen) == len(set(seen))


def test_one_change_is_its_own_answer_without_a_trial() -> None:
    found = ddmin(["numpy"], moved_by("numpy"))
    assert found.smallest == ("numpy",) and found.trials == []
