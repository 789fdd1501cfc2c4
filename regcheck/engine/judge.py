"""Judging one configuration: which tier applies, and what it says.

* A model whose rule is ``exact`` is judged field by field, seed by seed, in every environment.
* A model whose rule is ``band`` is judged the same way where the run's profile equals the
  baseline's (the **exact tier**, on the model's ``exact_fields``), and by the band rule on its
  ``band_statistic`` over seeds everywhere else (the **band tier**).

The verdict names the tier, why it applied, and every field that moved.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from regcheck.engine.band import compare_band, min_seeds
from regcheck.engine.exact import FieldDifference, Verdict, compare_exact

if TYPE_CHECKING:
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


def judge(
    model: Model, config: Configuration, records: Sequence[ResultRecord], baseline: Baseline | None,
    published: Sequence[FieldDifference] = (),
) -> Verdict:  # fmt: skip
    """The verdict of one configuration; ``published`` are the publication's contradictions, if any."""
    if model.rule == "exact":
        verdict = _judge_exact_everywhere(model, config, records, baseline)
    elif baseline is None:
        verdict = Verdict(model.name, config.config_id, "missing", "none", "no baseline for this configuration")
    else:
        profile = run_profile(model, records)
        matching = baseline.outcomes_in(profile)
        if matching is not None:
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


def band_tier(
    model: Model, config: Configuration, records: Sequence[ResultRecord], baseline: ProfileOutcomes, reason: str
) -> Verdict:
    """The run's ``band_statistic`` over its seeds against the baseline's, by the permutation test."""
    verdict = Verdict(model.name, config.config_id, "held", "band", reason)
    statistic = model.band_statistic
    # The permutation test sums in integers (exact p-values): the statistic is a count per seed.
    expected = [int(outcome[statistic]) for _, outcome in sorted(baseline.seeds.items()) if statistic in outcome]
    obtained = [int(record.value(statistic)) for record in records if record.value(statistic) is not None]
    needed = min_seeds(len(expected))
    if len(obtained) < needed:
        verdict.status = "error"
        verdict.detail = (f"the band tier needs at least {needed} seeds to detect anything; got {len(obtained)} "
                          f"(run with --seeds 0-4)")  # fmt: skip
        return verdict
    result = compare_band(expected, obtained)
    verdict.detail = f"p = {result.p_value:.4f}: baseline {result.describe(expected)}, run {result.describe(obtained)}"
    if not result.holds:
        verdict.status = "moved"
        verdict.differences.append(FieldDifference(
            f"{statistic} over seeds", result.rule, result.describe(expected), result.describe(obtained),
            f"p = {result.p_value:.2g}",
        ))  # fmt: skip
    return verdict


def _for_seed(difference: FieldDifference, seed: int) -> FieldDifference:
    return FieldDifference(f"seed {seed}: {difference.field}", difference.rule, difference.expected,
                           difference.obtained, difference.difference)  # fmt: skip
