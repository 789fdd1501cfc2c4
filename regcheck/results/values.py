"""The value model of a record: what one field may hold, its kind, and how it is written to JSON and read back.

A field of a ``ResultRecord`` (core or ``extra``) holds one of these, whatever the study:

* a **label**: an integer (a count too), a boolean or text; or an array of them;
* a **real** number: a float, ``NaN`` and ``±Inf`` included; or an array of reals;
* a **digest**: text naming fitted parameters by their hash, in a field whose name ends in
  ``_sha256``, ``_sha1``, ``_md5`` or ``_digest`` (compared like text, ranked with the fitted values).

An array has any shape (nested lists, numpy arrays): it must be rectangular and of one kind; an
integer among reals is a real. ``normalize`` turns what a fit returns (numpy scalars and arrays,
tuples) into these plain values once, when the record is made, and refuses anything else in one
line naming the field, so that a record either holds the value model or is never written.

**JSON.** Finite numbers are JSON numbers, so a record of finite values is written exactly as
before this module existed. JSON has no ``NaN`` or infinity, so a non-finite real is written as
``{"$numberDouble": "NaN"}`` (``"Infinity"``, ``"-Infinity"``): MongoDB Extended JSON's form,
standard JSON that any tool reads, and unambiguous (no value of the model is an object).
``encode`` and ``decode`` are exact inverses; ``decode`` refuses any other object.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

Kind = Literal["label", "real", "digest"]
DIGEST_SUFFIXES = ("_sha256", "_sha1", "_md5", "_digest")
NON_FINITE_KEY = "$numberDouble"
_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
# Bounds that every reader applies (``regcheck.files.jsonio``): a value beyond them could be written
# but never read back, so it is refused when the record is made.
MAX_INTEGER = 10**20 - 1
MAX_DEPTH = 8
MAX_TEXT = 10_000


class ValueProblem(ValueError):
    """A value outside the model: ``where`` (``[3][1]``, or empty for the whole value) and what was expected."""

    def __init__(self, where: str, expected: str, found: str) -> None:
        super().__init__(f"{where}: expected {expected}, found {found}" if where else f"expected {expected}, found {found}")
        self.where = where
        self.expected = expected
        self.found = found


def is_digest_name(name: str) -> bool:
    return name.endswith(DIGEST_SUFFIXES)


def normalize(value: Any) -> Any:
    """``value`` as plain Python (int, float, bool, str, nested lists, or None), or ``ValueProblem``.

    numpy scalars become Python numbers, numpy arrays and tuples lists; a list holding a real
    becomes a list of floats. Nothing else is accepted (a dict, a set, None inside an array).
    """
    if value is None:
        return None
    plain = _plain(value)
    if isinstance(plain, list):
        flat = _flat_fast(plain)
        if flat is not None:
            return flat
        shape = _shape(plain, "", 0)
        kind = _array_kind(plain, shape)
        return _as_reals(plain) if kind == "real" else plain
    return _scalar(plain, "")


def _flat_fast(value: list[Any]) -> list[Any] | None:
    """A one-dimensional list of plain floats or of plain integers, checked at C speed; None: take the slow path.

    Records are mostly such lists (predictions, probabilities, coefficients), so the checks a
    10,000-configuration run makes per entry cost microseconds instead of milliseconds.
    """
    kinds = set(map(type, value))
    if kinds == {float}:
        return value
    if kinds == {int} and -MAX_INTEGER <= min(value) and max(value) <= MAX_INTEGER:
        return value
    if kinds == {int, float} and all(abs(item) <= MAX_INTEGER for item in value if type(item) is int):
        return [float(item) for item in value]
    return None


def _plain(value: Any) -> Any:
    """numpy's arrays and scalars, and tuples, as Python's own lists and numbers."""
    # numpy and pandas (and torch, jax, array.array) hand their values over as Python's own.
    tolist = getattr(value, "tolist", None)
    if callable(tolist) and not isinstance(value, (str, bytes)):
        value = tolist()
    if isinstance(value, tuple):
        value = list(value)
    if isinstance(value, list):
        if set(map(type, value)) <= _PLAIN_SCALARS:
            return value  # already plain (the common case), checked at C speed: no copy, no recursion
        return [_plain(item) for item in value]
    return value


_PLAIN_SCALARS = frozenset({int, float, bool, str, type(None)})


def _scalar(value: Any, where: str) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if abs(value) > MAX_INTEGER:
            raise ValueProblem(where, "an integer of at most 20 digits", f"one of {len(str(abs(value)))} digits")
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise ValueProblem(where, f"text of at most {MAX_TEXT} characters", f"{len(value)} characters")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueProblem(where, "text that is valid Unicode", "half a surrogate pair") from None
        return value
    raise ValueProblem(where, "a number, text, a boolean or an array of them", _found(value))


def _found(value: Any) -> str:
    """What was found, in a message: a number or text with its value, anything else by its type."""
    if value is None:
        return "None"
    if isinstance(value, (int, float, str)):
        return f"{type(value).__name__} {repr(value)[:40]}"
    return type(value).__name__


def _shape(value: list[Any], where: str, depth: int) -> tuple[int, ...]:
    """The array's shape; refuses ragged arrays and arrays nested deeper than ``MAX_DEPTH``."""
    if depth >= MAX_DEPTH:
        raise ValueProblem(where, f"an array of at most {MAX_DEPTH} dimensions", "more")
    if not value or not isinstance(value[0], list):
        for index, item in enumerate(value):
            if isinstance(item, list):
                raise ValueProblem(f"{where}[{index}]", "a number or label (the array is ragged)", "a list")
        return (len(value),)
    inner = _shape(value[0], f"{where}[0]", depth + 1)
    for index, item in enumerate(value[1:], start=1):
        if not isinstance(item, list):
            raise ValueProblem(f"{where}[{index}]", f"a list of shape {inner} (the array is ragged)", _found(item))
        found = _shape(item, f"{where}[{index}]", depth + 1)
        if found != inner:
            raise ValueProblem(f"{where}[{index}]", f"shape {inner} (the array is ragged)", f"shape {found}")
    return (len(value), *inner)


