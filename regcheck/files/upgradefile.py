"""The upgrade report file (``regcheck upgrade --json``): its kind and schema, its writer, its reader and view.

``UpgradeData`` is everything the upgrade's renderings show (console text, Markdown, the pull
request's comment) and nothing they compute: ``regcheck.upgrade.report`` makes one from a finished
upgrade and renders only from it, so a report read back renders exactly as it did when it was
made (``regcheck upgrade --from FILE``). The reader is strict, as the run file's is: the kind and
schema first, then every field, and the first fault is one line naming the file, the field, what
was expected and what was found. The figures the file adds for its own readers (``moved``,
``slower``, ``exit_code``) must agree with the rest.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from regcheck.errors import UsageError
from regcheck.files.jsonio import is_integer, parse_json, read_regular_file
from regcheck.files.times import now_utc
from regcheck.timing.compare import Change as TimeChange
from regcheck.upgrade.locks import Change

UPGRADE_KIND = "regcheck.upgrade"
# 1: the first writer's summary, which could not be rendered again; 2: everything the renderings show.
UPGRADE_SCHEMA_VERSION = 2
HOW_TO_WRITE = "regcheck upgrade OLD NEW --json FILE"
MAX_BYTES = 64 * 1024 * 1024
SIDES = ("old", "new")
MARKS = ("identical", "last-bits", "values", "labels", "no-reference")
OUTCOMES = ("same", "moved", "unresolved")
STEP_OUTCOMES = ("good", "differs", "skipped")
TIME_STATUSES = ("reference", "unchecked", "ok", "slower", "faster", "overlap", "unjudged", "absent", "new")
PHASES = ("fit", "predict")


@dataclass(frozen=True)
class Side:
    """OLD or NEW: the lock read, and the environment it resolved to."""

    side: str  # old | new
    lock: str  # the lock file as given
    lock_kind: str  # requirements | pylock.toml | uv.lock
    pins: int
    left_out: tuple[str, ...]  # what the lock holds that is not compared (a URL, an editable)
    environment: str  # its key in the cache
    packages: int  # the packages uv resolved


@dataclass(frozen=True)
class Result:
    n_correct: tuple[int | None, ...]  # per seed
    n_test: int | None


@dataclass(frozen=True)
class Verdict:
    status: str | None
    rule: str | None


@dataclass(frozen=True)
class Configuration:
    """One configuration's result before (OLD) and after (NEW), and the ladder's mark between them."""

    config_id: str
    mark: str
    first_difference: str | None  # where it first differs, described (regcheck.matrix.text.describe_field)
    largest_abs_difference: Mapping[str, float | None]
    before: Result | None
    after: Result
    verdict_before: Verdict | None
    verdict_after: Verdict | None


@dataclass(frozen=True)
class Figure:
    """A timed case in one environment: median and interquartile range of its pooled rounds (seconds)."""

    median: float
    iqr: float
    rounds: int


@dataclass(frozen=True)
class Timed:
    where: str  # the configuration (or case) timed
    phase: str
    before: Figure | None
    after: Figure | None
    change: TimeChange | None


@dataclass(frozen=True)
class Trial:
    changes: tuple[str, ...]  # the packages at NEW's version
    outcome: str  # same | moved | unresolved
    detail: str
    widened: tuple[str, ...] = ()  # the other changes uv had to move, and why
    why: str = ""


@dataclass(frozen=True)
class Step:
    version: str
    outcome: str  # good | differs | skipped
    detail: str = ""


@dataclass(frozen=True)
class Bisection:
    """A culprit's releases searched, and where its result first moved (with the rest of the set at NEW's)."""

    releases: tuple[str, ...]
    steps: tuple[Step, ...]
    first_differing: str | None = None
    last_same: str | None = None
    mark: str | None = None  # first_differing's run against last_same's
    configurations: int = 0
    moved: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    largest_abs_difference: Mapping[str, float | None] = field(default_factory=dict)
    where: tuple[str, ...] = ()  # one line per configuration that differs (regcheck.matrix.text.difference_lines)


@dataclass(frozen=True)
class Culprit:
    change: Change
    note: str = ""  # why it was not bisected
    bisection: Bisection | None = None


@dataclass(frozen=True)
class UpgradeData:
    """What one ``regcheck upgrade`` found, as its renderings show it."""

    command: str
    changes: tuple[Change, ...]
    sides: tuple[Side, ...]  # none where nothing differs (no environment was made)
    compared: bool  # OLD's and NEW's runs were compared (False: the locks pin the same versions)
    configurations: tuple[Configuration, ...] = ()
    timings: tuple[Timed, ...] = ()
    rounds: int = 0
    factor: float = 1.0
    fail_slower: bool = False
    timing_note: str = ""
    searched: bool = False  # delta debugging ran (a result moved, and --no-search was not given)
    trials: tuple[Trial, ...] = ()
    smallest: tuple[Change, ...] = ()
    culprits: tuple[Culprit, ...] = ()
    environments: int = 0  # every environment used, cached or not
    built: int = 0  # ... built by this command
    runs: int = 0
    timing_rounds: int = 0
    seconds: float = 0.0
    created: str = ""

    @property
    def moved(self) -> list[str]:
        return [entry.config_id for entry in self.configurations if entry.mark != "identical"]

    @property
    def slower(self) -> list[str]:
        """The cases NEW is slower in beyond the noise (by more than the factor, where --fail-slower gave one)."""
        return [f"{entry.where} {entry.phase}" for entry in self.timings if entry.change and entry.change.failed]

    @property
    def exit_code(self) -> int:
        return 1 if self.moved or (self.fail_slower and self.slower) else 0

    def timing(self, where: str, phase: str) -> Timed | None:
        return next((entry for entry in self.timings if (entry.where, entry.phase) == (where, phase)), None)


# --- writing ---------------------------------------------------------------------------------------


def finite(value: float | None) -> float | None:
    """A size as the file holds it: JSON has no NaN or infinity, and the reader refuses them."""
    return value if value is None or math.isfinite(value) else None


def upgrade_document(data: UpgradeData) -> dict[str, Any]:
    """The file's document: kind and schema, every field of ``data``, and the figures its readers want first."""
    fields = asdict(data)
    fields["created"] = data.created or now_utc()
    return {
        "schema_version": UPGRADE_SCHEMA_VERSION, "kind": UPGRADE_KIND, **fields,
        "moved": data.moved, "slower": data.slower, "exit_code": data.exit_code,
    }  # fmt: skip


