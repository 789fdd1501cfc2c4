"""The inputs of the verbs that build environments (``regcheck bisect``, ``regcheck upgrade``), checked once.

Both verbs build uv environments from a regcheck checkout on an interpreter, into a cache, and run
``regcheck run`` there with the options they pass on. Every such input is checked here, before the
first environment is resolved or built, and a bad one is one ``UsageError`` line naming the option:

* ``--python``: an executable file that answers, within ``PROBE_SECONDS``, as a Python this
  checkout supports (its ``requires-python``); it is asked once and its version kept;
* ``--cache`` (or ``$REGCHECK_CACHE_DIR``, or the user cache): a folder regcheck can create and
  write, not in or below a symbolic link loop; it is the only thing created before the build;
* ``--regcheck-source``: a checkout of regcheck (a ``pyproject.toml`` of project ``regcheck`` beside
  its ``regcheck/`` package);
* a package name (bisect's PACKAGE): a valid distribution name (PEP 508), as packaging itself
  validates it, so no path part, specifier, marker or URL ever reaches a file name or uv's command line;
* ``--with`` companions: PEP 508 requirements;
* ``--baselines`` and ``--data``, passed on to every run: they exist (``regcheck run`` would refuse
  them in every environment, after each build).

Each check writes nothing but ``prepare_cache``, which the verbs call last.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import InvalidName, canonicalize_name
from packaging.version import InvalidVersion, Version

from regcheck.errors import UsageError
from regcheck.frontends.options import check_writable_folder

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, published as tomli (a dependency there)
    import tomli as tomllib

# Asking an interpreter its version takes well under a second; a script that hangs must not hang us.
PROBE_SECONDS = 30
_PROBE = "import platform, sys; print(sys.implementation.name, platform.python_version())"
PACKAGE_EXPECTED = "expected a distribution name on the package index, e.g. numpy or scikit-learn (PEP 508)"
SOURCE_EXPECTED = "expected a checkout of regcheck (its pyproject.toml beside the regcheck/ package)"


@dataclass(frozen=True)
class Interpreter:
    """The interpreter the environments are built on, and its answer when asked its version."""

    path: str
    version: str


def check_package_name(text: str) -> str:
    """``text`` as given, when it is a distribution name; packaging's own rule (PEP 508), no home-made one."""
    if not text:
        raise UsageError(f"PACKAGE '': empty; {PACKAGE_EXPECTED}")
    try:
        canonicalize_name(text, validate=True)
    except InvalidName:
        raise UsageError(f"PACKAGE {text!r}: not a package name; {PACKAGE_EXPECTED}") from None
    return text


def check_companions(specs: Sequence[str]) -> tuple[str, ...]:
    """``--with`` requirements, each one PEP 508 requirement (a name, then its specifiers or URL)."""
    for spec in specs:
        try:
            Requirement(spec)
        except InvalidRequirement as exc:
            reason = str(exc).splitlines()[0] if str(exc) else "not PEP 508"
            raise UsageError(f"--with {spec!r}: not a requirement ({reason}); expected e.g. scikit-learn==1.5.2") from None
    return tuple(specs)


def check_regcheck_source(given: Path | None, default: Callable[[], Path]) -> Path:
    """The checkout installed in every environment: ``given`` (``--regcheck-source``), else ``default()``, resolved."""
    if given is None:
        return default()
    shown = f"--regcheck-source {given}"
    try:
        folder = given.resolve()
        is_folder = folder.is_dir()
    except (OSError, RuntimeError):  # RuntimeError: Python before 3.13 on a symbolic link loop
        raise UsageError(f"{shown}: a symbolic link loop; {SOURCE_EXPECTED}") from None
    if not is_folder:
        what = "not a folder" if folder.exists() else "no such folder"
        raise UsageError(f"{shown}: {what}; {SOURCE_EXPECTED}")
    if _project_name(folder) != "regcheck" or not (folder / "regcheck" / "__init__.py").is_file():
        raise UsageError(f"{shown}: not a checkout of regcheck; {SOURCE_EXPECTED}")
    return folder


def _project(folder: Path) -> dict[str, object]:
    try:
        document = tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}
    project = document.get("project")
    return project if isinstance(project, dict) else {}


def _project_name(folder: Path) -> str | None:
    name = _project(folder).get("name")
    return canonicalize_name(name) if isinstance(name, str) else None


def requires_python(source: Path) -> SpecifierSet | None:
    """The checkout's ``requires-python``: every environment installs it, so the interpreter must match."""
    text = _project(source).get("requires-python")
    try:
        return SpecifierSet(text) if isinstance(text, str) else None
    except InvalidSpecifier:
        return None


