"""The proof behind every speed lever: the suite's fit gives the published call's results, bit for bit.

    REGCHECK_DATA_DIR=$PWD/../shared/data .venv/bin/python bench/verify_published_identity.py --seeds 0-4,42

For each seed, in two fresh processes on this machine, side by side:

* the publication's loop (``regcheck.studies.heart.published_loop``): nine ``fit(...,
  validation_split=0.2)`` calls with TensorFlow's default threads, no op-determinism switch,
  the published ``compile``;
* the suite's fit (``regcheck.studies.heart.mlp_training.fit_mlp``) as a worker runs it: one
  thread, op determinism, no validation pass, and every lever of ``compile_levers()``
  (``steps_per_execution``) for training, the test part evaluated by the published compile.

Compared per configuration: the weights' sha256, the 61 predicted labels, the 61 probabilities
and the test loss, each bit for bit. One line per (configuration, seed); exit 1 on any difference.
Both sides run on the same machine because the bits depend on the CPU (docs/tiers.md).
``--configs`` takes config ids (default: the whole grid); CI runs a subset
(tests/study/test_mlp_levers.py).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from regcheck.frontends.options import parse_seeds  # noqa: E402

Outcome = tuple[str, tuple[int, ...], tuple[float, ...], float]


def published(seed: int, config_ids: tuple[str, ...]) -> dict[str, Outcome]:
    from regcheck.studies.heart.configs import MLP_GRID
    from regcheck.studies.heart.data import load_heart
    from regcheck.studies.heart.published_loop import published_loop
    from regcheck.studies.heart.split import prepare_split

    grid = tuple(config for config in MLP_GRID if config.config_id in config_ids)
    outcomes = published_loop(prepare_split(load_heart(None).frame), seed, grid)
    return {o.config_id: (o.weights_sha256, o.predictions, o.probabilities, o.loss) for o in outcomes}


def suite(seed: int, config_ids: tuple[str, ...]) -> dict[str, Outcome]:
    os.environ["REGCHECK_MLP_THREADS"] = "1"  # as in a worker of the pool
    from regcheck.studies.heart.configs import MLP_GRID
    from regcheck.studies.heart.data import load_heart
    from regcheck.studies.heart.mlp_training import compile_levers, fit_mlp
    from regcheck.studies.heart.split import prepare_split

    split = prepare_split(load_heart(None).frame)
    found: dict[str, Outcome] = {}
    for config in MLP_GRID:
        if config.config_id in config_ids:
            record = fit_mlp(config, split, seed)
            found[config.config_id] = (str(record.extra["weights_sha256"]), tuple(record.predictions),
                                       tuple(record.probabilities or ()), float(record.extra["loss"]))  # fmt: skip
    found["levers"] = (str(sorted(compile_levers())), (), (), 0.0)
    return found


def differences(expected: Outcome, obtained: Outcome) -> list[str]:
    names = ("weights", "predictions", "probabilities", "loss")
    return [name for name, a, b in zip(names, expected, obtained, strict=True) if a != b]


def main() -> int:
    from regcheck.studies.heart.configs import MLP_GRID

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=parse_seeds, default=(0, 1, 2, 3, 4, 42))
    parser.add_argument("--configs", nargs="*", default=[config.config_id for config in MLP_GRID])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    config_ids = tuple(args.configs)
    failures = 0
    # A fresh process per side and seed: each must start its framework with its own thread settings.
    with ProcessPoolExecutor(args.jobs, mp_context=multiprocessing.get_context("spawn"), max_tasks_per_child=1) as pool:
        jobs: list[tuple[int, Any, Any]] = [
            (seed, pool.submit(published, seed, config_ids), pool.submit(suite, seed, config_ids)) for seed in args.seeds
        ]
        for seed, reference, candidate in jobs:
            expected, obtained = reference.result(), candidate.result()
            levers = obtained.pop("levers")[0]
            for config_id in sorted(expected):
                moved = differences(expected[config_id], obtained[config_id])
                failures += bool(moved)
                verdict = "identical" if not moved else "DIFFERENT: " + ", ".join(moved)
                print(f"{config_id:<22} seed {seed:>2}: {verdict} (levers {levers})", flush=True)
    print(f"{failures} difference(s) in {len(args.seeds) * len(config_ids)} fits")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
