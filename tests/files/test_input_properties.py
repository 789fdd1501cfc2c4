"""Properties of the input discipline, checked by Hypothesis over inputs nobody wrote by hand.

Every reader and every output check must answer any input with a value or one ``RegcheckError``
line, never another exception, never a hang; and what they accept must mean what it says.
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regcheck.errors import RegcheckError, UsageError
from regcheck.files.jsonio import MAX_DEPTH, parse_json
from regcheck.files.outputs import OutputPlan
from regcheck.frontends.options import MAX_JOBS, MAX_SEEDS, SEED_LIMIT, parse_jobs, parse_seeds

# What regcheck's own files hold: finite numbers, bounded integers, text, lists and objects.
scalars = (
    st.none() | st.booleans() | st.integers(-(10**15), 10**15) | st.floats(allow_nan=False, allow_infinity=False) | st.text()
)
documents = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5), max_leaves=40
)


class Refused(RegcheckError):
    """The error class the tests hand to the reader."""


@given(documents)
def test_every_document_regcheck_could_write_reads_back_equal(document: Any) -> None:
    assert parse_json(json.dumps(document).encode("utf-8"), "doc.json", Refused) == document


@given(st.binary(max_size=300))
def test_any_bytes_give_a_value_or_one_refusal_never_another_exception(raw: bytes) -> None:
    try:
        parse_json(raw, "doc.json", Refused)
    except Refused as error:
        assert "\n" not in str(error) and str(error).startswith("doc.json: ")


@given(st.dictionaries(st.text(max_size=6), scalars, min_size=1, max_size=4), st.data())
def test_a_repeated_key_is_refused_wherever_it_is(document: dict[str, Any], data: st.DataObject) -> None:
    key = data.draw(st.sampled_from(sorted(document)))
    text = json.dumps(document)[:-1] + f", {json.dumps(key)}: 1}}"
    with pytest.raises(Refused, match="appears twice"):
        parse_json(text.encode(), "doc.json", Refused)


@given(st.sampled_from(["NaN", "Infinity", "-Infinity"]), st.text(max_size=5))
def test_non_finite_numbers_are_refused(constant: str, key: str) -> None:
    with pytest.raises(Refused, match="not a number regcheck accepts"):
        parse_json(f"{{{json.dumps(key)}: {constant}}}".encode(), "doc.json", Refused)


@settings(deadline=None)  # a document of 400 KB: seconds on a loaded machine
@given(st.integers(MAX_DEPTH + 1, 200_000))
def test_nesting_deeper_than_any_regcheck_file_is_refused_never_a_recursion_error(depth: int) -> None:
    with pytest.raises(Refused, match=f"nested more than {MAX_DEPTH} levels deep"):
        parse_json(("[" * depth + "]" * depth).encode(), "doc.json", Refused)


@given(st.lists(st.sampled_from(["[", "{"]), min_size=1, max_size=MAX_DEPTH + 3), st.text(alphabet='[]{}"\\ab', max_size=6))
def test_nesting_is_counted_outside_strings_for_arrays_and_objects_alike(opening: list[str], inside: str) -> None:
    """A document whose brackets mix arrays and objects, with brackets, quotes and escapes inside a string."""
    text = json.dumps(inside)
    for bracket in reversed(opening):
        text = f"[{text}]" if bracket == "[" else f'{{"k": {text}}}'
    if len(opening) <= MAX_DEPTH:
        assert parse_json(text.encode(), "doc.json", Refused) is not None
    else:
        with pytest.raises(Refused, match="nested more than"):
            parse_json(text.encode(), "doc.json", Refused)


@given(st.from_regex(r"-?(0|[1-9][0-9]{0,3})(\.[0-9]{1,3})?[eE][+-]?[0-9]{1,4}", fullmatch=True))
def test_a_number_that_overflows_to_infinity_is_refused_and_every_other_reads_finite(number: str) -> None:
    try:
        value = parse_json(f"[{number}]".encode(), "doc.json", Refused)[0]
    except Refused as error:
        assert "too large for a number" in str(error) and math.isinf(float(number))
        return
    assert math.isfinite(value) and value == float(number)


@given(st.integers(0xD800, 0xDFFF), st.text(max_size=5))
def test_half_a_surrogate_pair_is_refused_in_keys_and_values(code: int, text: str) -> None:
    escaped = f"\\u{code:04x}"
    for document in (f'{{"{escaped}": 1}}', f'["{json.dumps(text)[1:-1]}{escaped}"]'):
        with pytest.raises(Refused, match="half a surrogate pair"):
            parse_json(document.encode(), "doc.json", Refused)


@given(st.characters(min_codepoint=0x10000))
def test_a_whole_surrogate_pair_is_the_character_it_encodes(char: str) -> None:
    escaped = json.dumps(char)  # ensure_ascii: "\\ud83d\\ude00"
    assert parse_json(escaped.encode(), "doc.json", Refused) == char


@given(st.text(max_size=40))
def test_any_seed_text_gives_a_bounded_seed_list_or_one_usage_line(text: str) -> None:
    try:
        seeds = parse_seeds(text)
    except argparse.ArgumentTypeError as error:
        assert "\n" not in str(error)
        return
    assert 0 < len(seeds) <= MAX_SEEDS and len(set(seeds)) == len(seeds)
    assert all(0 <= seed < SEED_LIMIT for seed in seeds)
    assert text.strip().replace(",", "").replace("-", "").replace(" ", "").isascii()


@given(st.integers(0, 10**6), st.integers(1, 3), st.sampled_from(["", "-7"]))
def test_a_seed_with_a_leading_zero_is_refused_naming_it(seed: int, zeros: int, tail: str) -> None:
    padded = "0" * zeros + str(seed)
    with pytest.raises(argparse.ArgumentTypeError, match=f"{padded + tail}.* has a leading zero"):
        parse_seeds(padded + tail)


@given(st.text(alphabet=st.characters(categories=["Nd", "Zs"]), min_size=1, max_size=4))
def test_only_ascii_digits_make_a_seed_or_a_job_count(text: str) -> None:
    for parse in (parse_seeds, parse_jobs):
        try:
            parse(text)
        except argparse.ArgumentTypeError:
            continue
        assert text.strip(" ").isascii() and text.strip(" ").isdigit()


@given(st.integers(-(10**6), 10**6))
def test_a_job_count_is_accepted_exactly_from_1_to_the_limit(jobs: int) -> None:
    if 1 <= jobs <= MAX_JOBS:
        assert parse_jobs(str(jobs)) == jobs
    else:
        with pytest.raises(argparse.ArgumentTypeError, match=f"from 1 to {MAX_JOBS}"):
            parse_jobs(str(jobs))


@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 5)), min_size=1, max_size=6))
def test_a_seed_list_means_its_ranges_in_order_each_seed_once(ranges: list[tuple[int, int]]) -> None:
    text = ",".join(f"{start}-{start + width}" if width else str(start) for start, width in ranges)
    expected = list(dict.fromkeys(seed for start, width in ranges for seed in range(start, start + width + 1)))
    assert list(parse_seeds(text)) == expected


NAMES = ["run.json", "report.md", "baselines/heart/logreg/a.json", "data.csv", "baselines", "new/out.json", "."]


# No deadline: a shared CI machine can take longer than Hypothesis's 200 ms for one file-system example.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3))
def test_an_output_is_refused_exactly_when_it_would_hit_an_input_or_another_output(chosen: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "baselines" / "heart" / "logreg").mkdir(parents=True)
        for name in ("run.json", "data.csv", "baselines/heart/logreg/a.json"):
            (root / name).write_text("{}")
        plan = OutputPlan()
        plan.read(root / "baselines", root / "data.csv", root / "run.json")
        for position, name in enumerate(chosen):
            plan.write(f"--out{position}", root / name)
        bad = {"run.json", "data.csv", "baselines/heart/logreg/a.json", "baselines", "new/out.json", "."}
        refused = any(name in bad for name in chosen) or len(set(chosen)) < len(chosen)
        if refused:
            with pytest.raises(UsageError):
                plan.check()
        else:
            plan.check()
        assert (root / "run.json").read_text() == "{}"  # a check writes nothing


def test_a_float_reads_back_to_the_same_bits() -> None:
    value = 0.1 + 0.2
    assert math.copysign(1.0, parse_json(json.dumps(-0.0).encode(), "x", Refused)) == -1.0
    assert parse_json(json.dumps(value).encode(), "x", Refused) == value
