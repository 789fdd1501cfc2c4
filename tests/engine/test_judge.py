"""The engine's judgement of a band-rule model (the heart MLP), tier by tier, on records built by hand (no fit)."""

from __future__ import annotations

from pathlib import Path

import pytest

from regcheck.engine.grid import grid_for
from regcheck.engine.judge import Verdict, judge, profile_change
from regcheck.engine.run import RunOptions, StudyRun
from regcheck.files.baseline import Baseline, ProfileOutcomes
from regcheck.frameworks.environment import cpu_name
from regcheck.results.record import ResultRecord
from regcheck.studies.heart import study
from regcheck.studies.heart.configs import MlpConfig
from regcheck.studies.heart.mlp import MlpModel, published_notes
from regcheck.studies.heart.published import PublishedTable, load_published

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
        true_labels=TRUTH, fit_seconds=1.0,
        extra={"loss": 0.5, "backend": "tensorflow", "device": "cpu", "weights_sha256": "0" * 64},
    )  # fmt: skip


def baseline(config: MlpConfig, counts: dict[int, int], profile: dict[str, str]) -> Baseline:
    seeds = {seed: record(config, seed, n).outcome() for seed, n in counts.items()}
    return Baseline("heart", study.dataset_sha256 or "", "mlp", config.config_id, config.params(),
                    [ProfileOutcomes(profile, seeds, {"reason": "test"})])  # fmt: skip


class Judge:
    """The heart MLP judged by the engine, with the publication's facts, as a run judges it."""

    def __init__(self, published: PublishedTable) -> None:
        self.model = MlpModel()
        self.published = published

    def profile(self) -> dict[str, str]:
        return self.model.profile()

    def judge(self, config: MlpConfig, records: list[ResultRecord], baseline: Baseline | None, _: object) -> Verdict:
        return judge(self.model, config, records, baseline, self.published.differences(config, records))


@pytest.fixture
def published() -> PublishedTable:
    return load_published(ROOT / "baselines")


@pytest.fixture
def half(published: PublishedTable) -> Judge:
    return Judge(published)


def test_same_profile_and_same_outcome_holds_by_the_exact_rule(half: Judge, published: PublishedTable) -> None:
    verdict = half.judge(CONFIG, [record(CONFIG, 42, 51)], baseline(CONFIG, {42: 51}, half.profile()), published)
    assert (verdict.status, verdict.rule) == ("held", "exact")
    assert verdict.reason.startswith("profile matches baseline (keras ")


def test_one_flipped_row_for_one_seed_moves_and_names_the_seed(half: Judge, published: PublishedTable) -> None:
    runs = [record(CONFIG, 0, 51), record(CONFIG, 1, 50)]
    verdict = half.judge(CONFIG, runs, baseline(CONFIG, {0: 51, 1: 51}, half.profile()), published)
    assert (verdict.status, verdict.rule) == ("moved", "exact")
    assert [d.field for d in verdict.differences] == ["seed 1: n_correct", "seed 1: predictions", "seed 1: probabilities[50]"]
    assert [row.position for row in verdict.flipped_rows] == [50]


def test_seed_without_an_exact_baseline_is_missing_not_held(half: Judge, published: PublishedTable) -> None:
    verdict = half.judge(CONFIG, [record(CONFIG, 7, 51)], baseline(CONFIG, {42: 51}, half.profile()), published)
    assert verdict.status == "missing"
    assert "seed(s) 7" in verdict.detail


def test_other_profile_is_judged_by_the_band_and_says_what_changed(half: Judge, published: PublishedTable) -> None:
    old = {**half.profile(), "keras": "3.0.0"}
    runs = [record(CONFIG, seed, n) for seed, n in zip(range(5), [50, 51, 52, 51, 50], strict=True)]
    verdict = half.judge(CONFIG, runs, baseline(CONFIG, dict(enumerate([51, 51, 50, 50, 51, 51, 50, 53])), old), published)
    assert (verdict.status, verdict.rule) == ("held", "band")
    assert verdict.reason == f"profile differs: keras 3.0.0 -> {half.profile()['keras']}"


def test_band_fails_when_every_seed_drops_to_the_majority_class(half: Judge, published: PublishedTable) -> None:
    old = {**half.profile(), "backend": "jax 0.4.30"}
    runs = [record(CONFIG, seed, 32) for seed in range(5)]
    verdict = half.judge(CONFIG, runs, baseline(CONFIG, dict(enumerate([51, 51, 50, 50, 51, 51, 50, 53])), old), published)
    assert (verdict.status, verdict.rule) == ("moved", "band")
    assert verdict.differences[0].field == "n_correct over seeds"
    assert verdict.differences[0].obtained == "mean 32.00 over 5 seeds (32)"


