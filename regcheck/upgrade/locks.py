"""Lock files: what a project pins, read into one map of package name -> version.

Three formats, each read by the library that owns it:

* a **requirements file** of ``NAME==VERSION`` pins, as ``pip freeze`` (or ``uv pip freeze``, ``uv
  export``, pip-compile) writes it, parsed line by line with ``packaging.requirements``; markers are
  evaluated for the interpreter the environments are built on, hashes and pip options are ignored;
* a **PEP 751** ``pylock.toml``, validated by ``packaging.pylock`` (its markers evaluated the same way,
  with no extras and the lock's default dependency groups, as an installer would by default);
* a **uv.lock**, through ``uv export --format requirements.txt`` (uv's own reading of its own
  format: the project's dependencies and its default groups, as ``uv sync`` installs them), then
  read as a requirements file.

Names are compared in their PEP 503 normal form (``Scikit_Learn`` is ``scikit-learn``). Entries that
are no released version (the project itself, an editable or a direct URL install) cannot be
compared or bisected: they are left out and listed (``Lock.left_out``). Anything else that is no
exact pin is bad input: one line naming the file and the line.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.markers import Marker, UndefinedComparison, UndefinedEnvironmentName, default_environment
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import InvalidName, canonicalize_name

from regcheck.errors import UsageError
from regcheck.files.jsonio import read_regular_file

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, published as tomli (a dependency there)
    import tomli as tomllib

EXPECTED = "a requirements file of NAME==VERSION pins (as pip freeze writes it), a pylock.toml (PEP 751) or a uv.lock"
FORMATS = ("requirements", "pylock.toml", "uv.lock")
MAX_BYTES = 16 * 1024 * 1024
# The checkout runs in every environment (installed from its source): a pin of regcheck itself is no change to test.
SELF = "regcheck"
_OPTION = re.compile(r"\s+--?[A-Za-z]")
_NAME_START = re.compile(r"^\s*([^\s=<>!~;\[@(]+)")


class LockError(UsageError):
    """A lock file regcheck cannot read: one line naming the file, the line and what was expected."""


@dataclass(frozen=True)
class Pin:
    name: str  # PEP 503 normal form
    version: str
    extras: tuple[str, ...] = ()

    def requirement(self) -> str:
        extras = f"[{','.join(self.extras)}]" if self.extras else ""
        return f"{self.name}{extras}=={self.version}"


@dataclass(frozen=True)
class Lock:
    path: Path
    kind: str  # one of FORMATS
    pins: dict[str, Pin]
    left_out: tuple[str, ...] = field(default=())  # entries not compared, one line each

    def version(self, name: str) -> str | None:
        pin = self.pins.get(name)
        return pin.version if pin else None


@dataclass(frozen=True)
class Change:
    """One package that differs between OLD and NEW (``None``: not in that lock)."""

    name: str
    old: str | None
    new: str | None

    def __str__(self) -> str:
        if self.old is None:
            return f"{self.name} (added) {self.new}"
        if self.new is None:
            return f"{self.name} {self.old} (removed)"
        return f"{self.name} {self.old} -> {self.new}"


def changes(old: Lock, new: Lock) -> list[Change]:
    """Every package whose version differs, or that only one lock holds, by name."""
    names = sorted(set(old.pins) | set(new.pins))
    found = [Change(name, old.version(name), new.version(name)) for name in names]
    return [change for change in found if change.old != change.new]


# --- reading -------------------------------------------------------------------------------------


def read_lock(path: Path, role: str, environment: Mapping[str, str]) -> Lock:
    """The pins of ``path`` (``role`` names it in messages: OLD or NEW) for the marker ``environment``."""
    where = f"{role} {path}"
    raw = read_regular_file(path, LockError, MAX_BYTES, EXPECTED, name=where)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LockError(f"{where}: not text (UTF-8); expected {EXPECTED}") from None
    kind = lock_format(path, text, where)
    if kind == "pylock.toml":
        pins, left_out = read_pylock(text, where, environment)
    elif kind == "uv.lock":
        pins, left_out = read_requirements(export_uv_lock(path, text, where), f"{where} (through uv export)", environment)
    else:
        pins, left_out = read_requirements(text, where, environment)
    if not pins:
        raise LockError(f"{where}: no pins; expected {EXPECTED}")
    return Lock(path, kind, pins, tuple(left_out))


def lock_format(path: Path, text: str, where: str) -> str:
    """By the name PEP 751 and uv give these files, else by what the text holds; anything else is refused."""
    name = path.name.lower()
    if name == "uv.lock":
        return "uv.lock"
    if name == "pylock.toml" or re.fullmatch(r"pylock\.[^.]+\.toml", name):
        return "pylock.toml"
    document = _toml(text)
    if document is not None and "lock-version" in document:
        return "pylock.toml"
    if document is not None and isinstance(document.get("package"), list) and "version" in document:
        return "uv.lock"  # uv.lock's own top level: version, revision, requires-python, [[package]]
    if _looks_like_requirements(text):
        return "requirements"
    raise LockError(f"{where}: not a lock file regcheck reads; expected {EXPECTED}")


def _toml(text: str) -> dict[str, Any] | None:
    try:
        document: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    return document


def _looks_like_requirements(text: str) -> bool:
    """The first line that says something is a pip option or starts like a requirement (a name)."""
    for line in _logical_lines(text):
        body = line[1]
        return body.startswith("-") or (_NAME_START.match(body) is not None and body[0].isalnum())
    return True  # only comments: read it, and say it holds no pins


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, text) per requirement, continuation lines joined and comments removed (as pip does)."""
    found: list[tuple[int, str]] = []
    pending, start = "", 0
    for number, line in enumerate(text.splitlines(), start=1):
        line = re.sub(r"(^|\s)#.*$", "", line)
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        body = (pending + line).strip()
        pending = ""
        if body:
            found.append((start, body))
    if pending.strip():
        found.append((start, pending.strip()))
    return found


