"""The one comparison: what "the same result" means, field by field, for every verb that compares records.

The exact tier (is this seed's outcome its baseline's?), the version matrix (how far is this
environment from the reference?), ``regcheck bisect`` and ``regcheck upgrade`` (does this release
differ?) and ``regcheck compare`` all call ``compare_outcomes``. A field is compared by its kind
(``regcheck.results.values``), whatever study wrote it:

* **labels and counts** (integers, booleans, text, arrays of them) and **digests** must be identical;
* **reals** (numbers and arrays of any shape) must agree within ``rtol 1e-7, atol 1e-9``.
  ``NaN`` equals ``NaN`` only: a ``NaN`` where the other side has a number has moved, and says so.

Each field gets a **severity**, from coarse to fine the ladder's marks: ``identical`` (equal bit for
bit), ``last-bits`` (reals within the tolerance: the same result), ``values`` (reals beyond it, a
digest, an array of another shape), ``labels`` (a label, a count, text; a field that appears or
disappears, or changes kind). The exact tier holds where no field reaches ``values``.

Why this tolerance: the same solver on the same data can differ in the last bits between BLAS
builds and CPUs (reassociated sums move a double by ~1e-16 relative, amplified by a problem's
conditioning to ~1e-12 at most), while a real change is far larger (an unseeded liblinear moves L1
coefficients by up to 4e-4; Adam's epsilon 1e-7 -> 1e-8 moves an MLP probability by 1.4e-6, 25 times
what the tolerance allows). ``rtol=1e-7, atol=1e-9`` sits between, with orders of magnitude of
margin each side.

Fields are ranked coarse to fine, so the first row of a failure table and a matrix cell's "first
differs in" name the likeliest cause: counts and scalar labels, then label arrays (the predicted
labels), then the fitted values (coefficients, a loss, a digest), then the outputs they produce
(probabilities, scores, real-valued predictions).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from regcheck.results.values import Kind, describe_value, flatten, kind_of, position, shape_of

COEFFICIENT_RTOL = 1e-7
COEFFICIENT_ATOL = 1e-9
TOLERANCE_RULE = f"rtol {COEFFICIENT_RTOL:g}, atol {COEFFICIENT_ATOL:g}"
Severity = Literal["identical", "last-bits", "values", "labels"]
SEVERITY: tuple[Severity, ...] = ("identical", "last-bits", "values", "labels")
# Identity fields (they pick the baseline), fields derived from others, and what changes with every run.
NOT_COMPARED = frozenset({"model", "config_id", "seed", "accuracy", "fit_seconds", "environment", "dataset"})
# What a model produces from its fitted values: compared last, after the values that produce them.
OUTPUT_FIELDS = ("probabilities", "scores", "predictions")


@dataclass(frozen=True)
class FieldDifference:
    """One field that moved: the row of a failure table."""

    field: str
    rule: str
    expected: str
    obtained: str
    difference: str


@dataclass(frozen=True)
class FlippedRow:
    """A test row whose predicted label changed."""

    position: int
    data_row: int
    true_label: Any
    expected: Any
    obtained: Any


@dataclass(frozen=True)
class FieldComparison:
    """How one field of two outcomes compares: its severity, where it first (labels) or most (reals) differs."""

    field: str
    kind: Kind
    severity: Severity
    rule: str
    expected: str
    obtained: str
    difference: str
    index: tuple[int, ...] | None = None
    reference_value: Any = None
    value: Any = None
    abs_difference: float | None = None
    within_tolerance: bool = False

    @property
    def moved(self) -> bool:
        return self.severity in ("values", "labels")

    @property
    def where(self) -> str:
        """``probabilities[12]`` or ``probabilities[3, 1]``: the field and the entry that decided it."""
        if self.index is None:
            return self.field
        return f"{self.field}[{', '.join(map(str, self.index))}]"

    def as_difference(self) -> FieldDifference:
        """A failure table's row: reals name the entry that decided (``coefficients[3]``); labels the field."""
        name = self.where if self.kind == "real" else self.field
        return FieldDifference(name, self.rule, self.expected, self.obtained, self.difference)


@dataclass(frozen=True)
class OutcomeComparison:
    """Two outcomes of one configuration and seed, field by field, in ladder order (only fields that differ)."""

    fields: tuple[FieldComparison, ...]
    flipped: tuple[FlippedRow, ...] = ()
    # Per real field compared: the largest |difference| (0.0 where identical), for the matrix.
    largest: Mapping[str, float] = field(default_factory=dict)

    @property
    def severity(self) -> Severity:
        return max((item.severity for item in self.fields), key=SEVERITY.index, default="identical")

    @property
    def first(self) -> FieldComparison | None:
        """The first field on the ladder that differs at all."""
        return self.fields[0] if self.fields else None

    @property
    def moved(self) -> bool:
        return any(item.moved for item in self.fields)

    def differences(self) -> list[FieldDifference]:
        """The rows of a failure table: every field that moved (beyond the tolerance)."""
        return [item.as_difference() for item in self.fields if item.moved]


