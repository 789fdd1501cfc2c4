"""The study protocol: what a study gives the engine, and nothing the engine knows about any one study.

A **study** is a data set and the models fitted on it. Each **model** has configurations (a
grid), fits one configuration for one seed into a ``ResultRecord``, and declares its **rule**:

* ``exact``: the fit is deterministic (liblinear with a fixed ``random_state``); every field of
  every seed must equal the baseline's in every environment (real values within the exact
  rule's tolerance, ``regcheck.results.compare``).
* ``band``: the fit is seeded but its floating-point path depends on the environment (a Keras
  MLP). Where the run's **profile** (``Model.profile``) equals one the baseline was blessed in,
  the exact tier applies to ``exact_fields``; elsewhere the band tier compares the distribution
  of ``band_statistics`` over seeds (``regcheck.engine.band``), jointly, at a level corrected
  for the statistics and the model's configurations.

A model also declares its **task** (``classification`` or ``regression``) and its headline
**metrics** (``regcheck.results.metrics``), which every report shows per configuration.

The engine does the rest: seeds, running (in this process, a process pool or a Dask cluster),
judging, claims, baselines and their updates, run files and reports. ``docs/extending.md``
walks through a whole study; ``examples/`` holds three.

``Study`` and ``Model`` are abstract base classes (as syrupy's extensions are): a subclass that
lacks a required method cannot be instantiated, and a concrete subclass whose declarations are
inconsistent (no ``name``, an unknown ``rule`` or ``task``, a band model without band
statistics, a metric of the other task) fails when the class is made, naming the member.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, Protocol

from regcheck.engine.band_scores import scores_problem
from regcheck.engine.sequential import DEFAULT_PLAN, SequentialPlan
from regcheck.files.runfile import GridAxes
from regcheck.results.compare import FieldDifference
from regcheck.results.metrics import DEFAULT_METRICS, METRICS, TASKS, Task, unknown_for_task
from regcheck.results.names import NAME_RULE, is_safe_name
from regcheck.results.record import Configuration, ResultRecord

__all__ = [
    "DEFAULT_SEED", "Claim", "Configuration", "Dataset", "GridAxes", "Model", "Published", "ResultRecord", "Rule",
    "Setting", "Study", "model_problem",
]  # fmt: skip

Rule = Literal["exact", "band"]
RULES: tuple[Rule, ...] = ("exact", "band")
# The split's random_state of the first study, reused as the default seed so that "seed 42"
# means one thing across the suite; a study may choose others per model.
DEFAULT_SEED = 42


@dataclass(frozen=True)
class Setting:
    """A ready-made ``Configuration`` for studies that need no class of their own.

    ``Setting("sgd", {"alpha": 1e-4})`` has the id ``sgd-alpha_0.0001``: derived from the
    parameters alone, so it never changes when the code around it does.
    """

    model_name: str
    values: Mapping[str, Any]
    name: str | None = None

    @property
    def model(self) -> str:
        return self.model_name

    @property
    def config_id(self) -> str:
        if self.name:
            return self.name
        parts = [f"{key}_{value:g}" if isinstance(value, float) else f"{key}_{value}" for key, value in self.values.items()]
        return "-".join([self.model_name, *parts])

    def params(self) -> Mapping[str, Any]:
        return dict(self.values)


@dataclass(frozen=True)
class Dataset:
    """A study's data as loaded and verified: ``value`` is handed to every fit unchanged.

    ``sha256`` identifies the data the baselines were made from; ``source`` says where it was
    found (the report header prints it).
    """

    sha256: str
    source: str
    value: Any
    # The file it was read from, when there is one: no output of a run may overwrite it.
    path: Path | None = None


@dataclass(frozen=True)
class Claim:
    """A fact the study asserts beside its numbers (``L1 at C=0.001 zeroes every coefficient``)."""

    name: str
    holds: bool
    detail: str


class Published(Protocol):
    """Numbers a publication printed, checked against a run (optional for a study)."""

    def differences(self, config: Configuration, records: Sequence[ResultRecord]) -> list[FieldDifference]:
        """What contradicts the publication; a contradicted result is never blessed into a baseline."""
        ...

    def notes(self, model: str, records: Mapping[str, Sequence[ResultRecord]]) -> list[str]:
        """Published beside obtained, one line per published number (reported, whether asserted or not)."""
        ...

    def to_document(self, models: Sequence[str]) -> dict[str, Any]:
        """What the run file keeps of the publication, for reports."""
        ...


class Model(ABC):
    """One model of a study. Subclass it, set ``name`` and ``rule``, implement ``configurations`` and ``fit``."""

    name: str = ""
    rule: Rule = "exact"
    task: Task = "classification"
    # The numbers every report shows per configuration (``regcheck.results.metrics``); empty: the
    # task's own (accuracy; r2 and mse).
    metrics: tuple[str, ...] = ()
    # The framework the fits compute with, when it decides the device the worker pool is sized for
    # (``"keras"``: its backend's GPUs; ``regcheck.frameworks``); None: the fits use the CPU alone.
    framework: str | None = None
    # Seeds by tier when the user names none: one seed re-proves bit-identity; the band needs
    # several to see a distribution.
    exact_seeds: tuple[int, ...] = (DEFAULT_SEED,)
    band_seeds: tuple[int, ...] = (0, 1, 2, 3, 4)
    # Seeds an update blesses when the user names none: both tiers' seeds, so that a run in the
    # same profile (exact seeds) and one in another profile (band seeds) both find theirs.
    baseline_seeds: tuple[int, ...] = (0, 1, 2, 3, 4, DEFAULT_SEED)
    # The fields the exact tier compares for a ``band`` model in a matching profile (None: all).
    exact_fields: tuple[str, ...] | None = None
    # The per-seed values the band tier compares across seeds (a ``band`` model needs at least one):
    # a metric (``n_correct``, ``log_loss``, ``brier``, ``mse``, ``r2``: ``regcheck.results.metrics``)
    # or any number or array the record holds (core or extra; an array is compared entry by entry).
    band_statistics: tuple[str, ...] = ()
    # How each band statistic is scored, where not by its kind's defaults (a number's mean; a vector's
    # sum of squares and largest entry): ``{"log_loss": ("default", "spread")}`` adds its spread
    # over seeds (``regcheck.engine.band_scores``: mean, largest, spread, distribution).
    band_scores: Mapping[str, tuple[str, ...]] = MappingProxyType({})
    # The sequential band a run without ``--seeds`` uses in the band tier (``regcheck.engine.sequential``):
    # five seeds first, more only where the answer is open. None: one fixed run of ``band_seeds``.
    band_plan: SequentialPlan | None = DEFAULT_PLAN
    # Why the exact rule holds for this model, named in every verdict.
    exact_reason: str = "deterministic fit: exact in every environment"
    # Modules imported before the first fit (``check_ready``): a broken install is one line and exit 2.
    requires: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if _is_concrete(cls):
            problem = model_problem(cls)
            if problem:
                raise TypeError(f"Model subclass {cls.__name__}: {problem}")

    @abstractmethod
    def configurations(self) -> Sequence[Configuration]:
        """The grid, in report order; each configuration's ``config_id`` names its files and tests."""

    @abstractmethod
    def fit(self, config: Any, data: Any, seed: int) -> ResultRecord:
        """Fit ``config`` on ``data`` (the ``Dataset.value``) with ``seed``; evaluate it on the test part."""

    def profile(self) -> dict[str, str]:
        """What must match a baseline's for the exact tier of a ``band`` model (versions, device, ISA)."""
        return {}

    def check_ready(self) -> None:  # noqa: B027  (an optional hook: does nothing unless a model says so)
        """Raise ``RegcheckError`` (one line, exit 2) when this model cannot run here (a backend missing)."""

    def impossible(self, outcome: Mapping[str, Any]) -> tuple[str, str, Any] | None:
        """What no fit of this model can record in one seed's outcome: ``(field, expected, found)``, or None.

        The engine checks a baseline's types; only the study knows its sizes and ranges (how many
        coefficients its data gives, how many rows its table has). A baseline holding an impossible
        value is refused as bad input (one line, exit 2) instead of being judged a moved result.
        """
        return None

    def prepare_worker(self, threads: int) -> None:  # noqa: B027  (an optional hook, as check_ready)
        """Called once in each worker process before its first fit (thread settings, log levels)."""

    def headline_metrics(self) -> tuple[str, ...]:
        """The metrics the reports show: ``metrics``, else the task's own."""
        return tuple(self.metrics) or DEFAULT_METRICS[self.task]

    def config_ids(self) -> tuple[str, ...]:
        return tuple(config.config_id for config in self.configurations())

    def configuration(self, config_id: str) -> Configuration:
        for config in self.configurations():
            if config.config_id == config_id:
                return config
        raise KeyError(config_id)


