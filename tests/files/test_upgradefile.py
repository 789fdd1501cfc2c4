"""The upgrade report file: what the writer writes, the reader reads back, and renders the same; faults are one line.

The reports are real ones, made by the code ``regcheck upgrade`` runs (``compare``, ``bisect``, the
noise rule), over the recorded run files of tests/data/bisect: ``haswell.json`` and ``prescott.json``
differ in the last bits of four logistic configurations.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from packaging.version import Version

from regcheck.errors import UsageError
from regcheck.files.benchmark import Timing
from regcheck.files.upgradefile import UPGRADE_KIND, read_upgrade, upgrade_document, upgrade_text
from regcheck.frontends.cli import main
from regcheck.matrix.bisect import BisectError, bisect, load_release_run
from regcheck.matrix.table import Column
from regcheck.timing.compare import judge_change
from regcheck.upgrade import report as rendering
from regcheck.upgrade.ddmin import Outcome
from regcheck.upgrade.locks import Change, Lock, Pin
from regcheck.upgrade.report import Report, TimedPair
from regcheck.upgrade.search import Counts, Culprit, Environment, Moved, Trial, compare

DATA = Path(__file__).resolve().parents[1] / "data" / "bisect"
HASWELL, PRESCOTT = (load_release_run(DATA / f"{name}.json", name) for name in ("haswell", "prescott"))
OLD = Lock(Path("locks/old.txt"), "requirements", {"numpy": Pin("numpy", "2.2.6"), "scipy": Pin("scipy", "1.14.1")},
           ("-e ./local-package",))  # fmt: skip
NEW = Lock(Path("locks/new.txt"), "requirements", {"numpy": Pin("numpy", "2.4.6"), "keras": Pin("keras", "3.15.1")})
CHANGES = [Change("keras", None, "3.15.1"), Change("numpy", "2.2.6", "2.4.6"), Change("scipy", "1.14.1", None)]
ENVIRONMENTS = {
    "old": Environment("0f3c2a1b9d8e7f60", (), "numpy==2.2.6\n", {"numpy": "2.2.6", "scikit-learn": "1.9.1"}),
    "new": Environment("a1b2c3d4e5f60718", (), "numpy==2.4.6\n", {"numpy": "2.4.6", "scikit-learn": "1.9.1"}, is_new=True),
}
COMMAND = "regcheck upgrade locks/old.txt locks/new.txt --model logreg"


def timing(median: float, spread: float, rounds: int = 3) -> Timing:
    return Timing("case", "case", "", median, median - spread, median + spread, 2 * spread, median - spread,
                  median + spread, rounds)  # fmt: skip


def timings(slower: bool) -> dict[tuple[str, str], TimedPair]:
    """Fit and predict of one configuration, and a case of the bench suite that is no configuration."""
    pairs = {}
    for where, phase, before, after in (("logreg-l2-C0.01", "fit", timing(1e-3, 1e-5), timing(2e-3 if slower else 1e-3, 1e-5)),
                                        ("logreg-l2-C0.01", "predict", timing(2e-4, 5e-5), timing(2.1e-4, 5e-5)),
                                        ("logreg-grid", "fit", timing(0.02, 1e-3, 1), timing(0.03, 1e-3, 1))):  # fmt: skip
        pairs[(where, phase)] = TimedPair(before, after, judge_change(before, after, 1.0))
    pairs[("logreg-new-case", "fit")] = TimedPair(None, timing(1e-3, 1e-5), None)
    return pairs


def counts(built: int) -> Counts:
    return Counts(resolved=2, built=built, runs=2, rounds=6, environments={"0f3c2a1b9d8e7f60", "a1b2c3d4e5f60718"})


def culprit_found() -> Culprit:
    """numpy's releases, the first from 2.3.0 on giving the other run, 2.2.7 unbuildable: a culprit with a skip."""
    releases = [Version(v) for v in ("2.2.6", "2.2.7", "2.3.0", "2.3.1", "2.4.6")]

    def run(version: Version) -> Column:
        if version == Version("2.2.7"):
            raise BisectError("cannot build an environment with numpy==2.2.7: no wheel for this Python")
        return PRESCOTT if version >= Version("2.3.0") else HASWELL

    return Culprit(CHANGES[1], releases, bisect(releases, run))


