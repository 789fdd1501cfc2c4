"""The environments of one upgrade, and the two searches that name the change that moved a result.

Every environment is **OLD with some of NEW's versions** (``overrides``: package -> version, or
``None`` for a package NEW drops): OLD itself, NEW itself, each trial of delta debugging, each
release of the bisection. One is made in three cached steps, each keyed by what it is made of:

1. *resolved*: ``uv pip compile`` of this checkout of regcheck (editable, with its ``bench`` extra)
   and the pins, OLD's resolution given as uv's preferences so that what the locks leave free stays
   where OLD's environment has it (``resolutions/``, keyed by the requirements, OLD's resolution, the
   Python and regcheck's own ``pyproject.toml``). When the exact pins cannot be resolved (a
   package of NEW needs another version of a package still at OLD's), the trial is **widened**:
   every changed package not asked for may move within its two versions (preferring OLD's), uv
   says which must, and the report names them with uv's reason;
2. *built*: ``uv venv`` + ``uv pip sync`` of that resolution (``envs/``, keyed by the resolved
   versions and the Python);
3. *run*: ``python -m regcheck run --json`` in it (``runs/``), and for OLD and NEW the timing rounds
   of the bench suite (``timings/``), keyed by the environment, the options and regcheck's own
   source, so a change to regcheck's code makes the runs stale but not the environments.

A rerun of the same command therefore resolves, builds and runs nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packaging.version import Version

from regcheck.files.atomic import write_text_atomically
from regcheck.matrix.bisect import BisectError, BisectResult, Comparison, Step, bisect, compare_runs, load_release_run
from regcheck.matrix.environments import (
    COMPLETE_MARKER,
    BuildError,
    create_environment,
    digest,
    failure_reason,
    interpreter_in,
    made_alone,
    resolve,
    run_environment,
    run_logged,
    run_study,
)
from regcheck.upgrade.ddmin import Outcome, Search, ddmin
from regcheck.upgrade.locks import Change, Lock, Pin, changes, read_requirements

if TYPE_CHECKING:
    from regcheck.files.benchmark import BenchmarkRun
    from regcheck.matrix.table import Column

TIMING_SECONDS = 3600


def compare(reference: Column, column: Column) -> Comparison:
    """The one comparison of two runs that everything here uses (issue 20's routine replaces this line)."""
    return compare_runs(reference, column)


@dataclass(frozen=True)
class Settings:
    """What every environment of one upgrade shares."""

    old: Lock
    new: Lock
    python: str  # the interpreter the environments are built on
    python_version: str
    source: Path  # the regcheck checkout installed (editable) in every environment
    source_code: str  # regcheck's code (bisect.source_digest): cached runs go stale with it
    dependencies: str  # regcheck's pyproject.toml: cached resolutions go stale with it
    cache: Path
    run_options: tuple[str, ...]  # for 'regcheck run': --model, --seeds, --study ...
    bench: tuple[str, ...]  # pytest arguments of one timing round; empty: no timings
    log: Path  # every command and its output
    order: tuple[str, ...] = ()  # the study's configurations in its own order, as the reports list them


@dataclass(frozen=True)
class Moved:
    """A changed package a widened trial had to move off OLD's version (``None``: absent)."""

    name: str
    old: str | None
    now: str | None

    def __str__(self) -> str:
        return f"{self.name} {self.old or '(absent)'} -> {self.now or '(absent)'}"


@dataclass(frozen=True)
class Environment:
    key: str
    overrides: tuple[tuple[str, str | None], ...]
    resolved: str  # the resolved requirements, comments left out
    versions: dict[str, str]
    widened: tuple[Moved, ...] = ()
    why: str = ""  # uv's reason the exact pins could not be resolved, where widened
    is_new: bool = False  # every change applied: NEW's own pins

    @property
    def label(self) -> str:
        if self.is_new:
            return "NEW's pins"
        return ", ".join(f"{name} {version or '(removed)'}" for name, version in self.overrides) or "OLD's pins"


@dataclass
class Counts:
    resolved: int = 0  # uv resolutions made now
    built: int = 0  # environments built now
    runs: int = 0  # study runs made now
    rounds: int = 0  # timing rounds taken now
    environments: set[str] = field(default_factory=set)  # every environment used, cached or not


class Upgrade:
    """OLD's environment with some of NEW's versions: resolved, built and run, each step cached."""

    def __init__(self, settings: Settings, say: Callable[[str], None] = print) -> None:
        self.settings = settings
        self.say = say
        self.counts = Counts()
        self.changes = {change.name: change for change in changes(settings.old, settings.new)}
        self._old_resolution = ""
        for folder in ("resolutions", "resolved", "envs", "runs", "timings"):
            (settings.cache / folder).mkdir(parents=True, exist_ok=True)

    # --- environments ---

    def environment(self, overrides: Mapping[str, str | None]) -> Environment:
        """OLD's pins with ``overrides``, resolved exactly, or widened when that cannot be resolved."""
        # An override to OLD's own version is none: OLD itself, and the bisection's reference, are one environment.
        overrides = {name: version for name, version in overrides.items() if version != self.settings.old.version(name)}
        if overrides and not self._old_resolution:
            self.environment({})  # every other resolution prefers OLD's versions: OLD's comes first
        asked = tuple(sorted(overrides.items()))
        pins = self._pins(overrides)
        exact = self._requirements(pins, set())
        preferences = self._old_resolution if overrides else ""
        key = digest(exact, preferences, self.settings.python_version, self.settings.dependencies)
        record = self.settings.cache / "resolutions" / f"{key}.json"
        if record.is_file():
            saved = json.loads(record.read_text(encoding="utf-8"))
        else:
            saved = self._resolve(pins, exact, preferences, overrides, key)
            write_text_atomically(record, json.dumps(saved, indent=1) + "\n")
        resolved = saved["resolved"]
        if not overrides:
            self._old_resolution = resolved
        versions = {name: pin.version for name, pin in read_requirements(resolved, "uv's resolution", {})[0].items()}
        widened = tuple(Moved(*moved) for moved in saved["widened"])
        is_new = overrides == {name: change.new for name, change in self.changes.items()}
        environment = Environment(digest(resolved, self.settings.python_version), asked, resolved, versions, widened,
                                  saved["why"], is_new)  # fmt: skip
        self.counts.environments.add(environment.key)
        return environment

    def _resolve(self, pins: dict[str, Pin], exact: str, preferences: str, overrides: Mapping[str, str | None],
                 key: str) -> dict[str, Any]:  # fmt: skip
        what = _describe(overrides)
        folder = self.settings.cache / "resolutions" / key
        self.counts.resolved += 1
        try:
            return {"resolved": self._clean(resolve(exact, self.settings.python, folder, self.settings.log, what,
                                                    preferences)), "widened": [], "why": ""}  # fmt: skip
        except BuildError as error:
            if not overrides or all(name in overrides for name in self.changes):
                raise  # OLD or NEW itself: nothing to widen with
            why = str(error).split(" cannot be resolved: ", 1)[-1]
        free = {name for name in self.changes if name not in overrides}
        resolved = self._clean(resolve(self._requirements(pins, free), self.settings.python, folder, self.settings.log,
                                       f"{what}, widened", preferences))  # fmt: skip
        versions = {name: pin.version for name, pin in read_requirements(resolved, "uv's resolution", {})[0].items()}
        moved = [[name, self.changes[name].old, versions.get(name)] for name in sorted(free)
                 if versions.get(name) != self.changes[name].old]  # fmt: skip
        return {"resolved": resolved, "widened": moved, "why": why}

    def _pins(self, overrides: Mapping[str, str | None]) -> dict[str, Pin]:
        pins = dict(self.settings.old.pins)
        for name, version in overrides.items():
            if version is None:
                pins.pop(name, None)
            else:
                known = self.settings.new.pins.get(name) or self.settings.old.pins.get(name)
                pins[name] = Pin(name, version, known.extras if known else ())
        return pins

    def _requirements(self, pins: dict[str, Pin], free: set[str]) -> str:
        """regcheck from this checkout, then one line per pin; a ``free`` package within its two versions."""
        lines = [f"-e {self.settings.source}[bench]"]
        for name, pin in sorted(pins.items()):
            change = self.changes.get(name)
            if name in free and change is not None:
                if change.old is not None and change.new is not None:
                    low, high = sorted((change.old, change.new), key=Version)
                    lines.append(f"{pin.requirement().split('==')[0]}>={low},<={high}")
                else:
                    lines.append(pin.requirement().split("==")[0])  # NEW drops it: OLD's version preferred, or gone
            else:
                lines.append(pin.requirement())
        return "\n".join(lines) + "\n"

    @staticmethod
    def _clean(resolved: str) -> str:
        kept = [line.rstrip() for line in resolved.splitlines() if line.strip() and not line.lstrip().startswith("#")]
        return "\n".join(kept) + "\n"

    def build(self, environment: Environment) -> Path:
        folder = self.settings.cache / "envs" / environment.key
        if not (folder / COMPLETE_MARKER).is_file():
            requirements = self.settings.cache / "resolved" / f"{environment.key}.txt"
            write_text_atomically(requirements, environment.resolved)
            started = time.perf_counter()
            create_environment(folder, self.settings.python, [str(requirements)], self.settings.log,
                               _describe(dict(environment.overrides)), sync=True)  # fmt: skip
            self.counts.built += 1
            self.say(f"  built {environment.label} ({len(environment.versions)} packages, "
                     f"{time.perf_counter() - started:.0f} s)")  # fmt: skip
        return interpreter_in(folder)

    # --- runs ---

    def result(self, environment: Environment, name: str) -> Column:
        """The study's run in ``environment`` as a column named ``name``."""
        key = digest(environment.key, self.settings.source_code, *self.settings.run_options)
        target = self.settings.cache / "runs" / f"{environment.key}-{key}.json"
        if not target.is_file():
            python = self.build(environment)
            run_study(python, target, self.settings.run_options, self.settings.log, environment.label)
            self.counts.runs += 1
        column = load_release_run(target, name)
        # A run file lists its configurations as the worker pool finished them: put them in the study's order.
        rank = {config_id: position for position, config_id in enumerate(self.settings.order)}
        ordered = sorted(column.models, key=lambda config_id: (rank.get(config_id, len(rank)), config_id))
        column.models = {config_id: column.models[config_id] for config_id in ordered}
        return column

    def timing_file(self, environment: Environment, number: int, pair: str) -> Path:
        key = digest(environment.key, pair, self.settings.source_code, *self.settings.bench)
        return self.settings.cache / "timings" / f"{environment.key}-{key}-{number}.json"

    def timing_round(self, environment: Environment, number: int, pair: str) -> BenchmarkRun:
        """Round ``number`` of the bench suite in ``environment``, one of the two environments ``pair`` names.

        The pair is part of the key: a round is only ever judged against the rounds interleaved with it,
        never against a cached one of another session (OLD's rounds kept while a new NEW is timed alone).
        """
        from regcheck.files.benchmark import read_benchmark

        target = self.timing_file(environment, number, pair)
        if not target.is_file():
            python = self.build(environment)
            with made_alone(target, f"timing round {number + 1} with {environment.label}", TIMING_SECONDS):
                if not target.is_file():  # else the command we waited for took it
                    self._time_round(python, target, environment, number)
        return read_benchmark(target)

    def _time_round(self, python: Path, target: Path, environment: Environment, number: int) -> None:
        partial = target.with_suffix(".partial.json")
        command = [str(python), "-m", "pytest", *self.settings.bench, "--benchmark-json", str(partial)]
        code = run_logged(command, self.settings.log, TIMING_SECONDS, cwd=self.settings.source, env=run_environment())
        if code != 0 or not partial.is_file():
            raise BuildError(f"timing round {number + 1} with {environment.label} failed (exit {code}): "
                             f"{failure_reason(self.settings.log)} (log: {self.settings.log})")  # fmt: skip
        partial.replace(target)
        self.counts.rounds += 1


def _describe(overrides: Mapping[str, str | None]) -> str:
    if not overrides:
        return "OLD's pins"
    shown = ", ".join(f"{name}=={version}" if version else f"no {name}" for name, version in sorted(overrides.items()))
    return f"OLD's pins with {shown}"


# --- which change did it -------------------------------------------------------------------------


@dataclass
class Trial:
    changes: tuple[Change, ...]
    outcome: Outcome
    environment: Environment | None
    detail: str = ""  # the mark against OLD and NEW, or why it could not be made


@dataclass
class Culprit:
    change: Change
    releases: list[Version] = field(default_factory=list)
    result: BisectResult | None = None
    note: str = ""  # why it was not bisected, or what the search skipped


@dataclass
class Finding:
    """The smallest set of changes that moves the result, and each one's first release that does."""

    search: Search[Change]
    trials: list[Trial]
    culprits: list[Culprit]


def find_changes(upgrade: Upgrade, old: Column, new: Column, say: Callable[[str], None]) -> tuple[Search[Change], list[Trial]]:
    """Delta debugging over the changed packages; a trial is SAME as OLD, MOVED as NEW, or neither."""
    trials: list[Trial] = []

    def test(subset: tuple[Change, ...]) -> Outcome:
        shown = ", ".join(str(change) for change in subset)
        overrides = {change.name: change.new for change in subset}
        try:
            environment = upgrade.environment(overrides)
            column = upgrade.result(environment, "trial")
        except BuildError as error:
            trials.append(Trial(subset, Outcome.UNRESOLVED, None, str(error)))
            say(f"  trial {len(trials)}: {shown}: cannot be made ({error})")
            return Outcome.UNRESOLVED
        against_old, against_new = compare(old, column), compare(new, column)
        if not against_old.differs:
            outcome, detail = Outcome.SAME, "OLD's result"
        elif not against_new.differs:
            outcome, detail = Outcome.MOVED, f"NEW's result, {against_old.mark} against OLD"
        else:
            outcome, detail = Outcome.UNRESOLVED, f"neither: {against_old.mark} against OLD, {against_new.mark} against NEW"
        trials.append(Trial(subset, outcome, environment, detail))
        widened = f"; widened: {', '.join(map(str, environment.widened))}" if environment.widened else ""
        say(f"  trial {len(trials)}: {shown}: {detail}{widened}")
        return outcome

    return ddmin(list(upgrade.changes.values()), test), trials


def bisect_culprit(upgrade: Upgrade, change: Change, others: Mapping[str, str | None],
                   available: Sequence[str], say: Callable[[str], None]) -> Culprit:  # fmt: skip
    """``regcheck bisect``'s search over ``change``'s releases, the rest of the smallest set at NEW's versions."""
    from regcheck.matrix.bisect import releases_between

    culprit = Culprit(change)
    if change.old is None or change.new is None:
        culprit.note = "added by NEW: no releases to search" if change.old is None else "removed by NEW: no releases to search"
        return culprit
    old, new = Version(change.old), Version(change.new)
    releases = releases_between(available, min(old, new), max(old, new))
    culprit.releases = releases if old < new else releases[::-1]  # a downgrade searches downwards from OLD's

    def run(version: Version) -> Column:
        pinned = change.old if version == old else change.new if version == new else str(version)
        try:
            environment = upgrade.environment({**others, change.name: pinned})
            return upgrade.result(environment, f"{change.name} {version}")
        except BuildError as error:
            raise BisectError(str(error)) from None

    def report(step: Step) -> None:
        say(f"  {change.name} {step.version}: {step.outcome}" + (f" ({step.detail})" if step.detail else ""))

    culprit.result = bisect(culprit.releases, run, report)
    return culprit
