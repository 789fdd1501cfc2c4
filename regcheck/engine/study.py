"""The study protocol: what a study gives the engine, and nothing the engine knows about any one study.

A **study** is a data set and the models fitted on it. Each **model** has configurations (a
grid), fits one configuration for one seed into a ``ResultRecord``, and declares its **rule**:

* ``exact``: the fit is deterministic (liblinear with a fixed ``random_state``); every field of
  every seed must equal the baseline's in every environment (real values within the exact
  rule's tolerance, ``regcheck.engine.exact``).
* ``band``: the fit is seeded but its floating-point path depends on the environment (a Keras
  MLP). Where the run's **profile** (``Model.profile``) equals one the baseline was blessed in,
  the exact tier applies to ``exact_fields``; elsewhere the band tier compares the distribution
  of ``band_statistics`` over seeds (``regcheck.engine.band``), jointly, at a level corrected
  for the statistics and the model's configurations.

The engine does the rest: seeds, running (in this process, a process pool or a Dask cluster),
judging, claims, baselines and their updates, run files and reports. ``docs/extending.md``
walks through a whole study; ``examples/wine_study.py`` is one.

Studies are subclasses of ``Study`` and ``Model`` (as syrupy's extensions are subclasses of its
base class): every method has a default but ``Study.load``, ``Study.models``,
``Model.configurations`` and ``Model.fit``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from regcheck.engine.exact import FieldDifference
    from regcheck.engine.records import ResultRecord

Rule = Literal["exact", "band"]
# The split's random_state of the first study, reused as the default seed so that "seed 42"
# means one thing across the suite; a study may choose others per model.
DEFAULT_SEED = 42
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class Configuration(Protocol):
    """One point of a model's grid: its model, a stable id (it names files and tests), its parameters."""

    @property
    def model(self) -> str: ...

    @property
    def config_id(self) -> str: ...

    def params(self) -> Mapping[str, Any]: ...


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


@dataclass(frozen=True)
class GridAxes:
    """How the reports lay a model's configurations out: one parameter down, one across.

    ``rows`` and ``columns`` name parameters of the model's configurations; ``row_label`` names
    the row parameter in tables and plots (default: ``rows``). ``plot`` picks the chart beside the
    table: ``lines`` (accuracy against a numeric column parameter, one line per row value) or
    ``heatmap`` (rows x columns, each cell's mean accuracy over seeds with every seed shown).
    ``labels`` says how a parameter value reads (``{"l1": "L1"}``); a value it does not name
    reads as itself, real numbers in ``%g``. A model without axes is reported as a plain table.
    """

    model: str
    title: str
    rows: str
    columns: str
    row_label: str = ""
    plot: Literal["lines", "heatmap"] = "heatmap"
    labels: Mapping[str, str] = field(default_factory=dict)


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


class Model:
    """One model of a study. Subclass it, set ``name`` and ``rule``, implement ``configurations`` and ``fit``."""

    name: str = ""
    rule: Rule = "exact"
    # Seeds by tier when the user names none: one seed re-proves bit-identity; the band needs
    # several to see a distribution (five: docs/tiers.md has the power each K buys).
    exact_seeds: tuple[int, ...] = (DEFAULT_SEED,)
    band_seeds: tuple[int, ...] = (0, 1, 2, 3, 4)
    # Seeds an update blesses when the user names none: both tiers' seeds, so that a run in the
    # same profile (exact seeds) and one in another profile (band seeds) both find theirs.
    baseline_seeds: tuple[int, ...] = (0, 1, 2, 3, 4, DEFAULT_SEED)
    # The fields the exact tier compares for a ``band`` model in a matching profile (None: all).
    exact_fields: tuple[str, ...] | None = None
    # The per-seed values the band tier compares across seeds: any number or list of numbers in the
    # record (core or extra; "probabilities" row by row) or one the engine derives ("brier",
    # "mean_probability": ``regcheck.engine.band``).
    # Empty: the one ``band_statistic`` (kept for studies written before there were several).
    band_statistics: tuple[str, ...] = ()
    band_statistic: str = "n_correct"
    # Why the exact rule holds for this model, named in every verdict.
    exact_reason: str = "deterministic fit: exact in every environment"
    # Modules imported before the first fit (``check_ready``): a broken install is one line and exit 2.
    requires: tuple[str, ...] = ()

    def configurations(self) -> Sequence[Configuration]:
        raise NotImplementedError(f"{type(self).__name__}.configurations")

    def fit(self, config: Any, data: Any, seed: int) -> ResultRecord:
        """Fit ``config`` on ``data`` (the ``Dataset.value``) with ``seed``; evaluate it on the test part."""
        raise NotImplementedError(f"{type(self).__name__}.fit")

    def profile(self) -> dict[str, str]:
        """What must match a baseline's for the exact tier of a ``band`` model (versions, device, ISA)."""
        return {}

    def check_ready(self) -> None:
        """Raise ``RegcheckError`` (one line, exit 2) when this model cannot run here (a backend missing)."""

    def impossible(self, outcome: Mapping[str, Any]) -> tuple[str, str, Any] | None:
        """What no fit of this model can record in one seed's outcome: ``(field, expected, found)``, or None.

        The engine checks a baseline's types; only the study knows its sizes and ranges (how many
        coefficients its data gives, how many rows its table has). A baseline holding an impossible
        value is refused as bad input (one line, exit 2) instead of being judged a moved result.
        """
        return None

    def prepare_worker(self, threads: int) -> None:
        """Called once in each worker process before its first fit (thread settings, log levels)."""

    def config_ids(self) -> tuple[str, ...]:
        return tuple(config.config_id for config in self.configurations())

    def configuration(self, config_id: str) -> Configuration:
        for config in self.configurations():
            if config.config_id == config_id:
                return config
        raise KeyError(config_id)


class Study:
    """A data set and its models. Subclass it, set ``name``, implement ``load`` and ``models``."""

    name: str = ""
    # The sha256 every copy of the data must have; None: whatever ``load`` verified and returned.
    dataset_sha256: str | None = None
    # Models whose fits take seconds go to the worker pool when ``--jobs`` > 1; the others run here.
    pooled_models: tuple[str, ...] = ()
    # Modules imported before the data is loaded: a broken install is one line and exit 2.
    requires: tuple[str, ...] = ()

    def models(self) -> Sequence[Model]:
        raise NotImplementedError(f"{type(self).__name__}.models")

    def load(self, data_path: Path | None) -> Dataset:
        """Find, read and verify the data (``data_path``: the user's ``--data``), raising ``RegcheckError``."""
        raise NotImplementedError(f"{type(self).__name__}.load")

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
        for model in self.models():
            if model.name == name:
                return model
        raise KeyError(name)

    def model_names(self) -> tuple[str, ...]:
        return tuple(model.name for model in self.models())


def is_safe_name(name: str) -> bool:
    """True when ``name`` can name a file or folder without leaving its folder (no '/', no '..')."""
    return bool(_SAFE_NAME.match(name)) and ".." not in name


@dataclass
class Selection:
    """Which models of a study a run covers (``--model``), in the study's order."""

    study: Study
    names: tuple[str, ...] = field(default_factory=tuple)

    @property
    def models(self) -> list[Model]:
        return [model for model in self.study.models() if model.name in self.names]
