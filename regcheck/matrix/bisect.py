"""Bisect a dependency's releases to the first one that changes the study's result.

``regcheck bisect PACKAGE GOOD BAD`` lists the final releases of PACKAGE from GOOD to BAD on the
package index (``pip index versions``, through pip's own configuration: index, mirrors, find-links),
builds one environment per release it needs with uv (as tox-uv builds the matrix's), runs
``regcheck run --json`` there, and compares each run with GOOD's along the matrix's ladder
(``regcheck.results.compare.compare_outcomes``, through ``regcheck.matrix.table.compare_cell``: identical, last
bits, values beyond tolerance, labels), over the fields each model's exact tier compares.
A release *differs* when any configuration's mark is not ``identical``; the search assumes that a
change, once made, stays (as ``git bisect`` does), so it runs about log2(n) releases, not n.

Everything is cached under ``<cache>/bisect`` (``REGCHECK_CACHE_DIR`` or the platform's cache folder):
one environment per (package, release, companions, Python) and one run file per (that, model, seeds,
regcheck's own source), so a rerun reads the run files and builds nothing.

A release whose environment cannot be built or whose run fails is *skipped*, as ``git bisect skip``
does: the search goes on around it and the report names it.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.version import InvalidVersion, Version

from regcheck.errors import RegcheckError, UsageError
from regcheck.matrix.environments import (  # noqa: F401 (failure_reason and find_uv: bisect's own names too)
    BuildError,
    cache_folder,
    create_environment,
    failure_reason,
    find_uv,
    run_study,
)
from regcheck.matrix.table import Cell, Column, Fields, Matrix, Row, compare_cell, load_run_file
from regcheck.results.compare import SEVERITY
from regcheck.results.metrics import metric_value

if TYPE_CHECKING:
    from collections.abc import Iterator


class BisectError(RegcheckError):
    """The search cannot go on: GOOD or BAD cannot be built or run, the index cannot be read."""


# --- the releases -------------------------------------------------------------------------------


def parse_version(text: str) -> Version:
    try:
        return Version(text)
    except InvalidVersion:
        raise UsageError(f"{text!r} is not a version (PEP 440), e.g. 1.26.4") from None


def check_order(good: Version, bad: Version) -> None:
    if bad <= good:
        raise UsageError(f"BAD {bad} is not newer than GOOD {good}; give the older release first")


def releases_between(available: Sequence[str], good: Version, bad: Version) -> list[Version]:
    """Final releases from ``good`` to ``bad``, both included (even where the index lists neither), sorted."""
    check_order(good, bad)
    found = {good, bad}
    for text in available:
        try:
            version = Version(text)
        except InvalidVersion:
            continue  # a legacy version string: not one the search can order
        if good < version < bad and not (version.is_prerelease or version.is_devrelease):
            found.add(version)
    return sorted(found)


_AVAILABLE = re.compile(r"^Available versions:\s*(?P<versions>.*)$", re.MULTILINE)


def index_versions(package: str, python: str) -> list[str]:
    """Every version of ``package`` the index offers ``python`` (pip's own answer, its configuration applied)."""
    command = [python, "-m", "pip", "index", "versions", package, "--disable-pip-version-check"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BisectError(f"cannot list {package}'s releases: {' '.join(command)}: {exc}") from None
    match = _AVAILABLE.search(done.stdout)
    if done.returncode != 0 or match is None:
        said = (done.stderr.strip().splitlines() or done.stdout.strip().splitlines() or ["no output"])[-1]
        raise BisectError(f"cannot list {package}'s releases with '{' '.join(command[1:])}': {said}")
    return [text.strip() for text in match.group("versions").split(",") if text.strip()]


# --- one release: its environment and its run ----------------------------------------------------


@dataclass(frozen=True)
class Setup:
    """What every environment of one bisection shares."""

    package: str
    model: str
    seeds: str | None
    companions: tuple[str, ...]  # --with pins, e.g. scikit-learn==1.5.2
    python: str  # the interpreter the environments are built on
    regcheck_source: Path  # the folder uv installs regcheck from
    cache: Path
    run_options: tuple[str, ...] = ()  # --study, --baselines, --data, passed to 'regcheck run'
    # regcheck's own code when the search started (source_digest): a change makes cached runs stale.
    source: str = ""
    # The interpreter's answer when the inputs were checked (environment_options.check_python); asked again if empty.
    python_version: str = ""

    def key(self, version: Version, *parts: str) -> str:
        python = self.python_version or python_version(self.python)
        text = json.dumps([self.package, str(version), sorted(self.companions), python, *parts])
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def environment(self, version: Version) -> Path:
        return self.cache / "envs" / f"{_safe(self.package)}-{version}-{self.key(version)}"

    def run_file(self, version: Version) -> Path:
        run = self.key(version, self.model, self.seeds or "", self.source, *self.run_options)
        return self.cache / "runs" / f"{_safe(self.package)}-{version}-{run}.json"


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


def python_version(python: str) -> str:
    done = subprocess.run([python, "-c", "import platform; print(platform.python_version())"], capture_output=True,
                          text=True, check=False, timeout=60)  # fmt: skip
    return done.stdout.strip() or python


def source_digest(root: Path) -> str:
    """regcheck's own code (its .py files and pyproject.toml): a change makes every cached run stale."""
    digest = hashlib.sha256()
    package = root / "regcheck"
    for path in sorted([*package.rglob("*.py"), root / "pyproject.toml"]):
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def build_environment(setup: Setup, version: Version, log: Path) -> Path:
    """uv venv + uv pip install regcheck, PACKAGE==VERSION and the companions; returns its interpreter."""
    install = [str(setup.regcheck_source), f"{setup.package}=={version}", *setup.companions]
    try:
        return create_environment(setup.environment(version), setup.python, install, log, f"{setup.package}=={version}")
    except BuildError as error:
        raise BisectError(str(error)) from None


def run_release(setup: Setup, version: Version, log: Path) -> Path:
    """The release's run file: from the cache, or built and run now (exit 1, a moved result, still counts)."""
    target = setup.run_file(version)
    if target.is_file():
        return target
    python = build_environment(setup, version, log)
    options = ["--model", setup.model, *setup.run_options] + (["--seeds", setup.seeds] if setup.seeds else [])
    try:
        return run_study(python, target, options, log, f"{setup.package} {version}")
    except BuildError as error:
        raise BisectError(str(error)) from None


# --- comparing two runs --------------------------------------------------------------------------


@dataclass
class Comparison:
    """One release's run against GOOD's, configuration by configuration."""

    reference: Column
    column: Column
    cells: dict[str, Cell]

    @property
    def mark(self) -> str:
        """The worst mark over the configurations (``identical`` .. ``labels``; ``no-reference`` is worst)."""
        marks = [cell.mark for cell in self.cells.values()]
        if "no-reference" in marks:
            return "no-reference"
        return max(marks, key=SEVERITY.index, default="identical")

    @property
    def differs(self) -> bool:
        return self.mark != "identical"

    def as_matrix(self) -> Matrix:
        """The two runs as a two-column matrix, for the matrix's own text helpers."""
        rows = []
        for config_id, cell in self.cells.items():
            seeds = [s for s in cell.seeds if (config_id, s) in self.reference.records]
            values = [metric_value(cell.metric, self.reference.records[(config_id, s)]) for s in seeds]
            reference = Cell(seeds, values, cell.n_test, None, None, "reference", cell.metric)
            first = self.column.name if cell.mark != "identical" else None
            rows.append(Row(config_id, self.column.models[config_id], {self.reference.name: reference,
                                                                         self.column.name: cell}, first))  # fmt: skip
        return Matrix(self.reference.name, [self.reference, self.column], rows)


def compare_runs(reference: Column, column: Column, fields: Fields | None = None) -> Comparison:
    """Two runs, configuration by configuration, by the one comparison (``fields``: per model, its exact tier's)."""
    chosen = fields or {}
    cells = {
        config_id: compare_cell(reference, column, config_id, chosen.get(model)) for config_id, model in column.models.items()
    }
    missing = sorted(set(reference.models) - set(column.models))
    if missing:
        raise BisectError(f"{column.source}: no records of {', '.join(missing)}, which {reference.source} has")
    return Comparison(reference, column, cells)


def load_release_run(path: Path, name: str) -> Column:
    column = load_run_file(path)
    column.name = name
    return column


# --- the search ----------------------------------------------------------------------------------


@dataclass
class Step:
    version: Version
    outcome: str  # good | differs | skipped
    detail: str = ""


@dataclass
class BisectResult:
    releases: list[Version]
    steps: list[Step] = field(default_factory=list)
    last_same: Version | None = None
    first_differing: Version | None = None
    # first_differing's run against last_same's; where none differs, BAD's against GOOD's
    comparison: Comparison | None = None

    @property
    def skipped(self) -> list[Step]:
        return [step for step in self.steps if step.outcome == "skipped"]


Runner = Callable[[Version], Column]


def bisect(
    releases: Sequence[Version], run: Runner, report: Callable[[Step], None] | None = None, fields: Fields | None = None
) -> BisectResult:
    """Binary search for the first release whose run differs from the first release's (GOOD's).

    ``run(version)`` returns that release's run as a matrix column, or raises ``BisectError`` (the
    release is skipped; for GOOD or BAD the search stops). GOOD's and BAD's runs come first.
    """
    result = BisectResult(list(releases))
    good, bad = releases[0], releases[-1]
    columns: dict[Version, Column] = {good: run(good)}
    _record(result, Step(good, "good", "the reference"), report)

    def judge(version: Version) -> bool | None:
        try:
            columns[version] = run(version)
        except BisectError as error:
            if version in (good, bad):
                raise
            _record(result, Step(version, "skipped", str(error)), report)
            return None
        comparison = compare_runs(columns[good], columns[version], fields)
        outcome = "differs" if comparison.differs else "good"
        _record(result, Step(version, outcome, comparison.mark), report)
        return comparison.differs

    if not judge(bad):  # BAD gives GOOD's result: nothing to find; the two runs are the evidence
        result.comparison = compare_runs(columns[good], columns[bad], fields)
        return result
    candidates = list(releases)
    low, high = 0, len(candidates) - 1  # candidates[low] same as GOOD, candidates[high] differs
    while high - low > 1:
        middle = (low + high) // 2
        verdict = judge(candidates[middle])
        if verdict is None:
            del candidates[middle]
            high -= 1
        elif verdict:
            high = middle
        else:
            low = middle
    result.last_same, result.first_differing = candidates[low], candidates[high]
    result.comparison = compare_runs(columns[candidates[low]], columns[candidates[high]], fields)
    return result


def _record(result: BisectResult, step: Step, report: Callable[[Step], None] | None) -> None:
    result.steps.append(step)
    if report is not None:
        report(step)


def cache_root() -> Path:
    return cache_folder("bisect")


def regcheck_source() -> Path:
    """The checkout this regcheck runs from (its pyproject.toml beside the package folder)."""
    root = Path(__file__).resolve().parents[2]
    if not (root / "pyproject.toml").is_file() or not (root / "regcheck" / "__init__.py").is_file():
        raise UsageError(f"bisect installs regcheck from its source checkout, and {root} is none; pass --regcheck-source DIR")
    return root


def step_lines(steps: Sequence[Step]) -> Iterator[str]:
    for step in steps:
        yield f"  {step.version}: {step.outcome}" + (f" ({step.detail})" if step.detail else "")


def interpreter() -> str:
    return sys.executable
