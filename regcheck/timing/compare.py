"""Saved pytest-benchmark runs: loading, joining with accuracy results, and the slowdown rule.

The slowdown rule (``judge_change``) never compares one sample with one sample. A case is
called slower by more than ``factor`` only when both hold:

1. the ratio of medians (candidate / reference) exceeds ``factor``, and
2. the candidate's lower quartile exceeds ``factor`` times the reference's upper quartile.

Condition 2 says that three quarters of the candidate's rounds are slower than three quarters
of the reference's rounds by the whole factor, so one stray round (a GC pause, a page fault,
a neighbour's burst on a shared 2-core machine) can neither produce a failure nor hide one,
and a run whose rounds spread wide must move further before it fails. It needs quartiles,
so each run must have at least ``MIN_ROUNDS`` rounds of the case; a case with fewer is shown
as ``unjudged`` rather than decided on single samples. Speed-ups are judged the same way,
mirrored, and never fail.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from regcheck.errors import UsageError

MIN_ROUNDS = 3
_STAT_FIELDS = ("median", "q1", "q3", "iqr", "min", "max")
# py-cpuinfo's clock reading changes from run to run on the same machine; it says nothing.
_NOISY_MACHINE_KEYS = frozenset({"cpu.hz_actual", "cpu.hz_actual_friendly"})
_HOW_TO_SAVE = "expected a pytest-benchmark JSON (pytest bench/ --benchmark-json PATH or --benchmark-save NAME)"


@dataclass(frozen=True)
class Timing:
    """One benchmark case of one saved run; times in seconds per call."""

    case: str
    group: str
    median: float
    q1: float
    q3: float
    iqr: float
    min: float
    max: float
    rounds: int
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class BenchmarkRun:
    """One saved run: its cases by name, its machine_info, and verdicts joined from a results file."""

    path: Path
    timings: dict[str, Timing]
    machine: dict[str, Any]
    commit: dict[str, Any] = field(default_factory=dict)
    when: str = ""
    # From --results: config_id -> {"verdict", "rule", "n_correct_seeds", "n_test"}.
    results: dict[str, dict[str, Any]] | None = None

    def result_for(self, timing: Timing) -> str:
        """The accuracy side of a case: from ``--results`` where given, else what the benchmark stored."""
        extra = timing.extra
        if extra.get("phase") == "grid":
            return _grid_result(extra, self.results)
        config_id = extra.get("config_id")
        found = dict(extra)
        if self.results is not None and config_id in self.results:
            found.update(self.results[config_id])
        return _one_result(found)


@dataclass(frozen=True)
class Change:
    """How a candidate run's case compares with the reference run's."""

    status: str  # reference | unchecked | ok | slower | faster | overlap | unjudged | absent | new
    ratio: float | None
    note: str = ""

    @property
    def failed(self) -> bool:
        return self.status == "slower"


def load_run(path: Path) -> BenchmarkRun:
    document = _read_json(path)
    if isinstance(document, dict) and document.get("kind") == "regcheck.run":
        raise UsageError(f"{path}: is a 'regcheck run --json' file; pass it with --results, after the benchmark run")
    benchmarks = document.get("benchmarks") if isinstance(document, dict) else None
    if not isinstance(benchmarks, list):
        raise UsageError(f"{path}: no 'benchmarks' list; {_HOW_TO_SAVE}")
    if not benchmarks:
        raise UsageError(f"{path}: holds no benchmarks (was every case skipped or deselected?)")
    for name in ("machine_info", "commit_info"):
        if document.get(name) is not None and not isinstance(document[name], dict):
            raise UsageError(f"{path}: {name} is {document[name]!r:.60}; expected an object; {_HOW_TO_SAVE}")
    timings: dict[str, Timing] = {}
    names: set[str] = set()
    for index, entry in enumerate(benchmarks):
        timing = _parse_timing(entry, f"{path}: benchmarks[{index}]")
        if entry["name"] in names:  # pytest-benchmark names each test once per run
            raise UsageError(f"{path}: benchmarks[{index}]: the name {entry['name']!r} appears twice; expected each once")
        names.add(entry["name"])
        if timing.case in timings:
            raise UsageError(f"{path}: case {timing.case!r} appears twice; expected one entry per case")
        timings[timing.case] = timing
    when = document.get("datetime")
    return BenchmarkRun(path, timings, as_dict(document.get("machine_info")), as_dict(document.get("commit_info")),
                        when if isinstance(when, str) else "")  # fmt: skip


def load_results(path: Path) -> dict[str, dict[str, Any]]:
    """Verdicts and each seed's headline result per configuration, from a ``regcheck run --json`` file."""
    from regcheck.files.runfile import read_run
    from regcheck.results.metrics import metric_value

    run = read_run(path, name=f"--results {path}")
    results: dict[str, dict[str, Any]] = {}
    for verdict in run.verdicts:
        results[verdict.config_id] = {"verdict": verdict.status, "rule": verdict.tier}
    for record in run.records:
        if record.config_id not in results:
            continue
        found = results[record.config_id]
        found["n_test"] = record.n_test
        if record.n_correct is not None:  # several seeds of one configuration: every count, in seed order
            found.setdefault("n_correct_seeds", []).append(record.n_correct)
        else:  # a regression record: its first headline metric
            metric = run.info(record.model).metrics[0]
            found.setdefault("metric", metric)
            found.setdefault("values", []).append(metric_value(metric, record.to_dict()))
    return results