def check_python(given: str | None, source: Path) -> Interpreter:
    """``--python`` (default: this interpreter), asked its version once, with a time limit."""
    if given is None:
        import platform

        return Interpreter(sys.executable, platform.python_version())
    shown = f"--python {given!r}" if not given or given != given.strip() else f"--python {given}"
    expected = "expected a Python interpreter, e.g. /usr/bin/python3.11"
    if not given:
        raise UsageError(f"{shown}: empty; {expected}")
    path = given if os.sep in given else shutil.which(given)  # a bare name, as a shell would find it
    if path is None:
        raise UsageError(f"{shown}: no such command on PATH; {expected}")
    try:
        is_folder = os.path.isdir(path)
        exists = os.path.exists(path)
    except OSError:
        is_folder, exists = False, False
    if is_folder:
        raise UsageError(f"{shown}: is a folder; {expected}")
    if not exists:
        raise UsageError(f"{shown}: no such file; {expected}")
    if not os.access(path, os.X_OK):
        raise UsageError(f"{shown}: not executable; {expected}")
    version = _ask_version(path, shown, expected)
    supported = requires_python(source)
    if supported is not None and not supported.contains(version, prereleases=True):
        raise UsageError(f"{shown}: Python {version}; the regcheck checkout {source} needs Python {supported}")
    # Absolute, links kept (a virtual environment's python is a link whose target is another environment's).
    return Interpreter(os.path.abspath(path), version)


def _ask_version(path: str, shown: str, expected: str) -> str:
    """Run the interpreter once (in its own process group, so a child it leaves cannot hold us) for its version."""
    try:
        process = subprocess.Popen([path, "-I", "-c", _PROBE], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, start_new_session=True)  # fmt: skip
    except OSError as exc:
        raise UsageError(f"{shown}: cannot be run ({exc.strerror}); {expected}") from None
    try:
        out, err = process.communicate(timeout=PROBE_SECONDS)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise UsageError(f"{shown}: no answer within {PROBE_SECONDS} s when asked its version; {expected}") from None
    words = out.split()
    if process.returncode != 0 or len(out.splitlines()) != 1 or len(words) != 2:
        said = (err.strip().splitlines() or out.strip().splitlines() or ["no output"])[-1][:120]
        raise UsageError(f"{shown}: not a Python interpreter (asked its version: exit {process.returncode}, "
                         f"{said!r}); {expected}")  # fmt: skip
    try:
        Version(words[1])
    except InvalidVersion:
        raise UsageError(f"{shown}: not a Python interpreter (asked its version, it said {out.strip()[:120]!r}); "
                         f"{expected}") from None  # fmt: skip
    return words[1]  # as platform.python_version() says it: the cache keys of earlier runs used that text


def _kill_group(process: subprocess.Popen[str]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        process.kill()
    process.communicate()


def cache_option(given: Path | None, default: Path) -> tuple[Path, str]:
    """The cache folder and how the user named it (``--cache``, ``$REGCHECK_CACHE_DIR`` or the user cache)."""
    if given is not None:
        return given, f"--cache {given}"
    override = os.environ.get("REGCHECK_CACHE_DIR")
    if override:
        return default, f"$REGCHECK_CACHE_DIR {override}: cache folder {default}"
    return default, f"the user cache folder {default} (set $REGCHECK_CACHE_DIR or pass --cache DIR)"


def prepare_cache(given: Path | None, default: Path) -> Path:
    """The cache folder, resolved, with its ``logs/`` made: the one thing written before any environment."""
    folder, shown = cache_option(given, default)
    expected = "expected a folder regcheck can create and write"
    try:
        resolved = folder.resolve()
        (resolved / "logs").mkdir(parents=True, exist_ok=True)
    except RuntimeError:  # Python before 3.13: Path.resolve() on a symbolic link loop
        raise UsageError(f"{shown}: in a symbolic link loop; {expected}") from None
    except OSError as exc:
        reason = "in a symbolic link loop" if exc.errno == errno.ELOOP else f"cannot hold the cache ({exc.strerror})"
        raise UsageError(f"{shown}: {reason}; {expected}") from None
    check_writable_folder(resolved / "logs", f"{shown}: cannot hold the cache:")
    return resolved


def check_run_inputs(baselines: Path | None, data: Path | None) -> None:
    """What every 'regcheck run' inside an environment reads: refused here, not after each build."""
    folder = baselines or Path("baselines")
    if not folder.is_dir():
        what = "not a folder" if folder.exists() else "no such folder"
        hint = "pass --baselines DIR" if baselines is None else "expected the folder of the study's baselines"
        raise UsageError(f"--baselines {folder}: {what} (every run in an environment compares with it); {hint}")
    if data is not None and not data.exists():
        raise UsageError(f"--data {data}: no such file or folder (every run in an environment reads it)")
