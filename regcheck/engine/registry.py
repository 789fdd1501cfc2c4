"""Finding a study: by its registered name, by ``MODULE:OBJECT``, or by ``path/to/file.py:OBJECT``.

Installed packages register studies the standard way, an entry-point group (as pytest-randomly
lets other packages plug in)::

    [project.entry-points."regcheck.studies"]
    wine = "my_package.studies:wine_study"

regcheck registers the study it ships there too, under the name ``heart``, the default
(``$REGCHECK_STUDY`` overrides it); the engine finds it through the group like any other, and
imports no study itself. A reference is
kept as text in every run, so worker processes (spawned, or on a Dask cluster) load the same
study by the same reference.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path

from regcheck.engine.grid import grid_for
from regcheck.engine.study import Study
from regcheck.errors import UsageError

ENTRY_POINT_GROUP = "regcheck.studies"
# The study regcheck ships, registered in its own pyproject.toml under this name.
SHIPPED_STUDY = "heart"
DEFAULT_STUDY = os.environ.get("REGCHECK_STUDY", "").strip() or SHIPPED_STUDY
STUDY_EXAMPLE = "a registered study name, MODULE:OBJECT or path/to/file.py:OBJECT"


def registered_studies() -> dict[str, str]:
    """Registered name -> ``module:object``, from every installed package's entry points."""
    return {point.name: point.value for point in entry_points(group=ENTRY_POINT_GROUP)}


@cache
def load_study(reference: str = DEFAULT_STUDY) -> Study:
    """The study ``reference`` names; any fault is one ``UsageError`` line naming the reference.

    A study is the user's code: whatever it raises while it is imported, built or asked what it
    holds (its name, its models, their names and configurations) is reported as a fault of the
    study, never as a traceback.
    """
    target = registered_studies().get(reference, reference)
    if ":" not in target:
        known = ", ".join(sorted(registered_studies())) or "none"
        raise UsageError(f"--study {reference}: not a registered study ({known}) nor MODULE:OBJECT; expected {STUDY_EXAMPLE}")
    module_name, _, attribute = target.rpartition(":")
    module = _import(reference, module_name)
    try:
        study = _checked(reference, getattr(module, attribute, None), module_name, attribute)
    except (UsageError, KeyboardInterrupt):  # Ctrl-C stays Ctrl-C
        raise
    except BaseException as exc:  # whatever the user's code raises, SystemExit and its own BaseExceptions too
        raise UsageError(f"--study {reference}: the study raised {type(exc).__name__}: {exc}") from None
    return study


def _checked(reference: str, study: object, module_name: str, attribute: str) -> Study:
    """The object as a usable study: a ``Study`` whose name, models and configurations have the declared
    types (``regcheck.engine.grid``: asked and checked once, every call guarded)."""
    if study is None:
        raise UsageError(f"--study {reference}: {module_name} has no attribute {attribute!r}")
    if isinstance(study, type) and issubclass(study, Study):
        study = study()
    if not isinstance(study, Study):
        raise UsageError(f"--study {reference}: {attribute} is a {type(study).__name__}, not a regcheck Study")
    grid_for(study, reference)
    return study


def _import(reference: str, module_name: str) -> object:
    try:
        if module_name.endswith(".py"):
            return _import_file(Path(module_name))
        if "" not in sys.path and str(Path.cwd()) not in sys.path:
            sys.path.append(str(Path.cwd()))  # `--study my_study:study` run from the study's folder
        return importlib.import_module(module_name)
    except (UsageError, KeyboardInterrupt):
        raise
    except BaseException as exc:  # the user's module failed to import (or exited): one line
        raise UsageError(f"--study {reference}: cannot import {module_name} ({type(exc).__name__}: {exc})") from None


def _import_file(path: Path) -> object:
    if not path.is_file():
        raise UsageError(f"--study {path}: no such file")
    # One module name per file, so a worker that loads the same path gets the same classes.
    name = "regcheck_study_" + "".join(ch if ch.isalnum() else "_" for ch in str(path.resolve()))
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise UsageError(f"--study {path}: not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
