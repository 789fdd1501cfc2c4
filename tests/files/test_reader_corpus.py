"""The corpus of bad inputs to the verbs that read saved files: ``report``, ``matrix`` and ``compare``.

Each case breaks one thing (a run, matrix or benchmark file, or an output path) in a throw-away
project holding real files of each kind, runs the verb in-process and checks the promise: exactly
one ``regcheck: error:`` line, exit code 2, and nothing written (the whole project compared
before and after).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from support import Project

from regcheck.results.names import NAME_RULE

DATA = Path(__file__).resolve().parents[1] / "data"


@dataclass(frozen=True)
class Case:
    id: str
    setup: Callable[[Path], Any]
    args: tuple[str, ...]
    message: str  # the line after "regcheck: error: "; {root} and {baselines} are filled in


def nothing(root: Path) -> None:
    pass


def edit(name: str, change: Callable[[dict[str, Any]], Any]) -> Callable[[Path], None]:
    def setup(root: Path) -> None:
        document = json.loads((root / name).read_text())
        change(document)
        (root / name).write_text(json.dumps(document))

    return setup


def text(name: str, old: str, new: str) -> Callable[[Path], None]:
    def setup(root: Path) -> None:
        content = (root / name).read_text()
        assert old in content
        (root / name).write_text(content.replace(old, new, 1))

    return setup


def fifo(name: str) -> Callable[[Path], None]:
    def setup(root: Path) -> None:
        (root / name).unlink(missing_ok=True)
        os.mkfifo(root / name)

    return setup


def record(document: dict[str, Any]) -> dict[str, Any]:
    first: dict[str, Any] = document["records"][0]
    return first


def stats(document: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = document["benchmarks"][0]["stats"]
    return found


REPORT = ("report", "{root}/run.json", "--html", "{root}/out.html")
MATRIX = ("matrix", "{root}/runs", "--reference", "a")
COMPARE = ("compare", "{root}/a.json", "{root}/b.json")
RESULTS = (*COMPARE, "--results", "{root}/run.json", "--results", "{root}/b-run.json")
BENCH_REPORT = ("report", "--bench", "{root}/b.json", "--html", "{root}/out.html")
MATRIX_REPORT = ("report", "--matrix", "{root}/matrix.json", "--html", "{root}/out.html")
RUN_FILE = "run file {root}/run.json"
BENCH = "benchmark file {root}/b.json: benchmarks[0]"
EXPECTED_JSON = "expected a JSON file (a regular file)"

CASES = [
    # run files given to report: not a file, not JSON regcheck accepts, not a run file, wrong types
    Case("report-run-file-is-a-fifo", fifo("run.json"), REPORT, f"{RUN_FILE}: is a FIFO; expected a JSON file (a regular file)"),
    Case("report-run-file-is-dev-urandom", nothing, ("report", "/dev/urandom", "--html", "{root}/out.html"),
         "run file /dev/urandom: is a character device; expected a JSON file (a regular file)"),
    Case("report-run-file-nested-100000-deep", lambda root: (root / "run.json").write_text("[" * 100_000),
         REPORT, f"{RUN_FILE}: JSON nested more than 32 levels deep; expected at most 32"),
    Case("report-run-file-schema-version-true", edit("run.json", lambda d: d.update(schema_version=True)),
         REPORT, f"{RUN_FILE}: schema_version is True, expected 1"),
    Case("report-run-file-of-another-kind", edit("run.json", lambda d: d.update(kind="regcheck.matrix.table")),
         REPORT, f"{RUN_FILE}: kind is 'regcheck.matrix.table', expected 'regcheck.run' (regcheck run --json PATH)"),
    Case("report-run-file-nan-seconds", text("run.json", '"created"', '"seconds": NaN, "created"'),
         REPORT, f"{RUN_FILE}: NaN is not a number regcheck accepts; expected finite numbers only"),
    Case("report-run-file-params-a-list", edit("run.json", lambda d: record(d).update(params=[1])),
         REPORT, f"{RUN_FILE}: field records[0].params: expected an object of the configuration's parameters, found [1]"),
    # values no writer produces (the second attacker's corpus): out of range, unknown, of another length
    Case("report-run-file-verdict-status-unknown", edit("run.json", lambda d: d["verdicts"][0].update(status="weird")),
         REPORT, f'{RUN_FILE}: field verdicts[0].status: expected one of held, moved, missing, error, updated, found "weird"'),
    Case("report-run-file-record-model-a-path", edit("run.json", lambda d: record(d).update(model="../x")),
         REPORT, f"{RUN_FILE}: field records[0].model: expected a name of {NAME_RULE}, found \"../x\""),
    Case("report-run-file-seed-2-to-the-40", edit("run.json", lambda d: record(d).update(seed=2**40)),
         REPORT, f"{RUN_FILE}: field records[0].seed: expected an integer from 0 to 2**32 - 1, found 1099511627776"),
    Case("report-run-file-accuracy-negative", edit("run.json", lambda d: record(d).update(accuracy=-0.5)),
         REPORT, f"{RUN_FILE}: field records[0].accuracy: expected n_correct / n_test (51/61), found -0.5"),
    Case("report-run-file-predictions-shorter-than-n-test", edit("run.json", lambda d: record(d).update(predictions=[0.5])),
         REPORT, f"{RUN_FILE}: field records[0].predictions: expected an array of 61 rows (n_test), found 1 rows"),
    Case("report-run-file-grid-plot-unknown",
         edit("run.json", lambda d: d.update(grids=[{"model": "mlp", "title": "t", "rows": "l1", "columns": "l2",
                                                     "plot": "pie"}])),
         REPORT, f'{RUN_FILE}: field grids[0].plot: expected one of lines, heatmap, found "pie"'),
    Case("report-run-file-grid-rows-no-parameter",
         edit("run.json", lambda d: d.update(grids=[{"model": "mlp", "title": "t", "rows": "depth", "columns": "l2"}],
                                             configurations={r["config_id"]: r["params"] for r in d["records"]})),
         REPORT, f'{RUN_FILE}: field grids[0].rows: expected a parameter of every mlp configuration, found "depth"'),
    Case("report-run-file-published-true", edit("run.json", lambda d: d.update(published=True)),
         REPORT, f"{RUN_FILE}: field published: expected an object of published accuracies, found true"),
    Case("report-run-file-packages-null", edit("run.json", lambda d: record(d)["environment"].update(packages=None)),
         REPORT, f"{RUN_FILE}: field records[0].environment.packages: expected an object of package versions (text), found null"),
    Case("report-run-file-verdict-without-an-id", edit("run.json", lambda d: d.update(verdicts=[{"config_id": []}])),
         REPORT, RUN_FILE + ': field verdicts[0]: expected a verdict (an object with a config_id), found {{"config_id": []}}'),
    # outputs of report: never an input, never another output, never a device
    Case("report-html-onto-the-run-file", nothing, ("report", "{root}/run.json", "--html", "{root}/run.json"),
         "--html {root}/run.json: is an input of this command ({root}/run.json); choose another file"),
    Case("report-markdown-onto-the-html", nothing, (*REPORT, "--markdown", "{root}/out.html"),
         "--markdown {root}/out.html: is also the --html output; give each its own file"),
    Case("report-html-into-a-benchmark-folder", lambda root: shutil.copytree(DATA, root / "benches"),
         ("report", "--bench", "{root}/benches", "--html", "{root}/benches/out.html"),
         "--html {root}/benches/out.html: is inside the input folder ({root}/benches); choose another file"),
    Case("report-html-dev-full", nothing, ("report", "{root}/run.json", "--html", "/dev/full"),
         "--html /dev/full: is a device or special file; expected a file name"),
    # benchmark and matrix files given to report
    Case("report-bench-rounds-as-text", edit("b.json", lambda d: stats(d).update(rounds="x")),
         BENCH_REPORT, f'{BENCH}: field stats.rounds: expected an integer >= 1, found "x"'),
    Case("report-bench-median-negative", edit("b.json", lambda d: stats(d).update(median=-1.0)),
         BENCH_REPORT, f"{BENCH}: field stats.median: expected seconds >= 0, found -1.0"),
    Case("report-bench-extra-info-true", edit("b.json", lambda d: d["benchmarks"][0].update(extra_info=True)),
         BENCH_REPORT, f"{BENCH}: field extra_info: expected an object, found true"),
    Case("report-matrix-of-another-kind", edit("matrix.json", lambda d: d.update(kind="regcheck.run")),
         MATRIX_REPORT,
         "matrix file {root}/matrix.json: kind is 'regcheck.run', expected 'regcheck.matrix.table' "
         "(regcheck matrix --json PATH)"),
    Case("report-matrix-schema-version-true", edit("matrix.json", lambda d: d.update(schema_version=True)),
         MATRIX_REPORT,
         "matrix file {root}/matrix.json: schema_version is True, expected 1"),
    # matrix: its inputs and its --json
    Case("matrix-json-onto-an-input", nothing, (*MATRIX, "--json", "{root}/runs/a.json"),
         "--json {root}/runs/a.json: is an input of this command ({root}/runs/a.json); choose another file"),
    Case("matrix-json-into-the-baselines", nothing, (*MATRIX, "--json", "{baselines}/matrix.json"),
         "--json {baselines}/matrix.json: is inside the input folder (baselines); choose another file"),
    Case("matrix-folder-holding-a-fifo", fifo("runs/c.json"), MATRIX, f"{{root}}/runs/c.json: is a FIFO; {EXPECTED_JSON}"),
    Case("matrix-folder-holding-a-link-to-dev-urandom", lambda root: (root / "runs/c.json").symlink_to("/dev/urandom"),
         MATRIX, f"{{root}}/runs/c.json: is a character device; {EXPECTED_JSON}"),
    Case("matrix-run-file-schema-version-true", edit("runs/b.json", lambda d: d.update(schema_version=True)),
         MATRIX, "{root}/runs/b.json: schema_version is True, expected 1"),
    Case("matrix-run-file-blas-true", edit("runs/b.json", lambda d: record(d)["environment"].update(blas=True)),
         MATRIX, "{root}/runs/b.json: field records[0].environment.blas: "
         "expected a list of objects (threadpoolctl's pools), found true"),
    # compare: benchmark files and --results
    Case("compare-nan-median", text("b.json", '"median": ', '"median": NaN, "was": '),
         COMPARE, "{root}/b.json: NaN is not a number regcheck accepts; expected finite numbers only"),
    Case("compare-benchmark-file-is-a-fifo", fifo("b.json"), COMPARE,
         "{root}/b.json: is a FIFO; expected a pytest-benchmark JSON file (pytest bench/ --benchmark-json PATH or "
         "--benchmark-save NAME) (a regular file)"),
    Case("compare-results-schema-version-99", edit("b-run.json", lambda d: d.update(schema_version=99)),
         RESULTS, "--results {root}/b-run.json: schema_version is 99, expected 1"),
    Case("compare-results-seed-as-text", edit("b-run.json", lambda d: record(d).update(seed="x")),
         RESULTS, '--results {root}/b-run.json: field records[0].seed: expected an integer from 0 to 2**32 - 1, found "x"'),
]  # fmt: skip


@pytest.fixture
def saved_files(project: Project) -> Path:
    """The project, plus a run file, a folder of run files, two benchmark runs and a matrix file."""
    root = project.root
    for name in ("run.json", "b-run.json", "runs/a.json", "runs/b.json"):
        (root / name).parent.mkdir(exist_ok=True)
        shutil.copy(DATA / "synthetic_mlp_run.json", root / name)
    shutil.copy(DATA / "synthetic_bench_cpu.json", root / "a.json")
    shutil.copy(DATA / "synthetic_bench_gpu.json", root / "b.json")
    shutil.copy(DATA / "synthetic_matrix.json", root / "matrix.json")
    return root


def test_the_reader_corpus_holds_a_case_of_every_class() -> None:
    assert len({case.id for case in CASES}) == len(CASES) >= 25


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_a_bad_saved_file_or_output_gets_one_error_line_exit_code_2_and_nothing_written(
    case: Case, saved_files: Path, project: Project, cli: Any
) -> None:
    names = {"root": saved_files, "baselines": project.baselines}
    case.setup(saved_files)
    before = project.snapshot()

    result = cli(*(arg.format(**names) for arg in case.args))

    assert (result.rc, result.err, result.out) == (2, f"regcheck: error: {case.message.format(**names)}\n", "")
    assert project.snapshot() == before
