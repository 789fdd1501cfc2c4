"""The configurations of the study, each with a stable, human-readable id.

Ids name baselines, pytest test ids and table rows, so they are derived from the
parameters alone and never change when the code around them does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal, Union

from regcheck.engine.study import DEFAULT_SEED
from regcheck.results.names import is_safe_name

LOGREG_PENALTIES: tuple[Literal["l1", "l2"], ...] = ("l1", "l2")
LOGREG_STRENGTHS = (0.001, 0.01, 0.1)
MLP_STRENGTHS = (0.001, 0.01, 0.1)


@dataclass(frozen=True)
class LogregConfig:
    """One logistic-regression fit: penalty and inverse strength C, liblinear solver."""

    penalty: Literal["l1", "l2"]
    C: float
    model: ClassVar[str] = "logreg"

    @property
    def config_id(self) -> str:
        return f"logreg-{self.penalty}-C{self.C:g}"

    def params(self) -> dict[str, float | str]:
        return {"penalty": self.penalty, "C": self.C, "solver": "liblinear"}


@dataclass(frozen=True)
class MlpConfig:
    """One MLP fit: the l1 and l2 factors of the hidden layers' ``l1_l2`` regularizer."""

    l1: float
    l2: float
    model: ClassVar[str] = "mlp"

    @property
    def config_id(self) -> str:
        return f"mlp-l1_{self.l1:g}-l2_{self.l2:g}"

    def params(self) -> dict[str, float | str]:
        return {"l1": self.l1, "l2": self.l2}


Config = Union[LogregConfig, MlpConfig]

LOGREG_GRID: tuple[LogregConfig, ...] = tuple(
    LogregConfig(penalty, strength) for penalty in LOGREG_PENALTIES for strength in LOGREG_STRENGTHS
)
MLP_GRID: tuple[MlpConfig, ...] = tuple(MlpConfig(l1, l2) for l1 in MLP_STRENGTHS for l2 in MLP_STRENGTHS)
GRIDS: dict[str, tuple[Config, ...]] = {"logreg": LOGREG_GRID, "mlp": MLP_GRID}
MODELS = tuple(GRIDS)


def all_config_ids(model: str) -> tuple[str, ...]:
    return tuple(config.config_id for config in GRIDS[model])


is_safe_id = is_safe_name
__all__ = ["DEFAULT_SEED", "GRIDS", "LOGREG_GRID", "MLP_GRID", "MODELS", "Config", "LogregConfig", "MlpConfig"]