def culprit_unnamed() -> Culprit:
    """A change whose releases never move the result alone."""
    releases = [Version("2.2.6"), Version("2.4.6")]
    return Culprit(Change("numpy", "2.2.6", "2.4.6"), releases, bisect(releases, lambda version: HASWELL))


def reports() -> dict[str, Report]:
    same = compare(HASWELL, HASWELL)
    moved = compare(HASWELL, PRESCOTT)
    widened = replace(ENVIRONMENTS["new"], widened=(Moved("scipy", "1.14.1", None),), why="numpy 2.4.6 needs scipy>=1.15")
    trials = [
        Trial((CHANGES[0],), Outcome.SAME, ENVIRONMENTS["old"], "OLD's result"),
        Trial((CHANGES[1],), Outcome.MOVED, widened, "NEW's result, last-bits against OLD"),
        Trial((CHANGES[2],), Outcome.UNRESOLVED, None, "cannot be made (scipy cannot be removed)"),
    ]
    culprits = [culprit_found(), culprit_unnamed(), Culprit(CHANGES[0], note="added by NEW: no releases to search")]
    both = (OLD, NEW, CHANGES, COMMAND, ENVIRONMENTS)
    found: dict[str, Report] = {"nothing to compare": Report(OLD, OLD, [], COMMAND, {}, None)}
    found["nothing moved, with timings"] = Report(*both, same, timings(False), rounds=3, counts=counts(2), seconds=83.4)
    found["nothing moved, no timings"] = Report(*both, same, timing_note="--rounds 0", counts=counts(0), seconds=0.7)
    found["slower, by a factor"] = Report(*both, same, timings(True), rounds=3, factor=1.5, fail_slower=True,
                                          counts=counts(0), seconds=12.0)  # fmt: skip
    found["moved, not searched"] = Report(*both, moved, counts=counts(2), seconds=40.0)
    found["moved, a culprit"] = Report(*both, moved, timings(False), rounds=3, trials=trials, smallest=(CHANGES[1],),
                                       culprits=culprits, counts=counts(5), seconds=3600.6)  # fmt: skip
    return found


REPORTS = reports()


def renderings(data: Any) -> tuple[str, str, str]:
    return rendering.render_text(data), rendering.render_markdown(data), rendering.render_comment(data)


@pytest.mark.parametrize("name", REPORTS)
def test_every_report_the_writer_writes_reads_back_to_the_same_rendering(tmp_path: Path, name: str) -> None:
    written = rendering.summarize(REPORTS[name])
    path = tmp_path / "upgrade.json"
    path.write_text(upgrade_text(written), encoding="utf-8")
    read = read_upgrade(path)
    assert read == replace(written, created=read.created)
    assert renderings(read) == renderings(written)


def test_the_renderings_show_what_the_report_found() -> None:
    """So the round trip above compares renderings that say something: the culprit, the skip, the widening, times."""
    text = rendering.render_text(rendering.summarize(REPORTS["moved, a culprit"]))
    assert "culprit: numpy 2.3.0 (the release before it, 2.2.6, gives OLD's result)" in text
    assert "  skipped 2.2.7: cannot build an environment with numpy==2.2.7: no wheel for this Python" in text
    assert "    widened with scipy 1.14.1 -> (absent) (the exact pins cannot be resolved: numpy 2.4.6 needs scipy>=1.15)" in text
    assert "culprit: numpy, but no single release of it moves the result" in text
    assert "culprit: keras (added) 3.15.1 (added by NEW: no releases to search)" in text
    assert "regcheck upgrade: 4 of 6 configurations moved | 2 environments (5 built now)" in text
    assert "| 60 min 1 s" in text
    slower = rendering.summarize(REPORTS["slower, by a factor"])
    assert slower.exit_code == 1 and "logreg-l2-C0.01 fit" in slower.slower
    assert "2.00x SLOWER" in rendering.render_text(slower)


def test_the_file_says_its_kind_schema_and_outcome_first() -> None:
    document = upgrade_document(rendering.summarize(REPORTS["moved, a culprit"]))
    assert (document["kind"], document["schema_version"], document["exit_code"]) == (UPGRADE_KIND, 2, 1)
    assert document["moved"] == ["logreg-l1-C0.1", "logreg-l2-C0.001", "logreg-l2-C0.01", "logreg-l2-C0.1"]


