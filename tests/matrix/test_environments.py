"""Two commands sharing one cache: an environment is built once, and never used half-built.

Real processes, real uv (offline: the one package installed is a wheel made here), the real lock.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from filelock import FileLock

from regcheck.matrix.environments import COMPLETE_MARKER, interpreter_in

UV = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
pytestmark = pytest.mark.skipif(UV is None, reason="uv is not installed (it comes with '.[test]')")

# One process's build, started when the file 'go' appears (so that two start together).
BUILD = """
import sys, time
from pathlib import Path
from regcheck.matrix.environments import create_environment
folder, wheel, log, go = map(Path, sys.argv[1:5])
while not go.exists():
    time.sleep(0.01)
python = create_environment(folder, sys.executable, [str(wheel)], log, "tinypkg")
print(python)
"""


def make_wheel(folder: Path) -> Path:
    """The smallest wheel uv installs: a module and its dist-info."""
    wheel = folder / "tinypkg-1.0-py3-none-any.whl"
    files = {
        "tinypkg/__init__.py": "VALUE = 42\n",
        "tinypkg-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: tinypkg\nVersion: 1.0\n",
        "tinypkg-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
        record = [*files, "tinypkg-1.0.dist-info/RECORD"]
        archive.writestr("tinypkg-1.0.dist-info/RECORD", "".join(f"{name},,\n" for name in record))
    return wheel


def environment(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "UV_OFFLINE": "1", "UV_CACHE_DIR": str(tmp_path / "uv-cache"), "PYTHONDONTWRITEBYTECODE": "1"}


def start(tmp_path: Path, folder: Path, wheel: Path, name: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-c", BUILD, str(folder), str(wheel), str(tmp_path / f"{name}.log"), str(tmp_path / "go")]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment(tmp_path))


def test_two_commands_building_one_environment_at_once_build_it_once_and_both_use_it(tmp_path: Path) -> None:
    wheel, folder = make_wheel(tmp_path), tmp_path / "cache" / "envs" / "tiny"
    first, second = start(tmp_path, folder, wheel, "first"), start(tmp_path, folder, wheel, "second")
    (tmp_path / "go").touch()
    answers = [process.communicate(timeout=300) for process in (first, second)]
    assert [process.returncode for process in (first, second)] == [0, 0], answers
    assert {out.strip() for out, _ in answers} == {str(interpreter_in(folder))}
    logs = [path.read_text(encoding="utf-8") for path in tmp_path.glob("*.log")]
    builds = sum(text.count(" venv ") for text in logs)
    assert builds == 1, logs  # the second waited for the first, then found its finished environment
    said = subprocess.run([str(interpreter_in(folder)), "-c", "import tinypkg; print(tinypkg.VALUE)"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    assert said.stdout == "42\n"


def test_a_command_waits_while_another_holds_the_environment_and_builds_nothing_until_then(tmp_path: Path) -> None:
    wheel, folder = make_wheel(tmp_path), tmp_path / "cache" / "envs" / "tiny"
    folder.parent.mkdir(parents=True)
    (tmp_path / "go").touch()
    holder = FileLock(f"{folder}.lock")
    with holder:  # this process is the other command, mid-build
        waiting = start(tmp_path, folder, wheel, "waiting")
        assert waiting.stderr is not None
        line = waiting.stderr.readline()  # blocks until the waiting command says so
        assert line.startswith("regcheck: waiting for another command making the environment with tinypkg"), line
        time.sleep(0.5)
        assert waiting.poll() is None and not (tmp_path / "waiting.log").exists() and not folder.exists()
    out, err = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, err
    assert (folder / COMPLETE_MARKER).is_file() and out.strip() == str(interpreter_in(folder))
