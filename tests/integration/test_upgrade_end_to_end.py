"""``regcheck upgrade`` end to end, in real uv environments, on the two cheapest real cases (docs/upgrade.md):

* the heart study's logistic half from numpy 2.2.6, pandas 2.3.3, scikit-learn 1.7.2 to numpy 2.4.6,
  pandas 3.1.1, scikit-learn 1.9.1: its records stay identical bit for bit (exit 0), with the time
  table of one configuration (three interleaved rounds per environment: the fewest the noise rule judges);
* the example study's lbfgs logistic regression from scipy 1.14.1 to 1.15.0 (with threadpoolctl 3.5.0
  to 3.6.0 beside it): scipy 1.15.0 moves its coefficients by the last bits, and the search names it.

Each environment is built from uv's cache where the machine has one (seconds), else from the index.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from regcheck.frontends.cli import main

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "upgrade"
UV = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")

pytestmark = [pytest.mark.slow, pytest.mark.skipif(UV is None, reason="uv is not installed (it comes with '.[test]')")]

HEART = [str(DATA / "logreg-old-requirements.txt"), str(DATA / "logreg-new-requirements.txt"), "--model", "logreg",
         "--bench-select", "logreg-l2-C0.01 and not grid"]  # fmt: skip
CANCER = [str(DATA / "cancer-old-requirements.txt"), str(DATA / "cancer-new-requirements.txt"), "--model", "logistic",
          "--study", f"{ROOT / 'examples' / 'cancer_study.py'}:study",
          "--baselines", str(ROOT / "examples" / "baselines")]  # fmt: skip


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("upgrade-cache")


def upgrade(cache: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["upgrade", *args, "--cache", str(cache)])
    return code, capsys.readouterr().out


def test_an_upgrade_that_moves_nothing_says_so_with_the_time_table(
    cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    markdown, comment, document = tmp_path / "summary.md", tmp_path / "comment.md", tmp_path / "upgrade.json"
    job_summary = tmp_path / "step-summary.md"
    job_summary.write_text("", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(job_summary))
    code, out = upgrade(cache, capsys, *HEART, "--markdown", str(markdown), "--comment", str(comment), "--json",
                        str(document))  # fmt: skip
    assert code == 0, out
    assert "3 package(s) differ (numpy 2.2.6 -> 2.4.6, pandas 2.3.3 -> 3.1.1, scikit-learn 1.7.2 -> 1.9.1)" in out
    assert "regcheck upgrade: nothing moved: 6 configurations identical, bit for bit" in out
    table = out.split("\nlogreg-l2-C0.01\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert table[2].split()[:4] == ["result", "54/61", "54/61", "identical"]
    assert table[3].split() == ["verdict", "held", "(exact)", "held", "(exact)"]
    assert [row.split()[0] for row in table[4:]] == ["fit", "predict"]
    assert all("x" in row.split()[-2] or "x" in row.split()[-1] for row in table[4:])  # a ratio NEW/OLD, judged
    assert "times: median ±half the interquartile range of 3 rounds per environment, taken interleaved" in out
    assert markdown.read_text(encoding="utf-8").startswith("## regcheck upgrade: nothing moved")
    assert comment.read_text(encoding="utf-8").startswith("<!-- regcheck-upgrade -->\n## regcheck upgrade: nothing moved")
    # The job summary holds the upgrade's report once, and none of the runs' inside the environments.
    assert job_summary.read_text(encoding="utf-8") == markdown.read_text(encoding="utf-8")
    written = json.loads(document.read_text(encoding="utf-8"))
    assert (written["kind"], written["moved"], written["exit_code"], written["rounds"]) == ("regcheck.upgrade", [], 0, 3)
    # The saved report renders again as it was, building nothing (the workflow's comment step can use it).
    again, rendered = tmp_path / "again.md", tmp_path / "again-comment.md"
    assert main(["upgrade", "--from", str(document), "--markdown", str(again), "--comment", str(rendered)]) == 0
    assert "regcheck upgrade: nothing moved: 6 configurations identical, bit for bit" in capsys.readouterr().out
    assert again.read_bytes() == markdown.read_bytes() and rendered.read_bytes() == comment.read_bytes()


def test_a_second_run_of_the_same_command_builds_and_runs_nothing(cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = upgrade(cache, capsys, *HEART)
    assert code == 0
    assert "| 2 environments (0 built now), 0 runs and 0 timing rounds made now |" in out
    assert "  built " not in out


def test_fail_slower_exits_1_exactly_when_a_case_is_slower_than_the_factor_beyond_the_noise(
    cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """From the cached rounds (nothing is measured again), judged at 1.1x instead of 1x."""
    code, out = upgrade(cache, capsys, *HEART, "--fail-slower", "1.1")
    assert "0 runs and 0 timing rounds made now" in out
    slower = "SLOWER" in out.split("\nlogreg-l2-C0.01\n", 1)[1].split("\n\n", 1)[0]
    assert code == (1 if slower else 0)
    assert ("case(s) slower by more than 1.1x beyond the noise" in out) == slower


def test_an_upgrade_that_moves_a_result_names_the_package_and_the_release(
    cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document, comment = tmp_path / "upgrade.json", tmp_path / "comment.md"
    code, out = upgrade(cache, capsys, *CANCER, "--json", str(document), "--comment", str(comment))
    assert code == 1, out
    assert "2 package(s) differ (scipy 1.14.1 -> 1.15.0, threadpoolctl 3.5.0 -> 3.6.0)" in out
    assert "regcheck upgrade: 3 of 3 configurations moved" in out
    assert "  trial 1: {scipy}: as NEW (NEW's result, last-bits against OLD)" in out
    assert "smallest set that moves the result: scipy 1.14.1 -> 1.15.0" in out
    assert "culprit: scipy 1.15.0 (the release before it, 1.14.1, gives OLD's result)" in out
    assert "  fields that changed: coefficients; largest |difference|: coefficients " in out
    # OLD, NEW and the one trial; the bisection's two releases are OLD's and the trial's environments.
    assert "| 3 environments (" in out
    again, rerun = upgrade(cache, capsys, *CANCER)
    assert again == 1 and "| 3 environments (0 built now), 0 runs and 0 timing rounds made now |" in rerun
    # Read back, the culprit's report renders as it was written (the run's own lines are its text's last part).
    rendered = tmp_path / "again.md"
    assert main(["upgrade", "--from", str(document), "--comment", str(rendered)]) == 1
    assert "culprit: scipy 1.15.0 (the release before it, 1.14.1, gives OLD's result)" in capsys.readouterr().out
    assert rendered.read_bytes() == comment.read_bytes()
