"""An environment is a set of pins: resolved by uv, built by uv, and the study run inside it.

``regcheck bisect`` (one package's releases) and ``regcheck upgrade`` (two lock files) both make
environments this way, as tox-uv builds the matrix's: ``uv venv --python <interpreter>`` then ``uv pip
install`` (bisect) or ``uv pip sync`` of a resolved requirements file (upgrade), with
``UV_PYTHON_DOWNLOADS=never`` so that no interpreter is ever downloaded. Every command and its output
go to one log file; a failure is named in one line by uv's ``cause:`` line (``failure_reason``).

Resolving is ``uv pip compile``: the pins a trial asks for in, every version of the environment out.
An existing output file's versions are uv's *preferences* (``uv pip compile -o``: kept unless a
requirement forces another), which is how ``regcheck upgrade`` holds the packages a lock leaves
free at the versions the old environment got.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from regcheck.errors import RegcheckError, UsageError

# Long enough for a TensorFlow environment and a run of the MLP; a hung build must still end.
BUILD_SECONDS = 1800
RUN_SECONDS = 3600
RESOLVE_SECONDS = 600
COMPLETE_MARKER = ".regcheck-bisect-complete"


class BuildError(RegcheckError):
    """An environment cannot be resolved or built, or the study's run in it failed."""


@contextmanager
def made_alone(path: Path, what: str, seconds: float) -> Iterator[None]:
    """Hold ``PATH.lock`` while ``path`` is made: a second command sharing the cache waits here, then finds it made.

    filelock's lock is the operating system's (``fcntl.flock`` here): it is released when its holder
    ends, killed included, so a crashed build never blocks the next command; what the crash left is
    rebuilt (``uv venv --clear``), never used, since only a finished build writes its marker.
    """
    from filelock import FileLock, Timeout

    lock = FileLock(f"{path}.lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        print(f"regcheck: waiting for another command making {what} ({path})", file=sys.stderr, flush=True)
        try:
            lock.acquire(timeout=seconds)
        except Timeout:
            raise BuildError(f"waited {seconds:.0f} s for another command making {what} ({path}); "
                             f"is it still running? (lock: {lock.lock_file})") from None  # fmt: skip
    try:
        yield
    finally:
        lock.release()


def find_uv() -> str:
    try:
        from uv import find_uv_bin

        return str(find_uv_bin())
    except (ImportError, FileNotFoundError):
        found = shutil.which("uv")
        if found is None:
            raise UsageError("regcheck builds its environments with uv, which is not installed: pip install uv") from None
        return found


def uv_environment() -> dict[str, str]:
    return {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}  # an interpreter is never downloaded


# What a run inside an environment must not inherit: the job summary is the outer command's to write
# (each inner 'regcheck run' would append its own report to it).
PRIVATE_VARIABLES = ("GITHUB_STEP_SUMMARY",)


def run_environment() -> dict[str, str]:
    """This process's environment for a command run inside a built environment."""
    return {name: value for name, value in os.environ.items() if name not in PRIVATE_VARIABLES}


def cache_folder(name: str) -> Path:
    """``$REGCHECK_CACHE_DIR/NAME``, else the platform's user cache folder's ``regcheck/NAME``."""
    override = os.environ.get("REGCHECK_CACHE_DIR")
    if override:
        return Path(override) / name
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("regcheck")) / name


def interpreter_in(folder: Path) -> Path:
    return folder / ("Scripts" if os.name == "nt" else "bin") / "python"


def run_logged(command: Sequence[str], log: Path, timeout: float, *, cwd: Path | None = None,
               env: dict[str, str] | None = None) -> int | None:  # fmt: skip
    """Run ``command`` with its output appended to ``log`` after a ``$ command`` line; None when it timed out."""
    with log.open("a", encoding="utf-8") as out:
        out.write(f"$ {' '.join(command)}\n")
        out.flush()
        try:
            done = subprocess.run(list(command), stdout=out, stderr=subprocess.STDOUT, cwd=cwd, env=env,
                                  timeout=timeout, check=False)  # fmt: skip
        except subprocess.TimeoutExpired:
            return None
    return done.returncode


