"""One-off proof: the published loop gives the committed baselines' weights and predictions.

    REGCHECK_DATA_DIR=$PWD/../shared/data .venv/bin/python bench/verify_published_identity.py --seeds 0-4,42

For each seed, runs the publication's loop (``regcheck.studies.heart.published_loop``: nine fits with
``validation_split=0.2``, default threads, no op-determinism switch) in its own process, two
seeds at a time, and compares every configuration's weights sha256 and predictions with the
baseline, which the suite made on its fast path (no validation pass, one thread per worker,
op determinism on). Prints one line per (configuration, seed) and exits 1 on any difference.
"""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from regcheck.frontends.options import parse_seeds  # noqa: E402


def published(seed: int) -> dict[str, tuple[str, list[int]]]:
    from regcheck.studies.heart.data import load_heart
    from regcheck.studies.heart.published_loop import published_loop
    from regcheck.studies.heart.split import prepare_split

    outcomes = published_loop(prepare_split(load_heart(None).frame), seed)
    return {o.config_id: (o.weights_sha256, list(o.predictions)) for o in outcomes}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=parse_seeds, default=(42,))
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    folder = ROOT / "baselines" / "heart" / "mlp"
    baselines = {p.stem: json.loads(p.read_text()) for p in folder.glob("mlp-*.json") if ".obtained" not in p.name}
    differences = 0
    with ProcessPoolExecutor(args.jobs) as pool:
        for seed, outcomes in zip(args.seeds, pool.map(published, args.seeds), strict=True):
            for config_id, (weights, predictions) in sorted(outcomes.items()):
                expected = baselines[config_id]["profiles"][0]["seeds"][str(seed)]  # the reference profile: this one
                same = expected["weights_sha256"] == weights and expected["predictions"] == predictions
                differences += not same
                print(f"{config_id:<22} seed {seed:>2}: {'identical' if same else 'DIFFERENT'}", flush=True)
    print(f"{differences} difference(s)")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
