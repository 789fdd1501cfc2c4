"""The sequential band through the CLI: bless, then run in the band tier, on a study of six band configurations.

The study draws each seed's outcome from a seeded generator (no fit), so hundreds of seeds cost
nothing; ``DRAW_SHIFT`` in the environment moves every outcome of the run, as a change to training would.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from regcheck.engine import sequential
from regcheck.frontends.cli import main

STUDY = """
from __future__ import annotations

import os
import random
from regcheck.engine.study import Dataset, Model, Setting, Study
from regcheck.results.record import ResultRecord


class Draws(Model):
    name = "draws"
    rule = "band"
    band_statistics = ("score",)

    def configurations(self):
        return [Setting(self.name, {"level": level}) for level in range(6)]

    def fit(self, config, data, seed):
        shift = float(os.environ.get("DRAW_SHIFT", "0"))
        draw = random.Random(seed * 100 + config.values["level"]).gauss(config.values["level"] + shift, 1.0)
        return ResultRecord.on_test_part(config, [1, 0], [0, 1], seed, [1, 0], [0.9, 0.2], 0.0, score=draw)

    def profile(self):
        return {"draws": "1"}


class DrawStudy(Study):
    name = "draws"
    pooled_models = ("draws",)

    def models(self):
        return (Draws(),)

    def load(self, data_path):
        return Dataset("0" * 64, "generated", None)


study = DrawStudy()
"""


@pytest.fixture
def study(tmp_path: Path) -> str:
    path = tmp_path / "draws_study.py"
    path.write_text(STUDY, encoding="utf-8")
    return f"{path}:study"


def run(study: str, baselines: Path, *options: str, shift: float = 0.0) -> tuple[int, dict]:
    out = baselines.parent / "run.json"
    os.environ["DRAW_SHIFT"] = str(shift)
    try:
        code = main(["run", "--study", study, "--baselines", str(baselines), "--json", str(out), *options])
    finally:
        del os.environ["DRAW_SHIFT"]
    return code, json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}


def seeds_per_configuration(document: dict) -> dict[str, int]:
    counts: dict[str, int] = {}
    for record in document["records"]:
        counts[record["config_id"]] = counts.get(record["config_id"], 0) + 1
    return counts


def test_bless_blesses_enough_seeds_for_every_look_of_six_configurations(study: str, tmp_path: Path) -> None:
    baselines = tmp_path / "baselines"
    assert main(["bless", "--study", study, "--baselines", str(baselines), "--reason", "first"]) == 0
    document = json.loads(next((baselines / "draws" / "draws").glob("*.json")).read_text(encoding="utf-8"))
    seeds = document["profiles"][0]["seeds"]
    assert len(seeds) == 12  # the default 0-4 and 42, and 5-10: C(17, 5) = 6188 > 1 / (0.1 x 0.01 / 6)
    assert {"0", "42", "10"} <= set(seeds)


def test_the_default_workflow_gets_band_verdicts_for_six_configurations(study: str, tmp_path: Path) -> None:
    baselines = tmp_path / "baselines"
    assert main(["bless", "--study", study, "--baselines", str(baselines), "--reason", "first"]) == 0
    code, document = run(study, baselines, "--tier", "band", "--jobs", "1")
    assert code == 0
    assert [verdict["status"] for verdict in document["verdicts"]] == ["held"] * 6
    assert all(verdict["rule"] == "band" and "sequential band, look" in verdict["detail"] for verdict in document["verdicts"])


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_shifted_run_adds_seeds_only_where_open_and_fails_every_configuration(study: str, tmp_path: Path,
                                                                              jobs: str) -> None:  # fmt: skip
    baselines = tmp_path / "baselines"
    main(["bless", "--study", study, "--baselines", str(baselines), "--reason", "first", "--seeds", "0-29"])
    code, document = run(study, baselines, "--tier", "band", "--jobs", jobs, shift=1.5)
    assert code == 1
    assert [verdict["status"] for verdict in document["verdicts"]] == ["moved"] * 6
    counts = seeds_per_configuration(document)
    assert set(counts.values()) <= set(sequential.DEFAULT_PLAN.looks)
    assert max(counts.values()) > 5  # some needed a second look


def test_an_unchanged_run_stops_at_the_first_look_where_the_answer_is_clear(study: str, tmp_path: Path) -> None:
    baselines = tmp_path / "baselines"
    main(["bless", "--study", study, "--baselines", str(baselines), "--reason", "first", "--seeds", "0-29"])
    _, document = run(study, baselines, "--tier", "band", "--jobs", "1")
    counts = seeds_per_configuration(document)
    assert sum(counts.values()) / len(counts) <= 10
    assert all(verdict["status"] == "held" for verdict in document["verdicts"])


def test_named_seeds_get_one_fixed_band_run(study: str, tmp_path: Path) -> None:
    baselines = tmp_path / "baselines"
    main(["bless", "--study", study, "--baselines", str(baselines), "--reason", "first"])
    _, document = run(study, baselines, "--tier", "band", "--seeds", "0-9")
    assert set(seeds_per_configuration(document).values()) == {10}
    assert all("sequential" not in verdict["detail"] for verdict in document["verdicts"])
