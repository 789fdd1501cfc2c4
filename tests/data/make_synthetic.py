"""Writes the SYNTHETIC report fixtures of this folder: an MLP run, a version matrix, three benchmark runs.

They exist so the report renderers can be tested before (and independently of) the MLP, matrix and
benchmark verbs. They are not measurements: the MLP counts are the per-seed table of FACTS.md
(TensorFlow 2.21, Keras 3.15.1), the matrix and the timings are invented in the shape those verbs
write. Every file says so in its "synthetic" field. Regenerate with:

    python tests/data/make_synthetic.py
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).parent
NOTE = "SYNTHETIC test fixture for the report renderers (tests/data/make_synthetic.py); not a measurement"
SEEDS = (0, 1, 2, 3, 4, 42)
STRENGTHS = (0.001, 0.01, 0.1)
N_TEST, N_POSITIVE = 61, 32
# FACTS.md: correct predictions out of 61 for seeds 0, 1, 2, 3, 4, 42 (l1 rows, l2 columns).
FACTS_COUNTS = {
    (0.001, 0.001): (51, 51, 50, 50, 51, 51),
    (0.001, 0.01): (50, 50, 50, 51, 50, 49),
    (0.001, 0.1): (52, 52, 52, 52, 52, 52),
    (0.01, 0.001): (51, 51, 50, 53, 51, 51),
    (0.01, 0.01): (51, 53, 51, 52, 51, 51),
    (0.01, 0.1): (32, 32, 32, 53, 32, 32),
    (0.1, 0.001): (32,) * 6,
    (0.1, 0.01): (32,) * 6,
    (0.1, 0.1): (32,) * 6,
}
PROFILE = {"backend": "tensorflow", "device": "cpu", "keras": "3.15.1", "tensorflow": "2.21.0"}


def mlp_record(l1: float, l2: float, seed: int, n_correct: int) -> dict[str, object]:
    truth = [1] * N_POSITIVE + [0] * (N_TEST - N_POSITIVE)
    predictions = [label if position < n_correct else 1 - label for position, label in enumerate(truth)]
    return {
        "model": "mlp", "config_id": f"mlp-l1_{l1:g}-l2_{l2:g}", "params": {"l1": l1, "l2": l2}, "seed": seed,
        "n_test": N_TEST, "n_correct": n_correct, "accuracy": n_correct / N_TEST, "predictions": predictions,
        "probabilities": [0.9 if p else 0.1 for p in predictions], "test_rows": list(range(N_TEST)),
        "true_labels": truth, "fit_seconds": 10.5, "loss": 0.4, "backend": "tensorflow", "device": "cpu",
        "environment": {"python": "3.11.7", "packages": {"tensorflow-cpu": "2.21.0", "keras": "3.15.1"}},
        "dataset": {"name": "heart"},
    }  # fmt: skip


def mlp_run() -> dict[str, object]:
    records, verdicts = [], []
    for (l1, l2), counts in FACTS_COUNTS.items():
        records += [mlp_record(l1, l2, seed, count) for seed, count in zip(SEEDS, counts, strict=True)]
        verdicts.append({
            "model": "mlp", "config_id": f"mlp-l1_{l1:g}-l2_{l2:g}", "status": "held", "rule": "exact",
            "tier": "exact", "reason": "environment profile matches the baseline's: identical per seed",
            "differences": [], "flipped_rows": [], "detail": "",
        })  # fmt: skip
    return {
        "schema_version": 1, "kind": "regcheck.run", "synthetic": NOTE, "created": "2026-11-26T12:00:00Z",
        "records": records, "verdicts": verdicts, "profiles": {"mlp": PROFILE}, "published_decimals": {"mlp": 3},
        "published": {"mlp-l1_0.01-l2_0.001": 0.885, "mlp-l1_0.001-l2_0.1": 0.525, "mlp-l1_0.01-l2_0.1": 0.525,
                      "mlp-l1_0.1-l2_0.001": 0.525, "mlp-l1_0.1-l2_0.01": 0.525, "mlp-l1_0.1-l2_0.1": 0.525},
        "seconds": 95.0,
    }  # fmt: skip


# FACTS.md, seeds 0, 1, 42: TensorFlow 2.15 with tf.keras 2, against Keras 3 (the reference) above.
TF215_COUNTS = {
    (0.001, 0.001): (50, 52, 51), (0.001, 0.01): (51, 52, 50), (0.001, 0.1): (52, 52, 52),
    (0.01, 0.001): (51, 53, 51), (0.01, 0.01): (51, 53, 52), (0.01, 0.1): (32, 32, 32),
}  # fmt: skip
MATRIX_SEEDS = (0, 1, 42)
REFERENCE_PACKAGES = {"numpy": "2.4.6", "scipy": "1.17.1", "scikit-learn": "1.9.1", "tensorflow-cpu": "2.21.0",
                      "keras": "3.15.1"}  # fmt: skip
COLUMNS = {  # name -> (python, packages that differ from the reference)
    "baselines": ("3.11.7", {}),
    "sklearn13": ("3.10.13", {"scikit-learn": "1.3.2", "numpy": "1.26.4", "scipy": "1.11.4"}),
    "sklearn15": ("3.12.1", {"scikit-learn": "1.5.2", "numpy": "2.1.3"}),
    "sklearn19": ("3.11.7", {}),
    "tf215": ("3.11.7", {"tensorflow-cpu": "2.15.1", "keras": "2.15.0", "numpy": "1.26.4"}),
    "jax": ("3.11.7", {"keras": "3.15.1", "jax": "0.10.2", "jaxlib": "0.10.2"}),
}


def _matrix_cell(counts: tuple[int, ...], reference: tuple[int, ...] | None, rule: str, mark: str) -> dict[str, object]:
    status = None if mark == "reference" else "held"
    first = None
    if mark == "labels" and reference is not None:
        pairs = zip(MATRIX_SEEDS, reference, counts, strict=True)
        seed, old, new = next((seed, a, b) for seed, a, b in pairs if a != b)
        first = {"seed": seed, "field": "n_correct", "index": None, "reference": old, "value": new,
                 "abs_difference": float(abs(new - old)), "within_tolerance": False}  # fmt: skip
    elif mark in ("last-bits", "values"):
        size = 2.2e-16 if mark == "last-bits" else 3.1e-3
        first = {"seed": 42, "field": "probabilities", "index": 7, "reference": 0.8125, "value": 0.8125 + size,
                 "abs_difference": size, "within_tolerance": mark == "last-bits"}  # fmt: skip
    return {"seeds": list(MATRIX_SEEDS[: len(counts)]), "n_correct": list(counts), "n_test": N_TEST, "status": status,
            "rule": None if mark == "reference" else rule, "mark": mark, "first_difference": first}  # fmt: skip


def matrix() -> dict[str, object]:
    """The shape 'regcheck matrix --json' writes (see regcheck/matrix.py on the matrix branch)."""
    columns = []
    for name, (python, changed) in COLUMNS.items():
        packages = {**REFERENCE_PACKAGES, **changed}
        if name == "jax":
            packages.pop("tensorflow-cpu")
        environment = {"python": python, "packages": packages}
        columns.append({"name": name, "source": f".tox/regcheck-records/{name}.json",
                        "is_reference": name == "baselines", "environment": environment})  # fmt: skip
    rows = []
    logreg_counts = {"l1": (29, 29, 53), "l2": (53, 54, 53)}
    for penalty, counts in logreg_counts.items():
        for strength, count in zip(STRENGTHS, counts, strict=True):
            cells = {"baselines": _matrix_cell((count,), None, "exact", "reference")}
            for name in ("sklearn13", "sklearn15", "sklearn19", "tf215", "jax"):
                # Same accuracies on every version (FACTS); the oldest stack differs in the last bits only.
                mark = "last-bits" if name == "sklearn13" and penalty == "l1" and strength == 0.1 else "identical"
                cells[name] = _matrix_cell((count,), (count,), "exact", mark)
            first = next((name for name, cell in cells.items() if cell["mark"] not in ("reference", "identical")), None)
            rows.append({"config_id": f"logreg-{penalty}-C{strength:g}", "model": "logreg",
                         "first_differing_column": first, "cells": cells})  # fmt: skip
    for (l1, l2), counts in FACTS_COUNTS.items():
        reference = (counts[0], counts[1], counts[5])  # seeds 0, 1, 42
        tf215 = TF215_COUNTS.get((l1, l2), (32, 32, 32))
        jax = (reference[0], reference[1], 52) if (l1, l2) == (0.01, 0.001) else reference  # FACTS: JAX 0.852
        cells = {"baselines": _matrix_cell(reference, None, "band", "reference")}
        for name, obtained in (("tf215", tf215), ("jax", jax)):
            mark = "labels" if obtained != reference else ("identical" if l1 == 0.1 else "values")
            cells[name] = _matrix_cell(obtained, reference, "band", mark)
        first = next((name for name, cell in cells.items() if cell["mark"] not in ("reference", "identical")), None)
        rows.append({"config_id": f"mlp-l1_{l1:g}-l2_{l2:g}", "model": "mlp", "first_differing_column": first,
                     "cells": cells})  # fmt: skip
    return {"schema_version": 1, "kind": "regcheck.matrix.table", "synthetic": NOTE, "created": "2026-11-26T12:00:00Z",
            "reference": "baselines", "failed": False, "columns": columns, "rows": rows}  # fmt: skip


def bench(device: str, speedup: float) -> dict[str, object]:
    """A pytest-benchmark saved run with the machine_info / extra_info of the bench suite (regcheck/benchmarks.py
    on the bench branch): the JAX backend on a GPU or on its CPU, as the ready GPU script runs it."""
    benchmarks = []
    for (l1, l2), _ in FACTS_COUNTS.items():
        median = 10.4 / speedup + 0.1 * l1
        benchmarks.append(_bench_entry("mlp", f"mlp-l1_{l1:g}-l2_{l2:g}", median))
    for penalty in ("l1", "l2"):
        for strength in STRENGTHS:
            median = 0.0021 + 0.004 * strength + (0.0004 if device == "gpu" else 0.0)  # the CPU fit does not move
            benchmarks.append(_bench_entry("logreg", f"logreg-{penalty}-C{strength:g}", median))
    name = "NVIDIA H100 80GB HBM3" if device == "gpu" else "Intel(R) Xeon(R) Processor"
    ours = {
        "keras_backend": "jax", "device": {"backend": "jax", "kind": device, "name": name, "detail": ""},
        "nvidia_gpus": [name] if device == "gpu" else [], "threads": {"cpu_count": 16, "usable_cpus": 16},
        "packages": {"numpy": "2.4.6", "scikit-learn": "1.9.1", "keras": "3.15.1", "jax": "0.10.2"},
        "profile": {"logreg": {}, "mlp": {"backend": "jax", "device": device}},
        "environment": {"python": "3.11.7", "platform": "Linux-x86_64", "cpu": "Intel(R) Xeon(R) Processor"},
    }  # fmt: skip
    return {
        "synthetic": NOTE,
        "machine_info": {"node": f"{device}-box", "processor": "x86_64", "machine": "x86_64",
                         "python_implementation": "CPython", "python_version": "3.11.7",
                         "cpu": {"brand_raw": "Intel(R) Xeon(R) Processor", "count": 16}, "regcheck": ours},
        "commit_info": {"id": "0" * 40, "dirty": False},
        "benchmarks": benchmarks, "datetime": "2026-11-26T12:00:00", "version": "5.3.1",
    }  # fmt: skip


def _bench_entry(group: str, config_id: str, median: float) -> dict[str, object]:
    spread = median * 0.04
    rounds = 3 if group == "mlp" else 200
    stats = {"min": median - 2 * spread, "max": median + 3 * spread, "mean": median + 0.1 * spread,
             "stddev": spread, "rounds": rounds, "median": median, "iqr": spread,
             "q1": median - spread / 2, "q3": median + spread / 2, "iqr_outliers": 0, "stddev_outliers": 1,
             "outliers": "1;0", "ld15iqr": median - spread, "hd15iqr": median + spread, "ops": 1 / median,
             "total": median * 3, "iterations": 1}  # fmt: skip
    extra = {"case": f"{config_id} fit", "model": group, "phase": "fit", "config_id": config_id, "seed": 42,
             "rounds": "fixed" if group == "mlp" else "calibrated"}  # fmt: skip
    name = f"test_fit[{config_id}]"
    return {"group": group, "name": name, "fullname": f"bench/test_{group}.py::{name}",
            "params": {"config_id": config_id}, "param": config_id, "extra_info": extra, "options": {},
            "stats": stats}  # fmt: skip


# bench/test_mlp_scaling.py's family: batch sizes, widths and steps per timed round.
SCALING_BATCHES, SCALING_WIDTHS, SCALING_STEPS = (10, 256, 4096), (128, 1024, 4096), 5


def scaling_bench() -> dict[str, object]:
    """The scaling family on a GPU machine, both devices in one run. Invented from a cost model: a step
    costs a fixed launch overhead plus its arithmetic at a device's rate (CPU 1.5 ms + 100 GFLOP/s, GPU
    4 ms + 50 TFLOP/s), so the GPU loses at the study's size and wins from the middle sizes on."""
    document = bench("gpu", 2.6)
    benchmarks = []
    for batch in SCALING_BATCHES:
        for width in SCALING_WIDTHS:
            half = width // 2
            flop = 6 * batch * (13 * width + width + width * half + 2 * half + 1)
            for device, overhead, rate in (("cpu", 1.5e-3, 1e11), ("gpu", 4e-3, 5e13)):
                entry = _bench_entry("mlp scaling", f"b{batch}-w{width}-{device}", SCALING_STEPS * (overhead + flop / rate))
                entry["name"] = f"test_mlp_scaling[b{batch}-w{width}-{device}]"
                entry["stats"]["rounds"] = 3  # type: ignore[index]
                entry["extra_info"] = {
                    "case": f"scaling b{batch} w{width} {device}", "model": "mlp-scaling", "phase": "train",
                    "config_id": None, "seed": 42, "rounds": "pedantic 3", "family": "scaling", "batch": batch,
                    "width": width, "device": device, "steps": SCALING_STEPS, "backend": "jax",
                }  # fmt: skip
                benchmarks.append(entry)
    document["benchmarks"] = benchmarks
    return document


if __name__ == "__main__":
    outputs = {
        "synthetic_mlp_run.json": mlp_run(),
        "synthetic_matrix.json": matrix(),
        "synthetic_bench_cpu.json": bench("cpu", 1.0),
        "synthetic_bench_gpu.json": bench("gpu", 2.6),
        "synthetic_bench_scaling_gpu.json": scaling_bench(),
    }
    for name, document in outputs.items():
        # The MLP run holds 54 records of 61 predictions each: one line per record keeps it small and diffable.
        text = json.dumps(document, indent=None if name == "synthetic_mlp_run.json" else 1)
        (HERE / name).write_text(text + "\n", encoding="utf-8")
        print(f"wrote {HERE / name}")