def _array_kind(value: list[Any], shape: tuple[int, ...]) -> Kind:
    """``real`` where any entry is a float, else ``label``; entries must be numbers, or all labels of one family."""
    families: set[str] = set()
    for where, item in _entries(value, ""):
        scalar = _scalar(item, where)
        families.add("number" if isinstance(scalar, (int, float)) and not isinstance(scalar, bool) else type(scalar).__name__)
        if isinstance(scalar, float):
            families.add("real")
    if "real" in families:
        if families - {"real", "number"}:
            raise ValueProblem("", "an array of numbers (it mixes reals with text or booleans)", ", ".join(sorted(families)))
        return "real"
    if len(families) > 1:
        raise ValueProblem("", "an array of one kind of label (integers, booleans or text)", ", ".join(sorted(families)))
    return "label"


def _entries(value: list[Any], where: str) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for index, item in enumerate(value):
        if isinstance(item, list):
            found += _entries(item, f"{where}[{index}]")
        else:
            found.append((f"{where}[{index}]", item))
    return found


def _as_reals(value: list[Any]) -> list[Any]:
    return [_as_reals(item) if isinstance(item, list) else float(item) for item in value]


def kind_of(name: str, value: Any) -> Kind:
    """The kind of a normalized value: an array's is its entries' (``normalize`` made them one kind)."""
    entries = flatten(value)
    if not entries:
        return "label"  # an empty array holds no value of either kind: compared as labels, identically
    if isinstance(entries[0], float):
        return "real"
    if isinstance(value, str) and is_digest_name(name):
        return "digest"
    return "label"


def shape_of(value: Any) -> tuple[int, ...]:
    """``()`` for a scalar, else the lengths of each dimension (the array is rectangular: checked by ``normalize``)."""
    shape: list[int] = []
    while isinstance(value, list):
        shape.append(len(value))
        if not value:
            break
        value = value[0]
    return tuple(shape)


def flatten(value: Any) -> list[Any]:
    """An array's entries in row-major order (a scalar: a list of one)."""
    if not isinstance(value, list):
        return [value]
    flat: list[Any] = []
    for item in value:
        flat += flatten(item)
    return flat


def position(shape: Sequence[int], flat_index: int) -> tuple[int, ...]:
    """The multi-dimensional index of entry ``flat_index`` of an array of ``shape`` (row-major)."""
    index = []
    for size in reversed(shape):
        flat_index, rest = divmod(flat_index, size) if size else (flat_index, 0)
        index.append(rest)
    return tuple(reversed(index))


def encode(value: Any) -> Any:
    """A normalized value as JSON holds it: a non-finite real becomes ``{"$numberDouble": ...}``."""
    if isinstance(value, float) and not math.isfinite(value):
        return {NON_FINITE_KEY: "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")}
    if isinstance(value, list):
        return [encode(item) for item in value]
    return value


def decode(value: Any, where: str = "") -> Any:
    """The inverse of ``encode``; ``ValueProblem`` for an object that is not a non-finite real."""
    if isinstance(value, dict):
        text = value.get(NON_FINITE_KEY)
        if len(value) == 1 and isinstance(text, str) and text in _NON_FINITE:
            return _NON_FINITE[text]
        raise ValueProblem(where, 'a value (a number, text, an array, or {"$numberDouble": "NaN"})', "an object")
    if isinstance(value, list):
        return [decode(item, f"{where}[{index}]") for index, item in enumerate(value)]
    return value


def contains_non_finite(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, list):
        return any(contains_non_finite(item) for item in value)
    return False


def describe_value(value: Any, width: int = 40) -> str:
    """A value as a table cell: reals in ``%.10g`` (NaN as ``NaN``), arrays by shape and first entries."""
    if isinstance(value, float):
        return "NaN" if math.isnan(value) else f"{value:.10g}"
    if isinstance(value, list):
        shape = shape_of(value)
        entries = flatten(value)
        shown = ", ".join(describe_value(item, 12) for item in entries[:4]) + (", ..." if len(entries) > 4 else "")
        text = f"[{shown}]" if len(shape) == 1 else f"{'x'.join(map(str, shape))} array [{shown}]"
        return text if len(text) <= width else f"{text[: width - 3]}..."
    text = str(value)
    return text if len(text) <= width else f"{text[: width - 3]}..."
