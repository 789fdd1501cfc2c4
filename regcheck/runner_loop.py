"""The whole-grid loop the CLI runs: judge every configuration, check the claims, maybe update."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from regcheck.comparison import Verdict
from regcheck.experiments import GRIDS
from regcheck.invariants import Claim, logreg_claims
from regcheck.suite import Study

Progress = Callable[[int, int, str, str, float], None]


@dataclass
class StudyOutcome:
    study: Study
    verdicts: list[Verdict]
    claims: list[Claim]
    obtained_paths: dict[str, str] = field(default_factory=dict)
    update_messages: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(v.failed for v in self.verdicts) or any(not c.holds for c in self.claims)


def run_study(
    baselines: Path, models: tuple[str, ...], data: Path | None, seeds: tuple[int, ...] | None,
    update: bool, reason: str | None, progress: Progress | None = None,
) -> StudyOutcome:  # fmt: skip
    study = Study(baselines, data, seeds, update, reason)
    study.check_inputs(models)  # fail on bad input (one line, exit 2) before any fit starts
    configs = [config for model in models for config in GRIDS[model]]
    started = time.perf_counter()
    verdicts = []
    for done, config in enumerate(configs, start=1):
        verdict = study.judge(config)
        verdicts.append(verdict)
        if progress:
            progress(done, len(configs), config.config_id, verdict.status, started)
    claims = logreg_claims({cid: recs[0] for cid, recs in study.records.items() if recs[0].model == "logreg"})
    outcome = StudyOutcome(study, verdicts, claims)
    for verdict in verdicts:
        if verdict.status == "moved":
            config = next(c for c in configs if c.config_id == verdict.config_id)
            path = study.write_obtained(config)
            if path:
                outcome.obtained_paths[verdict.config_id] = str(path)
    if update:
        outcome.update_messages = _apply_update(study, outcome)
    return outcome


def _apply_update(study: Study, outcome: StudyOutcome) -> list[str]:
    if outcome.failed:
        return ["baselines NOT updated: the run had failures (see above); nothing was written"]
    if not study.plan.baselines:
        return ["baselines unchanged: every result held"]
    written = study.commit_updates()
    return [f"updated {len(written)} baseline(s):"] + [f"  {change}" for change in study.plan.changes]
