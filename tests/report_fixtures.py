"""Paths and helpers of the report tests: the real logistic run merged with the SYNTHETIC files of tests/data
(an MLP run, a matrix, two benchmark runs; tests/data/make_synthetic.py says what they are and are not)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from regcheck.reports.run_outputs import study_layout
from regcheck.studies.heart.study import study

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
SYNTHETIC_MLP_RUN = DATA / "synthetic_mlp_run.json"
SYNTHETIC_MATRIX = DATA / "synthetic_matrix.json"
# Not synthetic: 'regcheck matrix --json' over the logistic runs of the matrix branch's tox environments.
REAL_MATRIX = DATA / "real_matrix_logreg.json"
SYNTHETIC_BENCHES = [DATA / "synthetic_bench_cpu.json", DATA / "synthetic_bench_gpu.json"]

EXPECTED_PLOTS = {
    # 6 points and 6 published rings; 9 cells and 54 seed dots; 6x6 + 9x3 matrix cells; 9 and 6 cases x 2 runs
    "logreg-accuracy-vs-C": 12, "mlp-heatmap": 63, "matrix-drift": 63, "timings-mlp": 18, "timings-logreg": 12,
}  # fmt: skip


def merged_run(logreg_run: dict[str, Any]) -> dict[str, Any]:
    """The real logistic run plus the synthetic MLP records: a whole study's run file, in the writer's format
    (which lays out every model it ran: both models' grid axes and configurations)."""
    document = copy.deepcopy(logreg_run)
    document.update(study_layout(study))
    mlp = json.loads(SYNTHETIC_MLP_RUN.read_text(encoding="utf-8"))
    document["records"] += mlp["records"]
    document["verdicts"] += mlp["verdicts"]
    for key in ("published", "published_decimals", "profiles"):
        document[key] = {**document.get(key, {}), **mlp[key]}
    return document


def with_moved(document: dict[str, Any], config_id: str) -> dict[str, Any]:
    """The same run with one configuration's verdict turned into a move of ``n_correct``."""
    changed = copy.deepcopy(document)
    for verdict in changed["verdicts"]:
        if verdict["config_id"] == config_id:
            verdict["status"] = "moved"
            verdict["differences"] = [{"field": "n_correct", "rule": "identical", "expected": "54",
                                       "obtained": "53", "difference": "-1"}]  # fmt: skip
    return changed
