"""The study protocol: abstract base classes that fail when a class is made, a grid asked once, every hook guarded."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from regcheck.engine.grid import StudyGrid
from regcheck.engine.run import RunOptions, StudyRun, run_study
from regcheck.engine.study import Dataset, Model, ResultRecord, Setting, Study
from regcheck.errors import UsageError


class Counted(Model):
    """A regression model whose fit is arithmetic: what the tests change is how it misbehaves."""

    name = "counted"
    task = "regression"
    asked = 0
    behaviour = "record"

    def configurations(self) -> Sequence[Setting]:
        type(self).asked += 1
        return [Setting(self.name, {"index": index}) for index in range(5)]

    def fit(self, config: Setting, data: Any, seed: int) -> ResultRecord:
        if self.behaviour == "dict":
            return {"predictions": [1.0]}  # type: ignore[return-value]
        if self.behaviour == "exit":
            sys.exit(0)
        value = float(config.values["index"])
        return ResultRecord.on_test_part(config, [value, 1.0], [0, 1], seed, [value, 1.0], None, 0.0)


class Grid(Study):
    name = "grid"

    def __init__(self, model: Model) -> None:
        self.model_object = model

    def models(self) -> Sequence[Model]:
        return [self.model_object]

    def load(self, data_path: Path | None) -> Dataset:
        return Dataset("0" * 64, "none", None)


def test_a_model_without_fit_cannot_be_made_and_says_which_method_it_lacks() -> None:
    class Unfinished(Model):
        name = "unfinished"

        def configurations(self) -> Sequence[Setting]:
            return []

    with pytest.raises(TypeError, match="abstract method fit"):
        Unfinished()  # type: ignore[abstract]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"rule": "band"}, "rule 'band' needs band_statistics, the per-seed numbers the band compares (e.g. mse, r2)"),
        ({"rule": "band", "band_statistics": ("n_correct",)},
         "band_statistics names n_correct (classification), which a regression model's records never hold"),
        ({"metrics": ("accuracy",)}, "metrics names accuracy (classification), which a regression model's records never hold"),
        ({"name": "a/b"}, "name 'a/b' cannot name a baselines folder"),
        ({"rule": "fuzzy"}, "rule 'fuzzy'; expected one of exact, band"),
    ],
)  # fmt: skip
def test_a_concrete_model_with_inconsistent_declarations_fails_when_the_class_is_made(body: dict[str, Any], problem: str) -> None:
    with pytest.raises(TypeError, match=rf"^Model subclass Wrong: {problem}".replace("(", r"\(").replace(")", r"\)")):
        type("Wrong", (Counted,), dict(body))


def test_the_grid_is_asked_once_per_run_however_often_it_is_judged(tmp_path: Path) -> None:
    Counted.asked = 0
    study = Grid(Counted())
    run = StudyRun(study, RunOptions("grid", tmp_path, update=True))
    outcome = run_study(run, ("counted",))
    assert [verdict.status for verdict in outcome.verdicts] == ["updated"] * 5
    assert Counted.asked == 1


@pytest.mark.parametrize(
    ("configurations", "message"),
    [
        (lambda: (Setting("counted", {"i": i}) for i in range(2)), "expected a non-empty list or tuple of configurations"),
        (
            lambda: [Setting("counted", {"i": {1, 2}}, name="counted-set")],
            "configuration counted-set's params(): field params.i: expected a number, text, a boolean or an array of them, "
            "found set",
        ),
        (lambda: [Setting("counted", {}, name="a\nb")], "has config_id 'a\\nb'; expected a name of letters"),
        (lambda: [Setting("other", {})], "configuration other names model 'other'; expected 'counted'"),
        (lambda: [Setting("counted", {}), Setting("counted", {})], "gives config_id 'counted' twice"),
    ],
)
def test_a_grid_a_study_cannot_hold_is_one_line_before_anything_is_fitted(configurations: Any, message: str) -> None:
    model = Counted()
    model.configurations = configurations  # type: ignore[method-assign]
    with pytest.raises(UsageError) as refused:
        StudyGrid(Grid(model))
    assert message in str(refused.value) and "\n" not in str(refused.value)


@pytest.mark.parametrize(
    ("behaviour", "cause"),
    [
        ("dict", "fit() returned {'predictions': [1.0]}; expected a regcheck ResultRecord (ResultRecord.on_test_part(...))"),
        ("exit", "SystemExit: called sys.exit(0)"),
    ],
)
def test_a_fit_that_returns_no_record_or_exits_is_that_configuration_s_error(behaviour: str, cause: str, tmp_path: Path) -> None:
    model = Counted()
    model.behaviour = behaviour
    run = StudyRun(Grid(model), RunOptions("grid", tmp_path, update=True))
    outcome = run_study(run, ("counted",))
    assert {verdict.status for verdict in outcome.verdicts} == {"error"}
    assert cause in outcome.verdicts[0].detail
    assert outcome.failed


def test_a_band_statistic_the_records_do_not_hold_is_refused_before_anything_is_blessed(tmp_path: Path) -> None:
    class Banded(Counted):
        name = "banded"
        rule = "band"
        band_statistics = ("importances",)

        def configurations(self) -> Sequence[Setting]:
            return [Setting(self.name, {"index": index}) for index in range(2)]

    run = StudyRun(Grid(Banded()), RunOptions("grid", tmp_path, update=True))
    with pytest.raises(UsageError, match="band_statistics names 'importances', which is neither a metric"):
        run_study(run, ("banded",))
    assert not run.plan.baselines
    assert not any(tmp_path.iterdir())


def test_exact_fields_the_records_do_not_hold_are_refused_before_anything_is_blessed(tmp_path: Path) -> None:
    class Banded(Counted):
        name = "banded"
        rule = "band"
        band_statistics = ("mse",)
        exact_fields = ("n_test", "nosuch")

    run = StudyRun(Grid(Banded()), RunOptions("grid", tmp_path, update=True))
    with pytest.raises(UsageError, match="exact_fields names 'nosuch', which its records do not hold"):
        run_study(run, ("banded",))
    assert not run.plan.baselines
