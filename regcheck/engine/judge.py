"""Judging one configuration: which tier applies, and what it says.

* A model whose rule is ``exact`` is judged field by field, seed by seed, in every environment.
* A model whose rule is ``band`` is judged the same way where the run's profile equals the
  baseline's (the **exact tier**, on the model's ``exact_fields``), and by the band rule on its
  band statistics over seeds everywhere else (the **band tier**), or everywhere when the run
  asks for the band (``tier="band"``: ``--tier band``, ``--regcheck-tier band``).

The verdict names the tier, why it applied, and every field that moved.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from regcheck.engine.band import band_test, configuration_alpha, min_seeds, statistic_value
from regcheck.engine.exact import FieldDifference, Verdict, compare_exact

if TYPE_CHECKING:
    from regcheck.engine.band import BandResult, Value
    from regcheck.engine.baselines import Baseline, ProfileOutcomes
    from regcheck.engine.records import ResultRecord
    from regcheck.engine.study import Configuration, Model


def profile_text(profile: dict[str, Any]) -> str:
    return ", ".join(f"{key} {value}" for key, value in profile.items())


def profile_change(before: dict[str, Any], after: dict[str, Any]) -> str:
    keys = list(before) + [key for key in after if key not in before]
    changed = [key for key in keys if before.get(key) != after.get(key)]
    return "; ".join(f"{key} {before.get(key, '-')} -> {after.get(key, '-')}" for key in changed)


def run_profile(model: Model, records: Sequence[ResultRecord]) -> dict[str, str]:
    """The model's profile, with the device the fit really ran on where the record says."""
    profile = model.profile()
    device = records[0].extra.get("device") if records else None
    if device and "device" in profile:
        profile["device"] = str(device)
    return profile


TIERS = ("auto", "band")


def judge(
    model: Model, config: Configuration, records: Sequence[ResultRecord], baseline: Baseline | None,
    published: Sequence[FieldDifference] = (), tier: str = "auto",
) -> Verdict:  # fmt: skip
    """The verdict of one configuration; ``published`` are the publication's contradictions, if any.

    ``tier="band"`` judges a ``band`` model by the band even where its profile matches a
    baseline's, against that profile's outcomes (the same environment's distribution).
    """
    if model.rule == "exact":
        verdict = _judge_exact_everywhere(model, config, records, baseline)
    elif baseline is None:
        verdict = Verdict(model.name, config.config_id, "missing", "none", "no baseline for this configuration")
    else:
        profile = run_profile(model, records)
        matching = baseline.outcomes_in(profile)
        if matching is not None and tier == "band":
            reason = f"--tier band: the band against this profile's outcomes ({profile_text(profile)})"
            verdict = band_tier(model, config, records, matching, reason)
        elif matching is not None:
            reason = f"profile matches baseline ({profile_text(profile)})"
            verdict = exact_tier(model, config, records, matching, reason, model.exact_fields)
        else:
            verdict = band_tier(model, config, records, baseline.reference, _band_reason(baseline, profile))
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
        expected = baseline.seeds[record.seed]
        if fields is not None:
            expected = {key: value for key, value in expected.items() if key in fields}
        differences, flipped = compare_exact(expected, record.to_dict())
        verdict.differences += [_for_seed(difference, record.seed) if several else difference for difference in differences]
        verdict.flipped_rows += flipped
    if verdict.differences:
        verdict.status = "moved"
    elif missing:
        verdict.status = "missing"
        if baseline.seeds:
            verdict.detail = (f"no exact baseline for seed(s) {', '.join(map(str, missing))}; "
                              f"the baseline has seeds {', '.join(map(str, sorted(baseline.seeds)))}")  # fmt: skip
    return verdict


def band_statistics(model: Model) -> tuple[str, ...]:
    """The statistics the band compares: ``band_statistics``, else the one ``band_statistic``."""
    return tuple(model.band_statistics) or (model.band_statistic,)


def band_tier(
    model: Model, config: Configuration, records: Sequence[ResultRecord], baseline: ProfileOutcomes, reason: str
) -> Verdict:
    """The run's band statistics over its seeds against the baseline's, by the permutation test (``engine.band``)."""
    verdict = Verdict(model.name, config.config_id, "held", "band", reason)
    outcomes = [outcome for _, outcome in sorted(baseline.seeds.items())]
    fields = [record.to_dict() for record in records]
    expected: dict[str, list[Value]] = {}
    obtained: dict[str, list[Value]] = {}
    absent = []
    for name in band_statistics(model):
        before = [statistic_value(name, outcome) for outcome in outcomes]
        after = [statistic_value(name, record) for record in fields]
        if None in before or None in after or not before:  # a baseline made before the statistic existed
            absent.append(name)
            continue
        expected[name], obtained[name] = before, after  # type: ignore[assignment]  # no None left
    if not expected:
        verdict.status = "error"
        verdict.detail = f"no band statistic ({', '.join(band_statistics(model))}) on both sides; baseline or records lack it"
        return verdict
    alpha = configuration_alpha(len(model.configurations()))
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
