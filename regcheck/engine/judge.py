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
from math import comb
from typing import TYPE_CHECKING, Any

from regcheck.engine.band import band_test, configuration_alpha, min_seeds, statistic_value
from regcheck.engine.band_scores import component_label
from regcheck.results.compare import FieldDifference, FlippedRow, compare_outcomes

if TYPE_CHECKING:
    from regcheck.engine.band import BandResult, StatisticShift, Value
    from regcheck.engine.sequential import SequentialPlan
    from regcheck.engine.study import Configuration, Model
    from regcheck.files.baseline import Baseline, ProfileOutcomes
    from regcheck.results.record import ResultRecord


@dataclass
class Verdict:
    """The outcome of judging one configuration, and which rule decided it and why."""

    model: str
    config_id: str
    status: str  # held | moved | missing | error | updated (and, inside a run, open: the sequential band wants more seeds)
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
    configurations: int | None = None, plan: SequentialPlan | None = None,
) -> Verdict:  # fmt: skip
    """The verdict of one configuration; ``published`` are the publication's contradictions, if any.

    ``tier="band"`` judges a ``band`` model by the band even where its profile matches a
    baseline's, against that profile's outcomes (the same environment's distribution).
    ``profile``: the model's profile in this run (asked once per run); ``configurations``: how many
    configurations the model has, which share the band's false-alarm level (None: asked of the model).
    ``plan``: the sequential band's (``regcheck.engine.sequential``) when the run's seeds are its
    looks; a band verdict may then be ``open``: the run fits the next look's seeds and asks again.
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
            verdict = band_tier(model, config, records, matching, reason, count, plan)
        elif matching is not None:
            reason = f"profile matches baseline ({profile_text(here)})"
            verdict = exact_tier(model, config, records, matching, reason, model.exact_fields)
        else:
            reference = band_reference(baseline, here)
            verdict = band_tier(model, config, records, reference, _band_reason(baseline, reference, here), count, plan)
    if published:
        verdict.differences[:0] = list(published)
        if verdict.status in ("held", "missing"):
            verdict.status = "moved"
    return verdict


def band_reference(baseline: Baseline, profile: dict[str, Any]) -> ProfileOutcomes:
    """The blessed profile the band compares a run in ``profile`` with, where none matches it.

    The closest (the fewest profile fields that differ: the fewest reasons for its outcomes to
    differ besides the change under test), then the one with the most seeds (the band's power
    grows with them, ``regcheck.engine.power``), then the first blessed.
    """
    wanted = {key: str(value) for key, value in profile.items()}

    def distance(entry: ProfileOutcomes) -> tuple[int, int]:
        held = {key: str(value) for key, value in entry.profile.items()}
        return sum(held.get(key) != wanted.get(key) for key in {*held, *wanted}), -len(entry.seeds)

    return min(baseline.profiles, key=distance)  # min keeps the first of equals


def _band_reason(baseline: Baseline, reference: ProfileOutcomes, profile: dict[str, Any]) -> str:
    """Which profile the band compares with, and how this run's differs from it."""
    change = profile_change(reference.profile, profile)
    count = len(baseline.profiles)
    if count == 1:
        return f"profile differs: {change}"
    which = (
        "the reference (the first)" if reference is baseline.reference else f"profile {baseline.profiles.index(reference) + 1}"
    )
    return (f"profile differs: {change}; none of the baseline's {count} profiles matches, the band uses the closest, "
            f"{which}, {len(reference.seeds)} seeds")  # fmt: skip


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
    configurations: int | None = None, plan: SequentialPlan | None = None,
) -> Verdict:  # fmt: skip
    """The run's band statistics over its seeds against the baseline's, by the permutation test (``engine.band``).

    ``configurations``: the model's configurations, which share the false-alarm level. A statistic
    that is a number on one side and NaN or infinite on the other has moved, whatever the test says.
    ``plan``: the sequential band's; where the run's seed count is one of its looks, the look
    spends its share of the level and the verdict may be ``open`` (more seeds wanted).
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
    look = plan.look_of(len(records)) if plan is not None else None
    if plan is not None and look is not None:
        return _sequential_look(model, verdict, expected, obtained, absent, plan, look, alpha)
    needed = min_seeds(len(outcomes), alpha)
    if len(records) < needed:
        verdict.status = "error"
        verdict.detail = (f"the band tier needs at least {needed} seeds against the baseline's {len(outcomes)} to detect "
                          f"anything; got {len(records)} (run with --seeds 0-{max(needed, 5) - 1})")  # fmt: skip
        return verdict
    try:
        result = band_test(expected, obtained, alpha, model.band_scores)
    except ValueError as error:  # a score the statistic's kind cannot take (the spread of a vector)
        verdict.status, verdict.detail = "error", f"band_scores of model {model.name}: {error}"
        return verdict
    verdict.detail = _band_detail(result, absent)
    if not result.holds:
        _moved(verdict, result)
    return verdict


def _moved(verdict: Verdict, result: BandResult) -> None:
    verdict.status = "moved"
    verdict.differences += [
        FieldDifference(f"{_component(shift)} over seeds", result.rule, shift.describe(shift.baseline),
                        shift.describe(shift.obtained), f"p = {shift.p_value:.2g}" + _largest(shift.largest))
        for shift in result.moved
    ]  # fmt: skip


def _component(shift: StatisticShift) -> str:
    return component_label(shift.name, shift.score)


def _sequential_look(
    model: Model, verdict: Verdict, expected: dict[str, list[Value]], obtained: dict[str, list[Value]],
    absent: Sequence[str], plan: SequentialPlan, look: int, alpha: float,
) -> Verdict:  # fmt: skip
    """One look of the sequential band: moved below this look's share of the level, held above its futility
    bound or at the last look, else open. An error where even the last look could never say moved."""
    baseline_seeds = len(next(iter(expected.values())))
    last = len(plan.looks) - 1
    if 1 / comb(baseline_seeds + plan.cap, plan.cap) >= plan.level_at(last, alpha):
        needed = next(b for b in range(baseline_seeds, 10_000) if 1 / comb(b + plan.cap, plan.cap) < plan.level_at(last, alpha))
        verdict.status = "error"
        verdict.detail = (f"the sequential band needs at least {needed} baseline seeds to say moved at all; the baseline "
                          f"has {baseline_seeds} (bless more: regcheck bless --seeds 0-{needed - 1})")  # fmt: skip
        return verdict
    share = plan.level_at(look, alpha)
    try:
        result = band_test(expected, obtained, share, model.band_scores)
    except ValueError as error:  # a score the statistic's kind cannot take (the spread of a vector)
        verdict.status, verdict.detail = "error", f"band_scores of model {model.name}: {error}"
        return verdict
    decision = plan.decide(look, result.p_value, alpha)
    seeds = plan.looks[look]
    where = (f"sequential band, look {look + 1} of {len(plan.looks)} ({seeds} seeds; the level {alpha:.2g} spent over "
             f"{plan.describe()})")  # fmt: skip
    verdict.detail = f"{where}: {_band_detail(result, absent)}"
    if decision == "moved":
        _moved(verdict, result)
    elif decision == "open":
        verdict.status = "open"
    elif look < last:
        verdict.detail += f"; held at p >= {plan.futility[look]:g} without more seeds"
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
