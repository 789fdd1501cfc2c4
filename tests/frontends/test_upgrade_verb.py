"""``regcheck upgrade`` on bad input: one line naming the file or option, exit 2, nothing written, no environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from regcheck.frontends.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "upgrade"
OLD, NEW = DATA / "mlp-old-requirements.txt", DATA / "mlp-new-requirements.txt"


@pytest.fixture
def outputs(tmp_path: Path) -> dict[str, Path]:
    return {flag: tmp_path / name for flag, name in
            (("--json", "upgrade.json"), ("--markdown", "summary.md"), ("--comment", "comment.md"))}  # fmt: skip


def upgrade(tmp_path: Path, outputs: dict[str, Path], *args: str) -> int:
    options = [word for flag, path in outputs.items() for word in (flag, str(path))]
    return main(["upgrade", *args, *options, "--cache", str(tmp_path / "cache")])


def assert_one_line_and_nothing_written(tmp_path: Path, outputs: dict[str, Path], err: str, expected: str) -> None:
    assert expected in err, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not any(path.exists() for path in outputs.values())
    assert not (tmp_path / "cache").exists()  # no environment was resolved or built


def test_a_missing_lock_file_is_named(tmp_path: Path, outputs: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "old" / "requirements.txt"
    assert upgrade(tmp_path, outputs, str(missing), str(NEW)) == 2
    assert_one_line_and_nothing_written(tmp_path, outputs, capsys.readouterr().err, f"argument OLD: {missing}: no such file")


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("requirements.txt", "# no pins here\n", "NEW {path}: no pins; expected a requirements file of NAME==VERSION pins"),
    ("lock.json", '{"numpy": "2.4.6"}\n', "NEW {path}: not a lock file regcheck reads"),
    ("requirements.txt", "numpy==2.4.6\n_keras==3.15.1\n", "NEW {path}: line 2: '_keras' is no valid package name"),
])  # fmt: skip
def test_a_lock_that_cannot_be_read_is_one_line_and_exit_2(
    tmp_path: Path, outputs: dict[str, Path], capsys: pytest.CaptureFixture[str], name: str, text: str, expected: str
) -> None:
    new = tmp_path / name
    new.write_text(text, encoding="utf-8")
    assert upgrade(tmp_path, outputs, str(OLD), str(new)) == 2
    assert_one_line_and_nothing_written(tmp_path, outputs, capsys.readouterr().err, expected.format(path=new))


def test_a_model_the_study_does_not_have_is_refused_before_any_environment(
    tmp_path: Path, outputs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert upgrade(tmp_path, outputs, str(OLD), str(NEW), "--model", "svm") == 2
    assert_one_line_and_nothing_written(tmp_path, outputs, capsys.readouterr().err,
                                        "--model svm: study heart has no such model")  # fmt: skip


def test_an_output_that_cannot_be_written_is_refused_before_any_environment(
    tmp_path: Path, outputs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    outputs["--markdown"] = tmp_path / "no-such-folder" / "summary.md"
    assert upgrade(tmp_path, outputs, str(OLD), str(NEW)) == 2
    assert_one_line_and_nothing_written(tmp_path, outputs, capsys.readouterr().err, "--markdown")


@pytest.mark.parametrize(("args", "expected"), [
    (["--rounds", "many"], "argument --rounds: 'many': expected a number of timing rounds from 0 to 50"),
    (["--fail-slower", "0.5"], "argument --fail-slower: '0.5': expected a factor above 1"),
    (["--seeds", "4-2"], "argument --seeds:"),
    (["--bench", "bench/no_such_bench.py"], "--bench bench/no_such_bench.py: no such file in the regcheck checkout"),
])  # fmt: skip
def test_bad_options_are_one_line_and_exit_2(
    tmp_path: Path, outputs: dict[str, Path], capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    assert upgrade(tmp_path, outputs, str(OLD), str(NEW), *args) == 2
    assert_one_line_and_nothing_written(tmp_path, outputs, capsys.readouterr().err, expected)


def test_two_locks_that_pin_the_same_versions_compare_nothing_and_exit_0(
    tmp_path: Path, outputs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """The same pins in two formats' spellings (tensorflow_cpu and tensorflow-cpu): no environment is needed."""
    respelled = tmp_path / "requirements.txt"
    respelled.write_text(OLD.read_text(encoding="utf-8").replace("tensorflow_cpu", "TensorFlow-CPU"), encoding="utf-8")
    assert upgrade(tmp_path, outputs, str(OLD), str(respelled), "--model", "logreg") == 0
    out = capsys.readouterr().out
    assert "0 package(s) differ" in out
    assert "regcheck upgrade: nothing to compare: OLD and NEW pin the same versions" in out
    assert "<!-- regcheck-upgrade -->" in outputs["--comment"].read_text(encoding="utf-8")
    assert not (tmp_path / "cache" / "envs").exists()