def failure_reason(log: Path) -> str:
    """Why the log's last command failed, in one line: uv's ``cause:`` line where it gave one, else the last line.

    uv ends a failed resolution with its conclusion ("... your requirements are unsatisfiable") and
    puts the reason (a release needing another Python, say) on the ``cause:`` line above it.
    """
    text = log.read_text(encoding="utf-8", errors="replace")
    last_command = text.rsplit("\n$ ", 1)[-1]
    lines = [line.strip() for line in last_command.splitlines()[1:] if line.strip()]
    lines = lines or [line.strip() for line in text.splitlines() if line.strip()]
    causes = [line.removeprefix("cause:").strip() for line in lines if line.startswith("cause:")]
    return (causes[0] if causes else lines[-1])[:300] if lines else "no output"


def create_environment(folder: Path, python: str, install: Sequence[str], log: Path, what: str,
                       sync: bool = False) -> Path:  # fmt: skip
    """``uv venv`` + ``uv pip install INSTALL...`` (or ``uv pip sync`` of one requirements file); its interpreter.

    A folder holding the completion marker is reused as it is: it was built from the same key.
    """
    python_in = interpreter_in(folder)
    if (folder / COMPLETE_MARKER).is_file():
        return python_in
    folder.parent.mkdir(parents=True, exist_ok=True)
    with made_alone(folder, f"the environment with {what}", BUILD_SECONDS):
        if (folder / COMPLETE_MARKER).is_file():  # the command we waited for built it
            return python_in
        uv = find_uv()
        install_step = [uv, "pip", "sync" if sync else "install", "--quiet", "--python", str(python_in), *install]
        for step in ([uv, "venv", "--quiet", "--clear", "--python", python, str(folder)], install_step):
            code = run_logged(step, log, BUILD_SECONDS, env=uv_environment())
            if code is None:
                raise BuildError(f"building the environment with {what} took over {BUILD_SECONDS} s")
            if code != 0:
                raise BuildError(f"cannot build an environment with {what}: {failure_reason(log)} (log: {log})")
        (folder / COMPLETE_MARKER).write_text("built\n", encoding="utf-8")
    return python_in


def resolve(requirements: str, python: str, folder: Path, log: Path, what: str, preferences: str = "") -> str:
    """``uv pip compile`` of ``requirements`` for ``python``: the resolved requirements file's text.

    ``preferences`` (a resolved file's text) is written as the output file first, so uv keeps its
    versions wherever the requirements allow them.
    """
    folder.mkdir(parents=True, exist_ok=True)
    source, output = folder / "requirements.in", folder / "resolved.txt"
    with made_alone(folder, f"the resolution of {what}", RESOLVE_SECONDS):  # its two files are uv's input and output
        source.write_text(requirements, encoding="utf-8")
        output.write_text(preferences, encoding="utf-8")
        command = [find_uv(), "pip", "compile", "--quiet", "--no-header", "--python", python, str(source), "-o", str(output)]
        code = run_logged(command, log, RESOLVE_SECONDS, env=uv_environment())
        if code is None:
            raise BuildError(f"resolving {what} took over {RESOLVE_SECONDS} s")
        if code != 0:
            raise BuildError(f"{what} cannot be resolved: {failure_reason(log)}")
        return output.read_text(encoding="utf-8")


def run_study(python: Path, target: Path, options: Sequence[str], log: Path, what: str) -> Path:
    """``python -m regcheck run --json TARGET OPTIONS...``: the run file (exit 1, a moved result, still counts)."""
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with made_alone(target, f"the run with {what}", RUN_SECONDS):  # one partial file per run: one writer
        if target.is_file():
            return target
        partial = target.with_suffix(".partial.json")
        command = [str(python), "-m", "regcheck", "run", "--json", str(partial), *options]
        code = run_logged(command, log, RUN_SECONDS, env=run_environment())
        if code is None:
            raise BuildError(f"the run with {what} took over {RUN_SECONDS} s")
        if code not in (0, 1) or not partial.is_file():
            raise BuildError(f"the run with {what} failed (exit {code}): {failure_reason(log)} (log: {log})")
        partial.replace(target)
    return target


def digest(*parts: str) -> str:
    """A short, stable name for what ``parts`` describe (cache keys)."""
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]