def judge_change(reference: Timing, candidate: Timing, factor: float) -> Change:
    """Apply the module's slowdown rule (see the module docstring for why it is noise-aware)."""
    ratio = candidate.median / reference.median
    fewest = min(reference.rounds, candidate.rounds)
    if fewest < MIN_ROUNDS:
        return Change("unjudged", ratio, f"{fewest} round(s); the rule needs {MIN_ROUNDS} in each run")
    if ratio > factor and candidate.q1 > factor * reference.q3:
        above = f"q1 {format_seconds(candidate.q1)} > {factor:g} x run 1's q3 {format_seconds(reference.q3)}"
        return Change("slower", ratio, above)
    if ratio > factor:
        return Change("overlap", ratio, f"medians x{ratio:.2f}, but q1 <= {factor:g} x run 1's q3: within the noise")
    if ratio < 1 / factor and candidate.q3 * factor < reference.q1:
        return Change("faster", ratio)
    return Change("ok", ratio)


def compare(runs: list[BenchmarkRun], factor: float | None) -> list[tuple[str, list[Change]]]:
    """Per case (in the first run's order, then any new ones), one Change per run against run 1."""
    cases = list(runs[0].timings)
    for run in runs[1:]:
        cases += [case for case in run.timings if case not in cases]
    table = []
    for case in cases:
        reference = runs[0].timings.get(case)
        changes = []
        for position, run in enumerate(runs):
            candidate = run.timings.get(case)
            if candidate is None:
                changes.append(Change("absent", None, "not in this run"))
            elif position == 0:
                changes.append(Change("reference", 1.0))
            elif reference is None:
                changes.append(Change("new", None, "not in run 1: no reference"))
            elif factor is None:
                changes.append(Change("unchecked", candidate.median / reference.median))
            else:
                changes.append(judge_change(reference, candidate, factor))
        table.append((case, changes))
    return table


def environment_differences(runs: list[BenchmarkRun]) -> list[str]:
    """``key: value1 | value2 ...`` for every machine_info leaf that is not the same in all runs."""
    flat = [_flatten(run.machine) for run in runs]
    keys = sorted({key for one in flat for key in one})
    lines = []
    for key in keys:
        values = [one.get(key, "-") for one in flat]
        if len(set(values)) > 1 and key not in _NOISY_MACHINE_KEYS:
            lines.append(f"{key}: {' | '.join(values)}")
    return lines


