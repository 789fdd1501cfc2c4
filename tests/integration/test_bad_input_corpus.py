"""The corpus of bad inputs: each one gets exactly one ``regcheck: error:`` line, exit code 2,
no traceback, and nothing written (no baseline, no obtained record, no ``--json`` file).

Each case breaks one thing in a throw-away project, runs ``regcheck run`` (or ``bless``)
in-process, and compares the whole of stderr with the expected line.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from support import Project, uci_original_path

from regcheck.results.names import NAME_RULE

CANONICAL = "d235cad39b7bcc1d63c7b672146fb3b6108b861201d2e29e288ec7fe03e35082"
COLUMNS = "age,sex,cp,trestbps,chol,fbs,restecg,thalach,exang,oldpeak,slope,ca,thal,target"
KNOWN_IDS = "logreg-l1-C0.001, logreg-l1-C0.01, logreg-l1-C0.1, logreg-l2-C0.001, logreg-l2-C0.01, logreg-l2-C0.1"
RUN = ("run", "--model", "logreg", "--data", "{data}", "--baselines", "{baselines}", "--json", "{root}/run.json")
BLESS = ("bless", "--model", "logreg", "--data", "{data}", "--baselines", "{baselines}", "--json", "{root}/run.json")
SEE_RUN_HELP = "(see 'regcheck run --help')"


@dataclass(frozen=True)
class Case:
    id: str
    setup: Callable[[Project], None]
    message: str | Callable[[Project], str]  # the line after "regcheck: error: "; {root} {data} {baselines}
    args: tuple[str, ...] = RUN
    env: dict[str, str] = field(default_factory=dict)


def nothing(project: Project) -> None:
    pass


# --- data -------------------------------------------------------------------------------


def rewrite_lines(edit: Callable[[list[str]], list[str]]) -> Callable[[Project], None]:
    def setup(project: Project) -> None:
        lines = project.data.read_text().splitlines()
        project.data.write_text("\n".join(edit(lines)) + "\n")

    return setup


def set_cell(line: int, column: int, value: str) -> Callable[[list[str]], list[str]]:
    """Replace one cell; ``line`` counts from 1 like an editor (line 1 is the header)."""

    def edit(lines: list[str]) -> list[str]:
        cells = lines[line - 1].split(",")
        cells[column] = value
        lines[line - 1] = ",".join(cells)
        return lines

    return edit


def drop_column(name: str) -> Callable[[list[str]], list[str]]:
    def edit(lines: list[str]) -> list[str]:
        index = lines[0].split(",").index(name)
        return [",".join(cell for i, cell in enumerate(line.split(",")) if i != index) for line in lines]

    return edit


def checksum_of_data(project: Project) -> str:
    found = hashlib.sha256(project.data.read_bytes()).hexdigest()
    return f"{project.data}: checksum mismatch: sha256 of its LF text is {found}, expected {CANONICAL}"


def original_with(edit: Callable[[list[str]], list[str]]) -> Callable[[Project], None]:
    """A REGCHECK_DATA_DIR holding only a (broken) UCI original, made from the shared copy."""

    def setup(project: Project) -> None:
        source = uci_original_path()
        assert source is not None  # the test asked for the uci_original fixture first
        folder = project.root / "uci"
        folder.mkdir()
        lines = source.read_text().splitlines()
        (folder / "processed.cleveland.data").write_text("\n".join(edit(lines)) + "\n")

    return setup


DATA_ENV = {"REGCHECK_DATA": "{data}"}
DATA_RUN = ("run", "--model", "logreg", "--baselines", "{baselines}", "--json", "{root}/run.json")
UCI_ENV = {"REGCHECK_DATA_DIR": "{root}/uci"}

DATA_CASES = [
    Case("data-missing-file", lambda p: p.data.unlink(),
         "{data}: no such file; pass the path of heart.csv or set REGCHECK_DATA_DIR to its folder",
         DATA_RUN, DATA_ENV),
    Case("data-missing-file-given-as-option", lambda p: p.data.unlink(),
         f"argument --data: {{data}}: no such file {SEE_RUN_HELP}"),
    Case("data-path-is-a-folder", lambda p: (p.data.unlink(), p.data.mkdir()),
         f"argument --data: {{data}}: is a folder; expected a file {SEE_RUN_HELP}"),
    Case("data-empty-file", lambda p: p.data.write_bytes(b""),
         "{data}: the file is empty; expected the 303-row heart table with a header line"),
    Case("data-truncated-mid-row", rewrite_lines(lambda lines: [*lines[:101], "63,1"]),
         "{data}: line 102 has 2 fields, expected 14"),
    Case("data-truncated-at-a-row", rewrite_lines(lambda lines: lines[:151]),
         "{data}: 150 data rows, expected 303 (truncated or not the Cleveland table?)"),
    Case("data-row-too-many", rewrite_lines(lambda lines: [*lines, lines[1]]),
         "{data}: 304 data rows, expected 303 (truncated or not the Cleveland table?)"),
    Case("data-column-missing", rewrite_lines(drop_column("chol")),
         f"{{data}}: missing column(s) chol; expected exactly {COLUMNS}"),
    Case("data-column-extra", rewrite_lines(lambda lines: [lines[0] + ",note"] + [line + ",0" for line in lines[1:]]),
         f"{{data}}: unexpected column(s) note; expected exactly {COLUMNS}"),
    Case("data-columns-out-of-order", rewrite_lines(lambda lines: [lines[0].replace("age,sex", "sex,age"), *lines[1:]]),
         f"{{data}}: columns out of order; expected {COLUMNS}"),
    Case("data-non-numeric-cell", rewrite_lines(set_cell(6, 4, "abc")),
         "{data}: line 6, column chol: 'abc' is not a number"),
    Case("data-empty-cell", rewrite_lines(set_cell(40, 12, "")),
         "{data}: line 40, column thal: '' is not a number"),
    Case("data-nan-cell", rewrite_lines(set_cell(6, 9, "NaN")),
         "{data}: line 6, column oldpeak: 'NaN' is not a finite number"),
    Case("data-wrong-checksum", rewrite_lines(set_cell(2, 0, "64")), checksum_of_data),
    Case("data-not-utf8", lambda p: p.data.write_bytes(p.data.read_bytes()[:50] + b"\xff" + p.data.read_bytes()[50:]),
         "{data}: not UTF-8 text (byte 50); expected the heart table as CSV"),
    Case("data-dir-holds-neither-file", lambda p: (p.root / "uci").mkdir(),
         "REGCHECK_DATA_DIR={root}/uci: holds neither heart.csv nor processed.cleveland.data; put one of them there",
         DATA_RUN, UCI_ENV),
    Case("uci-original-unknown-code", original_with(set_cell(1, 2, "5")),
         "{root}/uci/processed.cleveland.data: column cp: 5 is not a code of the original; expected 4, 2, 3, 1",
         DATA_RUN, UCI_ENV),
    Case("uci-original-truncated", original_with(lambda lines: lines[:150]),
         "{root}/uci/processed.cleveland.data: 150 rows, expected 303 in the UCI Cleveland original",
         DATA_RUN, UCI_ENV),
    Case("uci-original-non-numeric", original_with(set_cell(3, 4, "high")),
         "{root}/uci/processed.cleveland.data: line 3, column chol: 'high' is not a number",
         DATA_RUN, UCI_ENV),
]  # fmt: skip


# --- baselines --------------------------------------------------------------------------


def baseline_path(project: Project, config_id: str = "logreg-l1-C0.1") -> str:
    return str(project.baseline(config_id))


def edit_baseline(edit: Callable[[dict[str, Any]], Any], config_id: str = "logreg-l1-C0.1") -> Callable[[Project], None]:
    def setup(project: Project) -> None:
        path = project.baseline(config_id)
        document = json.loads(path.read_text())
        edit(document)
        path.write_text(json.dumps(document, indent=1))

    return setup


def outcome(document: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = document["profiles"][0]["seeds"]["42"]
    return result


def rename_seed(new_key: str) -> Callable[[dict[str, Any]], Any]:
    def edit(document: dict[str, Any]) -> None:
        seeds = document["profiles"][0]["seeds"]
        seeds[new_key] = seeds.pop("42")

    return edit


def write_baseline_bytes(data: bytes) -> Callable[[Project], None]:
    def setup(project: Project) -> None:
        project.baseline("logreg-l1-C0.1").write_bytes(data)

    return setup


B = "{baselines}/heart/logreg/logreg-l1-C0.1.json"
BASELINE_CASES = [
    Case("baseline-invalid-json", write_baseline_bytes(b'{"schema_version": 1,\n "kind": '),
         f"{B}: invalid JSON at line 2, column 10: Expecting value"),
    Case("baseline-invalid-json-under-bless", write_baseline_bytes(b"{'schema_version': 1}"),
         f"{B}: invalid JSON at line 1, column 2: Expecting property name enclosed in double quotes", BLESS),
    Case("baseline-not-an-object", write_baseline_bytes(b"[1, 2, 3]"), f"{B}: expected a JSON object, found list"),
    Case("baseline-is-a-pickle", write_baseline_bytes(b"\x80\x04\x95\x0b\x00\x00\x00\x00\x00\x00\x00}\x94."),
         f"{B}: not UTF-8 text (byte 0); expected JSON"),
    Case("baseline-schema-version-missing", edit_baseline(lambda d: d.pop("schema_version")),
         f"{B}: missing schema_version; expected 2"),
    Case("baseline-schema-version-wrong", edit_baseline(lambda d: d.update(schema_version=3)),
         f"{B}: schema_version is 3, expected 2"),
    Case("baseline-schema-version-wrong-under-bless", edit_baseline(lambda d: d.update(schema_version="1")),
         f"{B}: schema_version is '1', expected 2", BLESS),
    Case("baseline-unknown-configuration",
         lambda p: p.baseline("logreg-l1-C0.1").rename(p.baseline("logreg-l3-C0.5")),
         f"{{baselines}}/heart/logreg/logreg-l3-C0.5.json: unknown configuration 'logreg-l3-C0.5'; "
         f"expected one of {KNOWN_IDS}"),
    Case("baseline-names-another-configuration", edit_baseline(lambda d: d.update(config_id="logreg-l1-C0.01")),
         f'{B}: field config_id: expected \'logreg-l1-C0.1\', found "logreg-l1-C0.01"'),
    Case("baseline-for-another-dataset", edit_baseline(lambda d: d["dataset"].update(sha256="0" * 64)),
         f"{B}: made for another dataset (dataset.sha256 {'0' * 64}); expected the heart data {CANONICAL}"),
    Case("baseline-accuracy-above-one", edit_baseline(lambda d: outcome(d).update(accuracy=1.5)),
         f"{B}: field profiles[0].seeds.42.accuracy: expected n_correct / n_test (53/61), found 1.5"),
    Case("baseline-accuracy-negative", edit_baseline(lambda d: outcome(d).update(accuracy=-0.1)),
         f"{B}: field profiles[0].seeds.42.accuracy: expected n_correct / n_test (53/61), found -0.1"),
    Case("baseline-n-correct-above-n-test", edit_baseline(lambda d: outcome(d).update(n_correct=62)),
         f"{B}: field profiles[0].seeds.42.n_correct: expected an integer from 0 to n_test (61), found 62"),
    # fields the exact tier compares, or that the reports show, must be there and say the same thing
    Case("baseline-without-probabilities", edit_baseline(lambda d: outcome(d).pop("probabilities")),
         f"{B}: missing field profiles[0].seeds.42.probabilities; model logreg compares it (bless again to record it)"),
    Case("baseline-without-coefficients", edit_baseline(lambda d: outcome(d).pop("coefficients")),
         f"{B}: missing field profiles[0].seeds.42.coefficients; model logreg compares it (bless again to record it)"),
    Case("baseline-without-accuracy", edit_baseline(lambda d: outcome(d).pop("accuracy")),
         f"{B}: missing field profiles[0].seeds.42.accuracy"),
    Case("baseline-accuracy-disagrees-with-n-correct", edit_baseline(lambda d: outcome(d).update(accuracy=0.5)),
         f"{B}: field profiles[0].seeds.42.accuracy: expected n_correct / n_test (53/61), found 0.5"),
    Case("baseline-n-test-as-text", edit_baseline(lambda d: outcome(d).update(n_test="61")),
         f'{B}: field profiles[0].seeds.42.n_test: expected an integer >= 1 (the test rows), found "61"'),
    Case("baseline-predictions-not-a-list", edit_baseline(lambda d: outcome(d).update(predictions="all zero")),
         f'{B}: field profiles[0].seeds.42.predictions: expected an array of 61 rows (n_test), found "all zero"'),
    Case("baseline-predictions-short", edit_baseline(lambda d: outcome(d)["predictions"].pop()),
         f"{B}: field profiles[0].seeds.42.predictions: expected an array of 61 rows (n_test), found 60 rows"),
    Case("baseline-prediction-not-a-label", edit_baseline(lambda d: outcome(d)["predictions"].__setitem__(3, 2)),
         f"{B}: field profiles[0].seeds.42.predictions: expected labels 0 or 1, found [2]"),
    Case("baseline-probability-as-text", edit_baseline(lambda d: outcome(d)["probabilities"].__setitem__(0, "0.5")),
         f"{B}: field profiles[0].seeds.42.probabilities: expected an array of numbers (it mixes reals with text or booleans), "
         "found number, real, str"),
    Case("baseline-seed-not-a-number", edit_baseline(rename_seed("forty")),
         f"{B}: field profiles[0].seeds: key 'forty' is not a seed (a non-negative integer)"),
    Case("published-table-invalid-json", lambda p: (p.baselines / "published.json").write_text("{"),
         "{baselines}/published.json: invalid JSON at line 1, column 2: "
         "Expecting property name enclosed in double quotes"),
    Case("published-table-missing", lambda p: (p.baselines / "published.json").unlink(),
         "{baselines}/published.json: no such file; the published table belongs in the baselines folder"),
]  # fmt: skip


# --- CLI options and environment ----------------------------------------------------------


def with_option(*replacement: str, base: tuple[str, ...] = RUN) -> tuple[str, ...]:
    return (*base, *replacement)


def verbs() -> str:
    """The verbs as argparse lists them (each branch of the project may add one)."""
    import argparse

    from regcheck.frontends.cli import build_parser

    action = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return ", ".join(repr(name) for name in action.choices)


OPTION_CASES = [
    Case("option-unknown-model", nothing,
         "--model forest: study heart has no such model; expected one of logreg, mlp, all",
         with_option("--model", "forest")),
    Case("option-seed-range-reversed", nothing,
         f"argument --seeds: '3-1': range 3-1 ends below its start (e.g. 42, 0-4 or 0,1,42) {SEE_RUN_HELP}",
         with_option("--seeds", "3-1")),
    Case("option-seed-not-a-number", nothing,
         f"argument --seeds: 'x' is not a seed list (e.g. 42, 0-4 or 0,1,42) {SEE_RUN_HELP}",
         with_option("--seeds", "x")),
    Case("option-seed-negative", nothing,
         f"argument --seeds: '-1' is not a seed list (e.g. 42, 0-4 or 0,1,42) {SEE_RUN_HELP}",
         with_option("--seeds=-1")),
    Case("option-baselines-folder-missing", nothing,
         "--baselines {root}/nowhere: no such folder; run from the project root, pass --baselines DIR, or create the baselines "
         "with 'regcheck bless'",
         with_option("--baselines", "{root}/nowhere")),
    Case("option-baselines-is-a-file", nothing,
         f"argument --baselines: {{data}}: not a folder {SEE_RUN_HELP}",
         with_option("--baselines", "{data}")),
    Case("option-json-folder-missing", nothing,
         "--json {root}/out/run.json: folder {root}/out does not exist",
         with_option("--json", "{root}/out/run.json")),
    Case("option-json-is-a-folder", nothing,
         "--json {baselines}: is a folder; expected a file name",
         with_option("--json", "{baselines}")),
    Case("option-json-under-a-file", nothing,
         "--json {data}/run.json: folder {data} is not a folder",
         with_option("--json", "{data}/run.json")),
    Case("option-unknown-verb", nothing,
         lambda project: f"argument VERB: invalid choice: 'rnu' (choose from {verbs()}) (see 'regcheck --help')",
         ("rnu",)),
    Case("option-unknown-flag", nothing,
         "unrecognized arguments: --modle logreg (see 'regcheck --help')",
         ("run", "--modle", "logreg")),
    Case("backend-unknown", nothing,
         "KERAS_BACKEND=theano: unknown Keras backend for model mlp; expected one of tensorflow, jax, torch",
         with_option("--model", "mlp"), {"KERAS_BACKEND": "theano"}),
    Case("backend-unknown-with-the-whole-study", nothing,
         "KERAS_BACKEND=mxnet: unknown Keras backend for model mlp; expected one of tensorflow, jax, torch",
         with_option("--model", "all"), {"KERAS_BACKEND": "mxnet"}),
]  # fmt: skip


# --- the second pass: classes an independent corpus found (issue 14) ------------------------


def make_fifo(relative: str) -> Callable[[Project], None]:
    """Put a FIFO where a file is read: a reader that opens it blocking would hang forever."""

    def setup(project: Project) -> None:
        path = project.root / relative
        if path.exists():
            path.unlink()
        os.mkfifo(path)

    return setup


def write_data_bytes(data: bytes) -> Callable[[Project], None]:
    def setup(project: Project) -> None:
        project.data.write_bytes(data)

    return setup


def replace_with_folder(relative: str) -> Callable[[Project], None]:
    def setup(project: Project) -> None:
        path = project.root / relative
        path.unlink()
        path.mkdir()

    return setup


BL = "baselines/heart/logreg/logreg-l1-C0.1.json"
CSV_HEADER = COLUMNS.encode()
SECOND_PASS_CASES = [
    # 1. written where it must not be: every output is checked against the inputs before the first fit
    Case("json-onto-a-baseline", nothing, f"--json {B}: is inside the input folder ({{baselines}}); choose another file",
         with_option("--json", B)),
    Case("json-onto-the-published-table", nothing,
         "--json {baselines}/published.json: is inside the input folder ({baselines}); choose another file",
         with_option("--json", "{baselines}/published.json")),
    Case("json-onto-the-data", nothing, "--json {data}: is an input of this command ({data}); choose another file",
         with_option("--json", "{data}")),
    Case("markdown-onto-the-json-output", nothing,
         "--markdown {root}/out.json: is also the --json output; give each its own file",
         with_option("--json", "{root}/out.json", "--markdown", "{root}/out.json")),
    Case("json-onto-a-character-device", nothing, "--json /dev/full: is a device or special file; expected a file name",
         with_option("--json", "/dev/full")),
    Case("step-summary-is-a-folder", nothing, "$GITHUB_STEP_SUMMARY {root}: is a folder; expected a file name",
         RUN, {"GITHUB_STEP_SUMMARY": "{root}"}),
    # 2. hangs: FIFOs and endless devices are refused from fstat of a non-blocking open
    Case("data-is-a-fifo", make_fifo("heart.csv"),
         f"argument --data: {{data}}: is a FIFO; expected a regular file {SEE_RUN_HELP}"),
    Case("data-is-a-fifo-named-by-the-environment", make_fifo("heart.csv"),
         "{data}: is a FIFO; expected the heart table as CSV (a regular file)", DATA_RUN, DATA_ENV),
    Case("data-is-dev-urandom", nothing,
         "/dev/urandom: is a character device; expected the heart table as CSV (a regular file)",
         DATA_RUN, {"REGCHECK_DATA": "/dev/urandom"}),
    Case("baseline-is-a-fifo", make_fifo(BL), f"{B}: is a FIFO; expected a baseline (a JSON object) (a regular file)"),
    Case("published-table-is-a-fifo", make_fifo("baselines/published.json"),
         "{baselines}/published.json: is a FIFO; expected the published table (a JSON object) in a file (a regular file)"),
    Case("seeds-range-of-a-hundred-billion", nothing,
         f"argument --seeds: '0-99999999999': seed 99999999999 is too large; seeds are below 4294967296 (2**32) {SEE_RUN_HELP}",
         with_option("--seeds", "0-99999999999")),
    # 3. tracebacks: every parser failure is one line
    Case("data-with-cr-only-line-ends", write_data_bytes(CSV_HEADER + b"\r63,1\r"),
         "{data}: a carriage return without a line feed at line 1; expected LF or CRLF line ends"),
    Case("data-with-a-200-kb-cell", write_data_bytes(CSV_HEADER + b"\n" + b"9" * 200_000 + b"\n"),
         "{data}: not readable as CSV at line 2 (field larger than field limit (131072)); expected the heart table"),
    Case("published-table-is-a-folder", replace_with_folder("baselines/published.json"),
         "{baselines}/published.json: is a folder; expected the published table (a JSON object) in a file (a regular file)"),
    Case("baseline-nested-100000-deep", write_baseline_bytes(b"[" * 100_000 + b"]" * 100_000),
         f"{B}: JSON nested more than 32 levels deep; expected at most 32"),
    Case("baseline-with-a-5000-digit-integer", write_baseline_bytes(b'{"schema_version": ' + b"9" * 5000 + b"}"),
         f"{B}: an integer of 5000 digits; expected at most 20"),
    # 5. bad input that used to be accepted
    Case("baseline-infinite-coefficient", edit_baseline(lambda d: outcome(d)["coefficients"].__setitem__(0, float("inf"))),
         f"{B}: Infinity is not a number regcheck accepts; expected finite numbers only"),
    Case("baseline-duplicate-key", write_baseline_bytes(b'{"schema_version": 2, "schema_version": 2}'),
         f"{B}: key 'schema_version' appears twice in one object; expected each key once"),
    Case("baseline-seed-key-with-a-leading-zero", edit_baseline(rename_seed("042")),
         f"{B}: field profiles[0].seeds: key '042' is not a seed (a non-negative integer)"),
    Case("baseline-seed-key-in-arabic-digits", edit_baseline(rename_seed("٤٢")),
         f"{B}: field profiles[0].seeds: key '٤٢' is not a seed (a non-negative integer)"),
    Case("baseline-schema-version-true", edit_baseline(lambda d: d.update(schema_version=True)),
         f"{B}: schema_version is True, expected 2"),
    Case("seeds-in-arabic-digits", nothing,
         f"argument --seeds: '٣' is not a seed list (e.g. 42, 0-4 or 0,1,42) {SEE_RUN_HELP}", with_option("--seeds", "٣")),
    Case("jobs-in-arabic-digits", nothing,
         f"argument --jobs: '٣' is not a number of worker processes from 1 to 256 {SEE_RUN_HELP}", with_option("--jobs", "٣")),
    Case("jobs-beyond-the-limit", nothing,
         f"argument --jobs: '100000' is not a number of worker processes from 1 to 256 {SEE_RUN_HELP}",
         with_option("--jobs", "100000")),
]  # fmt: skip


# --- the third pass: what a second independent corpus still found ------------------------------


def replace_text(relative: str, old: str, new: str) -> Callable[[Project], None]:
    """Edit a file as text: for JSON that ``json.dumps`` cannot write (1e999, half a surrogate pair)."""

    def setup(project: Project) -> None:
        path = project.root / relative
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new, 1))

    return setup


def edit_published(edit: Callable[[dict[str, Any]], Any]) -> Callable[[Project], None]:
    def setup(project: Project) -> None:
        path = project.baselines / "published.json"
        document = json.loads(path.read_text())
        edit(document)
        path.write_text(json.dumps(document, indent=1))

    return setup


def link(relative: str, target: str) -> Callable[[Project], None]:
    def setup(project: Project) -> None:
        path = project.root / relative
        if os.path.lexists(path):
            path.unlink()
        path.symlink_to(target.format(root=project.root, data=project.data, baselines=project.baselines))

    return setup


def write_file(relative: str, text: str) -> Callable[[Project], None]:
    def setup(project: Project) -> None:
        (project.root / relative).write_text(text)

    return setup


def replace_with_file(relative: str) -> Callable[[Project], None]:
    def setup(project: Project) -> None:
        import shutil

        shutil.rmtree(project.root / relative)
        (project.root / relative).write_text("not a folder\n")

    return setup


def both(*setups: Callable[[Project], Any]) -> Callable[[Project], None]:
    def setup(project: Project) -> None:
        for each in setups:
            each(project)

    return setup


def full_folder(relative: str) -> Callable[[Project], None]:
    def setup(project: Project) -> None:
        (project.root / relative).mkdir()
        (project.root / relative / "keep").write_text("a folder that is not empty\n")

    return setup


move_a_result = edit_baseline(lambda d: outcome(d)["coefficients"].__setitem__(0, outcome(d)["coefficients"][0] + 0.5))
OBTAINED = "baselines/heart/logreg/logreg-l1-C0.1.obtained.json"
COEFFICIENTS = '"coefficients": [\n'
DECIMALS = "field logreg.decimals: expected an integer from 0 to 10"
PUB = "{baselines}/published.json"
THIRD_PASS_CASES = [
    # numbers Python's parser turns into something no result holds
    Case("baseline-coefficient-overflowing-to-infinity", replace_text(BL, COEFFICIENTS, COEFFICIENTS + "1e999,"),
         f"{B}: 1e999 is too large for a number (it would be infinity); expected finite numbers only"),
    Case("baseline-coefficient-overflowing-to-infinity-under-bless", replace_text(BL, COEFFICIENTS, COEFFICIENTS + "-1e999,"),
         f"{B}: -1e999 is too large for a number (it would be infinity); expected finite numbers only", BLESS),
    Case("baseline-number-of-100000-digits", replace_text(BL, COEFFICIENTS, COEFFICIENTS + "0." + "1" * 100_000 + ","),
         f"{B}: a number written with 100002 characters; expected at most 40"),
    Case("baseline-key-half-a-surrogate-pair", replace_text(BL, '"kind"', '"\\ud800": 1, "kind"'),
         f"{B}: the string '\\\\ud800' holds half a surrogate pair (\\ud800-\\udfff); expected text that is valid Unicode"),
    # strict types in a baseline: a wrong type is a corrupt baseline, not a moved or held result
    Case("baseline-schema-version-2.0", edit_baseline(lambda d: d.update(schema_version=2.0)),
         f"{B}: schema_version is 2.0, expected 2"),
    Case("baseline-seed-key-beyond-2-to-the-32", edit_baseline(rename_seed("4294967296")),
         f"{B}: field profiles[0].seeds: key '4294967296' is not a seed (below 4294967296, 2**32)"),
    Case("baseline-coefficients-null", edit_baseline(lambda d: outcome(d).update(coefficients=None)),
         f"{B}: field profiles[0].seeds.42.coefficients: expected a value (a baseline holds no null), found null"),
    Case("baseline-coefficients-an-object", edit_baseline(lambda d: outcome(d).update(coefficients={"a": 1})),
         f'{B}: field profiles[0].seeds.42.coefficients: expected a value (a number, text, an array, or '
         f'{{{{"$numberDouble": "NaN"}}}}), found an object'),
    Case("baseline-coefficients-nested", edit_baseline(lambda d: outcome(d).update(coefficients=[[1.0]])),
         f'{B}: field profiles[0].seeds.42.coefficients: expected 13 numbers (one per feature), found "1 numbers"'),
    Case("baseline-field-true", edit_baseline(lambda d: outcome(d).update(n_zero_coefficients=True)),
         f"{B}: field profiles[0].seeds.42.n_zero_coefficients: expected a count from 0 to 13, found true"),
    Case("baseline-true-labels-as-text", edit_baseline(lambda d: outcome(d).update(true_labels="x")),
         f'{B}: field profiles[0].seeds.42.true_labels: expected an array of 61 rows (n_test), found "x"'),
    Case("baseline-seed-field-disagrees-with-its-key", edit_baseline(lambda d: outcome(d).update(seed=43)),
         f"{B}: field profiles[0].seeds.42.seed: expected 42, found 43"),
    Case("baseline-profile-value-nested", edit_baseline(lambda d: d["profiles"][0].update(profile={"numpy": {"a": 1}})),
         f'{B}: field profiles[0].profile.numpy: expected text or a number, found {{{{"a": 1}}}}'),
    Case("baseline-model-folder-is-a-file", replace_with_file("baselines/heart/logreg"),
         "{baselines}/heart/logreg: is not a folder; expected the folder of heart's baselines"),
    Case("baseline-a-link-to-dev-zero", link(BL, "/dev/zero"),
         f"{B}: is a character device; expected a baseline (a JSON object) (a regular file)"),
    # what regcheck itself keeps in the baselines folder: the lock, the obtained records
    Case("obtained-record-is-a-folder", both(move_a_result, full_folder(OBTAINED)),
         f"{{root}}/{OBTAINED}: is a folder; expected an obtained record (a regular file) or nothing (remove it)"),
    Case("obtained-record-is-a-folder-under-bless", both(move_a_result, full_folder(OBTAINED)),
         f"{{root}}/{OBTAINED}: is a folder; expected an obtained record (a regular file) or nothing (remove it)", BLESS),
    Case("obtained-record-is-a-fifo-and-every-result-holds", make_fifo(OBTAINED),
         f"{{root}}/{OBTAINED}: is a FIFO; expected an obtained record (a regular file) or nothing (remove it)"),
    Case("obtained-record-is-a-link-to-the-data", lambda p: (p.root / OBTAINED).symlink_to(p.data),
         f"{{root}}/{OBTAINED}: is a symbolic link; expected an obtained record (a regular file) or nothing (remove it)"),
    # the published table, as strict as a baseline
    Case("published-decimals-as-text", edit_published(lambda d: d["logreg"].update(decimals="two")),
         f'{PUB}: {DECIMALS}, found "two"'),
    Case("published-decimals-negative", edit_published(lambda d: d["logreg"].update(decimals=-1)),
         f"{PUB}: {DECIMALS}, found -1"),
    Case("published-decimals-huge", edit_published(lambda d: d["logreg"].update(decimals=10**18)),
         f"{PUB}: {DECIMALS}, found 1000000000000000000"),
    Case("published-decimals-true", edit_published(lambda d: d["logreg"].update(decimals=True)),
         f"{PUB}: {DECIMALS}, found true"),
    Case("published-decimals-1.5", edit_published(lambda d: d["logreg"].update(decimals=1.5)), f"{PUB}: {DECIMALS}, found 1.5"),
    Case("published-schema-version-1.0", edit_published(lambda d: d.update(schema_version=1.0)),
         f"{PUB}: schema_version is 1.0, expected 1"),
    Case("published-kind-wrong", edit_published(lambda d: d.update(kind="regcheck.baseline")),
         f"{PUB}: field kind: expected 'regcheck.published', found \"regcheck.baseline\""),
    Case("published-unknown-configuration", edit_published(lambda d: d["logreg"]["accuracy"].update({"logreg-l1-C1": 0.9})),
         f"{PUB}: field logreg.accuracy.logreg-l1-C1: expected a configuration of logreg ({KNOWN_IDS.replace(', ', ', ')}), "
         "found 0.9"),
    Case("published-without-a-logistic-row", edit_published(lambda d: d["logreg"]["accuracy"].pop("logreg-l1-C0.1")),
         f"{PUB}: missing field logreg.accuracy.logreg-l1-C0.1; the publication reports it"),
    Case("published-without-an-asserted-mlp-row", edit_published(lambda d: d["mlp"]["accuracy"].pop("mlp-l1_0.1-l2_0.1")),
         f"{PUB}: missing field mlp.accuracy.mlp-l1_0.1-l2_0.1; the publication reports it"),
    Case("published-for-another-dataset", edit_published(lambda d: d["dataset"].update(sha256="0" * 64)),
         f"{PUB}: field dataset.sha256: expected the heart data's sha256 {CANONICAL}, found \"{'0' * 64}\""),
    Case("published-unknown-section", edit_published(lambda d: d.update(forest={"accuracy": {}})),
         f"{PUB}: field forest: expected only the fields schema_version, kind, source, dataset, logreg, mlp, "
         'found {{"accuracy": {{}}}}'),
    Case("uci-original-with-cr-only-line-ends", original_with(lambda lines: ["\r".join(lines)]),
         "{root}/uci/processed.cleveland.data: a carriage return without a line feed at line 1; expected LF or CRLF line ends",
         DATA_RUN, UCI_ENV),
    # options: one spelling of a number
    Case("seeds-with-a-leading-zero", nothing,
         f"argument --seeds: '042': 042 has a leading zero; write seeds as plain numbers (e.g. 42, 0-4 or 0,1,42) {SEE_RUN_HELP}",
         with_option("--seeds", "042")),
    Case("jobs-after-a-no-break-space", nothing,
         f"argument --jobs: '\\xa02' is not a number of worker processes from 1 to 256 {SEE_RUN_HELP}",
         with_option("--jobs", "\u00a02")),
    Case("study-module-that-exits", write_file("exits.py", "raise SystemExit(5)\n"),
         "--study {root}/exits.py:study: cannot import {root}/exits.py (SystemExit: 5)",
         with_option("--study", "{root}/exits.py:study")),
    # data and outputs found by another spelling
    Case("data-a-symbolic-link-loop", link("heart.csv", "{data}"),
         "{data}: a symbolic link loop; expected the heart table as CSV", DATA_RUN, DATA_ENV),
    Case("data-is-dev-zero", nothing, "/dev/zero: is a character device; expected the heart table as CSV (a regular file)",
         DATA_RUN, {"REGCHECK_DATA": "/dev/zero"}),
    Case("json-a-link-into-the-baselines", link("link.json", "{baselines}/heart/logreg/logreg-l1-C0.1.json"),
         "--json {root}/link.json: is inside the input folder ({baselines}); choose another file",
         with_option("--json", "{root}/link.json")),
    Case("json-a-hard-link-to-the-data", lambda p: os.link(p.data, p.root / "hard.csv"),
         "--json {root}/hard.csv: is an input of this command ({data}); choose another file",
         with_option("--json", "{root}/hard.csv")),
    Case("json-dev-null", nothing, "--json /dev/null: is a device or special file; expected a file name",
         with_option("--json", "/dev/null")),
    Case("step-summary-is-a-baseline", nothing,
         f"$GITHUB_STEP_SUMMARY {B}: is inside the input folder ({{baselines}}); choose another file",
         RUN, {"GITHUB_STEP_SUMMARY": B}),
    Case("step-summary-is-the-markdown-output", nothing,
         "$GITHUB_STEP_SUMMARY {root}/s.md: is also the --markdown output; give each its own file",
         with_option("--markdown", "{root}/s.md"), {"GITHUB_STEP_SUMMARY": "{root}/s.md"}),
]  # fmt: skip


def study_module(body: str) -> Callable[[Project], None]:
    """A user's study module, s.py in the project, whose code misbehaves as ``body`` says."""

    def setup(project: Project) -> None:
        (project.root / "s.py").write_text("from regcheck.engine.study import Study, Model, Dataset\n" + body)

    return setup


