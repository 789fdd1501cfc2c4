"""The upgrade's environments: what each is made of, and what its cached files are keyed by (no environment is built)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from regcheck.upgrade.locks import marker_environment, read_lock
from regcheck.upgrade.search import Environment, Settings, Upgrade

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "upgrade"


@pytest.fixture
def upgrade(tmp_path: Path) -> Upgrade:
    markers = marker_environment(sys.executable)
    old = read_lock(DATA / "mlp-old-requirements.txt", "OLD", markers)
    new = read_lock(DATA / "mlp-new-requirements.txt", "NEW", markers)
    settings = Settings(old, new, sys.executable, "3.11.7", ROOT, "code", "dependencies", tmp_path, ("--model", "mlp"),
                        ("bench/test_mlp_bench.py",), tmp_path / "log")  # fmt: skip
    return Upgrade(settings, say=lambda line: None)


def environment(key: str) -> Environment:
    return Environment(key, (), "", {})


def test_a_timing_round_is_cached_for_its_pair_of_environments_only(upgrade: Upgrade) -> None:
    """OLD's rounds timed beside one NEW are never judged against another NEW timed later on its own."""
    old, new, other = environment("old"), environment("new"), environment("other")
    beside_new = upgrade.timing_file(old, 0, "old+new")
    assert upgrade.timing_file(old, 0, "old+new") == beside_new
    assert upgrade.timing_file(old, 0, "old+other") != beside_new
    assert upgrade.timing_file(old, 1, "old+new") != beside_new
    assert upgrade.timing_file(new, 0, "old+new") != upgrade.timing_file(other, 0, "old+other")


def test_a_trial_asks_for_olds_pins_with_news_versions_of_its_subset(upgrade: Upgrade) -> None:
    pins = upgrade._pins({"tensorflow-cpu": "2.21.0", "tensorboard": None})
    exact = upgrade._requirements(pins, set()).splitlines()
    assert exact[0] == f"-e {ROOT}[bench]"
    assert "tensorflow-cpu==2.21.0" in exact and "keras==3.11.3" in exact
    assert not any(line.startswith("tensorboard==") for line in exact)  # NEW drops it: not asked for


def test_a_widened_trial_lets_the_other_changes_move_between_their_two_versions(upgrade: Upgrade) -> None:
    pins = upgrade._pins({"tensorflow-cpu": "2.21.0"})
    free = {name for name in upgrade.changes if name != "tensorflow-cpu"}
    widened = upgrade._requirements(pins, free).splitlines()
    assert "tensorflow-cpu==2.21.0" in widened
    assert "keras>=3.11.3,<=3.15.1" in widened and "h5py>=3.14.0,<=3.16.0" in widened  # a downgrade too
    assert "tensorboard" in widened  # NEW drops it: any version, OLD's preferred
    assert "absl-py==2.5.1" in widened  # unchanged pins stay exact


def test_an_override_to_olds_own_version_is_olds_environment_and_resolves_once(upgrade: Upgrade) -> None:
    """The bisection's reference (the culprit at OLD's version) and OLD are one environment (uv pip compile, no build)."""
    first = upgrade.environment({})
    assert upgrade.environment({"keras": "3.11.3"}) == first
    assert upgrade.counts.resolved == 1 and first.label == "OLD's pins"
    assert first.versions["tensorflow-cpu"] == "2.20.0" and first.versions["keras"] == "3.11.3"
    assert not (upgrade.settings.cache / "envs" / first.key).exists()
