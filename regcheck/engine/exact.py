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
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

COEFFICIENT_RTOL = 1e-7
COEFFICIENT_ATOL = 1e-9
EXACT_FIELDS = ("n_test", "n_correct", "n_zero_coefficients")
CLOSE_FIELDS = ("coefficients", "intercept", "probabilities")


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


def within_tolerance(expected: float, obtained: float) -> bool:
    return math.isclose(obtained, expected, rel_tol=COEFFICIENT_RTOL, abs_tol=COEFFICIENT_ATOL)


def compare_exact(expected: dict[str, Any], obtained: dict[str, Any]) -> tuple[list[FieldDifference], list[FlippedRow]]:
    """Compare one seed's outcome with its baseline; return what moved and which rows flipped."""
    differences = []
    for name in EXACT_FIELDS:
        if name in expected and expected[name] != obtained.get(name):
            delta = _signed(obtained.get(name), expected[name])
            differences.append(FieldDifference(name, "identical", str(expected[name]), str(obtained.get(name)), delta))
    flipped = flipped_rows(expected, obtained)
    if flipped:
        differences.append(
            FieldDifference("predictions", "identical", f"{len(expected['predictions'])} labels",
                            f"{len(flipped)} flipped", f"rows {', '.join(str(r.data_row) for r in flipped)}")
        )  # fmt: skip
    for name in CLOSE_FIELDS:
        if name in expected:
            moved = _close_difference(name, expected[name], obtained.get(name) or [])
            if moved:
                differences.append(moved)
    return differences, flipped


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
    rule = f"rtol {COEFFICIENT_RTOL:g}, atol {COEFFICIENT_ATOL:g}"
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
