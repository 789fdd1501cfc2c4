"""The proof behind every speed lever: the suite's fit gives the published call's results, bit for bit.

    REGCHECK_DATA_DIR=$PWD/../shared/data .venv/bin/python bench/verify_published_identity.py --seeds 0-4,42

On this machine, in fresh processes, side by side:

* the publication's loop (``regcheck.studies.heart.published_loop``), one process per seed: nine
  ``fit(..., validation_split=0.2)`` calls with TensorFlow's default threads, no op-determinism
  switch, the published ``compile``;
* the suite's fit (``regcheck.studies.heart.mlp_training.fit_mlp``) as a worker runs it, in one
  process: one thread, op determinism, no validation pass, and every lever of
  ``levers_in_use()`` (``regcheck.studies.heart.mlp_levers``). Each (configuration, seed) is fitted
  twice: with a **fresh** model (the process's compiled models forgotten first) and with a
  **reused** one (the configuration's model, last trained with another seed or, given one seed,
  with the same seed, restored and trained again).

Compared per configuration and seed, for both suite fits: the weights' sha256, the 61 predicted
labels, the 61 probabilities and the test loss, each bit for bit. One line per (configuration,
seed); exit 1 on any difference, or if the suite's process trained with no lever at all
(``--allow-no-levers`` accepts that, for a backend without levers). Both sides run on the same
machine because the bits depend on the CPU (docs/tiers.md). ``--configs`` takes config ids
(default: the whole grid); CI runs a subset (tests/studies/heart/test_mlp_levers.py).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from regcheck.frontends.options import parse_seeds  # noqa: E402

# weights sha256, labels, probabilities, test loss
Outcome = tuple[str, tuple[int, ...], tuple[float, ...], float]
PATHS = ("fresh", "reused")


def published(seed: int, config_ids: tuple[str, ...]) -> dict[str, Outcome]:
    from regcheck.studies.heart.configs import MLP_GRID
    from regcheck.studies.heart.data import load_heart
    from regcheck.studies.heart.published_loop import published_loop
    from regcheck.studies.heart.split import prepare_split

    grid = tuple(config for config in MLP_GRID if config.config_id in config_ids)
    outcomes = published_loop(prepare_split(load_heart(None).frame), seed, grid)
    return {o.config_id: (o.weights_sha256, o.predictions, o.probabilities, o.loss) for o in outcomes}


def suite(seeds: tuple[int, ...], config_ids: tuple[str, ...]) -> tuple[tuple[str, ...], dict[tuple[str, str, int], Outcome]]:
    """The levers in use, and each (path, configuration, seed)'s outcome; ``fresh`` first, then ``reused``."""
    os.environ["REGCHECK_MLP_THREADS"] = "1"  # as in a worker of the pool
    from regcheck.studies.heart.configs import MLP_GRID
    from regcheck.studies.heart.data import load_heart
    from regcheck.studies.heart.mlp_levers import forget_trainers
    from regcheck.studies.heart.mlp_training import fit_mlp, levers_in_use
    from regcheck.studies.heart.split import prepare_split

    split = prepare_split(load_heart(None).frame)
    grid = [config for config in MLP_GRID if config.config_id in config_ids]
    found: dict[tuple[str, str, int], Outcome] = {}
    for path in PATHS:
        for config in grid:
            for seed in seeds:
                if path == "fresh":
                    forget_trainers()
                record = fit_mlp(config, split, seed)
                found[path, config.config_id, seed] = (
                    str(record.extra["weights_sha256"]), tuple(record.predictions),
                    tuple(record.probabilities or ()), float(record.extra["loss"]),
                )  # fmt: skip
    return levers_in_use(), found


def differences(expected: Outcome, obtained: Outcome) -> list[str]:
    names = ("weights", "predictions", "probabilities", "loss")
    return [name for name, a, b in zip(names, expected, obtained, strict=True) if a != b]


def verdict(expected: Outcome, obtained: dict[str, Outcome]) -> tuple[bool, str]:
    moved = {path: differences(expected, obtained[path]) for path in PATHS}
    if not any(moved.values()):
        return True, "identical (fresh and reused model)"
    return False, "DIFFERENT: " + "; ".join(f"{path} model: {', '.join(names)}" for path, names in moved.items() if names)


def main() -> int:
    from regcheck.studies.heart.configs import MLP_GRID

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=parse_seeds, default=(0, 1, 2, 3, 4, 42), metavar="SEEDS",
                        help="seeds to prove, e.g. 0-4,42 (default: 0-4,42)")  # fmt: skip
    parser.add_argument("--configs", nargs="*", default=[config.config_id for config in MLP_GRID], metavar="ID",
                        help="configuration ids (default: the whole grid)")  # fmt: skip
    parser.add_argument("--jobs", type=int, default=2, metavar="N", help="processes at once (default: 2)")
    parser.add_argument("--allow-no-levers", action="store_true", help="pass although the suite used no lever")
    args = parser.parse_args()
    config_ids = tuple(args.configs)
    unknown = sorted(set(config_ids) - {config.config_id for config in MLP_GRID})
    if unknown:
        parser.error(f"unknown configuration id(s): {', '.join(unknown)}")
    # A fresh process per task: each side starts its framework with its own thread settings.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(args.jobs, mp_context=context, max_tasks_per_child=1) as pool:
        candidate = pool.submit(suite, args.seeds, config_ids)
        references: dict[int, Future[dict[str, Outcome]]] = {
            seed: pool.submit(published, seed, config_ids) for seed in args.seeds
        }
        levers, obtained = candidate.result()
        print(f"levers in use: {', '.join(levers) or 'none'}", flush=True)
        failures = 0
        for seed, reference in references.items():
            expected = reference.result()
            for config_id in sorted(expected):
                same, text = verdict(expected[config_id], {path: obtained[path, config_id, seed] for path in PATHS})
                failures += not same
                print(f"{config_id:<22} seed {seed:>2}: {text}", flush=True)
    print(f"{failures} difference(s) in {len(args.seeds) * len(config_ids)} (configuration, seed) pairs")
    if not levers and not args.allow_no_levers:
        print("no lever was in use: nothing was proven (REGCHECK_MLP_LEVERS=off, or not Keras 3 on TensorFlow)")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
