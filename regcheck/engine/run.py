"""One run of the study: fit each configuration once per seed, judge it, collect updates.

Both front ends drive this class: the CLI loops over the grid, the pytest plugin asks for
one configuration per test. Nothing is written to ``baselines/`` until ``commit_updates``,
which the front ends call only after a complete run without failures.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from regcheck.engine.baselines import Baseline, BaselineStore
from regcheck.engine.environment import fingerprint
from regcheck.engine.errors import RegcheckError
from regcheck.engine.exact import Verdict, compare_exact
from regcheck.engine.records import ResultRecord, now_utc
from regcheck.studies.heart.configs import Config, all_config_ids
from regcheck.studies.heart.data import HeartTable, load_heart
from regcheck.studies.heart.keras_backends import require_backend
from regcheck.studies.heart.models import ModelHalf, half_for
from regcheck.studies.heart.published import PublishedTable, load_published

if TYPE_CHECKING:
    from regcheck.studies.heart.split import StudySplit


@dataclass
class UpdatePlan:
    """Baselines a run would write, and one line per change for the user."""

    baselines: list[Baseline] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)


class Study:
    def __init__(
        self, baselines_root: Path, data_path: Path | None = None, seeds: tuple[int, ...] | None = None,
        update: bool = False, reason: str | None = None,
    ) -> None:  # fmt: skip
        self.store = BaselineStore(baselines_root)
        self.data_path = data_path
        self.requested_seeds = seeds
        self.update = update
        self.reason = reason
        self.records: dict[str, list[ResultRecord]] = {}
        self.verdicts: dict[str, Verdict] = {}
        self.plan = UpdatePlan()
        self._halves: dict[str, ModelHalf] = {}

    @cached_property
    def table(self) -> HeartTable:
        return load_heart(self.data_path)

    @cached_property
    def split(self) -> StudySplit:
        from regcheck.studies.heart.split import prepare_split

        return prepare_split(self.table.frame)

    @cached_property
    def published(self) -> PublishedTable:
        return load_published(self.store.root)

    @cached_property
    def environment(self) -> dict[str, Any]:
        return fingerprint()

    def half(self, model: str) -> ModelHalf:
        if model not in self._halves:
            self._halves[model] = half_for(model, self.store)
        return self._halves[model]

    def seeds_for(self, model: str) -> tuple[int, ...]:
        return self.half(model).seeds(self.requested_seeds)

    def adopt(self, config: Config, records: list[ResultRecord]) -> None:
        """Take records fitted elsewhere (a worker process) as this run's; ``judge`` then reuses them."""
        for record in records:
            record.environment = self.environment
            record.dataset = {"name": "heart", "sha256": self.table.sha256}
        self.records[config.config_id] = records

    def check_inputs(self, models: tuple[str, ...]) -> None:
        """Fail on the first bad input before anything is fitted: data, published table, backend, baselines.

        Raises ``RegcheckError`` (one line, exit code 2); nothing has been written at that point.
        """
        self.table  # noqa: B018
        self.published  # noqa: B018
        for model in models:
            if model == "mlp":
                require_backend()
            self.store.check_folder(model)
            for config_id in all_config_ids(model):
                self.store.load(model, config_id)

    def run(self, config: Config) -> list[ResultRecord]:
        """Fit every seed of one configuration (once per run; later calls reuse the records)."""
        if config.config_id not in self.records:
            half = self.half(config.model)
            records = []
            for seed in self.seeds_for(config.model):
                record = half.fit(config, self.split, seed)
                record.environment = self.environment
                record.dataset = {"name": "heart", "sha256": self.table.sha256}
                records.append(record)
            self.records[config.config_id] = records
        return self.records[config.config_id]

    def judge(self, config: Config) -> Verdict:
        """Run and compare one configuration; a crash becomes an ``error`` verdict with its cause."""
        self.store.check_folder(config.model)
        baseline = self.store.load(config.model, config.config_id)
        try:
            records = self.run(config)
        except RegcheckError:  # bad input (data, backend) is the user's to fix: one line, exit 2
            raise
        except Exception as exc:  # crash isolation: one broken configuration must not hide the others
            return self.record_error(config, describe_exception(exc))
        verdict = self.half(config.model).judge(config, records, baseline, self.published)
        if verdict.status == "missing" and not verdict.detail:  # say which file to create (the how is in the report)
            verdict.detail = str(self.store.path_for(config.model, config.config_id))
        # A band verdict means the baseline was made in another profile: updating re-baselines
        # it in this one (all its seeds replaced), so later runs here get the exact tier.
        rebaseline = verdict.rule == "band" and verdict.status == "held"
        if self.update and (verdict.status in ("moved", "missing") or rebaseline) and not _off_published(verdict):
            self._plan_update(config, records, baseline)
            verdict.status = "updated"
        self.verdicts[config.config_id] = verdict
        return verdict

    def record_error(self, config: Config, detail: str) -> Verdict:
        """The verdict of a configuration whose fit raised (here or in a worker process)."""
        verdict = Verdict(config.model, config.config_id, "error", "none", "the fit raised", detail=detail)
        self.verdicts[config.config_id] = verdict
        return verdict

    def write_obtained(self, config: Config) -> Path | None:
        """Put what this run obtained beside the baseline, so a diff tool can show the change."""
        records = self.records.get(config.config_id)
        if not records:
            return None
        baseline = self._new_baseline(config, records, None)
        return self.store.write_obtained(config.model, config.config_id, baseline.to_document())

    def _plan_update(self, config: Config, records: list[ResultRecord], previous: Baseline | None) -> None:
        self.plan.baselines.append(self._new_baseline(config, records, previous))
        if previous is None:
            self.plan.changes.append(f"{config.config_id}: created")
            return
        profile = self.half(config.model).profile()
        if previous.profile != profile:
            seeds = ", ".join(str(record.seed) for record in records)
            self.plan.changes.append(f"{config.config_id}: re-baselined in this profile (seeds {seeds}); "
                                     f"was made in {previous.profile}")  # fmt: skip
            return
        for record in records:
            if record.seed not in previous.seeds:
                self.plan.changes.append(f"{config.config_id}: seed {record.seed} added")
                continue
            moved, _ = compare_exact(previous.seeds[record.seed], record.to_dict())
            described = "; ".join(f"{d.field} {d.expected} -> {d.obtained}" for d in moved) or "provenance only"
            self.plan.changes.append(f"{config.config_id} seed {record.seed}: {described}")

    def _new_baseline(self, config: Config, records: list[ResultRecord], previous: Baseline | None) -> Baseline:
        seeds = dict(previous.seeds) if previous and previous.profile == self.half(config.model).profile() else {}
        seeds.update({record.seed: record.outcome() for record in records})
        provenance = {"updated": now_utc(), "reason": self.reason, "environment": self.environment}
        return Baseline(config.model, config.config_id, config.params(), seeds, provenance,
                        self.half(config.model).profile())  # fmt: skip

    def commit_updates(self) -> list[Path]:
        """Write every planned baseline (each atomically, under the folder lock)."""
        return self.store.write_all(self.plan.baselines)


def describe_exception(exc: BaseException) -> str:
    """``Type: message (file.py:line)``, the line where it was raised: an error verdict's cause."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" ({Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}"


def _off_published(verdict: Verdict) -> bool:
    """A result that contradicts the published table is never blessed into a baseline."""
    return any(difference.rule.startswith("published") for difference in verdict.differences)
