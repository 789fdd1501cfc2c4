"""A study's models and configurations, asked of the study once and checked once.

``grid_for(study)`` asks ``models()`` and each model's ``configurations()`` one time, checks what
they return (types, names that become file names, distinct ids, parameters a file can hold), and
indexes the configurations by id, so that judging a configuration, reading its baseline and laying
it out in a report cost the same whether the grid has ten configurations or ten thousand. Every
call is guarded (``regcheck.engine.guard``): a study hook that raises or returns the wrong type
is one line naming the study and the hook, before anything is fitted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from regcheck.engine.guard import call_hook, shown
from regcheck.engine.study import Model, Study, model_problem
from regcheck.errors import UsageError
from regcheck.files.baseline import OBTAINED_SUFFIX, BaselineSchema, BaselineStore
from regcheck.results.names import NAME_RULE, is_safe_name
from regcheck.results.record import Configuration, RecordProblem, check_params
from regcheck.results.values import ValueProblem, encode, normalize

OBTAINED_MARK = OBTAINED_SUFFIX.removesuffix(".json")


class StudyGrid:
    """One study's models and their configurations, as the study gave them when the grid was made."""

    def __init__(self, study: Study, reference: str | None = None) -> None:
        self.study = study
        name = getattr(study, "name", None)
        where = f"--study {reference}" if reference else f"study {name!r}"
        if not is_safe_name(name):
            raise UsageError(f"{where}: study name {name!r} cannot name a baselines folder ({NAME_RULE})")
        self.name: str = str(name)
        models = call_hook(self.name, "models()", study.models, "a non-empty list of regcheck Models",
                           lambda value: isinstance(value, (list, tuple)) and bool(value)
                           and all(isinstance(model, Model) for model in value))  # fmt: skip
        self._models: dict[str, Model] = {}
        for model in models:
            problem = model_problem(model)
            if problem:
                raise UsageError(f"study {self.name}: model {type(model).__name__}: {problem}")
            if model.name in self._models:
                raise UsageError(f"study {self.name}: two models named {model.name!r}; expected each name once")
            self._models[model.name] = model
        self._configurations = {name: self._checked_configurations(model) for name, model in self._models.items()}
        self._index = {name: {config.config_id: config for config in configs} for name, configs in self._configurations.items()}

    def _checked_configurations(self, model: Model) -> tuple[Configuration, ...]:
        hook = f"model {model.name}'s configurations()"
        configs = call_hook(self.name, hook, model.configurations, "a non-empty list or tuple of configurations",
                            lambda value: isinstance(value, (list, tuple)) and bool(value))  # fmt: skip
        seen: set[str] = set()
        for position, config in enumerate(configs):
            config_id = getattr(config, "config_id", None)
            if not is_safe_name(config_id):
                raise UsageError(f"study {self.name}: {hook}[{position}] has config_id {shown(config_id)}; "
                                 f"expected a name of {NAME_RULE}")  # fmt: skip
            if str(config_id).endswith(OBTAINED_MARK):  # its baseline would be another configuration's obtained record
                raise UsageError(f"study {self.name}: {hook}[{position}] has config_id {config_id!r}; expected an id that "
                                 f"does not end in {OBTAINED_MARK!r} (the name of an obtained record's file)")  # fmt: skip
            if config_id in seen:
                raise UsageError(f"study {self.name}: {hook} gives config_id {config_id!r} twice; expected distinct ids")
            seen.add(str(config_id))
            named = getattr(config, "model", None)
            if named != model.name:
                raise UsageError(f"study {self.name}: configuration {config_id} names model {shown(named)}; "
                                 f"expected {model.name!r}, the model that gives it")  # fmt: skip
            params = call_hook(self.name, f"configuration {config_id}'s params()", config.params,
                               "a mapping of parameter names to values", lambda value: isinstance(value, Mapping))  # fmt: skip
            try:
                check_params(params)
            except RecordProblem as problem:
                raise UsageError(f"study {self.name}: configuration {config_id}'s params(): {problem}") from None
        return tuple(configs)

    # --- what the rest of the engine asks --------------------------------------------------------------

    def names(self) -> tuple[str, ...]:
        return tuple(self._models)

    def model(self, name: str) -> Model:
        return self._models[name]

    def models(self) -> list[Model]:
        return list(self._models.values())

    def configurations(self, name: str) -> tuple[Configuration, ...]:
        return self._configurations[name]

    def configuration(self, name: str, config_id: str) -> Configuration:
        return self._index[name][config_id]

    def config_ids(self, name: str) -> tuple[str, ...]:
        return tuple(self._index[name])

    def count(self, name: str) -> int:
        return len(self._configurations[name])

    def order(self) -> list[tuple[str, str]]:
        """Every (config_id, model) in report order."""
        return [(config.config_id, name) for name, configs in self._configurations.items() for config in configs]

    def schema(self, name: str) -> BaselineSchema:
        """What ``name``'s baselines hold, for the store: declared parameters, compared fields, the model's own check."""
        model = self._models[name]

        def impossible(outcome: Mapping[str, Any]) -> tuple[str, str, Any] | None:
            found = call_hook(self.name, f"model {name}'s impossible()", lambda: model.impossible(outcome),
                              "None or (field, expected, found)",
                              lambda value: value is None or (isinstance(value, tuple) and len(value) == 3))  # fmt: skip
            return found

        params = {config.config_id: _as_json(dict(config.params())) for config in self._configurations[name]}
        return BaselineSchema(params, tuple(model.exact_fields or ()), impossible)

    def store(self, root: Path, dataset_sha256: str | None = None) -> BaselineStore:
        """The baselines of this study under ``root`` (``dataset_sha256``: the data they must be made from)."""
        schemas = {name: self.schema(name) for name in self._models}
        return BaselineStore(root, self.name, schemas, self.study.dataset_sha256 or dataset_sha256)


def _as_json(params: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters as a baseline file holds them (tuples as lists, numpy numbers as Python's)."""
    try:
        return {key: encode(normalize(value)) for key, value in params.items()}
    except ValueProblem:  # refused when the grid was made
        return dict(params)


_GRIDS: dict[int, tuple[Study, StudyGrid]] = {}


def grid_for(study: Study, reference: str | None = None) -> StudyGrid:
    """The grid of ``study``, made (asked and checked) the first time it is needed in this process."""
    found = _GRIDS.get(id(study))
    if found is None or found[0] is not study:
        found = (study, StudyGrid(study, reference))
        _GRIDS[id(study)] = found
    return found[1]


def configurations_of(study: Study, names: Sequence[str]) -> list[Configuration]:
    grid = grid_for(study)
    return [config for name in names for config in grid.configurations(name)]