# Every study must load its data (an abstract method): the cases below misbehave elsewhere.
LOAD = "    def load(self, path):\n        raise RuntimeError('unreached')\n"
STUDY_RUN = ("run", "--study", "{root}/s.py:study", "--model", "logreg", "--data", "{data}", "--baselines", "{baselines}")
# Found by a second, independent attacker's corpus (418 inputs, 2026-11-26): each a class, not a case.
FOURTH_PASS_CASES = [
    # a value with a line break in it is quoted on the one line, escaped
    Case(
        "data-path-with-a-newline",
        nothing,
        f"argument --data: {{root}}/no\\nsuch.csv: no such file {SEE_RUN_HELP}",
        ("run", "--model", "logreg", "--data", "{root}/no\nsuch.csv", "--baselines", "{baselines}"),
    ),
    Case(
        "baselines-path-with-a-line-separator",
        nothing,
        "--baselines {root}/no\\u2028such: no such folder; run from the project root, pass --baselines DIR, or create the "
        "baselines with 'regcheck bless'",
        ("run", "--model", "logreg", "--data", "{data}", "--baselines", "{root}/no\u2028such"),
    ),
    Case(
        "data-file-named-as-a-folder",
        nothing,
        f"argument --data: {{data}}/: a file named as a folder (a '/' after it); expected a file {SEE_RUN_HELP}",
        ("run", "--model", "logreg", "--data", "{data}/", "--baselines", "{baselines}"),
    ),
    # the user's study code: whatever it raises or returns, one line naming the study
    Case(
        "study-whose-name-is-a-number",
        study_module("class S(Study):\n    name = 5\n    def models(self):\n        return []\n" + LOAD + "study = S()\n"),
        "--study {root}/s.py:study: cannot import {root}/s.py (TypeError: Study subclass S: name 5 cannot name a baselines "
        f"folder ({NAME_RULE}))",
        STUDY_RUN,
    ),
    Case(
        "study-whose-models-raise",
        study_module(
            "class S(Study):\n    name = 's'\n    def models(self):\n        raise RuntimeError('boom')\n"
            + LOAD
            + "study = S()\n"
        ),
        "study s: models() raised RuntimeError: boom (s.py:5)",
        STUDY_RUN,
    ),
    Case(
        "study-whose-models-are-none",
        study_module("class S(Study):\n    name = 's'\n    def models(self):\n        return None\n" + LOAD + "study = S()\n"),
        "study s: models() returned None; expected a non-empty list of regcheck Models",
        STUDY_RUN,
    ),
    Case(
        "study-module-raising-a-base-exception-of-its-own",
        study_module("class Odd(BaseException):\n    pass\nraise Odd('odd')\n"),
        "--study {root}/s.py:study: cannot import {root}/s.py (Odd: odd)",
        STUDY_RUN,
    ),
    Case(
        "study-whose-load-returns-a-number",
        study_module(
            "class M(Model):\n    name = 'logreg'\n    def configurations(self):\n"
            "        from regcheck.studies.heart.configs import LOGREG_GRID\n        return LOGREG_GRID\n"
            "    def fit(self, config, data, seed):\n        raise RuntimeError('unreached')\n"
            "class S(Study):\n    name = 's'\n    def models(self):\n        return [M()]\n"
            "    def load(self, path):\n        return 42\nstudy = S()\n"
        ),
        "study s: load() returned 42; expected a regcheck Dataset whose sha256 is 64 hexadecimal digits "
        "(hashlib.sha256(...).hexdigest())",
        STUDY_RUN,
    ),
    Case(
        "report-html-over-the-study-file",
        study_module("raise SystemExit('never imported')\n"),
        "--html {root}/s.py: is an input of this command ({root}/s.py); choose another file",
        ("report", "{root}/run.json", "--study", "{root}/s.py:study", "--html", "{root}/s.py"),
    ),
    Case(
        "baseline-params-not-its-configurations",
        edit_baseline(lambda d: d["params"].update(C="0.1")),
        f'{B}: field params: expected configuration logreg-l1-C0.1\'s parameters {{{{"penalty": "l1", "C": 0.1, '
        f'"solver": "liblinear"}}}}, found {{{{"penalty": "l1", "C": "0.1", "solver": "liblinear"}}}}',
    ),
    Case(
        "baseline-provenance-updated-a-number",
        edit_baseline(lambda d: d["profiles"][0]["provenance"].update(updated=12)),
        f"{B}: field profiles[0].provenance.updated: expected text, found 12",
    ),
    Case(
        "published-accuracy-with-more-decimals-than-printed",
        edit_published(lambda d: d["logreg"]["accuracy"].update({"logreg-l1-C0.1": 0.875})),
        f"{PUB}: field logreg.accuracy.logreg-l1-C0.1: expected a number with at most 2 decimals, found 0.875",
    ),
    # what the study's own model could never record: refused, not judged moved
    Case(
        "baseline-with-twelve-coefficients-of-thirteen-features",
        edit_baseline(lambda d: outcome(d)["coefficients"].pop()),
        f'{B}: field profiles[0].seeds.42.coefficients: expected 13 numbers (one per feature), found "12 numbers"',
    ),
    Case(
        "baseline-intercept-a-number",
        edit_baseline(lambda d: outcome(d).update(intercept=0.0)),
        f"{B}: field profiles[0].seeds.42.intercept: expected a list of one number, found 0.0",
    ),
    Case(
        "baseline-zero-count-negative",
        edit_baseline(lambda d: outcome(d).update(n_zero_coefficients=-1)),
        f"{B}: field profiles[0].seeds.42.n_zero_coefficients: expected a count from 0 to 13, found -1",
    ),
    Case(
        "baseline-test-row-beyond-the-table",
        edit_baseline(lambda d: outcome(d)["test_rows"].__setitem__(0, 100000)),
        f"{B}: field profiles[0].seeds.42.test_rows: expected rows of the 303-row table (0 to 302), found 100000",
    ),
    Case(
        "published-notes-a-number",
        edit_published(lambda d: d["mlp"].update(notes=5)),
        f"{PUB}: field mlp.notes: expected text, found 5",
    ),
    # text kept in a baseline must be text regcheck can read back
    Case(
        "reason-with-a-control-character",
        nothing,
        "argument --reason: 'why\\x1b[31m': expected one line of printable text, at most 1000 characters "
        "(see 'regcheck bless --help')",
        (*BLESS, "--reason", "why\x1b[31m"),
    ),
]

