"""Driven like a user: a moved MLP outcome fails its own configuration's test, and only that one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from regcheck.studies.heart.mlp import MlpModel

ROOT = Path(__file__).resolve().parents[3]
STUDY_TEST = ROOT / "tests" / "studies" / "heart" / "test_mlp_study.py"
TAMPERED = "mlp-l1_0.1-l2_0.01"

pytestmark = pytest.mark.slow


def test_changed_outcome_for_one_seed_fails_that_configuration_only(pytester: pytest.Pytester) -> None:
    shutil.copytree(ROOT / "baselines", pytester.path / "baselines")
    pytester.makepyfile(test_mlp_study=STUDY_TEST.read_text(encoding="utf-8"))
    pytester.makeini("[pytest]\nmarkers =\n    slow: fits the MLP\n")
    path = pytester.path / "baselines" / "heart" / "mlp" / f"{TAMPERED}.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    # The outcome of this machine's profile: the one the exact tier compares with here.
    here = MlpModel().profile()
    entry = next((entry for entry in document["profiles"] if entry["profile"] == here), None)
    if entry is None:
        pytest.skip(f"the committed MLP baselines hold no profile of this machine ({here})")
    outcome = entry["seeds"]["42"]
    outcome["predictions"][0] = 1 - outcome["predictions"][0]
    outcome["n_correct"] += 1 if outcome["predictions"][0] == outcome["true_labels"][0] else -1
    outcome["accuracy"] = outcome["n_correct"] / outcome["n_test"]  # derived: a baseline must agree with itself
    path.write_text(json.dumps(document), encoding="utf-8")

    # The three l1=0.1 configurations, seed 42: three fits instead of nine.
    result = pytester.runpytest_subprocess("--regcheck-seeds", "42", "-k", "l1_0.1", "-p", "no:randomly")

    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines([
        f"{TAMPERED}: moved (rule: exact; profile matches baseline (keras *",
        "*seed 42: n_correct*identical*",
        "*seed 42: predictions*identical*1 flipped*",
        f"FAILED test_mlp_study.py::test_mlp_configuration_matches_its_baseline[[]{TAMPERED}[]]*",
    ])  # fmt: skip
    result.stdout.no_fnmatch_line("FAILED *l1_0.1-l2_0.001*")
    result.stdout.no_fnmatch_line("FAILED *l1_0.1-l2_0.1*")
    assert (pytester.path / "baselines" / "heart" / "mlp" / f"{TAMPERED}.obtained.json").is_file()
