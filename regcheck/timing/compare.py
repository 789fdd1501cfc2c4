"""Saved pytest-benchmark runs compared: the slowdown rule, and each case joined with its run's results.

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

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from regcheck.files.benchmark import BenchmarkRun, Timing, flatten
from regcheck.timing.units import format_seconds

MIN_ROUNDS = 3


@dataclass(frozen=True)
class Change:
    """How a candidate run's case compares with the reference run's."""

    status: str  # reference | unchecked | ok | slower | faster | overlap | unjudged | absent | new
    ratio: float | None
    note: str = ""

    @property
    def failed(self) -> bool:
        return self.status == "slower"


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
    flat = [flatten(run.machine) for run in runs]
    keys = sorted({key for one in flat for key in one})
    lines = []
    for key in keys:
        values = [one.get(key, "-") for one in flat]
        if len(set(values)) > 1:
            lines.append(f"{key}: {' | '.join(values)}")
    return lines


def result_for(run: BenchmarkRun, timing: Timing) -> str:
    """The accuracy side of a case: from ``--results`` where given, else what the benchmark stored."""
    extra = dict(timing.extra_info)
    if extra.get("phase") == "grid":
        return _grid_result(extra, run.results)
    config_id = extra.get("config_id")
    if run.results is not None and config_id in run.results:
        extra.update(run.results[config_id])
    return _one_result(extra)


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
            found.setdefault("values", []).append(metric_value(metric, record.view()))
    return results


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
