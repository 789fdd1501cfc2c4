"""One run of a study: fit each configuration once per seed, judge it, check the claims, decide the update.

Both front ends drive this module and nothing else: the CLI calls ``run_study`` for the whole
grid, the pytest plugin asks a ``StudyRun`` for one configuration per test and calls
``decide_update`` at the end of the session. The claims check, the obtained files, the update
decision and its messages exist here once. Nothing is written to the baselines until
``decide_update`` finds a complete run without failures.

Cost: the study's grid is asked once (``regcheck.engine.grid``), each baseline file is read once
and each model's folder scanned once (``regcheck.files.baseline``), and each configuration is
judged in constant time, so a run's cost grows linearly with its configurations.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from regcheck.engine.grid import StudyGrid, grid_for
from regcheck.engine.guard import FitError, call_hook, fitted, list_of
from regcheck.engine.judge import Verdict, judge, profile_text
from regcheck.engine.sequential import SequentialPlan, seeds_at
from regcheck.engine.study import Claim, Dataset, GridAxes
from regcheck.errors import BaselineError, RegcheckError, UsageError
from regcheck.files.baseline import Baseline, BaselineStore, ProfileOutcomes
from regcheck.files.runfile import MAX_DECIMALS
from regcheck.files.times import now_utc
from regcheck.frameworks.environment import fingerprint
from regcheck.results.compare import compare_outcomes
from regcheck.results.record import ResultRecord

if TYPE_CHECKING:
    from regcheck.engine.study import Configuration, Model, Published, Study
    from regcheck.files.outputs import OutputPlan
    from regcheck.frameworks.pool import PoolPlan

# done, total, model, config_id, status, started (time.perf_counter() at the run's start)
Progress = Callable[[int, int, str, str, str, float], None]


@dataclass(frozen=True)
class RunOptions:
    """What the user asked of a run, as both front ends parse it (``regcheck.frontends.options``)."""

    study_reference: str
    baselines_root: Path
    data_path: Path | None = None
    seeds: tuple[int, ...] | None = None
    update: bool = False
    reason: str | None = None
    tier: str = "auto"  # "band": judge band-rule models by the band even where the profile matches


@dataclass
class UpdatePlan:
    """Baselines a run would write, and one line per change for the user."""

    baselines: list[Baseline] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)


class StudyRun:
    """The state of one run: the data, the records and verdicts so far, the planned update."""

    def __init__(self, study: Study, options: RunOptions) -> None:
        self.study = study
        self.options = options
        self.grid: StudyGrid = grid_for(study, options.study_reference)
        self.records: dict[str, list[ResultRecord]] = {}
        self.verdicts: dict[str, Verdict] = {}
        self.plan = UpdatePlan()
        self._profiles: dict[str, dict[str, str]] = {}
        self._published_documents: dict[tuple[str, ...], dict[str, Any]] = {}

    @property
    def update(self) -> bool:
        return self.options.update

    @property
    def baselines_root(self) -> Path:
        return self.options.baselines_root

    @cached_property
    def dataset(self) -> Dataset:
        from regcheck.engine.dependencies import require_modules

        require_modules(self.study.requires, f"the {self.grid.name} study")
        return call_hook(self.grid.name, "load()", lambda: self.study.load(self.options.data_path),
                         "a regcheck Dataset whose sha256 is 64 hexadecimal digits (hashlib.sha256(...).hexdigest())",
                         _is_dataset)  # fmt: skip

    @cached_property
    def store(self) -> BaselineStore:
        # The study's declared hash needs no data; otherwise the loaded data's hash is the one.
        sha = None if self.study.dataset_sha256 else self.dataset.sha256
        return self.grid.store(self.baselines_root, sha)

    @cached_property
    def published(self) -> Published | None:
        return call_hook(self.grid.name, "published()", lambda: self.study.published(self.baselines_root),
                         "None or an object with differences(), notes() and to_document() (regcheck Published)",
                         _is_published)  # fmt: skip

    def published_document(self, models: Sequence[str]) -> dict[str, Any]:
        """What the run file keeps of the publication (``published().to_document(models)``, guarded and checked
        against the run file's fields); empty without a publication. Asked in ``check_inputs``, before any fit."""
        key = tuple(models)
        if key not in self._published_documents:
            published = self.published
            self._published_documents[key] = {} if published is None else dict(call_hook(
                self.grid.name, "published().to_document()", lambda: published.to_document(list(key)),
                "{'published': {config_id: number}, 'published_decimals': {model: int}}", _is_published_document,
            ))  # fmt: skip
        return self._published_documents[key]

    @cached_property
    def grid_axes(self) -> list[GridAxes]:
        axes = call_hook(self.grid.name, "grid_axes()", self.study.grid_axes, "a list of regcheck GridAxes",
                         list_of(GridAxes))  # fmt: skip
        return list(axes)

    @cached_property
    def environment(self) -> dict[str, Any]:
        return fingerprint()

    def model(self, name: str) -> Model:
        return self.grid.model(name)

    def configurations(self, models: Sequence[str]) -> list[Configuration]:
        return [config for name in models for config in self.grid.configurations(name)]

    def profile(self, name: str) -> dict[str, str]:
        """The model's profile, asked once per run (it may ask a framework which device it computes on)."""
        if name not in self._profiles:
            profile = call_hook(self.grid.name, f"model {name}'s profile()", self.model(name).profile,
                                "a mapping of names to text", lambda value: isinstance(value, dict))  # fmt: skip
            self._profiles[name] = {str(key): str(value) for key, value in profile.items()}
        return dict(self._profiles[name])

    def seeds_for(self, name: str) -> tuple[int, ...]:
        """An ``exact`` model's own seeds; for a ``band`` model the requested seeds, else its seeds for the tier that applies.

        A deterministic model gives one answer whatever the seed, so more seeds would only repeat the check.
        The sequential band starts with its first look's seeds (``more_seeds`` adds the next look's).
        """
        model = self.model(name)
        if model.rule == "exact":
            return model.exact_seeds
        if self.options.seeds:
            return self.options.seeds
        if self.options.tier != "band" and self.has_profile(name, self.profile(name)):
            return model.exact_seeds
        if self.update:  # creates the baselines, or re-makes them in this profile: both tiers' seeds, enough for the band
            return blessed_seeds(model, self.grid.count(name))
        plan = self.sequential_plan(name)
        return seeds_at(model.band_seeds, plan.looks[0]) if plan else model.band_seeds

    def sequential_plan(self, name: str) -> SequentialPlan | None:
        """The sequential band's plan where it decides this model's seeds: a band model in the band tier, no
        ``--seeds``, no update (which blesses a fixed set); None elsewhere."""
        model = self.model(name)
        if model.rule != "band" or model.band_plan is None or self.options.seeds or self.update:
            return None
        if self.options.tier != "band" and self.has_profile(name, self.profile(name)):
            return None
        return model.band_plan

    def more_seeds(self, config: Configuration) -> tuple[int, ...]:
        """The seeds the sequential band's next look adds to ``config`` (after an ``open`` verdict); none past the cap."""
        plan = self.sequential_plan(config.model)
        have = [record.seed for record in self.records.get(config.config_id, [])]
        if plan is None:
            return ()
        following = [count for count in plan.looks if count > len(have)]
        if not following:
            return ()
        wanted = seeds_at(self.model(config.model).band_seeds, following[0])
        return tuple(seed for seed in wanted if seed not in have)

    def has_profile(self, name: str, profile: dict[str, Any]) -> bool:
        """Whether the model's baselines (the first one found) hold outcomes blessed in ``profile``."""
        for config in self.grid.configurations(name):
            try:
                baseline = self.store.load(name, config.config_id)
            except BaselineError:
                return False  # judged (and reported) per configuration, not here
            if baseline is not None:
                return baseline.outcomes_in(profile) is not None
        return False

    def check_inputs(self, models: Sequence[str], pooled: Sequence[str] = ()) -> None:
        """Fail on the first bad input before anything is fitted: data, published numbers, models, baselines.

        Raises ``RegcheckError`` (one line, exit code 2); nothing has been written at that point.
        """
        self.dataset  # noqa: B018
        self.published_document(models)
        self.grid_axes  # noqa: B018
        for name in models:
            # a pooled model's modules are imported, and checked, in its workers
            self.check_ready(name, modules=name not in pooled)
            if self.model(name).rule == "band":
                self.profile(name)
        self.check_files(models)

    def check_ready(self, name: str, modules: bool = True) -> None:
        """The model's own ``check_ready()`` (first: it names a missing backend better than an import error
        can), then the modules it ``requires``; either failing is one ``UsageError`` line."""
        from regcheck.engine.dependencies import require_modules

        model = self.model(name)
        call_hook(self.grid.name, f"model {name}'s check_ready()", model.check_ready)
        if modules:
            require_modules(model.requires, f"model {name}")

    def check_files(self, models: Sequence[str]) -> None:
        """The data, the published numbers and every baseline of ``models``: the inputs a run reads from disk."""
        self.dataset  # noqa: B018
        self.published  # noqa: B018
        for name in models:
            self.store.check_folder(name)
            for config in self.grid.configurations(name):
                self.store.load(name, config.config_id)

    def _stamp(self, records: list[ResultRecord]) -> list[ResultRecord]:
        for record in records:
            record.environment = self.environment
            record.dataset = {"name": self.grid.name, "sha256": self.dataset.sha256}
        return records

    def adopt(self, config: Configuration, records: list[ResultRecord]) -> None:
        """Take records fitted elsewhere (a worker process) as this run's; ``judge`` then reuses them.

        Raises ``UsageError`` where the records lack a field their model declares.
        """
        self.records[config.config_id] = self._stamp(declared_fields_held(self.model(config.model), records))

    def run(self, config: Configuration) -> list[ResultRecord]:
        """Fit every seed of one configuration (once per run; later calls reuse the records).

        Raises ``FitError`` (that configuration's error) when a fit fails or returns no record of it.
        """
        if config.config_id not in self.records:
            model = self.model(config.model)
            fits = [fitted(model, config, self.dataset.value, seed) for seed in self.seeds_for(config.model)]
            self.records[config.config_id] = self._stamp(declared_fields_held(model, fits))
        return self.records[config.config_id]

    def judge(self, config: Configuration, fit_here: bool = True) -> Verdict:
        """Run and compare one configuration; a crash becomes an ``error`` verdict with its cause.

        Under the sequential band a verdict may be ``open``: with ``fit_here`` the next look's seeds
        are fitted here and the configuration judged again, up to the plan's cap; without (the
        fits run in workers), the ``open`` verdict is returned and ``more_seeds`` names them.
        """
        verdict = self._judge_once(config)
        while verdict.status == "open" and fit_here:
            try:
                self.fit_more(config, self.more_seeds(config))
            except FitError as error:
                return self.record_error(config, str(error))
            verdict = self._judge_once(config)
        return verdict

    def fit_more(self, config: Configuration, seeds: Sequence[int]) -> None:
        """Fit ``seeds`` of ``config`` here and add them to its records (the sequential band's next look)."""
        model = self.model(config.model)
        fits = [fitted(model, config, self.dataset.value, seed) for seed in seeds]
        self.records[config.config_id] = [*self.records[config.config_id], *self._stamp(declared_fields_held(model, fits))]

    def _judge_once(self, config: Configuration) -> Verdict:
        self.store.check_folder(config.model)
        baseline = self.store.load(config.model, config.config_id)
        try:
            records = self.run(config)
        except FitError as error:  # crash isolation: one broken configuration must not hide the others
            return self.record_error(config, str(error))
        model = self.model(config.model)
        try:
            published = self._published_differences(config, records)
        except FitError as error:
            return self.record_error(config, str(error), "the study's published() check raised")
        profile = self.profile(config.model) if model.rule == "band" else {}
        verdict = judge(model, config, records, baseline, published, self.options.tier, profile, self.grid.count(config.model),
                        self.sequential_plan(config.model))  # fmt: skip
        if verdict.status == "open":  # the sequential band wants the next look's seeds: nothing is decided yet
            return verdict
        if verdict.status == "missing" and not verdict.detail:  # say which file to create (the how is in the report)
            verdict.detail = str(self.store.path_for(config.model, config.config_id))
        # A band verdict means the baseline holds no outcomes of this profile: updating adds them
        # (its other profiles unchanged), so later runs here get the exact tier.
        if verdict.status == "held":  # what a diff tool would show is gone: so is the file that showed it
            self.store.remove_obtained(config.model, config.config_id)
        rebaseline = verdict.rule == "band" and verdict.status == "held"
        if self.update and (verdict.status in ("moved", "missing") or rebaseline) and not published:
            self._plan_update(config, records, baseline)
            verdict.status = "updated"
        self.verdicts[config.config_id] = verdict
        return verdict

    def _published_differences(self, config: Configuration, records: list[ResultRecord]) -> list[Any]:
        if self.published is None:
            return []
        from regcheck.engine.guard import call_in_fit

        return list(call_in_fit("published().differences()", lambda: self.published.differences(config, records)))  # type: ignore[union-attr]

    def record_error(self, config: Configuration, detail: str, reason: str = "the fit raised") -> Verdict:
        """The verdict of a configuration whose fit raised (here or in a worker process)."""
        verdict = Verdict(config.model, config.config_id, "error", "none", reason, detail=detail)
        self.verdicts[config.config_id] = verdict
        return verdict

    def claims(self) -> list[Claim]:
        """The study's claims on this run's records; a ``claims()`` that raises or returns no list of claims is one
        ``UsageError`` line (exit 2: the study's code is at fault, not a result), and nothing is written."""
        claims = call_hook(self.grid.name, "claims()", lambda: self.study.claims(self.records),
                           "a list of regcheck Claims (name: text, holds: True or False, detail: text)",
                           lambda value: list_of(Claim)(value) and all(map(_is_whole_claim, value)))  # fmt: skip
        return list(claims)

    def notes(self, model: str) -> list[str]:
        """The publication's notes beside this run's numbers (empty without a publication); guarded as ``claims``."""
        if self.published is None:
            return []
        published = self.published
        lines = call_hook(self.grid.name, "published().notes()", lambda: published.notes(model, self.records),
                          "a list of text", list_of(str))  # fmt: skip
        return list(lines)

    def profiles(self, models: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Each model's profile, for the run file (a model that cannot say is marked, not fatal)."""
        profiles: dict[str, dict[str, Any]] = {}
        for name in models:
            try:
                profiles[name] = self.profile(name)
            except (ImportError, RegcheckError):  # its backend is missing: its configurations are already reported as errors
                profiles[name] = {"unavailable": "backend not installed"}
        return profiles

    def profile_line(self, name: str) -> str:
        return profile_text(self.profile(name)) or "any environment"

    def write_obtained(self, config: Configuration) -> Path | None:
        """Put what this run obtained beside the baseline, so a diff tool can show the change."""
        records = self.records.get(config.config_id)
        if not records:
            return None
        baseline = self._new_baseline(config, records, None)
        return self.store.write_obtained(config.model, config.config_id, baseline.to_document())

    def _plan_update(self, config: Configuration, records: list[ResultRecord], previous: Baseline | None) -> None:
        self.plan.baselines.append(self._new_baseline(config, records, previous))
        if previous is None:
            self.plan.changes.append(f"{config.config_id}: created")
            return
        profile = self._blessed_profile(config.model)
        here = previous.outcomes_in(profile)
        if here is None:
            seeds = ", ".join(str(record.seed) for record in records)
            self.plan.changes.append(f"{config.config_id}: profile added (seeds {seeds}): {profile_text(profile)}; "
                                     f"{len(previous.profiles)} other profile(s) unchanged")  # fmt: skip
            return
        for record in records:
            if record.seed not in here.seeds:
                self.plan.changes.append(f"{config.config_id}: seed {record.seed} added")
                continue
            moved = compare_outcomes(here.seeds[record.seed], record.view()).differences()
            described = "; ".join(f"{d.field} {d.expected} -> {d.obtained}" for d in moved) or "provenance only"
            self.plan.changes.append(f"{config.config_id} seed {record.seed}: {described}")

    def _blessed_profile(self, name: str) -> dict[str, str]:
        return self.profile(name) if self.model(name).rule == "band" else {}

    def _new_baseline(self, config: Configuration, records: list[ResultRecord], previous: Baseline | None) -> Baseline:
        profile = self._blessed_profile(config.model)
        here = previous.outcomes_in(profile) if previous else None
        seeds = dict(here.seeds) if here else {}
        seeds.update({record.seed: record.outcome() for record in records})
        provenance = {"updated": now_utc(), "reason": self.options.reason, "environment": self.environment}
        outcomes = ProfileOutcomes(profile, seeds, provenance)
        if previous is None:
            params = dict(self.store.schemas[config.model].params[config.config_id])
            return self.store.new_baseline(config.model, config.config_id, params, outcomes)
        return previous.with_outcomes(outcomes)


def blessed_seeds(model: Model, configurations: int) -> tuple[int, ...]:
    """The seeds an update blesses when none are named: the model's ``baseline_seeds``, and for a band model
    more (the integers from 0 not yet among them) until every look of its sequential band can say moved
    (``regcheck.engine.power.baseline_seeds_needed``; a fixed band: its ``band_seeds``' run)."""
    chosen = list(dict.fromkeys(model.baseline_seeds))
    if model.rule != "band":
        return tuple(chosen)
    needed = baseline_seeds_for(model, configurations)
    candidate = 0
    while len(chosen) < needed:
        if candidate not in chosen:
            chosen.append(candidate)
        candidate += 1
    return tuple(sorted(chosen))


def baseline_seeds_for(model: Model, configurations: int) -> int:
    """How many baseline seeds the band of ``model`` needs to be able to say moved at every look (or at all)."""
    from regcheck.engine.power import baseline_seeds_needed, fixed_seeds_needed

    if model.band_plan is None:
        return fixed_seeds_needed(configurations, len(model.band_seeds))
    return baseline_seeds_needed(configurations, model.band_plan)


def declared_fields_held(model: Model, records: list[ResultRecord]) -> list[ResultRecord]:
    """``records``, where each holds every field its band model declares (``band_statistics``, ``exact_fields``);
    else one ``UsageError`` naming the first missing one. The declaration is the study's input, and a wrong
    one is its fault: baselines without the field could be blessed, but no other run could be judged by them."""
    if model.rule != "band":
        return records
    from regcheck.engine.band import statistic_value

    for name in model.band_statistics:
        lacking = [record.seed for record in records if statistic_value(name, record.view()) is None]
        if lacking:
            raise UsageError(f"model {model.name}: band_statistics names {name!r}, which is neither a metric of its "
                             f"records nor a number or array they hold (seed {lacking[0]}); "
                             "expected one of their fields or metrics")  # fmt: skip
    for name in model.exact_fields or ():
        lacking = [record.seed for record in records if name not in record.view()]
        if lacking:
            raise UsageError(f"model {model.name}: exact_fields names {name!r}, which its records do not hold "
                             f"(seed {lacking[0]}); expected fields of its records")  # fmt: skip
    return records


@dataclass
class RunOutcome:
    """What a whole-grid run produced, for the CLI to print and write."""

    run: StudyRun
    models: tuple[str, ...]
    verdicts: list[Verdict]
    claims: list[Claim]
    seconds: float
    obtained_paths: dict[str, str] = field(default_factory=dict)
    update_messages: list[str] = field(default_factory=list)
    # The publication's notes beside this run's numbers (``Published.notes``), model by model.
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(v.failed for v in self.verdicts) or any(not c.holds for c in self.claims)

    @property
    def missing(self) -> list[Verdict]:
        return [verdict for verdict in self.verdicts if verdict.status == "missing"]


def plan_workers(run: StudyRun, models: Sequence[str], jobs: int | None, executor: str) -> tuple[PoolPlan, list[str]]:
    """The pool and the models whose fits go to it: the study's pooled models when there are
    several workers or a cluster. The pool is sized for the device of the framework the pooled
    models declare (``Model.framework``); a study that declares none is never asked about one."""
    from regcheck.frameworks.pool import pool_for, pooled_backend

    candidates = [name for name in models if name in run.study.pooled_models]
    workers = pool_for(pooled_backend([run.model(name).framework for name in candidates]), jobs)
    remote = executor != "local"
    pooled = [name for name in candidates if workers.jobs > 1 or remote]
    return workers, pooled


def run_study(
    run: StudyRun, models: tuple[str, ...], progress: Progress | None = None, jobs: int | None = 1, executor: str = "local",
    planned: tuple[PoolPlan, list[str]] | None = None,
) -> RunOutcome:  # fmt: skip
    """Judge every configuration of ``models``: the study's pooled models in workers when ``jobs`` > 1 or on a cluster.

    ``jobs=None``: as many workers as the machine's device suits (``regcheck.frameworks.pool``).
    ``planned``: ``plan_workers``' answer where the caller has it already (it asks ``nvidia-smi``).
    """
    workers, pooled_models = planned or plan_workers(run, models, jobs, executor)
    run.check_inputs(models, pooled_models)  # fail on bad input (one line, exit 2) before any fit starts
    configs = run.configurations(models)
    started = time.perf_counter()
    judged: dict[str, Verdict] = {}

    def record(config: Configuration, verdict: Verdict) -> None:
        judged[config.config_id] = verdict
        if progress:
            progress(len(judged), len(configs), config.model, config.config_id, verdict.status, started)

    pooled = [config for config in configs if config.model in pooled_models]
    pooled_ids = {config.config_id for config in pooled}
    for config in configs:
        if config.config_id not in pooled_ids:
            record(config, run.judge(config))
    if pooled:
        _judge_in_pool(run, pooled, workers, record, executor)
    verdicts = [judged[config.config_id] for config in configs]
    outcome = RunOutcome(run, models, verdicts, run.claims(), time.perf_counter() - started)
    outcome.notes = [line for name in models for line in run.notes(name)]
    for config, verdict in zip(configs, verdicts):
        if verdict.status == "moved":
            path = run.write_obtained(config)
            if path:
                outcome.obtained_paths[verdict.config_id] = str(path)
    return outcome


def _judge_in_pool(
    run: StudyRun,
    configs: list[Configuration],
    workers: PoolPlan,
    record: Callable[[Configuration, Verdict], None],
    executor: str,
) -> None:
    """Fit in worker processes, judge here as each configuration completes (in completion order)."""
    from regcheck.engine.dependencies import DependencyError
    from regcheck.engine.parallel import FitFailure, fit_in_pool

    def done(config: Configuration, result: list[ResultRecord] | FitFailure, _done: int, _total: int) -> tuple[int, ...] | None:
        if isinstance(result, FitFailure):
            if result.dependency:  # the worker's environment is broken: bad input, not a result
                raise DependencyError(result.detail)
            if result.bad_input:  # the study's own set-up of its workers failed: before any fit of it ran
                raise UsageError(result.detail)
            record(config, run.record_error(config, f"seed {result.seed}: {result.detail}"))
            return None
        run.adopt(config, result)
        verdict = run.judge(config, fit_here=False)
        if verdict.status == "open":  # the sequential band's next look: its seeds go to the pool, the others go on
            return run.more_seeds(config)
        record(config, verdict)
        return None

    plan = [(config, run.seeds_for(config.model)) for config in configs]
    fit_in_pool(run.options.study_reference, plan, run.dataset.value, workers.jobs, done, executor, workers)


def decide_update(store: BaselineStore, plan: UpdatePlan, failed: bool, outputs: OutputPlan | None = None) -> list[str]:
    """Write the planned baselines if the run completed without failures; the lines that say what happened.

    ``outputs`` (the command's staged ``--json``, ``--markdown``, step summary) are committed in
    the same write as the baselines, or alone when no baseline is written: all of them or none.
    Raises ``RegcheckError`` when they cannot be written (nothing is, then).
    """
    if failed or not plan.baselines:
        if outputs is not None:
            outputs.commit()
        if failed:
            return ["baselines NOT updated: the run had failures or stopped early; nothing was written"]
        return ["baselines unchanged: every result held"]
    created = not store.root.is_dir()
    written = store.write_all(plan.baselines, outputs)
    names = ", ".join(baseline.config_id for baseline in plan.baselines)
    lines = [f"created the baselines folder {store.root}"] if created else []
    return [*lines, f"updated {len(written)} baseline(s): {names}"] + [f"  {change}" for change in sorted(plan.changes)]


_SHA256 = re.compile(r"[0-9a-f]{64}")


def _is_dataset(value: Any) -> bool:
    # The digest names the data every baseline was made from; a baseline compares it as text.
    return isinstance(value, Dataset) and isinstance(value.sha256, str) and _SHA256.fullmatch(value.sha256) is not None


def _is_whole_claim(claim: Claim) -> bool:
    # ``holds`` is tested for truth: the text "no" would otherwise hold.
    return isinstance(claim.holds, bool) and isinstance(claim.name, str) and isinstance(claim.detail, str)


def _is_published(value: Any) -> bool:
    # Published is a Protocol: whatever has its three methods is one.
    return value is None or all(callable(getattr(value, method, None)) for method in ("differences", "notes", "to_document"))


def _is_published_document(value: Any) -> bool:
    """Whether ``to_document()`` gave the run file's two publication fields and nothing else (the rest of the
    run file is regcheck's: a study must not overwrite its records)."""
    if not isinstance(value, dict) or not set(value) <= {"published", "published_decimals"}:
        return False
    numbers, places = value.get("published", {}), value.get("published_decimals", {})
    return (isinstance(numbers, dict) and isinstance(places, dict)
            and all(isinstance(key, str) and isinstance(number, (int, float)) and not isinstance(number, bool)
                    and math.isfinite(number) for key, number in numbers.items())
            and all(isinstance(key, str) and type(count) is int and 0 <= count <= MAX_DECIMALS
                    for key, count in places.items()))  # fmt: skip
