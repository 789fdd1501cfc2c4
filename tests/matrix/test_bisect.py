"""``regcheck bisect``'s search, over real run files (no environment is built here).

tests/data/bisect holds ``regcheck run --model logreg --json`` files made on the project's machine
(2026-11-26): ``haswell.json`` as tests and CI run (OPENBLAS_CORETYPE=Haswell), ``prescott.json`` the
same run with OPENBLAS_CORETYPE=Prescott, numpy's generic kernels: the last bits of four
configurations' coefficients and probabilities differ, the class of change the version matrix found
between numpy 1.26.4 and 2.x. ``numpy-1.26.4.json`` and ``numpy-2.2.6.json`` are the runs the real
``regcheck bisect numpy 1.26.4 2.2.6 --model logreg`` made in its uv environments (docs/bisect.md):
identical, bit for bit.
"""

from __future__ import annotations

import math
import re
import shutil
import sys
from pathlib import Path

import pytest
from packaging.version import Version

from regcheck.frontends.cli import main
from regcheck.matrix.bisect import (
    BisectError,
    Setup,
    bisect,
    compare_runs,
    failure_reason,
    load_release_run,
    regcheck_source,
    releases_between,
    source_digest,
)
from regcheck.matrix.table import Column

DATA = Path(__file__).resolve().parents[1] / "data" / "bisect"
NUMPY = ["1.26.4", "2.0.0", "2.0.1", "2.0.2", "2.1.0", "2.1.1", "2.1.2", "2.1.3", "2.2.0", "2.2.1", "2.2.2",
         "2.2.3", "2.2.4", "2.2.5", "2.2.6"]  # fmt: skip
RELEASES = [Version(text) for text in NUMPY]


def recorded(name: str) -> Column:
    return load_release_run(DATA / f"{name}.json", name)


BEFORE, AFTER = recorded("haswell"), recorded("prescott")


class Releases:
    """Each release's run: the recorded run before ``first``, the other one from it on; counts the runs."""

    def __init__(self, first: Version, broken: tuple[Version, ...] = ()) -> None:
        self.first, self.broken, self.ran = first, broken, []

    def __call__(self, version: Version) -> Column:
        self.ran.append(version)
        if version in self.broken:
            raise BisectError(f"cannot build an environment with numpy=={version}")
        return AFTER if version >= self.first else BEFORE


def test_the_releases_between_are_the_final_ones_sorted_both_ends_included() -> None:
    listed = ["2.3.0", "2.2.6", "2.2.6rc1", "2.1.0", "2.0.0.dev0", "2.0.0b1", "1.26.4", "1.26.3", "not-a-version"]
    assert [str(v) for v in releases_between(listed, Version("1.26.4"), Version("2.2.6"))] == ["1.26.4", "2.1.0", "2.2.6"]
    assert [str(v) for v in releases_between([], Version("1.0"), Version("2.0"))] == ["1.0", "2.0"]


def test_bad_older_than_good_is_refused() -> None:
    from regcheck.errors import UsageError

    with pytest.raises(UsageError, match=re.escape("BAD 1.26.4 is not newer than GOOD 2.2.6; give the older release first")):
        releases_between(NUMPY, Version("2.2.6"), Version("1.26.4"))


@pytest.mark.parametrize("first", RELEASES[1:], ids=str)
def test_the_search_names_the_first_differing_release_running_about_log2_of_them(first: Version) -> None:
    runs = Releases(first)
    result = bisect(RELEASES, runs)
    assert result.first_differing == first
    assert result.last_same == RELEASES[RELEASES.index(first) - 1]
    assert len(runs.ran) <= 2 + math.ceil(math.log2(len(RELEASES) - 1))  # GOOD, BAD, then halving: 6 of 15
    assert runs.ran[:2] == [RELEASES[0], RELEASES[-1]]


