"""The two halves of the study behind one interface: how to fit, which seeds, how to judge.

The suite, the CLI and the pytest plugin only talk to a ``ModelHalf``; what "the same
result" means for each model lives in its half.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from regcheck.engine.exact import Verdict, compare_exact
from regcheck.studies.heart.configs import DEFAULT_SEED, Config, LogregConfig

if TYPE_CHECKING:
    from regcheck.engine.baselines import Baseline, BaselineStore
    from regcheck.engine.records import ResultRecord
    from regcheck.studies.heart.published import PublishedTable
    from regcheck.studies.heart.split import StudySplit

LOGREG_RULE_REASON = "liblinear with a fixed random_state is deterministic: exact in every environment"


class ModelHalf(Protocol):
    model: str

    def seeds(self, requested: tuple[int, ...] | None) -> tuple[int, ...]: ...

    def fit(self, config: Config, split: StudySplit, seed: int) -> ResultRecord: ...

    def judge(
        self, config: Config, records: list[ResultRecord], baseline: Baseline | None, published: PublishedTable
    ) -> Verdict: ...

    def profile(self) -> dict[str, str]: ...


class LogregHalf:
    """Deterministic: one seed, the exact rule everywhere."""

    model = "logreg"

    def seeds(self, requested: tuple[int, ...] | None) -> tuple[int, ...]:
        # FACTS: the six accuracies are the same for every random_state 0..199, and the
        # fit is bit-reproducible for a given one; more seeds would only repeat the check.
        return (DEFAULT_SEED,)

    def fit(self, config: Config, split: StudySplit, seed: int) -> ResultRecord:
        from regcheck.studies.heart.logreg import fit_logreg

        assert isinstance(config, LogregConfig)  # internal invariant: the grid routes by model
        return fit_logreg(config, split, seed)

    def profile(self) -> dict[str, str]:
        return {}

    def judge(
        self, config: Config, records: list[ResultRecord], baseline: Baseline | None, published: PublishedTable
    ) -> Verdict:
        record = records[0]
        verdict = Verdict(self.model, config.config_id, "held", "exact", LOGREG_RULE_REASON)
        # The published table is asserted here (it reproduces to the digit), whatever the baseline says.
        off_published = published.check(self.model, config.config_id, record.accuracy)
        if off_published:
            verdict.differences.append(off_published)
        if baseline is None or record.seed not in baseline.seeds:
            verdict.status = "moved" if off_published else "missing"
            return verdict
        differences, flipped = compare_exact(baseline.seeds[record.seed], record.to_dict())
        verdict.differences += differences
        verdict.flipped_rows = flipped
        verdict.status = "moved" if verdict.differences else "held"
        return verdict


def half_for(model: str, store: BaselineStore | None = None) -> ModelHalf:
    """The half for ``model``; ``store`` lets a half read its baselines' profile to pick default seeds."""
    if model == "logreg":
        return LogregHalf()
    if model == "mlp":
        from regcheck.studies.heart.mlp import MlpHalf

        return MlpHalf(store)
    raise KeyError(model)
