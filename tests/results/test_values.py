"""The value model: what a record's field may hold, its kind, and its JSON form (NaN and infinities included)."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from regcheck.results.values import ValueProblem, decode, encode, kind_of, normalize, shape_of


def test_numpy_arrays_and_scalars_become_plain_lists_and_numbers_of_their_kind() -> None:
    assert normalize(np.arange(6).reshape(2, 3)) == [[0, 1, 2], [3, 4, 5]]
    assert normalize(np.float32(0.5)) == 0.5 and type(normalize(np.float32(0.5))) is float
    assert normalize(np.array([True, False])) == [True, False]
    assert normalize((1, 2.5)) == [1.0, 2.5]  # an integer among reals is a real


def test_each_value_has_one_kind() -> None:
    assert kind_of("n_correct", 53) == "label"
    assert kind_of("predictions", ["cat", "dog"]) == "label"
    assert kind_of("predictions", [[0.1, 0.9], [0.7, 0.3]]) == "real"
    assert kind_of("loss", math.nan) == "real"
    assert kind_of("weights_sha256", "ab" * 32) == "digest"
    assert kind_of("notes", "ab" * 32) == "label"  # text is a digest only where its name says so


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ({"a": 1}, "expected a number, text, a boolean or an array of them, found dict"),
        ({1, 2}, "expected a number, text, a boolean or an array of them, found set"),
        ([1, None], "[1]: expected a number, text, a boolean or an array of them, found None"),
        ([[1, 2], [3]], "[1]: expected shape (2,) (the array is ragged), found shape (1,)"),
        ([[1, 2], 3], "[1]: expected a list of shape (2,) (the array is ragged), found int 3"),
        ([1.5, "x"], "expected an array of numbers (it mixes reals with text or booleans), found number, real, str"),
        ([1, True], "expected an array of one kind of label (integers, booleans or text), found bool, number"),
        (10**25, "expected an integer of at most 20 digits, found one of 26 digits"),
        ("\ud800", "expected text that is valid Unicode, found half a surrogate pair"),
    ],
)
def test_a_value_outside_the_model_is_refused_naming_where_and_what(value: Any, problem: str) -> None:
    with pytest.raises(ValueProblem) as refused:
        normalize(value)
    assert str(refused.value) == problem


def test_arrays_deeper_than_the_limit_are_refused() -> None:
    value: Any = 1.0
    for _ in range(9):
        value = [value]
    with pytest.raises(ValueProblem, match="at most 8 dimensions"):
        normalize(value)


def test_non_finite_reals_are_written_as_standard_json_and_read_back_exactly() -> None:
    value = [1.5, math.nan, math.inf, -math.inf]
    text = json.dumps(encode(value), allow_nan=False)  # standard JSON: no NaN literal anywhere
    assert text == '[1.5, {"$numberDouble": "NaN"}, {"$numberDouble": "Infinity"}, {"$numberDouble": "-Infinity"}]'
    back = decode(json.loads(text))
    assert back[0] == 1.5 and math.isnan(back[1]) and back[2:] == [math.inf, -math.inf]


def test_decoding_refuses_any_other_object() -> None:
    with pytest.raises(ValueProblem, match=r"coefficients\[1\]: expected a value"):
        decode([1.0, {"$numberDouble": "nan"}], "coefficients")


reals = st.floats(allow_nan=True, allow_infinity=True)
scalars = st.one_of(st.integers(-(10**19), 10**19), reals, st.booleans(), st.text(max_size=20))


@given(st.one_of(scalars, st.lists(reals, max_size=8), st.lists(st.lists(reals, min_size=2, max_size=2), max_size=5)))
def test_whatever_the_model_holds_survives_json_unchanged_bit_for_bit(value: Any) -> None:
    plain = normalize(value)
    back = decode(json.loads(json.dumps(encode(plain), allow_nan=False)))
    assert json.dumps(encode(back)) == json.dumps(encode(plain))
    assert shape_of(back) == shape_of(plain) and kind_of("x", back) == kind_of("x", plain)
