"""Judging one configuration: which tier applies, and what it says.

* A model whose rule is ``exact`` is judged field by field, seed by seed, in every environment.
* A model whose rule is ``band`` is judged the same way where the run's profile equals the
  baseline's (the **exact tier**, on the model's ``exact_fields``), and by the band rule on its
  band statistics over seeds everywhere else (the **band tier**), or everywhere when the run
  asks for the band (``tier="band"``: ``--tier band``, ``--regcheck-tier band``).

The verdict names the tier, why it applied, and every field that moved.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from regcheck.engine.band import band_test, configuration_alpha, min_seeds, statistic_value
from regcheck.results.compare import FieldDifference, FlippedRow, compare_outcomes

if TYPE_CHECKING:
    from regcheck.engine.band import BandResult, Value
    from regcheck.engine.study import Configuration, Model
    from regcheck.files.baseline import Baseline, ProfileOutcomes
    from regcheck.results.record import ResultRecord


@dataclass
class Verdict:
    """The outcome of judging one configuration, and which rule decided it and why."""

    model: str
    config_id: str
    status: str  # held | moved | missing | error | updated
    rule: str  # exact | band | none
    reason: str
    differences: list[FieldDifference] = field(default_factory=list)
    flipped_rows: list[FlippedRow] = field(default_factory=list)
    detail: str = ""

    @property
    def failed(self) -> bool:
        return self.status in ("moved", "missing", "error")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def profile_text(profile: dict[str, Any]) -> str:
    return ", ".join(f"{key} {value}" for key, value in profile.items())


def profile_change(before: dict[str, Any], after: dict[str, Any]) -> str:
    keys = list(before) + [key for key in after if key not in before]
    changed = [key for key in keys if before.get(key) != after.get(key)]
    return "; ".join(f"{key} {before.get(key, '-')} -> {after.get(key, '-')}" for key in changed)


def run_profile(profile: dict[str, str], records: Sequence[ResultRecord]) -> dict[str, str]:
    """The model's profile, with the device the fit really ran on where the record says."""
    profile = dict(profile)
    device = records[0].extra.get("device") if records else None
    if device and "device" in profile:
        profile["device"] = str(device)
    return profile


TIERS = ("auto", "band")


def judge(
    model: Model, config: Configuration, records: Sequence[ResultRecord], baseline: Baseline | None,
    published: Sequence[FieldDifference] = (), tier: str = "auto", profile: dict[str, str] | None = None,
    configurations: int | None = None,
) -> Verdict:  # fmt: skip
    """The verdict of one configuration; ``published`` are the publication's contradictions, if any.

    ``tier="band"`` judges a ``band`` model by the band even where its profile matches a
    baseline's, against that profile's outcomes (the same environment's distribution).
    ``profile``: the model's profile in this run (asked once per run); ``configurations``: how many
    configurations the model has, which share the band's false-alarm level (None: asked of the model).
    """
    count = configurations if configurations is not None else len(model.configurations())
    if model.rule == "exact":
        verdict = _judge_exact_everywhere(model, config, records, baseline)
    elif baseline is None:
        verdict = Verdict(model.name, config.config_id, "missing", "none", "no baseline for this configuration")
    else:
        here = run_profile(profile if profile is not None else model.profile(), records)
        matching = baseline.outcomes_in(here)
        if matching is not None and tier == "band":
            reason = f"--tier band: the band against this profile's outcomes ({profile_text(here)})"
            verdict = band_tier(model, config, records, matching, reason, count)
        elif matching is not None:
            reason = f"profile matches baseline ({profile_text(here)})"
            verdict = exact_tier(model, config, records, matching, reason, model.exact_fields)
        else:
            verdict = band_tier(model, config, records, baseline.reference, _band_reason(baseline, here), count)
    if published:
        verdict.differences[:0] = list(published)
        if verdict.status in ("held", "missing"):
            verdict.status = "moved"
    return verdict


def _band_reason(baseline: Baseline, profile: dict[str, Any]) -> str:
    """Which profile the band compares with, and how this run's differs from it."""
    change = profile_change(baseline.reference.profile, profile)
    others = len(baseline.profiles) - 1
    held = f"; none of the baseline's {others + 1} profiles matches, the band uses the reference (the first)" if others else ""
    return f"profile differs: {change}{held}"


def _judge_exact_everywhere(
    model: Model, config: Configuration, records: Sequence[ResultRecord], baseline: Baseline | None
) -> Verdict:
    if baseline is None:
        return Verdict(model.name, config.config_id, "missing", "exact", model.exact_reason)
    return exact_tier(model, config, records, baseline.reference, model.exact_reason, None)