def saved(tmp_path: Path, change: Any = None) -> Path:
    document = json.loads(upgrade_text(rendering.summarize(REPORTS["moved, a culprit"])))
    if change is not None:
        change(document)
    path = tmp_path / "upgrade.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _set(path: str, value: Any) -> Any:
    def change(document: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = document
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        key: Any = int(last) if last.isdigit() else last
        if value is KeyError:
            del target[key]
        else:
            target[key] = value

    return change


@pytest.mark.parametrize(("change", "expected"), [
    (_set("kind", "regcheck.run"), "kind is \"regcheck.run\", expected 'regcheck.upgrade'"),
    (_set("schema_version", 1), "schema_version is 1, expected 2 (a report of an older regcheck"),
    (_set("command", KeyError), "missing field command; expected it in an upgrade report"),
    (_set("surprise", 1), "unknown field surprise; expected only schema_version, kind,"),
    (_set("configurations.0.mark", "moved"), "field configurations[0].mark: expected one of identical, last-bits, values,"),
    (_set("configurations.1.after.n_correct", [53, -1]), "field configurations[1].after.n_correct[1]: expected a whole number"),
    (_set("timings.0.change.ratio", "2x"), "field timings[0].change.ratio: expected a number from 0, found \"2x\""),
    (_set("culprits.0.bisection.steps.1.outcome", "maybe"), "field culprits[0].bisection.steps[1].outcome: expected one of"),
    (_set("sides.0.side", "new"), 'field sides: expected none, or old then new, found ["new", "new"]'),
    (_set("exit_code", 0), "field exit_code: expected 1, as the rest of the report says, found 0"),
    (_set("factor", 0.5), "field factor: expected a number from 1, found 0.5"),
    (_set("changes.0", {"name": "keras", "old": None, "new": None}), "field changes[0].old: expected a version where new"),
])  # fmt: skip
def test_a_fault_in_a_saved_report_is_one_line_naming_the_field(tmp_path: Path, change: Any, expected: str) -> None:
    path = saved(tmp_path, change)
    with pytest.raises(UsageError) as caught:
        read_upgrade(path)
    message = str(caught.value)
    assert message.startswith(f"--from {path}: ") and "\n" not in message
    assert expected in message, message


def test_a_report_that_is_no_json_or_no_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "upgrade.json"
    path.write_text('{"kind": "regcheck.upgrade", "seconds": NaN}', encoding="utf-8")
    with pytest.raises(UsageError, match="NaN"):
        read_upgrade(path)
    with pytest.raises(UsageError, match="is a folder"):
        read_upgrade(tmp_path)


def test_upgrade_from_a_saved_report_renders_it_again_and_exits_with_its_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, data = saved(tmp_path), rendering.summarize(REPORTS["moved, a culprit"])
    markdown, comment = tmp_path / "summary.md", tmp_path / "comment.md"
    assert main(["upgrade", "--from", str(path), "--markdown", str(markdown), "--comment", str(comment)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(rendering.render_text(data) + "\n")
    assert markdown.read_text(encoding="utf-8") == rendering.render_markdown(data)
    assert comment.read_text(encoding="utf-8") == rendering.render_comment(data)
    nothing = tmp_path / "nothing.json"
    nothing.write_text(upgrade_text(rendering.summarize(REPORTS["nothing moved, no timings"])), encoding="utf-8")
    assert main(["upgrade", "--from", str(nothing)]) == 0


@pytest.mark.parametrize(("args", "expected"), [
    (["--from", "{saved}", "{saved}", "{saved}"], "renders a saved report; expected no OLD and NEW beside it"),
    (["--from", "{saved}", "--json", "{dir}/again.json"], "--from {saved} is the saved report already"),
    (["--from", "{dir}/none.json"], "argument --from: {dir}/none.json: no such file"),
    (["--from", "{saved}", "--markdown", "{saved}"], "--markdown"),
    ([], "OLD and NEW: expected two lock files (or --from FILE"),
])  # fmt: skip
def test_upgrade_from_refuses_what_it_cannot_do_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    path = saved(tmp_path)
    before = path.read_bytes()
    words = [word.format(saved=path, dir=tmp_path) for word in args]
    assert main(["upgrade", *words]) == 2
    err = capsys.readouterr().err
    assert expected.format(saved=path, dir=tmp_path) in err and err.count("\n") == 1
    assert path.read_bytes() == before and sorted(tmp_path.iterdir()) == [path]
