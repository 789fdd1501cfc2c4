"""The lock readers, on real lock files (tests/data/upgrade):

* ``mlp-old-requirements.txt`` and ``mlp-new-requirements.txt``: ``pip freeze`` of two real
  environments (2026-12-04, Python 3.11.7): TensorFlow 2.20.0 with Keras 3.11.3, numpy 2.2.6,
  pandas 2.3.3, scikit-learn 1.7.2, and TensorFlow 2.21.0 with Keras 3.15.1, numpy 2.4.6, pandas
  3.1.1, scikit-learn 1.9.1, each installed by ``uv pip install`` of those five pins;
* ``tiny-old/`` and ``tiny-new/``: a four-dependency project (two of them behind markers) locked by
  ``uv lock`` (``uv.lock``) and exported by ``uv export --format pylock.toml`` (``pylock.toml``).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from regcheck.upgrade.locks import Change, LockError, changes, lock_format, marker_environment, read_lock

DATA = Path(__file__).resolve().parents[1] / "data" / "upgrade"
HERE = marker_environment(sys.executable)


def environment(python_version: str, sys_platform: str = "linux") -> dict[str, str]:
    return {**HERE, "python_version": python_version, "python_full_version": f"{python_version}.0",
            "sys_platform": sys_platform}  # fmt: skip


def test_a_pip_freeze_is_read_with_its_names_in_pep_503_form() -> None:
    lock = read_lock(DATA / "mlp-old-requirements.txt", "OLD", HERE)
    assert lock.kind == "requirements"
    assert len(lock.pins) == 45
    # pip freeze writes the names as the distributions spell them: tensorflow_cpu, MarkupSafe, Werkzeug.
    assert lock.version("tensorflow-cpu") == "2.20.0"
    assert lock.version("markupsafe") == "3.0.4" and lock.version("werkzeug") == "3.1.9"
    assert "tensorflow_cpu" not in lock.pins and lock.left_out == ()


def test_the_changes_between_two_real_freezes_are_versions_added_and_removed() -> None:
    old = read_lock(DATA / "mlp-old-requirements.txt", "OLD", HERE)
    new = read_lock(DATA / "mlp-new-requirements.txt", "NEW", HERE)
    found = changes(old, new)
    assert [str(change) for change in found] == [
        "h5py 3.16.0 -> 3.14.0", "keras 3.11.3 -> 3.15.1", "markdown 3.11.3 (removed)", "markupsafe 3.0.4 (removed)",
        "narwhals (added) 2.29.0", "numpy 2.2.6 -> 2.4.6", "pandas 2.3.3 -> 3.1.1", "pillow 13.0.0 (removed)",
        "pytz 2026.6 (removed)", "scikit-learn 1.7.2 -> 1.9.1", "tensorboard 2.20.0 (removed)",
        "tensorboard-data-server 0.7.2 (removed)", "tensorflow-cpu 2.20.0 -> 2.21.0", "werkzeug 3.1.9 (removed)",
    ]  # fmt: skip
    assert Change("numpy", "2.2.6", "2.4.6") in found


def test_a_pylock_toml_written_by_uv_export_is_read_for_this_python() -> None:
    lock = read_lock(DATA / "tiny-new" / "pylock.toml", "NEW", environment("3.11"))
    assert lock.kind == "pylock.toml"
    # tomli is locked for Python 3.10 only, colorama for Windows only: neither applies here.
    assert {name: pin.version for name, pin in lock.pins.items()} == {"iniconfig": "2.3.1", "packaging": "26.4"}


def test_the_markers_of_a_pylock_toml_are_evaluated_for_the_target_interpreter() -> None:
    on_310 = read_lock(DATA / "tiny-new" / "pylock.toml", "NEW", environment("3.10"))
    on_windows = read_lock(DATA / "tiny-new" / "pylock.toml", "NEW", environment("3.11", "win32"))
    assert on_310.version("tomli") == "2.2.1" and on_310.version("colorama") is None
    assert on_windows.version("colorama") == "0.4.6" and on_windows.version("tomli") is None


def test_a_uv_lock_made_by_uv_lock_is_read_through_uv_export() -> None:
    old = read_lock(DATA / "tiny-old" / "uv.lock", "OLD", environment("3.11"))
    new = read_lock(DATA / "tiny-new" / "uv.lock", "NEW", environment("3.11"))
    assert old.kind == "uv.lock"
    assert {name: pin.version for name, pin in old.pins.items()} == {"iniconfig": "2.1.0", "packaging": "25.0"}
    assert [str(change) for change in changes(old, new)] == ["iniconfig 2.1.0 -> 2.3.1", "packaging 25.0 -> 26.4"]


def test_a_uv_lock_and_the_pylock_exported_from_it_pin_the_same_versions() -> None:
    for side in ("tiny-old", "tiny-new"):
        for python_version in ("3.10", "3.11"):
            markers = environment(python_version)
            assert (
                read_lock(DATA / side / "uv.lock", "OLD", markers).pins
                == read_lock(DATA / side / "pylock.toml", "OLD", markers).pins
            )


def test_a_uv_lock_under_another_name_is_known_by_its_content(tmp_path: Path) -> None:
    renamed = tmp_path / "base.lock"
    shutil.copy(DATA / "tiny-old" / "uv.lock", renamed)
    assert read_lock(renamed, "OLD", HERE).kind == "uv.lock"


def test_editable_installs_direct_urls_and_regcheck_itself_are_left_out_and_listed(tmp_path: Path) -> None:
    freeze = tmp_path / "requirements.txt"
    freeze.write_text(
        "# Editable Git install with no remote (regcheck==0.1.0)\n-e ./checkout\nregcheck==0.1.0\n"
        "tiny @ file:///somewhere/tiny-0.1.tar.gz\nnumpy==2.2.6 \\\n    --hash=sha256:abc\n"
        "scipy==1.15.3 ; python_version < '3.11'\nscipy==1.17.1 ; python_version >= '3.11'\n",
        encoding="utf-8",
    )
    lock = read_lock(freeze, "OLD", environment("3.11"))
    assert {name: pin.version for name, pin in lock.pins.items()} == {"numpy": "2.2.6", "scipy": "1.17.1"}
    assert len(lock.left_out) == 3
    assert lock.left_out[0].startswith("-e ./checkout (an editable install)")
    assert "regcheck itself" in lock.left_out[1] and "a direct URL" in lock.left_out[2]


@pytest.mark.parametrize(("name", "text", "message"), [
    ("requirements.txt", "# nothing pinned yet\n\n", "OLD {path}: no pins; expected a requirements file of NAME==VERSION pins"),
    ("pins.json", '{"numpy": "2.2.6"}\n', "OLD {path}: not a lock file regcheck reads; expected a requirements file"),
    ("settings.toml", '[tool.other]\nkey = "value"\n', "OLD {path}: not a lock file regcheck reads"),
    ("requirements.txt", "numpy==2.2.6\nscikit_learn_==1.7.2\n",
     "OLD {path}: line 2: 'scikit_learn_' is no valid package name (PEP 503/508"),
    ("requirements.txt", "numpy>=2.2\n", "OLD {path}: line 1: 'numpy>=2.2' is no exact pin; expected NAME==VERSION"),
    ("requirements.txt", "numpy==2.2.6\nnumpy==2.4.6\n", "OLD {path}: line 2: numpy is pinned twice (2.2.6 and 2.4.6)"),
    ("requirements.txt", "-r base.txt\n", "OLD {path}: line 1: -r includes another file, which is not followed"),
    ("pylock.toml", 'lock-version = "1.0"\ncreated-by = "hand"\n[[packages]]\nname = "Numpy"\nversion = "2.2.6"\n',
     "OLD {path}: not a valid pylock.toml (PEP 751): Name 'Numpy' is not normalized"),
    ("uv.lock", "version = 1\nrevision = 3\n[[package]]\nname = 'numpy'\n", "OLD {path}: uv export cannot read it: "),
])  # fmt: skip
def test_a_lock_regcheck_cannot_read_is_one_line_naming_the_file(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LockError) as caught:
        read_lock(path, "OLD", HERE)
    assert str(caught.value).startswith(message.format(path=path))
    assert "\n" not in str(caught.value)


def test_a_file_that_is_no_text_is_an_unknown_format(tmp_path: Path) -> None:
    path = tmp_path / "lock.bin"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    with pytest.raises(LockError, match="not text"):
        read_lock(path, "NEW", HERE)


def test_the_format_is_known_by_name_before_content() -> None:
    assert lock_format(Path("uv.lock"), "", "x") == "uv.lock"
    assert lock_format(Path("pylock.toml"), "", "x") == "pylock.toml"
    assert lock_format(Path("pylock.dev.toml"), "", "x") == "pylock.toml"
    assert lock_format(Path("requirements-dev.txt"), "numpy==2.2.6\n", "x") == "requirements"