def exact_tier(
    model: Model, config: Configuration, records: Sequence[ResultRecord], baseline: ProfileOutcomes, reason: str,
    fields: tuple[str, ...] | None,
) -> Verdict:  # fmt: skip
    """Every seed against the baseline's same seed: ``fields`` of the outcome (all when ``None``)."""
    verdict = Verdict(model.name, config.config_id, "held", "exact", reason)
    missing = [record.seed for record in records if record.seed not in baseline.seeds]
    # A seeded model names the seed in every difference; a one-seed deterministic fit needs not.
    several = len(records) > 1 or model.rule == "band"
    for record in records:
        if record.seed in missing:
            continue
        compared = compare_outcomes(baseline.seeds[record.seed], record.view(), fields)
        differences = compared.differences()
        verdict.differences += [_for_seed(difference, record.seed) if several else difference for difference in differences]
        if differences:
            verdict.flipped_rows += compared.flipped
    if verdict.differences:
        verdict.status = "moved"
    elif missing:
        verdict.status = "missing"
        if baseline.seeds:
            verdict.detail = (f"no exact baseline for seed(s) {', '.join(map(str, missing))}; "
                              f"the baseline has seeds {', '.join(map(str, sorted(baseline.seeds)))}")  # fmt: skip
    return verdict


def band_tier(
    model: Model, config: Configuration, records: Sequence[ResultRecord], baseline: ProfileOutcomes, reason: str,
    configurations: int | None = None,
) -> Verdict:  # fmt: skip
    """The run's band statistics over its seeds against the baseline's, by the permutation test (``engine.band``).

    ``configurations``: the model's configurations, which share the false-alarm level. A statistic
    that is a number on one side and NaN or infinite on the other has moved, whatever the test says.
    """
    verdict = Verdict(model.name, config.config_id, "held", "band", reason)
    outcomes = [outcome for _, outcome in sorted(baseline.seeds.items())]
    fields = [record.view() for record in records]
    expected: dict[str, list[Value]] = {}
    obtained: dict[str, list[Value]] = {}
    absent = []
    for name in model.band_statistics:
        before = [statistic_value(name, outcome) for outcome in outcomes]
        after = [statistic_value(name, record) for record in fields]
        if None in before or None in after or not before:  # a baseline made before the statistic existed
            absent.append(name)
            continue
        broken = non_finite_change(name, before, after)  # type: ignore[arg-type]  # no None left
        if broken is not None:
            verdict.differences.append(broken)
            continue
        expected[name], obtained[name] = before, after  # type: ignore[assignment]  # no None left
    if verdict.differences:
        verdict.status = "moved"
        verdict.detail = "a band statistic became NaN or infinite"
        return verdict
    if not expected:
        verdict.status = "error"
        verdict.detail = f"no band statistic ({', '.join(model.band_statistics)}) on both sides; baseline or records lack it"
        return verdict
    alpha = configuration_alpha(configurations if configurations is not None else len(model.configurations()))
    needed = min_seeds(len(outcomes), alpha)
    if len(records) < needed:
        verdict.status = "error"
        verdict.detail = (f"the band tier needs at least {needed} seeds against the baseline's {len(outcomes)} to detect "
                          f"anything; got {len(records)} (run with --seeds 0-{max(needed, 5) - 1})")  # fmt: skip
        return verdict
    result = band_test(expected, obtained, alpha)
    verdict.detail = _band_detail(result, absent)
    if not result.holds:
        verdict.status = "moved"
        verdict.differences += [
            FieldDifference(f"{shift.name} over seeds", result.rule, shift.describe(shift.baseline),
                            shift.describe(shift.obtained), f"p = {shift.p_value:.2g}" + _largest(shift.largest))
            for shift in result.moved
        ]  # fmt: skip
    return verdict


def non_finite_change(name: str, before: Sequence[Value], after: Sequence[Value]) -> FieldDifference | None:
    """A statistic whose values are finite on one side and not on the other (NaN, infinity): moved, whatever the test."""

    def broken(values: Sequence[Value]) -> int:
        return sum(1 for value in values if not all(math.isfinite(v) for v in (value if isinstance(value, list) else [value])))

    was, now = broken(before), broken(after)
    if (was == 0) == (now == 0):
        return None
    change = "became NaN or infinite" if now else "became finite"
    finite_before, finite_after = (
        f"{len(before) - was} of {len(before)} seeds finite",
        f"{len(after) - now} of {len(after)} seeds finite",
    )
    return FieldDifference(f"{name} over seeds", "band: finite on both sides", finite_before, finite_after, change)


def _largest(row: str) -> str:
    return f"; most moved: {row}" if row else ""


def _band_detail(result: BandResult, absent: Sequence[str]) -> str:
    """``p = 0.4: n_correct mean 51.2 ... -> ...; loss ...``: every statistic, then what was left out."""
    parts = [f"p = {result.p_value:.4f} (level {result.alpha:.2g})"]
    parts += [f"{shift.name} {shift.describe(shift.baseline)} -> {shift.describe(shift.obtained)}" for shift in result.statistics]
    if absent:
        parts.append(f"not compared (absent from the baseline or the records): {', '.join(absent)}")
    return "; ".join(parts)


def _for_seed(difference: FieldDifference, seed: int) -> FieldDifference:
    return FieldDifference(f"seed {seed}: {difference.field}", difference.rule, difference.expected,
                           difference.obtained, difference.difference)  # fmt: skip
