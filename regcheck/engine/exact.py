"""Comparison rules: what "the same result" means, field by field.

Logistic regression with liblinear and a fixed ``random_state`` is deterministic, so
labels and counts must be identical. Real-valued fields get a tolerance because the same
solver on the same data can still differ in the last bits between BLAS builds and CPUs
(StandardScaler's sums, liblinear's dot products are reassociated). The tolerance is:

* far above that noise: reassociation moves a double by ~1e-16 relative, amplified by the
  conditioning of this 13-feature problem to ~1e-12 at most;
* far below a real change: an unseeded liblinear (a different coordinate order) moves
  L1 coefficients by up to 4e-4, and scaling a model by 1.01 moves them by 1e-2.

``rtol=1e-7, atol=1e-9`` sits between, with four orders of magnitude of margin each side.

The same rule serves a seeded model's exact tier (the heart MLP in a matching profile): there,
probabilities and loss repeat bit for bit (measured: repeats in one process, separate processes,
1 and 2 threads, other OpenBLAS kernels; docs/gates.md), so the tolerance never has to absorb
anything, while the smallest real change measured (Adam's epsilon 1e-7 -> 1e-8, l1 = 0.1) moves
a probability by 1.4e-6, 25 times what it allows there. A digest (``weights_sha256``) is
identical or not.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

COEFFICIENT_RTOL = 1e-7
COEFFICIENT_ATOL = 1e-9
# Identity fields (they pick the baseline, they are not a result) and fields derived from others.
NOT_COMPARED = ("model", "config_id", "seed", "accuracy")


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
    true_label: int
    expected: int
    obtained: int


@dataclass
class Verdict:
    """The outcome of comparing one configuration, and which rule decided it and why."""

    model: str
    config_id: str
    status: str  # held | moved | missing | error | updated
    rule: str  # exact | band | none
    reason: str
    differences: list[FieldDifference] = field(default_factory=list)
    flipped_rows: list[FlippedRow] = field(default_factory=list)
    detail: str = ""

    @property
    def failed(self) -> bool:
        return self.status in ("moved", "missing", "error")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_TOLERANCE_RULE = f"rtol {COEFFICIENT_RTOL:g}, atol {COEFFICIENT_ATOL:g}"


def within_tolerance(expected: float, obtained: float) -> bool:
    return math.isclose(obtained, expected, rel_tol=COEFFICIENT_RTOL, abs_tol=COEFFICIENT_ATOL)


def compare_exact(expected: dict[str, Any], obtained: dict[str, Any]) -> tuple[list[FieldDifference], list[FlippedRow]]:
    """Compare one seed's outcome with its baseline, field by field; return what moved and which rows flipped.

    Every field the baseline holds is compared, whatever study wrote it: counts, labels and text
    must be identical; real numbers (alone or in lists) must agree within the tolerance above.
    Identity fields and ``accuracy`` (derived from ``n_correct``) are not compared on their own.
    """
    differences: list[tuple[int, FieldDifference]] = []
    flipped: list[FlippedRow] = []
    for name, old in expected.items():
        if name in NOT_COMPARED:
            continue
        new = obtained.get(name)
        if name == "predictions" and _labels(old) and _labels(new):
            flipped = flipped_rows(expected, obtained)
            if flipped or len(old) != len(new or []):
                differences.append((_LABELS, FieldDifference(
                    "predictions", "identical", f"{len(old)} labels", f"{len(flipped)} flipped",
                    f"rows {', '.join(str(r.data_row) for r in flipped)}" if flipped else "length differs",
                )))  # fmt: skip
            continue
        moved = _field_difference(name, old, new)
        if moved:
            differences.append((_rank(name, old), moved))
    # Coarse to fine: counts and text, then labels, then the fitted parameters, then the outputs
    # they produce (probabilities), so the first row of a failure table is its likeliest cause.
    return [difference for _, difference in sorted(differences, key=lambda item: item[0])], flipped


_COUNTS, _LABELS, _VALUES, _OUTPUTS = range(4)


def _rank(name: str, value: Any) -> int:
    if name in ("probabilities", "predictions"):
        return _OUTPUTS
    if name.endswith("_sha256"):  # a digest of fitted parameters (the weights), not a count
        return _VALUES
    return _VALUES if isinstance(value, (list, float)) else _COUNTS


def _field_difference(name: str, old: Any, new: Any) -> FieldDifference | None:
    if isinstance(old, list) and any(isinstance(value, float) for value in old) and _numbers(new):
        return _close_difference(name, old, new)
    if _is_float(old) and _is_float(new) and not (isinstance(old, int) and isinstance(new, int)):
        if within_tolerance(float(old), float(new)):
            return None
        return FieldDifference(name, _TOLERANCE_RULE, f"{old:.10g}", f"{new:.10g}", f"{new - old:+.3g}")
    if old == new:
        return None
    return FieldDifference(name, "identical", _shown(old), _shown(new), _signed(new, old))


def _labels(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, int) and not isinstance(item, bool) for item in value)


def _numbers(value: Any) -> bool:
    return isinstance(value, list) and all(_is_float(item) for item in value)


def _is_float(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


def flipped_rows(expected: dict[str, Any], obtained: dict[str, Any]) -> list[FlippedRow]:
    before, after = expected.get("predictions", []), obtained.get("predictions", [])
    rows = obtained.get("test_rows") or expected.get("test_rows") or list(range(len(before)))
    truth = obtained.get("true_labels") or [None] * len(before)
    return [
        FlippedRow(position, int(rows[position]), truth[position] if truth[position] is not None else -1, old, new)
        for position, (old, new) in enumerate(zip(before, after))
        if old != new
    ]


def _close_difference(name: str, expected: list[float], obtained: list[float]) -> FieldDifference | None:
    rule = _TOLERANCE_RULE
    if len(expected) != len(obtained):
        return FieldDifference(name, rule, f"{len(expected)} values", f"{len(obtained)} values", "length differs")
    worst_index, worst_delta = -1, 0.0
    for index, (old, new) in enumerate(zip(expected, obtained)):
        if not within_tolerance(old, new) and abs(new - old) >= worst_delta:
            worst_index, worst_delta = index, abs(new - old)
    if worst_index < 0:
        return None
    old, new = expected[worst_index], obtained[worst_index]
    return FieldDifference(f"{name}[{worst_index}]", rule, f"{old:.10g}", f"{new:.10g}", f"{new - old:+.3g}")


def _signed(obtained: Any, expected: Any) -> str:
    if isinstance(obtained, (int, float)) and isinstance(expected, (int, float)):
        return f"{obtained - expected:+g}"
    return "differs"
