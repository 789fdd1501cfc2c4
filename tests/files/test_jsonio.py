"""The indented writer every saved format uses: the standard library's ``indent=1`` output, to the byte."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regcheck.files.jsonio import dumps_indented

ROOT = Path(__file__).resolve().parents[2]
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12)
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=6), st.dictionaries(st.text(max_size=8), inner, max_size=6)),
    max_leaves=40,
)


@settings(max_examples=400)
@given(documents)
def test_any_document_is_written_as_json_dumps_writes_it_with_indent_1(document: Any) -> None:
    assert dumps_indented(document) == json.dumps(document, indent=1)


def test_strings_holding_the_list_separator_and_unicode_are_escaped_as_json_does() -> None:
    document = {"a, b": ["x, y", "é", '"quoted", too'], "n": [1, 2.5, True, None]}
    assert dumps_indented(document) == json.dumps(document, indent=1)


# Every baseline regcheck wrote (published.json is the publication's, written by hand).
WRITTEN = sorted([*ROOT.glob("baselines/*/*/*.json"), *ROOT.glob("examples/baselines/*/*/*.json")])


@pytest.mark.parametrize("path", WRITTEN, ids=lambda path: path.name)
def test_every_committed_baseline_is_rewritten_byte_for_byte(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert dumps_indented(json.loads(text)) + "\n" == text


def test_nan_is_refused_rather_than_written_as_a_literal_no_reader_takes() -> None:
    with pytest.raises(ValueError):
        dumps_indented({"loss": math.nan})