def upgrade_text(data: UpgradeData) -> str:
    # ASCII: a lock's path with an undecodable byte (a lone surrogate) is escaped, never a failed write.
    return json.dumps(upgrade_document(data), indent=1, allow_nan=False) + "\n"


# --- reading ---------------------------------------------------------------------------------------


def read_upgrade(path: Path, option: str = "--from") -> UpgradeData:
    """An upgrade report file, checked field by field; a fault is one ``UsageError`` line."""
    where = f"{option} {path}"
    raw = read_regular_file(path, UsageError, MAX_BYTES, f"an upgrade report ({HOW_TO_WRITE})", name=where)
    document = parse_json(raw, where, UsageError)
    if not isinstance(document, dict):
        raise UsageError(f"{where}: expected a JSON object written by '{HOW_TO_WRITE}'")
    if document.get("kind") != UPGRADE_KIND:
        raise UsageError(f"{where}: kind is {_shown(document.get('kind'))}, expected {UPGRADE_KIND!r} ({HOW_TO_WRITE})")
    version = document.get("schema_version")
    if not is_integer(version) or version != UPGRADE_SCHEMA_VERSION:
        raise UsageError(f"{where}: schema_version is {_shown(version)}, expected {UPGRADE_SCHEMA_VERSION}"
                         + (" (a report of an older regcheck, which cannot be rendered again: rerun the upgrade)"
                            if version == 1 else ""))  # fmt: skip
    return upgrade_from_document(document, where)