class Study(ABC):
    """A data set and its models. Subclass it, set ``name``, implement ``load`` and ``models``."""

    name: str = ""
    # The sha256 every copy of the data must have; None: whatever ``load`` verified and returned.
    dataset_sha256: str | None = None
    # Models whose fits take seconds go to the worker pool when ``--jobs`` > 1; the others run here.
    pooled_models: tuple[str, ...] = ()
    # Modules imported before the data is loaded: a broken install is one line and exit 2.
    requires: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if _is_concrete(cls) and not is_safe_name(cls.name):
            raise TypeError(f"Study subclass {cls.__name__}: name {cls.name!r} cannot name a baselines folder ({NAME_RULE})")

    @abstractmethod
    def models(self) -> Sequence[Model]:
        """The models, in report order."""

    @abstractmethod
    def load(self, data_path: Path | None) -> Dataset:
        """Find, read and verify the data (``data_path``: the user's ``--data``), raising ``RegcheckError``."""

    def claims(self, records: Mapping[str, Sequence[ResultRecord]]) -> list[Claim]:
        """The study's own facts, checked on whatever configurations this run produced."""
        return []

    def published(self, baselines_root: Path) -> Published | None:
        """The publication's numbers, when the study reproduces one (read from the baselines folder)."""
        return None

    def grid_axes(self) -> list[GridAxes]:
        """How reports lay out each model's grid; none: a plain table per model."""
        return []

    def data_description(self, data_path: Path | None) -> str:
        """Where the data will come from, for the report header (without loading it)."""
        return str(data_path) if data_path else "the study's default"

    def model(self, name: str) -> Model:
        """A convenience for notebooks and tests: asks ``models()`` anew. regcheck itself asks it once
        (``regcheck.engine.grid.grid_for``)."""
        for model in self.models():
            if model.name == name:
                return model
        raise KeyError(name)