def within_tolerance(expected: float, obtained: float) -> bool:
    if math.isnan(expected) or math.isnan(obtained):
        return math.isnan(expected) and math.isnan(obtained)
    return math.isclose(obtained, expected, rel_tol=COEFFICIENT_RTOL, abs_tol=COEFFICIENT_ATOL)


def compare_outcomes(
    expected: Mapping[str, Any], obtained: Mapping[str, Any], fields: Sequence[str] | None = None
) -> OutcomeComparison:
    """Compare one seed's outcome with another (a baseline's, a reference run's), field by field.

    Every field ``expected`` holds is compared, and with ``fields`` (a model's ``exact_fields``) only
    those, plus any of them that only ``obtained`` holds. Identity fields, ``accuracy`` (derived
    from ``n_correct``) and timing are never compared.
    """
    chosen = set(fields) if fields is not None else None
    names = [name for name in expected if name not in NOT_COMPARED and (chosen is None or name in chosen)]
    if chosen is not None:
        names += [name for name in obtained if name in chosen and name not in expected and name not in NOT_COMPARED]
    found: list[tuple[int, int, FieldComparison]] = []
    gaps: list[tuple[int, int, str, float]] = []
    flipped: list[FlippedRow] = []
    for order, name in enumerate(names):
        old, new = expected.get(name), obtained.get(name)
        compared = compare_field(name, old, new)
        kind = kind_of(name, old if old is not None else new)
        if compared is None:
            if kind == "real":
                gaps.append((_rank(name, kind, old), order, name, 0.0))
            continue
        if compared.kind == "real" and compared.abs_difference is not None:
            gaps.append((_rank(name, kind, old), order, name, compared.abs_difference))
        if name == "predictions" and compared.kind == "label" and compared.severity == "labels" and compared.index is not None:
            flipped = flipped_rows(expected, obtained)
            rows = ", ".join(str(row.data_row) for row in flipped[:10]) + (", ..." if len(flipped) > 10 else "")
            compared = replace(compared, obtained=f"{len(flipped)} flipped", difference=f"rows {rows}")
        found.append((_rank(name, compared.kind, old), order, compared))
    ranked = tuple(item for _, _, item in sorted(found, key=lambda entry: (entry[0], entry[1])))
    largest = {name: gap for _, _, name, gap in sorted(gaps)}
    return OutcomeComparison(ranked, tuple(flipped), largest)


_COUNTS, _LABELS, _VALUES, _OUTPUTS = range(4)


def _rank(name: str, kind: Kind, value: Any) -> int:
    if name in OUTPUT_FIELDS and not (name == "predictions" and kind == "label"):
        return _OUTPUTS
    if kind == "label":
        return _LABELS if isinstance(value, list) or name == "predictions" else _COUNTS
    return _VALUES


def compare_field(name: str, old: Any, new: Any) -> FieldComparison | None:
    """How one field differs (``None``: identical, bit for bit)."""
    if name == "params":
        return None if old == new else _labels_changed(name, "label", old, new)
    kind = kind_of(name, old if old is not None else new)
    if old is None or new is None:
        shown = "absent"
        return FieldComparison(name, kind, "labels", "identical", shown if old is None else _show(old),
                               shown if new is None else _show(new), "appeared" if old is None else "disappeared")  # fmt: skip
    new_kind = kind_of(name, new)
    old_shape, new_shape = shape_of(old), shape_of(new)
    if new_kind != kind and (flatten(old) and flatten(new)):
        return FieldComparison(name, kind, "labels", "identical", f"{_kind_text(kind, old_shape)}",
                               f"{_kind_text(new_kind, new_shape)}", f"{_kind_text(kind, old_shape)} became "
                               f"{_kind_text(new_kind, new_shape)}")  # fmt: skip
    if old_shape != new_shape:
        severity: Severity = "values" if kind == "real" else "labels"
        return FieldComparison(name, kind, severity, "identical", f"shape {_shape_text(old_shape)}",
                               f"shape {_shape_text(new_shape)}", "shape differs")  # fmt: skip
    if kind == "real":
        return _reals(name, old, new, old_shape)
    if old == new and _same_types(old, new):
        return None
    if kind == "digest":
        return FieldComparison(name, kind, "values", "identical", _show(old), _show(new), "differs")
    return _labels_changed(name, kind, old, new)