def read_requirements(text: str, where: str, environment: Mapping[str, str]) -> tuple[dict[str, Pin], list[str]]:
    pins: dict[str, Pin] = {}
    left_out: list[str] = []
    for number, body in _logical_lines(text):
        at = f"{where}: line {number}"
        if body.startswith("-"):
            option = body.split()[0].split("=")[0]
            if option in ("-r", "--requirement", "-c", "--constraint"):
                raise LockError(f"{at}: {option} includes another file, which is not followed; expected only pins ({EXPECTED})")
            left_out.append(f"{body[:80]} (an {'editable install' if option in ('-e', '--editable') else 'option'})")
            continue
        requirement_text = _OPTION.split(body, maxsplit=1)[0]  # per-requirement options: --hash=...
        requirement = _requirement(requirement_text, at)
        if requirement.marker is not None and not _applies(requirement.marker, environment, "requirement"):
            continue  # a pin for another Python or platform
        name = canonicalize_name(requirement.name)
        if requirement.url:
            left_out.append(f"{name} @ {requirement.url[:80]} (a direct URL, no released version)")
            continue
        if name == SELF:
            left_out.append(f"{name} (regcheck itself: this checkout runs in every environment)")
            continue
        specs = list(requirement.specifier)
        if len(specs) != 1 or specs[0].operator not in ("==", "===") or specs[0].version.endswith("*"):
            raise LockError(f"{at}: {requirement_text!r} is no exact pin; expected NAME==VERSION (as pip freeze writes it)")
        _add(pins, Pin(name, specs[0].version, tuple(sorted(requirement.extras))), at)
    return pins, left_out


def _requirement(text: str, at: str) -> Requirement:
    start = _NAME_START.match(text)
    if start is not None:
        try:
            canonicalize_name(start.group(1), validate=True)
        except InvalidName:
            raise LockError(
                f"{at}: {start.group(1)!r} is no valid package name (PEP 503/508: letters, digits, '.', '_' and '-', "
                "starting and ending with a letter or digit)"
            ) from None
    try:
        return Requirement(text)
    except InvalidRequirement as exc:
        raise LockError(f"{at}: {text[:80]!r} is no requirement ({str(exc).splitlines()[0]}); expected NAME==VERSION") from None


def _add(pins: dict[str, Pin], pin: Pin, at: str) -> None:
    known = pins.get(pin.name)
    if known is not None and known.version != pin.version:
        raise LockError(f"{at}: {pin.name} is pinned twice ({known.version} and {pin.version}); expected one version")
    pins[pin.name] = pin


def _applies(marker: Marker, environment: Mapping[str, Any], context: str) -> bool:
    try:
        return marker.evaluate(dict(environment), context)  # type: ignore[arg-type]
    except (UndefinedComparison, UndefinedEnvironmentName) as exc:
        raise LockError(f"the marker {str(marker)!r} cannot be evaluated: {exc}") from None