def test_band_with_too_few_seeds_is_an_error_that_says_how_many(half: Judge, published: PublishedTable) -> None:
    old = {**half.profile(), "device": "gpu"}
    verdict = half.judge(CONFIG, [record(CONFIG, 42, 51)], baseline(CONFIG, dict(enumerate([51] * 11)), old), published)
    assert (verdict.status, verdict.rule) == ("error", "band")
    assert "needs at least 4 seeds against the baseline's 11" in verdict.detail


def test_heavy_l1_that_stops_predicting_the_majority_class_breaks_the_published_fact(
    half: Judge, published: PublishedTable
) -> None:
    runs = [record(HEAVY, 42, 40)]
    verdict = half.judge(HEAVY, runs, None, published)
    assert verdict.status == "moved"
    assert verdict.differences[0].rule == "published: majority class for every seed"


def test_heavy_l1_predicting_the_majority_class_satisfies_the_published_fact(half: Judge, published: PublishedTable) -> None:
    runs = [record(HEAVY, 42, 32)]  # rows 0-31 are the 1s: all-ones predictions
    verdict = half.judge(HEAVY, runs, baseline(HEAVY, {42: 32}, half.profile()), published)
    assert verdict.status == "held"


def test_default_seeds_are_42_for_the_exact_tier_and_0_to_4_for_the_band(tmp_path: Path) -> None:
    run = StudyRun(study, RunOptions("heart", tmp_path))
    assert run.seeds_for("mlp") == (0, 1, 2, 3, 4)  # no baseline yet
    grid_for(study).store(tmp_path).write_all([baseline(CONFIG, {42: 51}, MlpModel().profile())])
    assert StudyRun(study, RunOptions("heart", tmp_path)).seeds_for("mlp") == (42,)
    assert StudyRun(study, RunOptions("heart", tmp_path, seeds=(3, 4))).seeds_for("mlp") == (3, 4)


def test_profile_change_lists_each_changed_key() -> None:
    before = {"keras": "3.15.1", "backend": "tensorflow 2.21.0", "device": "cpu"}
    after = {"keras": "3.16.0", "backend": "tensorflow 2.21.0", "device": "gpu"}
    assert profile_change(before, after) == "keras 3.15.1 -> 3.16.0; device cpu -> gpu"


def test_published_notes_mark_heavy_l1_asserted_and_0_885_reported(half: Judge, published: PublishedTable) -> None:
    notes = {note.config_id: note for note in published_notes(published.accuracy, {CONFIG.config_id: [record(CONFIG, 42, 51)]})}
    assert notes["mlp-l1_0.1-l2_0.1"].asserted
    assert not notes[CONFIG.config_id].asserted
    assert notes[CONFIG.config_id].line().startswith("published 0.885 vs obtained 0.836: mlp-l1_0.01-l2_0.001 (reported only")


def test_update_under_the_band_rebaselines_in_this_profile(tmp_path: Path) -> None:
    import shutil

    from regcheck.engine.run import decide_update

    shutil.copy(ROOT / "baselines" / "published.json", tmp_path / "published.json")
    store = grid_for(study).store(tmp_path)
    old_profile = {**MlpModel().profile(), "keras": "3.0.0"}
    store.write_all([baseline(CONFIG, dict(enumerate([51, 51, 50, 50, 51, 51, 50, 53])), old_profile)])
    run = StudyRun(study, RunOptions("heart", tmp_path, update=True, reason="Keras upgrade"))
    run.adopt(CONFIG, [record(CONFIG, seed, n) for seed, n in zip(range(5), [50, 51, 52, 51, 50], strict=True)])

    verdict = run.judge(CONFIG)

    assert (verdict.status, verdict.rule) == ("updated", "band")
    assert run.plan.changes[0].startswith(f"{CONFIG.config_id}: profile added (seeds 0, 1, 2, 3, 4): keras ")
    decide_update(run.store, run.plan, failed=False)
    rewritten = store.load("mlp", CONFIG.config_id)
    assert rewritten is not None
    assert [entry.profile for entry in rewritten.profiles] == [old_profile, MlpModel().profile()]
    assert sorted(rewritten.profiles[1].seeds) == [0, 1, 2, 3, 4]
    assert sorted(rewritten.reference.seeds) == list(range(8))  # the other profile is unchanged