CASES = DATA_CASES + BASELINE_CASES + OPTION_CASES + SECOND_PASS_CASES + THIRD_PASS_CASES + FOURTH_PASS_CASES


def test_the_corpus_holds_at_least_25_distinct_bad_inputs() -> None:
    assert len({case.id for case in CASES}) == len(CASES) >= 25


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_bad_input_gets_one_error_line_exit_code_2_and_nothing_written(
    case: Case, project: Project, cli: Any, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    if case.id.startswith("uci-"):
        request.getfixturevalue("uci_original")
    names = {"root": project.root, "data": project.data, "baselines": project.baselines}
    case.setup(project)
    for name, value in case.env.items():
        monkeypatch.setenv(name, value.format(**names))
    before = project.snapshot()

    result = cli(*(arg.format(**names) for arg in case.args))

    expected = case.message(project) if callable(case.message) else case.message.format(**names)
    assert (result.rc, result.err, result.out) == (2, f"regcheck: error: {expected}\n", "")
    assert project.snapshot() == before


# --- the same promises through pytest ------------------------------------------------------

PYTEST_OPTION_CASES = [
    (("--regcheck-model", "forest"),
     "--model forest: study heart has no such model; expected one of logreg, mlp, all"),
    (("--regcheck-seeds", "3-1"),
     "argument --regcheck-seeds: '3-1': range 3-1 ends below its start (e.g. 42, 0-4 or 0,1,42)"),
    (("--regcheck-seeds", "x"), "argument --regcheck-seeds: 'x' is not a seed list (e.g. 42, 0-4 or 0,1,42)"),
    (("--regcheck-data", "nowhere.csv"), "argument --regcheck-data: nowhere.csv: no such file"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "message"), PYTEST_OPTION_CASES, ids=[" ".join(args) for args, _ in PYTEST_OPTION_CASES])
def test_bad_pytest_option_gets_one_error_line_exit_code_2_before_anything_runs(
    args: tuple[str, ...], message: str, pytester: pytest.Pytester, study_project: Project
) -> None:
    before = study_project.snapshot()
    # A subprocess: pytest stops before its session exists, which in-process pytester cannot record.
    result = pytester.runpytest_subprocess(*args, "--regcheck-update")
    assert result.ret == 2
    assert result.stderr.lines == [f"regcheck: error: {message}"]
    assert "collected" not in result.stdout.str() and "Traceback" not in result.stdout.str()
    assert study_project.snapshot() == before


def test_a_missing_baselines_folder_under_pytest_is_one_line_before_anything_runs(
    pytester: pytest.Pytester, study_project: Project
) -> None:
    # Without --regcheck-update: an update creates the folder, a check needs the baselines it checks against.
    result = pytester.runpytest_subprocess("--regcheck-baselines", "nowhere")
    assert result.ret == 2
    assert result.stderr.lines == ["regcheck: error: argument --regcheck-baselines: nowhere: no such folder"]
    assert "collected" not in result.stdout.str()


def test_bad_data_under_pytest_stops_the_session_before_any_test_with_one_line_and_exit_code_2(
    pytester: pytest.Pytester, study_project: Project
) -> None:
    rewrite_lines(set_cell(6, 4, "abc"))(study_project)
    before = study_project.snapshot()
    result = pytester.runpytest("--regcheck-update")
    assert result.ret == 2
    assert result.stderr.lines == [f"regcheck: error: {study_project.data}: line 6, column chol: 'abc' is not a number"]
    result.assert_outcomes()  # not one test ran
    assert "Traceback" not in result.stdout.str()
    assert study_project.snapshot() == before


def test_corrupt_baseline_under_pytest_stops_the_session_before_any_test_and_writes_nothing(
    pytester: pytest.Pytester, study_project: Project
) -> None:
    """Checked before the first test, as the CLI checks before the first fit: the other
    configurations would otherwise write obtained records (and the lock file) for a bad-input run."""
    path = study_project.baseline("logreg-l1-C0.1")
    path.write_text('{"schema_version": 1,\n "kind": ')
    for config_id in ("logreg-l2-C0.01", "logreg-l2-C0.1"):  # moved results that would write obtained records
        moved = study_project.baseline(config_id)
        document = json.loads(moved.read_text())
        document["profiles"][0]["seeds"]["42"]["coefficients"][0] = 9.0
        moved.write_text(json.dumps(document, indent=1))
    before = study_project.snapshot()
    result = pytester.runpytest("--regcheck-update")
    result.assert_outcomes()  # not one test ran
    assert result.ret == 2
    assert result.stderr.lines == [f"regcheck: error: {path}: invalid JSON at line 2, column 10: Expecting value"]
    assert study_project.snapshot() == before


def test_missing_backend_under_pytest_fails_the_mlp_test_with_one_line_and_exit_code_2(
    pytester: pytest.Pytester, study_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KERAS_BACKEND", "theano")
    pytester.makepyfile(test_mlp=MLP_TEST)
    result = pytester.runpytest("test_mlp.py")
    result.assert_outcomes(failed=1)
    assert result.ret == 2
    result.stdout.fnmatch_lines([
        "regcheck: error: KERAS_BACKEND=theano: unknown Keras backend for model mlp; "
        "expected one of tensorflow, jax, torch",
    ])  # fmt: skip


MLP_TEST = """
from regcheck.studies.heart.configs import MLP_GRID


def test_mlp_configuration(regcheck_study):
    regcheck_study.check(MLP_GRID[0])
"""


def test_missing_baseline_exits_2_naming_the_file_and_how_to_create_it(project: Project, cli: Any) -> None:
    missing = project.baseline("logreg-l2-C0.1")
    missing.unlink()
    before = project.snapshot()
    result = cli("run", "--model", "logreg", "--data", str(project.data), "--baselines", str(project.baselines),
                 "--json", str(project.root / "run.json"))  # fmt: skip
    assert result.rc == 2
    assert (
        f"  no baseline file {missing} yet; create it with: regcheck bless --baselines {project.baselines} "
        f"--data {project.data} --model logreg --reason '...'"
    ) in result.out.splitlines()
    assert "logreg-l2-C0.1    0.87       0.87 (53/61)                 exact  missing" in result.out.splitlines()
    assert project.snapshot() == before


@pytest.fixture
def unwritable_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder this process cannot write to: a read-only one for a user, a kernel one for root."""
    import os
    import tempfile

    if os.geteuid() != 0:
        folder = tmp_path / "read-only"
        folder.mkdir(mode=0o500)
        yield folder
        folder.chmod(0o700)
        return
    for candidate in (Path("/sys"), Path("/proc")):
        try:
            with tempfile.TemporaryFile(dir=candidate):
                pass
        except OSError:
            yield candidate
            return
    pytest.skip("running as root with no unwritable folder to point at")


def test_a_json_path_that_cannot_be_written_is_refused_before_the_run(
    project: Project, cli: Any, unwritable_folder: Path
) -> None:
    before = project.snapshot()
    target = unwritable_folder / "run.json"
    result = cli("run", "--model", "logreg", "--data", str(project.data), "--json", str(target))
    assert (result.rc, result.out) == (2, "")
    assert re.fullmatch(rf"regcheck: error: --json {target}: folder {unwritable_folder} cannot be written \(.+\)\n",
                        result.err)  # fmt: skip
    assert project.snapshot() == before and not target.exists()


def test_an_update_into_a_baselines_folder_that_cannot_be_written_is_refused_before_the_run(
    project: Project, cli: Any, unwritable_folder: Path
) -> None:
    before = project.snapshot()
    result = cli("bless", "--model", "logreg", "--data", str(project.data), "--baselines", str(unwritable_folder))
    assert (result.rc, result.out) == (2, "")
    assert re.fullmatch(rf"regcheck: error: --baselines {unwritable_folder} cannot be written \(.+\)\n", result.err)
    assert project.snapshot() == before


def test_the_real_command_exits_2_with_the_line_and_no_traceback(project: Project) -> None:
    """The in-process cases above, once through a real process: exit status, streams, nothing else."""
    import os
    import subprocess
    import sys

    bad = project.root / "absent.csv"
    result = subprocess.run(
        [sys.executable, "-m", "regcheck", "run", "--model", "logreg", "--baselines", str(project.baselines)],
        capture_output=True, text=True, cwd=project.root, env={**os.environ, "REGCHECK_DATA": str(bad)},
    )  # fmt: skip
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"regcheck: error: {bad}: no such file; pass the path of heart.csv or set REGCHECK_DATA_DIR to its folder\n"
    )


def test_a_study_module_raising_keyboard_interrupt_under_pytest_is_one_line_and_exit_code_2(
    pytester: pytest.Pytester, study_project: Project
) -> None:
    """pytest's own code for an interrupt (2), one line, no traceback (the second attacker's case)."""
    (study_project.root / "s.py").write_text("raise KeyboardInterrupt\n")
    result = pytester.runpytest_subprocess("--regcheck-study", f"{study_project.root / 's.py'}:study")
    assert result.ret == 2
    assert result.errlines == ["regcheck: interrupted while loading the study; nothing ran"]
    assert "Traceback" not in result.stdout.str()
