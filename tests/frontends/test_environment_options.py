"""``regcheck bisect`` and ``regcheck upgrade`` on bad input, as a user runs them (real processes, offline).

The promise: one ``regcheck: error:`` line naming the option or file and what was expected, exit 2,
before any environment is built (no ``envs/`` entry, no uv cache), nothing written outside the cache
folder (whose own folders may be made), no traceback. Every build is offline (``UV_OFFLINE``,
``PIP_NO_INDEX``), so one that started anyway fails in a second instead of downloading.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BASELINES = str(ROOT / "baselines")
LOCKS = ROOT / "tests" / "data" / "upgrade"
CACHE = "a/b/cache"
OLD, NEW = str(LOCKS / "logreg-old-requirements.txt"), str(LOCKS / "logreg-new-requirements.txt")
VERBS = {
    "bisect": ["bisect", "numpy", "1.26.4", "2.2.6", "--versions", "1.26.4,2.2.6"],
    "upgrade": ["upgrade", OLD, NEW, "--rounds", "0"],
}


def _loop(folder: Path) -> None:
    (folder / "loop1").symlink_to(folder / "loop2")
    (folder / "loop2").symlink_to(folder / "loop1")


def _not_executable(folder: Path) -> None:
    (folder / "python-not-exec").write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    (folder / "python-not-exec").chmod(0o644)


def _fake_python(folder: Path) -> None:
    (folder / "fake-python").write_text("#!/bin/sh\necho 'not a python at all'\nexit 0\n", encoding="utf-8")
    (folder / "fake-python").chmod(0o755)


def _file(folder: Path) -> None:
    (folder / "cachefile").write_text("not a folder\n", encoding="utf-8")


# (case, extra arguments ({DIR}: the test's folder), a word the line must name, what to prepare, the cache's prefix)
SHARED = [
    ("python-missing", ["--python", "/nonexistent/python3"], "--python", None, CACHE),
    ("python-not-executable", ["--python", "{DIR}/python-not-exec"], "--python", _not_executable, CACHE),
    ("python-folder", ["--python", "{DIR}"], "--python", None, CACHE),
    ("python-false", ["--python", "/bin/false"], "--python", None, CACHE),
    ("python-fake", ["--python", "{DIR}/fake-python"], "--python", _fake_python, CACHE),
    ("python-empty", ["--python", ""], "--python", None, CACHE),
    ("cache-symlink-loop", ["--cache", "loop1"], "--cache", _loop, "loop"),
    ("cache-inside-symlink-loop", ["--cache", "loop1/cache"], "--cache", _loop, "loop"),
    ("cache-is-file", ["--cache", "cachefile"], "--cache", _file, "cachefile"),
    ("cache-under-file", ["--cache", "cachefile/sub"], "--cache", _file, "cachefile"),
    ("default-cache-loop", ["--cache", None], "REGCHECK_CACHE_DIR", _loop, "loop"),
    ("source-missing", ["--regcheck-source", "/nonexistent/regcheck"], "--regcheck-source", None, CACHE),
    ("source-not-checkout", ["--regcheck-source", "{DIR}"], "--regcheck-source", None, CACHE),
    ("baselines-missing", ["--baselines", "{DIR}/no-such-baselines"], "--baselines", None, CACHE),
    ("data-missing", ["--data", "{DIR}/no-such-data.csv"], "--data", None, CACHE),
]
PACKAGES = ["../../../escaped", "a/b", "/tmp/rc-absolute-pkg", "num py", "numpy;touch pwned", "ñumpy", "numpy\nx",
            "_numpy", "numpy==1.26.4", "", "https://example.invalid/numpy.tar.gz"]  # fmt: skip


def refuse(tmp_path: Path, argv: list[str | None], mention: str, cache_prefix: str) -> str:
    """Run the command in ``tmp_path``; check the promise; return the error line."""
    words = [word.replace("{DIR}", str(tmp_path)) for word in argv if word is not None]
    if "--cache" in argv and argv[argv.index("--cache") + 1] is None:
        words.remove("--cache")
    elif "--cache" not in words:
        words += ["--cache", CACHE]
    env = {name: value for name, value in os.environ.items() if not name.startswith(("REGCHECK_", "GITHUB_"))}
    env.update({"UV_OFFLINE": "1", "PIP_NO_INDEX": "1", "UV_CACHE_DIR": str(tmp_path / "uv-cache"),
                "UV_PYTHON_DOWNLOADS": "never", "REGCHECK_CACHE_DIR": str(tmp_path / "loop1"),
                "REGCHECK_DATA_DIR": str(tmp_path / "no-data")})  # fmt: skip
    before = {path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*")}
    done = subprocess.run([sys.executable, "-m", "regcheck", *words], cwd=tmp_path, capture_output=True, text=True,
                          env=env, timeout=120, check=False)  # fmt: skip
    errors = [line for line in done.stderr.splitlines() if line.startswith("regcheck: error:")]
    assert done.returncode == 2, done.stderr
    assert len(errors) == 1 and done.stderr.rstrip("\n").endswith(errors[0]), done.stderr
    assert "Traceback" not in done.stderr and mention in errors[0], done.stderr
    made = {path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*")} - before
    outside = [path for path in made if not path.startswith(cache_prefix) and not cache_prefix.startswith(path)]
    assert not outside, outside
    assert not [path for path in made if "/envs" in path or path.startswith("uv-cache")], made  # no build started
    assert not Path("/tmp/rc-absolute-pkg-1.26.4-2.2.6.log").exists()
    return errors[0]


@pytest.mark.parametrize("verb", sorted(VERBS))
@pytest.mark.parametrize(("case", "extra", "mention", "prepare", "prefix"), SHARED, ids=[case[0] for case in SHARED])
def test_a_bad_environment_input_is_refused_in_one_line_before_any_build(
    tmp_path: Path, verb: str, case: str, extra: list[str | None], mention: str, prepare: object, prefix: str
) -> None:
    if callable(prepare):
        prepare(tmp_path)
    argv: list[str | None] = [*VERBS[verb], "--model", "logreg"]
    if "--baselines" not in extra:
        argv += ["--baselines", BASELINES]
    refuse(tmp_path, [*argv, *extra], mention, prefix)


@pytest.mark.parametrize("package", PACKAGES, ids=[repr(package) for package in PACKAGES])
def test_bisect_refuses_a_package_that_is_no_distribution_name_before_writing_anything(tmp_path: Path, package: str) -> None:
    argv: list[str | None] = ["bisect", package, "1.26.4", "2.2.6", "--model", "logreg", "--baselines", BASELINES,
                              "--versions", "1.26.4,2.2.6"]  # fmt: skip
    line = refuse(tmp_path, argv, "PACKAGE", CACHE)
    assert "expected a distribution name" in line


def test_bisect_refuses_good_newer_than_bad_before_asking_the_index(tmp_path: Path) -> None:
    argv: list[str | None] = ["bisect", "numpy", "2.2.6", "1.26.4", "--model", "logreg", "--baselines", BASELINES]
    line = refuse(tmp_path, argv, "BAD 1.26.4 is not newer than GOOD 2.2.6", CACHE)
    assert "index" not in line


def test_bisect_refuses_a_companion_that_is_no_requirement(tmp_path: Path) -> None:
    argv: list[str | None] = [*VERBS["bisect"], "--model", "logreg", "--baselines", BASELINES, "--with", "numpy;touch x"]
    refuse(tmp_path, argv, "--with 'numpy;touch x'", CACHE)


def test_a_python_the_checkout_does_not_support_is_named_with_its_version(tmp_path: Path) -> None:
    """An interpreter that answers, but as a Python older than the checkout's requires-python."""
    old = tmp_path / "python2"
    old.write_text("#!/bin/sh\necho cpython 2.7.18\n", encoding="utf-8")
    old.chmod(0o755)
    argv: list[str | None] = [*VERBS["upgrade"], "--model", "logreg", "--baselines", BASELINES, "--python", str(old)]
    line = refuse(tmp_path, argv, "--python", CACHE)
    assert "Python 2.7.18; the regcheck checkout" in line and "needs Python >=3.10" in line


def test_a_python_that_never_answers_is_refused_after_the_time_limit_with_its_children(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A script that hangs, and leaves a child holding its output: both ended at the limit (1 s here)."""
    from regcheck.errors import UsageError
    from regcheck.frontends import environment_options

    hangs = tmp_path / "python-hangs"
    hangs.write_text("#!/bin/sh\nsleep 300 &\nsleep 300\n", encoding="utf-8")
    hangs.chmod(0o755)
    monkeypatch.setattr(environment_options, "PROBE_SECONDS", 1)
    started = time.monotonic()
    with pytest.raises(UsageError, match=r"--python .*python-hangs: no answer within 1 s when asked its version"):
        environment_options.check_python(str(hangs), ROOT)
    assert time.monotonic() - started < 30
