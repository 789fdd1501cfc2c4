"""Properties of the verbs that read other verbs' files: any field of any type is a result or one line.

``report``, ``matrix`` and ``compare`` read run files, matrix files and pytest-benchmark files
that may come from another machine, another version or a hand edit. Hypothesis replaces one
field anywhere in a real document (or removes it) with a value of any JSON type; the verb must
then finish (exit 0 or 1), or print one ``regcheck: error:`` line, exit 2 and write nothing.
Never a traceback from inside a renderer.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regcheck.frontends.cli import main

DATA = Path(__file__).resolve().parents[1] / "data"
# Any JSON value regcheck's parser accepts (finite numbers, bounded integers).
values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.floats(allow_nan=False, allow_infinity=False, width=32)
    | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)  # fmt: skip


def small(document: Any, keep: int = 2) -> Any:
    """The document with every list cut to ``keep`` items: every kind of field, few of each."""
    if isinstance(document, list):
        return [small(item, keep) for item in document[:keep]]
    if isinstance(document, dict):
        return {key: small(value, keep) for key, value in document.items()}
    return document


def paths(document: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    items = document.items() if isinstance(document, dict) else enumerate(document) if isinstance(document, list) else ()
    for key, value in items:
        yield from paths(value, (*prefix, key))


def mutate(document: Any, data: st.DataObject) -> Any:
    """One field anywhere replaced by any value, or removed."""
    path = data.draw(st.sampled_from(list(paths(document))), label="field")
    changed = copy.deepcopy(document)
    if not path:
        return data.draw(values, label="document")
    node = changed
    for key in path[:-1]:
        node = node[key]
    if isinstance(node, dict) and data.draw(st.booleans(), label="remove"):
        del node[path[-1]]
    else:
        node[path[-1]] = data.draw(values, label="value")
    return changed


RUN = small(json.loads((DATA / "synthetic_mlp_run.json").read_text()), keep=3)
BENCH = small(json.loads((DATA / "synthetic_bench_gpu.json").read_text()))
MATRIX = small(json.loads((DATA / "synthetic_matrix.json").read_text()))


def run_verb(folder: Path, capsys: pytest.CaptureFixture[str], *args: str) -> None:
    """The verb in-process: an exception other than SystemExit escaping ``main`` fails the property."""
    before = sorted(path.name for path in folder.iterdir())
    capsys.readouterr()
    code = main(list(args))
    err = capsys.readouterr().err
    if code == 2:
        assert err.count("\n") == 1 and err.startswith("regcheck: error: "), err
        assert sorted(path.name for path in folder.iterdir()) == before  # nothing written
    else:
        assert code in (0, 1) and "Traceback" not in err


FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(data=st.data())
def test_a_run_file_with_any_field_changed_gives_a_report_or_one_line(
    data: st.DataObject, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path_factory.mktemp("report")
    (folder / "run.json").write_text(json.dumps(mutate(RUN, data)))
    run_verb(folder, capsys, "report", str(folder / "run.json"), "--html", str(folder / "r.html"),
             "--markdown", str(folder / "r.md"))  # fmt: skip


@FAST
@given(data=st.data())
def test_a_run_file_with_any_field_changed_gives_a_matrix_or_one_line(
    data: st.DataObject, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path_factory.mktemp("matrix")
    (folder / "a.json").write_text(json.dumps(RUN))
    (folder / "b.json").write_text(json.dumps(mutate(RUN, data)))
    run_verb(folder, capsys, "matrix", str(folder / "a.json"), str(folder / "b.json"), "--reference", "a",
             "--json", str(folder / "m.json"))  # fmt: skip


@FAST
@given(data=st.data())
def test_a_benchmark_or_results_file_with_any_field_changed_gives_a_comparison_or_one_line(
    data: st.DataObject, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path_factory.mktemp("compare")
    (folder / "a.json").write_text(json.dumps(BENCH))
    (folder / "run.json").write_text(json.dumps(RUN))
    if data.draw(st.booleans(), label="change the results file"):
        (folder / "b.json").write_text(json.dumps(BENCH))
        (folder / "b-run.json").write_text(json.dumps(mutate(RUN, data)))
    else:
        (folder / "b.json").write_text(json.dumps(mutate(BENCH, data)))
        (folder / "b-run.json").write_text(json.dumps(RUN))
    run_verb(folder, capsys, "compare", str(folder / "a.json"), str(folder / "b.json"),
             "--results", str(folder / "run.json"), "--results", str(folder / "b-run.json"))  # fmt: skip


@FAST
@given(data=st.data())
def test_a_benchmark_or_matrix_file_with_any_field_changed_gives_a_report_or_one_line(
    data: st.DataObject, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path_factory.mktemp("report-inputs")
    (folder / "a.json").write_text(json.dumps(BENCH))
    change_bench = data.draw(st.booleans(), label="change the benchmark file")
    (folder / "b.json").write_text(json.dumps(mutate(BENCH, data) if change_bench else BENCH))
    (folder / "matrix.json").write_text(json.dumps(MATRIX if change_bench else mutate(MATRIX, data)))
    run_verb(folder, capsys, "report", "--bench", str(folder / "a.json"), "--bench", str(folder / "b.json"),
             "--matrix", str(folder / "matrix.json"), "--html", str(folder / "r.html"))  # fmt: skip