def _same_types(old: Any, new: Any) -> bool:
    """``True == 1`` in Python, but a boolean label that becomes an integer has changed."""
    if isinstance(old, list):
        return all(type(a) is type(b) for a, b in zip(flatten(old), flatten(new)))
    return type(old) is type(new)


def _reals(name: str, old: Any, new: Any, shape: tuple[int, ...]) -> FieldComparison | None:
    """Reals entry by entry: the entry that decides is the first NaN that appeared or vanished, else the
    largest gap beyond the tolerance, else the largest gap (all within it: only the last bits differ)."""
    before, after = flatten(old), flatten(new)
    largest, largest_at = -1.0, -1
    worst, worst_at, outside = -1.0, -1, 0
    nan_at: int | None = None
    for index, (a, b) in enumerate(zip(before, after)):
        if a == b or (math.isnan(a) and math.isnan(b)):
            continue
        if math.isnan(a) != math.isnan(b):
            outside += 1
            nan_at = index if nan_at is None else nan_at
            continue
        gap = abs(b - a) if math.isfinite(a) and math.isfinite(b) else math.inf
        if gap > largest:
            largest, largest_at = gap, index
        if not within_tolerance(a, b):
            outside += 1
            if gap > worst:
                worst, worst_at = gap, index
    if largest_at < 0 and nan_at is None:
        return None
    decided = nan_at if nan_at is not None else worst_at if worst_at >= 0 else largest_at
    where = position(shape, decided) if shape else None
    a, b = before[decided], after[decided]
    within = outside == 0
    count = f"; {outside} of {len(before)} beyond the tolerance" if len(before) > 1 and outside > 1 else ""
    if nan_at is not None:
        difference = f"became NaN (was {describe_value(a)})" if math.isnan(b) else "became a number (was NaN)"
    else:
        difference = f"{b - a:+.3g}" if math.isfinite(a) and math.isfinite(b) else "differs"
    return FieldComparison(name, "real", "last-bits" if within else "values", TOLERANCE_RULE, describe_value(a),
                           describe_value(b), difference + count, where, a, b,
                           math.inf if nan_at is not None else largest, within)  # fmt: skip


def _labels_changed(name: str, kind: Kind, old: Any, new: Any) -> FieldComparison:
    if not isinstance(old, list):
        return FieldComparison(name, kind, "labels", "identical", _show(old), _show(new), _signed(new, old),
                               None, old, new)  # fmt: skip
    before, after = flatten(old), flatten(new)
    changed = [index for index, (a, b) in enumerate(zip(before, after)) if a != b or type(a) is not type(b)]
    first = changed[0]
    where = position(shape_of(old), first)
    if name == "predictions":
        rows = ", ".join(str(index) for index in changed[:10]) + (", ..." if len(changed) > 10 else "")
        return FieldComparison(name, kind, "labels", "identical", f"{len(before)} labels", f"{len(changed)} flipped",
                               f"positions {rows}", where, before[first], after[first])  # fmt: skip
    return FieldComparison(name, kind, "labels", "identical", describe_value(old), describe_value(new),
                           f"{len(changed)} of {len(before)} differ", where, before[first], after[first])  # fmt: skip


def flipped_rows(expected: Mapping[str, Any], obtained: Mapping[str, Any]) -> list[FlippedRow]:
    """Each test row whose predicted label changed, named by its row in the study's table where the record says."""
    before, after = expected.get("predictions") or [], obtained.get("predictions") or []
    if len(shape_of(before)) != 1 or len(before) != len(after):
        return []
    rows = obtained.get("test_rows") or expected.get("test_rows") or list(range(len(before)))
    truth = obtained.get("true_labels") or expected.get("true_labels") or [None] * len(before)
    return [
        FlippedRow(index, int(rows[index]), truth[index], old, new)
        for index, (old, new) in enumerate(zip(before, after))
        if old != new or type(old) is not type(new)
    ]


def _show(value: Any) -> str:
    if isinstance(value, (list, float)):
        return describe_value(value)
    text = json.dumps(value) if isinstance(value, dict) else str(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


def _signed(obtained: Any, expected: Any) -> str:
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (obtained, expected))
    return f"{obtained - expected:+g}" if numbers else "differs"


def _shape_text(shape: tuple[int, ...]) -> str:
    return "scalar" if not shape else "x".join(map(str, shape)) if len(shape) > 1 else f"({shape[0]},)"


def _kind_text(kind: Kind, shape: tuple[int, ...]) -> str:
    noun = {"label": "labels", "real": "real numbers", "digest": "a digest"}[kind]
    if not shape:
        return {"label": "a label", "real": "a real number", "digest": "a digest"}[kind]
    return noun