T = TypeVar("T")


class _Reader:
    """Checks whose failures read ``<where>: field <name>: expected <what>, found <value>``."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, at: str, expected: str, found: Any) -> NoReturn:
        raise UsageError(f"{self.where}: field {at}: expected {expected}, found {_shown(found)}")

    def object(self, raw: Any, at: str, keys: Sequence[str], optional: Sequence[str] = ()) -> dict[str, Any]:
        """An object of exactly ``keys`` (``optional`` may be left out)."""
        if not isinstance(raw, dict):
            self.fail(at, "an object", raw)
        for key in keys:
            if key not in raw and key not in optional:
                raise UsageError(f"{self.where}: missing field {_join(at, key)}; expected it in an upgrade report")
        unknown = sorted(set(raw) - set(keys))
        if unknown:
            raise UsageError(f"{self.where}: unknown field {_join(at, unknown[0])}; expected only {', '.join(keys)}")
        return raw

    def text(self, raw: Any, at: str) -> str:
        if not isinstance(raw, str):
            self.fail(at, "text", raw)
        return raw

    def maybe_text(self, raw: Any, at: str) -> str | None:
        return None if raw is None else self.text(raw, at)

    def choice(self, raw: Any, at: str, choices: Sequence[str]) -> str:
        if raw not in choices:
            self.fail(at, f"one of {', '.join(choices)}", raw)
        return str(raw)

    def flag(self, raw: Any, at: str) -> bool:
        if not isinstance(raw, bool):
            self.fail(at, "true or false", raw)
        return raw

    def count(self, raw: Any, at: str) -> int:
        if not is_integer(raw) or raw < 0:
            self.fail(at, "a whole number from 0", raw)
        return int(raw)

    def maybe_count(self, raw: Any, at: str) -> int | None:
        return None if raw is None else self.count(raw, at)

    def number(self, raw: Any, at: str, low: float = 0.0) -> float:
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw) or raw < low:
            self.fail(at, f"a number from {low:g}", raw)
        return float(raw)

    def maybe_number(self, raw: Any, at: str) -> float | None:
        return None if raw is None else self.number(raw, at)

    def items(self, raw: Any, at: str, read: Callable[[Any, str], T]) -> tuple[T, ...]:
        if not isinstance(raw, list):
            self.fail(at, "a list", raw)
        return tuple(read(item, f"{at}[{index}]") for index, item in enumerate(raw))

    def texts(self, raw: Any, at: str) -> tuple[str, ...]:
        return self.items(raw, at, self.text)

    def sizes(self, raw: Any, at: str) -> dict[str, float | None]:
        if not isinstance(raw, dict):
            self.fail(at, "an object of field names and sizes", raw)
        return {name: self.maybe_number(value, _join(at, name)) for name, value in raw.items()}

    def maybe(self, raw: Any, at: str, read: Callable[[Any, str], T]) -> T | None:
        return None if raw is None else read(raw, at)

    # --- the parts ---

    def change(self, raw: Any, at: str) -> Change:
        entry = self.object(raw, at, ("name", "old", "new"))
        change = Change(self.text(entry["name"], f"{at}.name"), self.maybe_text(entry["old"], f"{at}.old"),
                        self.maybe_text(entry["new"], f"{at}.new"))  # fmt: skip
        if change.old is None and change.new is None:
            self.fail(f"{at}.old", "a version where new is null", None)
        return change

    def side(self, raw: Any, at: str) -> Side:
        entry = self.object(raw, at, ("side", "lock", "lock_kind", "pins", "left_out", "environment", "packages"))
        return Side(self.choice(entry["side"], f"{at}.side", SIDES), self.text(entry["lock"], f"{at}.lock"),
                    self.text(entry["lock_kind"], f"{at}.lock_kind"), self.count(entry["pins"], f"{at}.pins"),
                    self.texts(entry["left_out"], f"{at}.left_out"), self.text(entry["environment"], f"{at}.environment"),
                    self.count(entry["packages"], f"{at}.packages"))  # fmt: skip

    def result(self, raw: Any, at: str) -> Result:
        entry = self.object(raw, at, ("n_correct", "n_test"))
        return Result(self.items(entry["n_correct"], f"{at}.n_correct", self.maybe_count),
                      self.maybe_count(entry["n_test"], f"{at}.n_test"))  # fmt: skip

    def verdict(self, raw: Any, at: str) -> Verdict:
        entry = self.object(raw, at, ("status", "rule"))
        return Verdict(self.maybe_text(entry["status"], f"{at}.status"), self.maybe_text(entry["rule"], f"{at}.rule"))

    def configuration(self, raw: Any, at: str) -> Configuration:
        keys = ("config_id", "mark", "first_difference", "largest_abs_difference", "before", "after", "verdict_before",
                "verdict_after")  # fmt: skip
        entry = self.object(raw, at, keys)
        return Configuration(
            self.text(entry["config_id"], f"{at}.config_id"), self.choice(entry["mark"], f"{at}.mark", MARKS),
            self.maybe_text(entry["first_difference"], f"{at}.first_difference"),
            self.sizes(entry["largest_abs_difference"], f"{at}.largest_abs_difference"),
            self.maybe(entry["before"], f"{at}.before", self.result), self.result(entry["after"], f"{at}.after"),
            self.maybe(entry["verdict_before"], f"{at}.verdict_before", self.verdict),
            self.maybe(entry["verdict_after"], f"{at}.verdict_after", self.verdict),
        )  # fmt: skip

    def figure(self, raw: Any, at: str) -> Figure:
        entry = self.object(raw, at, ("median", "iqr", "rounds"))
        return Figure(self.number(entry["median"], f"{at}.median"), self.number(entry["iqr"], f"{at}.iqr"),
                      self.count(entry["rounds"], f"{at}.rounds"))  # fmt: skip

    def time_change(self, raw: Any, at: str) -> TimeChange:
        entry = self.object(raw, at, ("status", "ratio", "note"))
        return TimeChange(self.choice(entry["status"], f"{at}.status", TIME_STATUSES),
                          self.maybe_number(entry["ratio"], f"{at}.ratio"), self.text(entry["note"], f"{at}.note"))  # fmt: skip

    def timed(self, raw: Any, at: str) -> Timed:
        entry = self.object(raw, at, ("where", "phase", "before", "after", "change"))
        return Timed(self.text(entry["where"], f"{at}.where"), self.text(entry["phase"], f"{at}.phase"),
                     self.maybe(entry["before"], f"{at}.before", self.figure),
                     self.maybe(entry["after"], f"{at}.after", self.figure),
                     self.maybe(entry["change"], f"{at}.change", self.time_change))  # fmt: skip

    def trial(self, raw: Any, at: str) -> Trial:
        entry = self.object(raw, at, ("changes", "outcome", "detail", "widened", "why"))
        return Trial(self.texts(entry["changes"], f"{at}.changes"), self.choice(entry["outcome"], f"{at}.outcome", OUTCOMES),
                     self.text(entry["detail"], f"{at}.detail"), self.texts(entry["widened"], f"{at}.widened"),
                     self.text(entry["why"], f"{at}.why"))  # fmt: skip

    def step(self, raw: Any, at: str) -> Step:
        entry = self.object(raw, at, ("version", "outcome", "detail"))
        outcome = self.choice(entry["outcome"], f"{at}.outcome", STEP_OUTCOMES)
        return Step(self.text(entry["version"], f"{at}.version"), outcome, self.text(entry["detail"], f"{at}.detail"))

    def bisection(self, raw: Any, at: str) -> Bisection:
        keys = ("releases", "steps", "first_differing", "last_same", "mark", "configurations", "moved", "fields",
                "largest_abs_difference", "where")  # fmt: skip
        entry = self.object(raw, at, keys)
        mark = entry["mark"]
        return Bisection(
            self.texts(entry["releases"], f"{at}.releases"), self.items(entry["steps"], f"{at}.steps", self.step),
            self.maybe_text(entry["first_differing"], f"{at}.first_differing"),
            self.maybe_text(entry["last_same"], f"{at}.last_same"),
            None if mark is None else self.choice(mark, f"{at}.mark", MARKS),
            self.count(entry["configurations"], f"{at}.configurations"), self.texts(entry["moved"], f"{at}.moved"),
            self.texts(entry["fields"], f"{at}.fields"),
            self.sizes(entry["largest_abs_difference"], f"{at}.largest_abs_difference"),
            self.texts(entry["where"], f"{at}.where"),
        )  # fmt: skip

    def culprit(self, raw: Any, at: str) -> Culprit:
        entry = self.object(raw, at, ("change", "note", "bisection"))
        return Culprit(self.change(entry["change"], f"{at}.change"), self.text(entry["note"], f"{at}.note"),
                       self.maybe(entry["bisection"], f"{at}.bisection", self.bisection))  # fmt: skip


_TOP = ("schema_version", "kind", "created", "command", "changes", "sides", "compared", "configurations", "timings",
        "rounds", "factor", "fail_slower", "timing_note", "searched", "trials", "smallest", "culprits", "environments",
        "built", "runs", "timing_rounds", "seconds", "moved", "slower", "exit_code")  # fmt: skip


def upgrade_from_document(document: Mapping[str, Any], where: str) -> UpgradeData:
    """The checked view of an upgrade report document."""
    read = _Reader(where)
    raw = read.object(dict(document), "", _TOP)
    data = UpgradeData(
        command=read.text(raw["command"], "command"),
        changes=read.items(raw["changes"], "changes", read.change),
        sides=read.items(raw["sides"], "sides", read.side),
        compared=read.flag(raw["compared"], "compared"),
        configurations=read.items(raw["configurations"], "configurations", read.configuration),
        timings=read.items(raw["timings"], "timings", read.timed),
        rounds=read.count(raw["rounds"], "rounds"),
        factor=read.number(raw["factor"], "factor", low=1.0),
        fail_slower=read.flag(raw["fail_slower"], "fail_slower"),
        timing_note=read.text(raw["timing_note"], "timing_note"),
        searched=read.flag(raw["searched"], "searched"),
        trials=read.items(raw["trials"], "trials", read.trial),
        smallest=read.items(raw["smallest"], "smallest", read.change),
        culprits=read.items(raw["culprits"], "culprits", read.culprit),
        environments=read.count(raw["environments"], "environments"),
        built=read.count(raw["built"], "built"),
        runs=read.count(raw["runs"], "runs"),
        timing_rounds=read.count(raw["timing_rounds"], "timing_rounds"),
        seconds=read.number(raw["seconds"], "seconds"),
        created=read.text(raw["created"], "created"),
    )
    sides = [side.side for side in data.sides]
    if sides not in ([], list(SIDES)):
        read.fail("sides", "none, or old then new", sides)
    for name, found in (("moved", data.moved), ("slower", data.slower), ("exit_code", data.exit_code)):
        if raw[name] != found:  # what the file says first must be what the rest of it says
            read.fail(name, f"{_shown(found)}, as the rest of the report says", raw[name])
    return data


def _join(at: str, key: str) -> str:
    return f"{at}.{key}" if at else key


def _shown(found: Any) -> str:
    try:
        shown = json.dumps(found, ensure_ascii=True)
    except (TypeError, ValueError):
        shown = repr(found)
    return shown if len(shown) <= 60 else f"{shown[:57]}..."
