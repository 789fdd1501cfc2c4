"""The whole-grid loop the CLI runs: judge every configuration, check the claims, maybe update."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from regcheck.engine.exact import Verdict
from regcheck.engine.records import ResultRecord
from regcheck.engine.run import Study
from regcheck.studies.heart.claims import Claim, logreg_claims
from regcheck.studies.heart.configs import GRIDS, Config

Progress = Callable[[int, int, str, str, float], None]
# Models whose fits take seconds: these go to the process pool when jobs > 1.
POOLED_MODELS = ("mlp",)


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
    update: bool, reason: str | None, progress: Progress | None = None, jobs: int = 1,
) -> StudyOutcome:  # fmt: skip
    study = Study(baselines, data, seeds, update, reason)
    study.check_inputs(models)  # fail on bad input (one line, exit 2) before any fit starts
    configs = [config for model in models for config in GRIDS[model]]
    started = time.perf_counter()
    judged: dict[str, Verdict] = {}

    def record(config: Config, verdict: Verdict) -> None:
        judged[config.config_id] = verdict
        if progress:
            progress(len(judged), len(configs), config.config_id, verdict.status, started)

    pooled = [config for config in configs if jobs > 1 and config.model in POOLED_MODELS]
    for config in configs:
        if config not in pooled:
            record(config, study.judge(config))
    if pooled:
        _judge_in_pool(study, pooled, jobs, record)
    verdicts = [judged[config.config_id] for config in configs]
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


def _judge_in_pool(study: Study, configs: list[Config], jobs: int, record: Callable[[Config, Verdict], None]) -> None:
    """Fit in worker processes, judge here as each configuration completes (in completion order)."""
    from regcheck.engine.parallel import FitFailure, fit_in_pool

    for model in {config.model for config in configs}:
        study.store.check_folder(model)
    for config in configs:
        study.store.load(config.model, config.config_id)  # a corrupt baseline stops the run before any fit

    def done(config: Config, result: list[ResultRecord] | FitFailure, _done: int, _total: int) -> None:
        if isinstance(result, FitFailure):
            record(config, study.record_error(config, f"seed {result.seed}: {result.detail}"))
            return
        study.adopt(config, result)
        record(config, study.judge(config))

    plan = [(config, study.seeds_for(config.model)) for config in configs]
    fit_in_pool(plan, study.split, jobs, done)


def _apply_update(study: Study, outcome: StudyOutcome) -> list[str]:
    if outcome.failed:
        return ["baselines NOT updated: the run had failures (see above); nothing was written"]
    if not study.plan.baselines:
        return ["baselines unchanged: every result held"]
    written = study.commit_updates()
    return [f"updated {len(written)} baseline(s):"] + [f"  {change}" for change in study.plan.changes]
