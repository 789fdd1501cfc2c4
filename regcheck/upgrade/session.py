"""One upgrade from start to end: OLD's and NEW's runs, the interleaved timings, then the searches.

The order is the report's: both environments are run first (their comparison decides everything
else), then timed round by round, OLD and NEW in turn (``interleave``); only when a result moved
does delta debugging look for the smallest set of changes that moves it, and ``regcheck bisect``'s
search for each one's first release that does.
"""

from __future__ import annotations

from regcheck.files.benchmark import BenchmarkRun
from regcheck.matrix.bisect import index_versions
from regcheck.matrix.environments import BuildError, digest
from regcheck.timing.compare import judge_change
from regcheck.upgrade.interleave import SIDES, interleaved, pool_rounds
from regcheck.upgrade.report import Report, TimedPair
from regcheck.upgrade.search import Upgrade, bisect_culprit, compare, find_changes


def examine(upgrade: Upgrade, report: Report, rounds: int, search: bool = True) -> None:
    """Fill ``report``: the comparison, the timings (``rounds`` per environment), and the culprits."""
    say = upgrade.say
    environments = {"old": upgrade.environment({}), "new": upgrade.environment({c.name: c.new for c in report.changes})}
    report.environments = environments
    columns = {side: upgrade.result(environment, side) for side, environment in environments.items()}
    report.comparison = compare(columns["old"], columns["new"])
    if rounds:
        time_both(upgrade, report, rounds)
    if report.moved and search:
        say(f"a result moved: delta debugging over the {len(report.changes)} changed packages")
        found, report.trials = find_changes(upgrade, columns["old"], columns["new"], say)
        report.smallest = found.smallest
        at_new = {change.name: change.new for change in found.smallest}
        for change in found.smallest:
            both = change.old is not None and change.new is not None
            available = index_versions(change.name, upgrade.settings.python) if both else []
            say(f"bisecting {change}")
            rest = {name: version for name, version in at_new.items() if name != change.name}
            report.culprits.append(bisect_culprit(upgrade, change, rest, available, say))
    report.counts = upgrade.counts


def time_both(upgrade: Upgrade, report: Report, rounds: int) -> None:
    """The timing rounds, interleaved; one that fails leaves the results standing and says why there are no times."""
    upgrade.say(f"timing: {rounds} rounds per environment, interleaved OLD, NEW, OLD, NEW ...")
    taken: dict[str, list[BenchmarkRun]] = {side: [] for side in SIDES}
    pair = digest(*(report.environments[side].key for side in SIDES))
    for number, side in interleaved(rounds):
        try:
            taken[side].append(upgrade.timing_round(report.environments[side], number, pair))
        except BuildError as error:
            report.timing_note = str(error)
            upgrade.say(f"  no times: {error}")
            return
    old, new = pool_rounds(taken["old"]), pool_rounds(taken["new"])
    report.rounds = rounds
    for key in [*old, *(key for key in new if key not in old)]:
        before, after = old.get(key), new.get(key)
        change = judge_change(before, after, report.factor) if before and after else None
        report.timings[key] = TimedPair(before, after, change)