def read_pylock(text: str, where: str, environment: Mapping[str, str]) -> tuple[dict[str, Pin], list[str]]:
    try:
        from packaging.pylock import Pylock, PylockValidationError
    except ImportError:  # packaging before 26: not a dependency, since environments may pin an older one
        raise LockError(f"{where}: reading a pylock.toml needs packaging 26 or newer (pip install -U packaging)") from None
    document = _toml(text)
    if document is None:
        raise LockError(f"{where}: not valid TOML; expected a pylock.toml (PEP 751)")
    try:
        lock = Pylock.from_dict(document)
    except PylockValidationError as exc:
        raise LockError(f"{where}: not a valid pylock.toml (PEP 751): {exc}") from None
    selected = {**environment, "extras": frozenset(), "dependency_groups": frozenset(lock.default_groups or ())}
    pins: dict[str, Pin] = {}
    left_out: list[str] = []
    for position, package in enumerate(lock.packages):
        if package.marker is not None and not _applies(package.marker, selected, "lock_file"):
            continue
        if package.name == SELF:
            left_out.append(f"{package.name} (regcheck itself: this checkout runs in every environment)")
        elif package.is_direct or package.version is None:
            left_out.append(f"{package.name} (a direct source, no released version)")
        else:
            _add(pins, Pin(package.name, str(package.version)), f"{where}: packages[{position}]")
    return pins, left_out


def export_uv_lock(path: Path, text: str, where: str) -> str:
    """``uv export`` of the lock alone (copied into an empty folder: its pyproject.toml may be elsewhere, or absent)."""
    from regcheck.matrix.environments import find_uv, uv_environment

    with tempfile.TemporaryDirectory(prefix="regcheck-uv-lock-") as folder:
        Path(folder, "uv.lock").write_text(text, encoding="utf-8")
        command = [
            find_uv(), "export", "--frozen", "--no-hashes", "--no-emit-project", "--no-header", "--no-annotate",
            "--format", "requirements.txt", "--preview-features", "frozen-lockfile", "--quiet",
        ]  # fmt: skip
        done = subprocess.run(command, cwd=folder, capture_output=True, text=True, env=uv_environment(), timeout=120,
                              check=False)  # fmt: skip
    if done.returncode != 0:
        said = [line.strip() for line in done.stderr.splitlines() if line.strip()] or ["no output"]
        causes = [line.removeprefix("Caused by:").strip() for line in said if line.startswith("Caused by:")]
        raise LockError(f"{where}: uv export cannot read it: {(causes or said)[-1][:200]}; expected a uv.lock made by 'uv lock'")
    return done.stdout


# --- the interpreter the environments are built on -----------------------------------------------

# PEP 508's marker variables, computed by the target interpreter itself (it may have no packaging).
_MARKERS = r"""
import json, os, platform, sys
info = sys.implementation
version = "{0.major}.{0.minor}.{0.micro}".format(info.version)
if info.version.releaselevel != "final":
    version += info.version.releaselevel[0] + str(info.version.serial)
print(json.dumps({
    "implementation_name": info.name, "implementation_version": version, "os_name": os.name,
    "platform_machine": platform.machine(), "platform_release": platform.release(),
    "platform_system": platform.system(), "platform_version": platform.version(),
    "python_full_version": platform.python_version(), "platform_python_implementation": platform.python_implementation(),
    "python_version": ".".join(platform.python_version_tuple()[:2]), "sys_platform": sys.platform,
}))
"""


def marker_environment(python: str) -> dict[str, str]:
    """The values PEP 508 markers are evaluated against, for ``python`` (this interpreter: packaging's own)."""
    if Path(python).resolve() == Path(sys.executable).resolve():
        return {name: str(value) for name, value in default_environment().items()}
    try:
        done = subprocess.run([python, "-c", _MARKERS], capture_output=True, text=True, timeout=60, check=False)
    except OSError as exc:
        raise UsageError(f"--python {python}: cannot be run ({exc.strerror}); expected a Python interpreter") from None
    if done.returncode != 0:
        raise UsageError(f"--python {python}: exit {done.returncode}; expected a Python interpreter")
    loaded: dict[str, str] = json.loads(done.stdout)
    return loaded
