"""The MLP runner: seeded, deterministic, and identical to the publication's own call.

Each fit takes seconds, so fits are shared through module-scoped fixtures.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from regcheck.results.record import ResultRecord
from regcheck.studies.heart.configs import MlpConfig
from regcheck.studies.heart.data import load_heart
from regcheck.studies.heart.mlp_training import THREADS_VARIABLE, fit_mlp, training_rows
from regcheck.studies.heart.split import StudySplit, prepare_split

pytestmark = pytest.mark.slow
# The configuration whose seed-42 result the publication reports (0.885; here 51/61).
CONFIG = MlpConfig(0.01, 0.001)
SEED = 42


@pytest.fixture(scope="module")
def split() -> StudySplit:
    return prepare_split(load_heart(None).frame)


@pytest.fixture(scope="module")
def fast(split: StudySplit) -> ResultRecord:
    return fit_mlp(CONFIG, split, SEED)


def test_keras_trains_on_the_first_193_of_242_training_rows() -> None:
    assert training_rows(242) == 193


def test_fast_path_gives_the_published_calls_weights_and_predictions(split: StudySplit, fast: ResultRecord) -> None:
    from regcheck.studies.heart.published_loop import published_fit

    published = published_fit(CONFIG, split, SEED)
    assert fast.extra["weights_sha256"] == published.weights_sha256
    assert tuple(fast.predictions) == published.predictions
    assert fast.n_correct == published.n_correct


def test_same_seed_twice_gives_identical_predictions_and_weights(split: StudySplit, fast: ResultRecord) -> None:
    again = fit_mlp(CONFIG, split, SEED)
    assert again.extra["weights_sha256"] == fast.extra["weights_sha256"]
    assert again.predictions == fast.predictions
    assert again.probabilities == fast.probabilities


def test_another_seed_gives_other_weights(split: StudySplit, fast: ResultRecord) -> None:
    other = fit_mlp(CONFIG, split, SEED + 1)
    assert other.extra["weights_sha256"] != fast.extra["weights_sha256"]


def test_thread_count_of_the_process_changes_no_weight(fast: ResultRecord) -> None:
    # Thread settings only take effect before the framework starts, hence a fresh process.
    threads = "2" if os.environ.get(THREADS_VARIABLE) == "1" else "1"
    script = (
        "import json; from regcheck.studies.heart.data import load_heart; from regcheck.studies.heart.split import prepare_split;"
        "from regcheck.studies.heart.configs import MlpConfig; from regcheck.studies.heart.mlp_training import fit_mlp;"
        f"r = fit_mlp(MlpConfig({CONFIG.l1}, {CONFIG.l2}), prepare_split(load_heart(None).frame), {SEED});"
        "print(json.dumps([r.extra['weights_sha256'], r.predictions]))"
    )
    env = {**os.environ, THREADS_VARIABLE: threads}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    weights, predictions = json.loads(done.stdout.strip().splitlines()[-1])
    assert weights == fast.extra["weights_sha256"]
    assert predictions == fast.predictions


def test_record_carries_loss_backend_device_and_weights_digest(fast: ResultRecord) -> None:
    assert fast.extra["backend"] == os.environ.get("KERAS_BACKEND", "tensorflow")
    assert fast.extra["device"] in ("cpu", "gpu")
    assert fast.extra["loss"] > 0
    assert len(fast.extra["weights_sha256"]) == 64
    assert fast.n_correct == sum(p == t for p, t in zip(fast.predictions, fast.true_labels, strict=True))