def _is_concrete(cls: type) -> bool:
    """Whether ``cls`` implements every abstract method of its bases (ABCMeta decides it only after this hook)."""
    abstract = {name for base in cls.__mro__[1:] for name in getattr(base, "__abstractmethods__", ())}
    return not any(getattr(getattr(cls, name, None), "__isabstractmethod__", False) for name in abstract)


def model_problem(model: Model | type[Model]) -> str | None:
    """What makes a model's declarations unusable, in words naming the member; None when they are consistent.

    Checked when a concrete class is made and again on the instance the study returns (a
    declaration may be set in ``__init__``).
    """
    name, rule, task = getattr(model, "name", None), getattr(model, "rule", None), getattr(model, "task", None)
    if not is_safe_name(name):
        return f"name {name!r} cannot name a baselines folder ({NAME_RULE})"
    if rule not in RULES:
        return f"rule {rule!r}; expected one of {', '.join(RULES)}"
    if task not in TASKS:
        return f"task {task!r}; expected one of {', '.join(TASKS)}"
    for member in ("metrics", "band_statistics"):
        value = getattr(model, member, ())
        if not isinstance(value, (tuple, list)) or not all(isinstance(item, str) and item for item in value):
            return f"{member} {value!r:.60}; expected a tuple of names"
        wrong = unknown_for_task(value, task)
        if wrong:
            owners = ", ".join(f"{item} ({METRICS[item].task})" for item in wrong)
            return f"{member} names {owners}, which a {task} model's records never hold; choose metrics of its task"
    scores = scores_problem(getattr(model, "band_scores", {}), tuple(getattr(model, "band_statistics", ())))
    if scores:
        return scores
    if not isinstance(getattr(model, "band_plan", None), (SequentialPlan, type(None))):
        return f"band_plan {getattr(model, 'band_plan', None)!r:.60}; expected a regcheck SequentialPlan or None"
    if rule == "band" and not getattr(model, "band_statistics", ()):
        examples = "n_correct, log_loss, brier" if task == "classification" else "mse, r2"
        return f"rule 'band' needs band_statistics, the per-seed numbers the band compares (e.g. {examples})"
    exact_fields = getattr(model, "exact_fields", None)
    if exact_fields is not None and not (
        isinstance(exact_fields, (tuple, list)) and all(isinstance(f, str) for f in exact_fields)
    ):
        return f"exact_fields {exact_fields!r:.60}; expected None or a tuple of field names"
    return None