def with_values(item: ResultRecord, shift: float = 0.0, weights: str | None = None) -> ResultRecord:
    """``item`` with its probabilities and loss moved by ``shift`` (labels kept) and, optionally, other weights."""
    item.probabilities = [min(0.99, p + shift) if p > 0.5 else max(0.01, p + shift) for p in item.probabilities or []]
    item.extra["loss"] += shift
    if weights is not None:
        item.extra["weights_sha256"] = weights
    return item


def test_exact_tier_fails_on_probabilities_that_moved_while_every_label_held(half: Judge, published: PublishedTable) -> None:
    verdict = half.judge(CONFIG, [with_values(record(CONFIG, 42, 51), 1e-4)], baseline(CONFIG, {42: 51}, half.profile()),
                         published)  # fmt: skip
    assert (verdict.status, verdict.rule) == ("moved", "exact")
    assert [d.field.split("[")[0] for d in verdict.differences] == ["seed 42: loss", "seed 42: probabilities"]
    assert verdict.differences[0].rule == "rtol 1e-07, atol 1e-09"
    assert not verdict.flipped_rows


def test_exact_tier_fails_on_weights_that_differ_and_names_the_digest(half: Judge, published: PublishedTable) -> None:
    verdict = half.judge(CONFIG, [with_values(record(CONFIG, 42, 51), weights="1" * 64)],
                         baseline(CONFIG, {42: 51}, half.profile()), published)  # fmt: skip
    assert verdict.status == "moved"
    assert [(d.field, d.rule) for d in verdict.differences] == [("seed 42: weights_sha256", "identical")]


def test_exact_tier_holds_on_values_that_repeat_bit_for_bit(half: Judge, published: PublishedTable) -> None:
    verdict = half.judge(CONFIG, [record(CONFIG, 42, 51)], baseline(CONFIG, {42: 51}, half.profile()), published)
    assert (verdict.status, verdict.rule) == ("held", "exact")


def test_tier_band_judges_a_matching_profile_by_the_band_against_its_own_outcomes() -> None:
    model = MlpModel()
    runs = [record(CONFIG, seed, 51) for seed in range(20, 25)]
    verdict = judge(model, CONFIG, runs, baseline(CONFIG, dict(enumerate([51] * 11)), model.profile()), tier="band")
    assert (verdict.status, verdict.rule) == ("held", "band")
    assert verdict.reason.startswith("--tier band: the band against this profile's outcomes (keras ")


def test_band_failure_names_each_statistic_that_moved_with_its_adjusted_p_value() -> None:
    model = MlpModel()
    old = {**model.profile(), "keras": "3.0.0"}
    runs = [with_values(record(CONFIG, seed, 51), 0.05) for seed in range(5)]  # labels and counts unchanged
    verdict = judge(model, CONFIG, runs, baseline(CONFIG, dict(enumerate([51] * 11)), old))
    assert (verdict.status, verdict.rule) == ("moved", "band")
    assert [d.field for d in verdict.differences] == [
        "loss over seeds", "brier over seeds", "mean_probability over seeds", "probabilities over seeds"
    ]  # fmt: skip
    assert verdict.differences[0].rule.startswith("band: exact permutation test, minP over loss, ")
    assert verdict.differences[0].rule.endswith("p >= 0.0011")
    assert verdict.differences[0].difference == "p = 0.00023"  # 1 / C(16, 5): the run is the most extreme subset


def test_band_against_a_baseline_without_probabilities_compares_what_both_sides_have() -> None:
    model = MlpModel()
    old = baseline(CONFIG, dict(enumerate([51, 51, 50, 50, 51, 51, 50, 53, 51, 52, 51])), {**model.profile(), "keras": "3.0.0"})
    for outcome in old.reference.seeds.values():
        del outcome["probabilities"], outcome["loss"]  # as a baseline blessed before they were recorded
    verdict = judge(model, CONFIG, [record(CONFIG, seed, 51) for seed in range(5)], old)
    assert (verdict.status, verdict.rule) == ("held", "band")
    assert verdict.detail.endswith(
        "not compared (absent from the baseline or the records): loss, brier, mean_probability, probabilities"
    )


def test_the_profile_names_the_processor_model() -> None:
    assert MlpModel().profile()["cpu"] == cpu_name()  # "AMD EPYC" here; the baselines were blessed on an Intel Xeon


def test_default_seeds_under_tier_band_are_the_band_seeds_even_where_the_profile_matches(tmp_path: Path) -> None:
    grid_for(study).store(tmp_path).write_all([baseline(CONFIG, {42: 51}, MlpModel().profile())])
    assert StudyRun(study, RunOptions("heart", tmp_path, tier="band")).seeds_for("mlp") == (0, 1, 2, 3, 4)