def test_the_comparison_says_which_fields_changed_and_by_how_much() -> None:
    result = bisect(RELEASES, Releases(Version("2.1.0")))
    assert result.comparison is not None
    assert result.comparison.mark == "last-bits"
    moved = {cid: cell for cid, cell in result.comparison.cells.items() if cell.mark != "identical"}
    assert sorted(moved) == ["logreg-l1-C0.1", "logreg-l2-C0.001", "logreg-l2-C0.01", "logreg-l2-C0.1"]
    assert moved["logreg-l1-C0.1"].first_difference is not None
    assert moved["logreg-l1-C0.1"].first_difference.field == "probabilities"
    assert max(cell.largest_abs_difference["probabilities"] for cell in moved.values()) == pytest.approx(2.22e-16, rel=0.01)


def test_a_release_that_cannot_be_built_is_skipped_and_the_search_goes_around_it() -> None:
    broken = (Version("2.1.0"), Version("2.0.2"))
    runs = Releases(Version("2.1.0"), broken)
    result = bisect(RELEASES, runs)
    assert sorted(str(step.version) for step in result.skipped) == ["2.0.2", "2.1.0"]
    # 2.1.0 differs but could not be run: the first release known to differ is the next one.
    assert (result.last_same, result.first_differing) == (Version("2.0.1"), Version("2.1.1"))


def test_good_or_bad_that_cannot_be_run_stops_the_search() -> None:
    with pytest.raises(BisectError, match=re.escape("cannot build an environment with numpy==2.2.6")):
        bisect(RELEASES, Releases(Version("2.1.0"), broken=(Version("2.2.6"),)))


def test_an_environment_uv_cannot_resolve_is_named_by_uvs_cause_not_its_conclusion() -> None:
    # uv's own output for numpy 2.5.5 on Python 3.11 (2026-11-27), the paths shortened.
    reason = failure_reason(DATA / "uv-needs-newer-python.log")
    assert reason.startswith("Because the current Python version (3.11.7) does not satisfy Python>=3.12")
    assert "\n" not in reason


def test_the_real_numpy_runs_are_identical_so_no_release_is_named() -> None:
    good, bad = recorded("numpy-1.26.4"), recorded("numpy-2.2.6")
    assert good.environment["packages"]["numpy"] == "1.26.4" and bad.environment["packages"]["numpy"] == "2.2.6"
    assert not compare_runs(good, bad).differs
    steps: list[str] = []
    result = bisect(RELEASES, lambda v: good if v == RELEASES[0] else bad, lambda step: steps.append(step.outcome))
    assert result.first_differing is None and steps == ["good", "good"]


def test_the_command_reads_cached_runs_and_builds_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A rerun is instant: every release's run file is in the cache, so no environment is made."""
    source = regcheck_source()
    setup = Setup("numpy", "logreg", None, (), sys.executable, source, tmp_path, (), source_digest(source))
    for version in RELEASES:
        target = setup.run_file(version)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(DATA / ("prescott.json" if version >= Version("2.1.0") else "haswell.json"), target)
    code = main(["bisect", "numpy", "1.26.4", "2.2.6", "--model", "logreg", "--versions", ",".join(NUMPY),
                 "--cache", str(tmp_path)])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 1
    assert "first release that differs from 1.26.4: numpy 2.1.0 (the release before it, 2.0.2, gives 1.26.4's result)" in out
    assert (
        "  mark: last-bits, in 4 of 6 configurations (logreg-l1-C0.1, logreg-l2-C0.001, logreg-l2-C0.01, logreg-l2-C0.1)" in out
    )
    assert "  fields that changed: coefficients, probabilities; largest |difference|: coefficients 1.11e-16, " in out
    assert "logreg-l1-C0.1 in numpy 2.1.0 (cached), seed 42: first differs in probabilities" in out
    assert not (tmp_path / "envs").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["numpy", "1.26.4", "two"], "'two' is not a version (PEP 440), e.g. 1.26.4"),
    (["numpy", "1.26.4", "2.2.6", "--seeds", "x"], "argument --seeds:"),
])  # fmt: skip
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bisect", *args, "--versions", "1.26.4,2.2.6"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