def format_seconds(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def _read_json(path: Path) -> Any:
    from regcheck.files.jsonio import LIMITS, parse_json, read_regular_file

    expected = "a pytest-benchmark JSON file (pytest bench/ --benchmark-json PATH or --benchmark-save NAME)"
    raw = read_regular_file(path, UsageError, LIMITS["benchmark"], expected)
    try:
        return parse_json(raw, str(path), _NotJson)
    except _NotJson as exc:
        # The parser's line already says what it expected; only a syntax error needs the how-to.
        raise UsageError(f"{exc}; {_HOW_TO_SAVE}" if "invalid JSON" in str(exc) else str(exc)) from None


class _NotJson(UsageError):
    """Unreadable JSON in a benchmark file; re-raised with how to save a good one."""


def _parse_timing(entry: Any, where: str) -> Timing:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise UsageError(f"{where}: no 'name'; {_HOW_TO_SAVE}")
    stats = entry.get("stats")
    if not isinstance(stats, dict):
        raise UsageError(f"{where} ({entry['name']}): no 'stats'; {_HOW_TO_SAVE}")
    values: dict[str, float] = {}
    for name in _STAT_FIELDS:
        value = stats.get(name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise UsageError(f"{where} ({entry['name']}): stats.{name} is {value!r}; expected seconds >= 0")
        values[name] = float(value)
    rounds = stats.get("rounds")
    if isinstance(rounds, bool) or not isinstance(rounds, int) or rounds < 1:
        raise UsageError(f"{where} ({entry['name']}): stats.rounds is {rounds!r}; expected a count >= 1")
    if values["median"] <= 0:
        raise UsageError(f"{where} ({entry['name']}): stats.median is 0; a ratio needs a positive time")
    order = [values[name] for name in ("min", "q1", "median", "q3", "max") if name in values]
    if order != sorted(order):  # what pytest-benchmark computes is ordered; anything else was edited
        raise UsageError(f"{where} ({entry['name']}): stats are not ordered min <= q1 <= median <= q3 <= max")
    raw_extra = entry.get("extra_info")
    if raw_extra is not None and not isinstance(raw_extra, dict):
        raise UsageError(f"{where} ({entry['name']}): extra_info is {raw_extra!r:.60}; expected an object")
    extra = as_dict(raw_extra)
    for key, (check, expected) in _EXTRA_TYPES.items():  # the fields regcheck's bench suite writes, and this module reads
        if extra.get(key) is not None and not check(extra[key]):  # null: not recorded
            raise UsageError(f"{where} ({entry['name']}): extra_info.{key} is {extra[key]!r:.60}; expected {expected}")
    case = extra.get("case")
    return Timing(case if isinstance(case, str) else entry["name"], str(entry.get("group") or ""), rounds=rounds,
                  extra=extra, **values)  # fmt: skip


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


_TEXT = (lambda value: isinstance(value, str), "text")
_EXTRA_TYPES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "case": _TEXT, "config_id": _TEXT, "phase": _TEXT, "model": _TEXT, "verdict": _TEXT,
    "verdicts": (lambda value: isinstance(value, dict) and all(isinstance(v, str) for v in value.values()),
                 "an object of verdicts (text)"),
    "n_correct": (lambda value: _count(value) or (isinstance(value, dict) and all(_count(v) for v in value.values())),
                  "an integer >= 0, or an object of them per configuration"),
    "n_test": (lambda value: _count(value) and value >= 1, "an integer >= 1"),
    "n_correct_seeds": (lambda value: isinstance(value, list) and all(_count(v) for v in value), "a list of integers >= 0"),
}  # fmt: skip


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _one_result(found: dict[str, Any]) -> str:
    counts = found.get("n_correct_seeds") or ([found["n_correct"]] if "n_correct" in found else [])
    n_test = found.get("n_test")
    parts = [str(found["verdict"])] if found.get("verdict") else []
    if counts and n_test:
        parts.append(" ".join(str(count) for count in counts) + f"/{n_test}")
    elif found.get("values"):
        parts.append(f"{found['metric']} " + " ".join("-" if v is None else f"{v:.4g}" for v in found["values"]))
    return " ".join(parts) or "-"


def _grid_result(extra: dict[str, Any], results: dict[str, dict[str, Any]] | None) -> str:
    verdicts: dict[str, Any] = dict(extra.get("verdicts") or {})
    if results is not None:
        model = extra.get("model")
        verdicts.update({cid: r.get("verdict") for cid, r in results.items() if str(cid).startswith(f"{model}-")})
    if not verdicts:
        counts_by_config = extra.get("n_correct")
        if isinstance(counts_by_config, dict) and counts_by_config:
            return "correct " + " ".join(str(count) for count in counts_by_config.values())
        return "-"
    counts: dict[str, int] = {}
    for status in verdicts.values():
        counts[str(status)] = counts.get(str(status), 0) + 1
    return ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))


def _flatten(tree: Any, prefix: str = "") -> dict[str, str]:
    if isinstance(tree, dict):
        flat: dict[str, str] = {}
        for key, value in tree.items():
            flat.update(_flatten(value, f"{prefix}{key}."))
        return flat
    if isinstance(tree, list):
        # threadpoolctl lists the same BLAS pools in load order, which differs between runs: compare as a set.
        return {prefix.rstrip("."): json.dumps(sorted(json.dumps(item, sort_keys=True) for item in tree))}
    return {prefix.rstrip("."): repr(tree) if tree == "" else str(tree)}
