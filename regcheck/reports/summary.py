"""The run's one-line summary (held / moved / errors, tiers, profiles), shared by console, Markdown and HTML."""

from __future__ import annotations

from typing import Any

from regcheck.files.runfile import RunData


def format_profile(profile: Any) -> str:
    if not profile:
        return "any environment"
    if isinstance(profile, dict):
        return ", ".join(f"{key}={value}" for key, value in profile.items())
    return str(profile)


def summary_parts(run: RunData) -> list[str]:
    """held / moved / errors, then the tier and the profile of each model: the pieces of the summary line."""
    counts: dict[str, int] = {}
    for verdict in run.verdicts:
        counts[verdict.status] = counts.get(verdict.status, 0) + 1
    tally = [f"{counts.get('held', 0)} held", f"{counts.get('moved', 0)} moved", f"{counts.get('error', 0)} errors"]
    tally += [f"{counts[status]} {status}" for status in ("missing", "updated") if counts.get(status)]
    tiers = []
    profiles = []
    for model in run.models():
        used = sorted({v.tier for v in run.verdicts if v.model == model})
        tiers.append(f"{model} {'/'.join(used) or '-'}")
        profiles.append(f"{model} {format_profile(run.profiles.get(model))}" if model in run.profiles else f"{model} -")
    parts = [", ".join(tally), f"tier: {'; '.join(tiers) or '-'}", f"profile: {'; '.join(profiles) or '-'}"]
    if run.seconds is not None:
        parts.append(f"{run.seconds:.1f} s")
    return parts


def summary_line(run: RunData) -> str:
    return "regcheck: " + " | ".join(summary_parts(run))
