"""The MLP half's judgement, tier by tier, on records built by hand (no fit needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from regcheck.engine.baselines import Baseline
from regcheck.engine.records import ResultRecord
from regcheck.studies.heart.configs import MlpConfig
from regcheck.studies.heart.mlp import BAND_DEFAULT_SEEDS, EXACT_DEFAULT_SEEDS, MlpHalf, profile_change
from regcheck.studies.heart.published import load_published

ROOT = Path(__file__).resolve().parents[2]
CONFIG = MlpConfig(0.01, 0.001)
HEAVY = MlpConfig(0.1, 0.01)
TRUTH = [1] * 32 + [0] * 29


def record(config: MlpConfig, seed: int, n_correct: int) -> ResultRecord:
    """A record whose first ``n_correct`` rows are right."""
    predictions = [t if i < n_correct else 1 - t for i, t in enumerate(TRUTH)]
    return ResultRecord(
        model="mlp", config_id=config.config_id, params=config.params(), seed=seed, n_test=61,
        n_correct=n_correct, accuracy=n_correct / 61, predictions=predictions,
        probabilities=[0.9 if p else 0.1 for p in predictions], test_rows=list(range(61)),
        true_labels=TRUTH, fit_seconds=1.0, loss=0.5, backend="tensorflow", device="cpu", weights_sha256="0" * 64,
    )  # fmt: skip


def baseline(config: MlpConfig, counts: dict[int, int], profile: dict[str, str]) -> Baseline:
    seeds = {seed: record(config, seed, n).outcome() for seed, n in counts.items()}
    return Baseline("mlp", config.config_id, config.params(), seeds, {"reason": "test"}, profile)


@pytest.fixture
def half() -> MlpHalf:
    return MlpHalf()


@pytest.fixture
def published():  # type: ignore[no-untyped-def]
    return load_published(ROOT / "baselines")


def test_same_profile_and_same_outcome_holds_by_the_exact_rule(half: MlpHalf, published) -> None:  # type: ignore[no-untyped-def]
    verdict = half.judge(CONFIG, [record(CONFIG, 42, 51)], baseline(CONFIG, {42: 51}, half.profile()), published)
    assert (verdict.status, verdict.rule) == ("held", "exact")
    assert verdict.reason.startswith("profile matches baseline (keras ")


def test_one_flipped_row_for_one_seed_moves_and_names_the_seed(half: MlpHalf, published) -> None:  # type: ignore[no-untyped-def]
    runs = [record(CONFIG, 0, 51), record(CONFIG, 1, 50)]
    verdict = half.judge(CONFIG, runs, baseline(CONFIG, {0: 51, 1: 51}, half.profile()), published)
    assert (verdict.status, verdict.rule) == ("moved", "exact")
    assert [d.field for d in verdict.differences] == ["seed 1: n_correct", "seed 1: predictions"]
    assert [row.position for row in verdict.flipped_rows] == [50]


def test_seed_without_an_exact_baseline_is_missing_not_held(half: MlpHalf, published) -> None:  # type: ignore[no-untyped-def]
    verdict = half.judge(CONFIG, [record(CONFIG, 7, 51)], baseline(CONFIG, {42: 51}, half.profile()), published)
    assert verdict.status == "missing"
    assert "seed(s) 7" in verdict.detail


def test_other_profile_is_judged_by_the_band_and_says_what_changed(half: MlpHalf, published) -> None:  # type: ignore[no-untyped-def]
    old = {**half.profile(), "keras": "3.0.0"}
    runs = [record(CONFIG, seed, n) for seed, n in zip(range(5), [50, 51, 52, 51, 50], strict=True)]
    verdict = half.judge(CONFIG, runs, baseline(CONFIG, dict(enumerate([51, 51, 50, 50, 51, 51, 50, 53])), old), published)
    assert (verdict.status, verdict.rule) == ("held", "band")
    assert verdict.reason == f"profile differs: keras 3.0.0 -> {half.profile()['keras']}"


def test_band_fails_when_every_seed_drops_to_the_majority_class(half: MlpHalf, published) -> None:  # type: ignore[no-untyped-def]
    old = {**half.profile(), "backend": "jax 0.4.30"}
    runs = [record(CONFIG, seed, 32) for seed in range(5)]
    verdict = half.judge(CONFIG, runs, baseline(CONFIG, dict(enumerate([51, 51, 50, 50, 51, 51, 50, 53])), old), published)
    assert (verdict.status, verdict.rule) == ("moved", "band")
    assert verdict.differences[0].field == "n_correct over seeds"
    assert verdict.differences[0].obtained == "mean 32.00 over 5 seeds (32)"


def test_band_with_too_few_seeds_is_an_error_that_says_how_many(half: MlpHalf, published) -> None:  # type: ignore[no-untyped-def]
    old = {**half.profile(), "device": "gpu"}
    verdict = half.judge(CONFIG, [record(CONFIG, 42, 51)], baseline(CONFIG, dict(enumerate([51] * 11)), old), published)
    assert (verdict.status, verdict.rule) == ("error", "band")
    assert "needs at least 3 seeds" in verdict.detail


def test_heavy_l1_that_stops_predicting_the_majority_class_breaks_the_published_fact(half: MlpHalf, published) -> None:  # type: ignore[no-untyped-def]
    runs = [record(HEAVY, 42, 40)]
    verdict = half.judge(HEAVY, runs, None, published)
    assert verdict.status == "moved"
    assert verdict.differences[0].rule == "published: majority class for every seed"


def test_heavy_l1_predicting_the_majority_class_satisfies_the_published_fact(half: MlpHalf, published) -> None:  # type: ignore[no-untyped-def]
    runs = [record(HEAVY, 42, 32)]  # rows 0-31 are the 1s: all-ones predictions
    verdict = half.judge(HEAVY, runs, baseline(HEAVY, {42: 32}, half.profile()), published)
    assert verdict.status == "held"


def test_default_seeds_are_42_for_the_exact_tier_and_0_to_4_for_the_band(tmp_path: Path) -> None:
    from regcheck.engine.baselines import BaselineStore

    store = BaselineStore(tmp_path)
    half = MlpHalf(store)
    assert half.seeds(None) == BAND_DEFAULT_SEEDS  # no baseline yet
    store.write_all([baseline(CONFIG, {42: 51}, half.profile())])
    assert half.seeds(None) == EXACT_DEFAULT_SEEDS
    assert half.seeds((3, 4)) == (3, 4)


def test_profile_change_lists_each_changed_key() -> None:
    before = {"keras": "3.15.1", "backend": "tensorflow 2.21.0", "device": "cpu"}
    after = {"keras": "3.16.0", "backend": "tensorflow 2.21.0", "device": "gpu"}
    assert profile_change(before, after) == "keras 3.15.1 -> 3.16.0; device cpu -> gpu"


def test_published_notes_mark_heavy_l1_asserted_and_0_885_reported(half: MlpHalf, published) -> None:  # type: ignore[no-untyped-def]
    notes = {note.config_id: note for note in half.notes({CONFIG.config_id: [record(CONFIG, 42, 51)]}, published)}
    assert notes["mlp-l1_0.1-l2_0.1"].asserted
    assert not notes[CONFIG.config_id].asserted
    assert notes[CONFIG.config_id].line().startswith("published 0.885 vs obtained 0.836: mlp-l1_0.01-l2_0.001 (reported only")


def test_update_under_the_band_rebaselines_in_this_profile(tmp_path: Path) -> None:
    import shutil

    from regcheck.engine.baselines import BaselineStore
    from regcheck.engine.run import Study

    shutil.copy(ROOT / "baselines" / "published.json", tmp_path / "published.json")
    store = BaselineStore(tmp_path)
    old_profile = {**MlpHalf().profile(), "keras": "3.0.0"}
    store.write_all([baseline(CONFIG, dict(enumerate([51, 51, 50, 50, 51, 51, 50, 53])), old_profile)])
    study = Study(tmp_path, update=True, reason="Keras upgrade")
    study.adopt(CONFIG, [record(CONFIG, seed, n) for seed, n in zip(range(5), [50, 51, 52, 51, 50], strict=True)])

    verdict = study.judge(CONFIG)

    assert (verdict.status, verdict.rule) == ("updated", "band")
    assert study.plan.changes[0].startswith(f"{CONFIG.config_id}: re-baselined in this profile (seeds 0, 1, 2, 3, 4)")
    study.commit_updates()
    rewritten = store.load("mlp", CONFIG.config_id)
    assert rewritten is not None
    assert rewritten.profile == MlpHalf().profile()
    assert sorted(rewritten.seeds) == [0, 1, 2, 3, 4]
