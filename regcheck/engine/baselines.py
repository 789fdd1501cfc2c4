"""Baselines: reviewed JSON files, one per configuration, validated on every read.

Layout: ``<root>/<study>/<model>/<config_id>.json``. A baseline keeps, for every environment
**profile** it was blessed in, the outcome of each seed, and its provenance (when, from which
environment fingerprint, and why). The first profile is the **reference**: a run whose profile
matches none of them is judged by the band against it (``regcheck.engine.judge``). Blessing in a
new profile appends one and changes no other. Schema 1 (one profile, at the top level) is read as
a baseline with one profile and written back as schema 2. A corrupt baseline is never skipped:
it fails loudly and names its path and field.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from regcheck.engine.atomic import (
    exclusive_lock,
    remove_stale_temporaries,
    write_files_atomically,
    write_text_atomically,
)
from regcheck.engine.errors import BaselineError
from regcheck.engine.jsonio import LIMITS, is_integer, parse_json, read_regular_file
from regcheck.engine.study import is_safe_name

if TYPE_CHECKING:
    from regcheck.engine.outputs import OutputPlan
    from regcheck.engine.study import Model, Study

BASELINE_SCHEMA_VERSION = 2
READABLE_SCHEMA_VERSIONS = (1, 2)
# A seed as JSON keeps it: ASCII digits, no leading zero ("042" and "٤٢" would alias seed 42),
# below 2**32 as every seed regcheck accepts (``--seeds``).
SEED_KEY = re.compile(r"0|[1-9][0-9]{0,9}")
SEED_LIMIT = 2**32
BASELINE_KIND = "regcheck.baseline"
OBTAINED_SUFFIX = ".obtained.json"


@dataclass
class ProfileOutcomes:
    """The outcomes of one configuration in one environment profile: per seed, and how they were made."""

    profile: dict[str, Any]
    seeds: dict[int, dict[str, Any]]
    provenance: dict[str, Any]

    def to_document(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "provenance": self.provenance,
            "seeds": {str(seed): outcome for seed, outcome in sorted(self.seeds.items())},
        }


@dataclass
class Baseline:
    study: str
    dataset_sha256: str
    model: str
    config_id: str
    params: dict[str, Any]
    profiles: list[ProfileOutcomes] = field(default_factory=list)

    @property
    def reference(self) -> ProfileOutcomes:
        """The first profile blessed: what the band tier compares with."""
        return self.profiles[0]

    # The reference profile's parts, for code that knows one profile only (the matrix's column).
    @property
    def seeds(self) -> dict[int, dict[str, Any]]:
        return self.reference.seeds

    @property
    def profile(self) -> dict[str, Any]:
        return self.reference.profile

    @property
    def provenance(self) -> dict[str, Any]:
        return self.reference.provenance

    def outcomes_in(self, profile: dict[str, Any]) -> ProfileOutcomes | None:
        """The outcomes blessed in exactly this profile, if any."""
        wanted = {key: str(value) for key, value in profile.items()}
        return next((entry for entry in self.profiles if {k: str(v) for k, v in entry.profile.items()} == wanted), None)

    def with_outcomes(self, outcomes: ProfileOutcomes) -> Baseline:
        """This baseline with ``outcomes`` replacing its profile's entry, or appended as a new profile."""
        entries = [entry for entry in self.profiles if entry.profile != outcomes.profile]
        position = next((i for i, entry in enumerate(self.profiles) if entry.profile == outcomes.profile), len(entries))
        entries.insert(position, outcomes)
        return Baseline(self.study, self.dataset_sha256, self.model, self.config_id, self.params, entries)

    def to_document(self) -> dict[str, Any]:
        return {
            "schema_version": BASELINE_SCHEMA_VERSION,
            "kind": BASELINE_KIND,
            "dataset": {"name": self.study, "sha256": self.dataset_sha256},
            "model": self.model,
            "config_id": self.config_id,
            "params": self.params,
            "profiles": [entry.to_document() for entry in self.profiles],
        }


class BaselineStore:
    """Reads and writes one study's baselines under one root folder.

    ``dataset_sha256`` is the data every baseline must have been made from: the study's
    declared hash, else the hash of the data this run loaded (``None``: not checked, as when
    the matrix only reads the baselines as a column).
    """

    def __init__(self, root: Path, study: Study, dataset_sha256: str | None = None) -> None:
        self.root = root
        self.study = study
        self.dataset_sha256 = study.dataset_sha256 or dataset_sha256
        # What each baseline held when this run first read it (None: absent): an update plans from
        # those contents, so it may only replace them if they are still what it read.
        self.read_digests: dict[str, str | None] = {}

    def folder(self, model: str) -> Path:
        # Names built from configurations must not leave the baselines folder ("../", "/").
        if not is_safe_name(model):
            raise BaselineError(f"model name {model!r} cannot name a baselines folder (letters, digits, . _ - only)")
        return self.root / self.study.name / model

    def config_ids(self, model: str) -> tuple[str, ...]:
        return self.study.model(model).config_ids()

    def path_for(self, model: str, config_id: str) -> Path:
        return self.folder(model) / f"{_safe_id(config_id)}.json"

    def obtained_path_for(self, model: str, config_id: str) -> Path:
        return self.folder(model) / f"{_safe_id(config_id)}{OBTAINED_SUFFIX}"

    def load(self, model: str, config_id: str) -> Baseline | None:
        """The baseline of one configuration, or ``None`` when its file does not exist yet."""
        path = self.path_for(model, config_id)
        if not os.path.lexists(path):
            self.read_digests.setdefault(str(path), None)
            return None
        raw = read_regular_file(path, BaselineError, LIMITS["baseline"], "a baseline (a JSON object)")
        self.read_digests.setdefault(str(path), hashlib.sha256(raw).hexdigest())
        document = parse_json(raw, str(path), BaselineError)
        if not isinstance(document, dict):
            raise BaselineError(f"{path}: expected a JSON object, found {type(document).__name__}")
        return parse_baseline(document, path, self, model, config_id)

    def check_folder(self, model: str) -> None:
        """Fail on files that describe no configuration of the grid (a renamed or stray baseline)."""
        folder = self.folder(model)
        for level in (self.root / self.study.name, folder):  # a file here would read as "no baseline yet"
            if os.path.lexists(level) and not level.is_dir():
                raise BaselineError(f"{level}: is not a folder; expected the folder of {self.study.name}'s baselines")
        if not folder.is_dir():
            return
        known = set(self.config_ids(model))
        for config_id in sorted(known):
            obtained = self.obtained_path_for(model, config_id)
            kind = _not_a_regular_file(obtained)
            if kind:  # regcheck writes and removes only its own records: never a FIFO, link or folder there
                raise BaselineError(f"{obtained}: is {kind}; expected an obtained record (a regular file) or nothing (remove it)")
        for path in sorted(folder.glob("*.json")):
            if path.name.endswith(OBTAINED_SUFFIX):
                continue
            if path.stem not in known:
                raise BaselineError(f"{path}: unknown configuration {path.stem!r}; expected one of {', '.join(sorted(known))}")

    def write_all(self, baselines: list[Baseline], outputs: OutputPlan | None = None) -> list[Path]:
        """Rewrite baselines under the lock, all or none, refusing any another update changed since it was read.

        Every file is staged (written and fsynced) before the first rename, so a process killed
        during the update leaves the old baselines as they were; each rename is atomic, and a
        rename that fails puts back every baseline already replaced. ``outputs`` (the command's
        ``--json``, ``--markdown``, step summary) are committed in the same write: an update
        that cannot be completed leaves every baseline and every output as it was.
        """
        files: dict[Path, bytes] = {}
        for baseline in baselines:
            path = self.path_for(baseline.model, baseline.config_id)
            if path in files:  # two results for one configuration: a bug upstream, never a silent pick
                raise BaselineError(f"{path}: two updates for configuration {baseline.config_id}; nothing was written")
            files[path] = (json.dumps(baseline.to_document(), indent=1) + "\n").encode("utf-8")
        obtained = [self.obtained_path_for(baseline.model, baseline.config_id) for baseline in baselines]
        for path in obtained:  # removed after the update: a folder there would fail only once the baselines are written
            if path.is_dir() and not path.is_symlink():
                raise BaselineError(f"{path}: is a folder; expected a stale obtained record (remove it); nothing was written")
        try:
            with exclusive_lock(self.root):
                self._refuse_if_changed(list(files))
                for folder in {path.parent for path in files}:
                    if folder.is_dir():
                        remove_stale_temporaries(folder)
                extra = outputs.files() if outputs else []
                write_files_atomically([*files.items(), *extra], then=outputs.append_staged if outputs else None)
                for path in obtained:  # what a diff tool would show is gone; a file that stays is only stale
                    with contextlib.suppress(OSError):
                        path.unlink(missing_ok=True)
        except OSError as exc:  # staging or a rename failed (full disk, read-only folder): the old files stand
            if outputs and exc.filename not in {str(path) for path in files}:
                raise outputs.failure(exc, "no baseline and no output was written") from None
            where = exc.filename or self.root
            raise BaselineError(f"{where}: cannot write the baselines ({exc.strerror}); no baseline was written") from None
        return list(files)

    def new_baseline(self, model: str, config_id: str, params: dict[str, Any], outcomes: ProfileOutcomes) -> Baseline:
        return Baseline(self.study.name, self.dataset_sha256 or "", model, config_id, params, [outcomes])

    def _refuse_if_changed(self, paths: list[Path]) -> None:
        """Under the lock: a baseline another update rewrote since this run read it would lose that update."""
        for path in paths:
            if str(path) not in self.read_digests:
                continue
            now = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
            if now != self.read_digests[str(path)]:
                raise BaselineError(
                    f"{path}: changed by another update since this run read it; nothing was written "
                    f"(run the update again to plan from the new baselines)"
                )

    def remove_obtained(self, model: str, config_id: str) -> None:
        """Remove a stale ``.obtained.json`` once its configuration holds again."""
        path = self.obtained_path_for(model, config_id)
        if os.path.lexists(path):
            with exclusive_lock(self.root):
                try:
                    path.unlink(missing_ok=True)
                except OSError as exc:  # a folder in its place: one line, like any bad file in the folder
                    raise BaselineError(f"{path}: cannot be removed ({exc.strerror}); expected a stale obtained record") from None

    def write_obtained(self, model: str, config_id: str, document: dict[str, Any]) -> Path:
        """Write what a run obtained beside the expected file, for a diff tool (git-ignored)."""
        path = self.obtained_path_for(model, config_id)
        with exclusive_lock(self.root):  # a concurrent write_all clears stale temporaries
            try:
                write_text_atomically(path, json.dumps(document, indent=1) + "\n")
            except OSError as exc:
                raise BaselineError(f"{path}: the obtained record cannot be written ({exc.strerror})") from None
        return path


def _not_a_regular_file(path: Path) -> str | None:
    """What is at ``path`` if it is there and not a regular file (links not followed), else None."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"unreadable ({exc.strerror})"
    if stat.S_ISREG(mode):
        return None
    kinds = ((stat.S_ISDIR, "a folder"), (stat.S_ISLNK, "a symbolic link"), (stat.S_ISFIFO, "a FIFO"),
             (stat.S_ISSOCK, "a socket"))  # fmt: skip
    return next((name for test, name in kinds if test(mode)), "a device or special file")


def _safe_id(config_id: str) -> str:
    if not is_safe_name(config_id):
        raise BaselineError(f"configuration id {config_id!r} cannot name a baseline file (letters, digits, . _ - only)")
    return config_id


def parse_baseline(document: dict[str, Any], path: Path, store: BaselineStore, model: str, config_id: str) -> Baseline:
    """Validate a baseline document field by field; every fault names the path and the field."""
    # The fields the model's exact tier compares must be in every seed's outcome: a hand edit that
    # drops one would otherwise narrow the comparison in silence (the tier compares what is there).
    model_object = store.study.model(model) if model in store.study.model_names() else None
    compared = model_object.exact_fields if model_object is not None else None
    check = _FieldChecker(path, model, config_id, tuple(compared or ()), model_object)
    version = document.get("schema_version")
    if version is None:
        raise BaselineError(f"{path}: missing schema_version; expected {BASELINE_SCHEMA_VERSION}")
    if not is_integer(version) or version not in READABLE_SCHEMA_VERSIONS:  # true == 1 and 2.0 == 2 in Python
        raise BaselineError(f"{path}: schema_version is {version!r}, expected {BASELINE_SCHEMA_VERSION}")
    check.equal(document, "kind", BASELINE_KIND)
    dataset = check.mapping(document, "dataset")
    sha = dataset.get("sha256")
    if not isinstance(sha, str):
        check.fail("dataset.sha256", "the data's sha256", sha)
    if store.dataset_sha256 and sha != store.dataset_sha256:
        raise BaselineError(f"{path}: made for another dataset (dataset.sha256 {sha}); "
                            f"expected the {store.study.name} data {store.dataset_sha256}")  # fmt: skip
    check.equal(document, "model", model)
    check.equal(document, "config_id", config_id)
    if config_id not in store.config_ids(model):
        raise BaselineError(f"{path}: unknown configuration {config_id!r} for model {model}")
    if version == 1:  # one profile at the top level: the reference, and the only one
        profiles = [_parse_profile(check, document, "")]
    else:
        entries = document.get("profiles")
        if not isinstance(entries, list) or not entries:
            check.fail("profiles", "a non-empty list of profiles", entries)
        profiles = [_parse_profile(check, entry, f"profiles[{i}].") for i, entry in enumerate(entries)]
        seen: list[dict[str, Any]] = []
        for i, entry in enumerate(profiles):
            if entry.profile in seen:
                raise BaselineError(f"{path}: field profiles[{i}].profile: the same profile twice; expected each once")
            seen.append(entry.profile)
    params = check.mapping(document, "params")
    declared = _declared_params(model_object, config_id) if model_object is not None else None
    if declared is not None and params != declared:  # the parameters the file says it was made with
        check.fail("params", f"configuration {config_id}'s parameters {json.dumps(declared)}", params)
    return Baseline(store.study.name, str(sha), model, config_id, params, profiles)


def _declared_params(model: Model, config_id: str) -> dict[str, Any]:
    """The parameters the study gives ``config_id``, as JSON holds them."""
    declared: dict[str, Any] = json.loads(json.dumps(dict(model.configuration(config_id).params())))
    return declared


def _parse_profile(check: _FieldChecker, entry: Any, where: str) -> ProfileOutcomes:
    if not isinstance(entry, dict):
        check.fail(where.rstrip("."), "an object", entry)
    seeds_field = check.mapping(entry, f"{where}seeds")
    if not seeds_field:
        raise BaselineError(f"{check.path}: field {where}seeds is empty; expected at least one seed's outcome")
    seeds: dict[int, dict[str, Any]] = {}
    for key, outcome in seeds_field.items():
        if not (isinstance(key, str) and SEED_KEY.fullmatch(key)):
            raise BaselineError(f"{check.path}: field {where}seeds: key {key!r} is not a seed (a non-negative integer)")
        if int(key) >= SEED_LIMIT:
            raise BaselineError(f"{check.path}: field {where}seeds: key {key!r} is not a seed (below {SEED_LIMIT}, 2**32)")
        seeds[int(key)] = _check_outcome(check, outcome, f"{where}seeds.{key}", int(key))
    profile = check.mapping(entry, f"{where}profile", required=False)
    for name, value in profile.items():  # compared as text with a run's profile: one level of scalars
        if isinstance(value, (dict, list)) or value is None:
            check.fail(f"{where}profile.{name}", "text or a number", value)
    provenance = check.mapping(entry, f"{where}provenance")
    for name in ("updated", "reason"):  # written as text by every update; shown by the reports
        if provenance.get(name) is not None and not isinstance(provenance[name], str):
            check.fail(f"{where}provenance.{name}", "text", provenance[name])
    return ProfileOutcomes(profile, seeds, provenance)


def _check_outcome(check: _FieldChecker, outcome: Any, where: str, seed: int) -> dict[str, Any]:
    """One seed's outcome: the core a classifier or regressor records, then the study's own fields.

    The study's fields are what ``ResultRecord`` documents: numbers, text, or lists of numbers
    (``params`` an object). Anything else (``null``, ``true``, an object, a nested list) is a
    corrupt baseline, never a field the exact tier would silently call moved or held.
    """
    if not isinstance(outcome, dict):
        check.fail(where, "an object", outcome)
    identity = {"seed": seed, "model": check.model, "config_id": check.config_id}
    for name, expected in identity.items():
        if name in outcome and (outcome[name] != expected or isinstance(outcome[name], bool)):
            check.fail(f"{where}.{name}", repr(expected), outcome[name])
    for name in check.compared:
        if name not in outcome:
            raise BaselineError(f"{check.path}: missing field {where}.{name}; model {check.model} compares it "
                                "(bless again to record it)")  # fmt: skip
    n_test = check.integer(outcome, f"{where}.n_test", minimum=1)
    if "n_correct" in outcome:
        n_correct = check.integer(outcome, f"{where}.n_correct", minimum=0)
        if n_correct > n_test:
            check.fail(f"{where}.n_correct", f"at most n_test ({n_test})", n_correct)
        # Derived, never compared on its own, but shown in every report: it must say what n_correct says.
        accuracy = check.number(outcome, f"{where}.accuracy", 0.0, 1.0)
        if not math.isclose(accuracy, n_correct / n_test, rel_tol=1e-12):
            check.fail(f"{where}.accuracy", f"n_correct / n_test ({n_correct}/{n_test})", accuracy)
    elif "accuracy" in outcome:
        check.fail(f"{where}.accuracy", "no accuracy without n_correct", outcome["accuracy"])
    predictions = check.number_list(outcome, f"{where}.predictions", length=n_test)
    if "probabilities" in outcome:  # a binary classifier: its labels are 0 and 1
        if any(value not in (0, 1) for value in predictions):
            check.fail(f"{where}.predictions", "labels 0 or 1", [v for v in predictions if v not in (0, 1)][:3])
        check.number_list(outcome, f"{where}.probabilities", length=n_test, low=0.0, high=1.0)
    if "true_labels" in outcome:
        check.number_list(outcome, f"{where}.true_labels", length=n_test)
    if "test_rows" in outcome:
        check.number_list(outcome, f"{where}.test_rows", length=n_test, low=0, integers=True)
    for name, value in outcome.items():  # a study's own fields: numbers, text, or lists of numbers
        if name == "params":
            check.mapping(outcome, f"{where}.params")
        elif isinstance(value, list):
            check.number_list(outcome, f"{where}.{name}")
        elif isinstance(value, bool) or not isinstance(value, (int, float, str)):
            check.fail(f"{where}.{name}", "a number, text or a list of numbers", value)
        elif isinstance(value, float) and not math.isfinite(value):
            check.fail(f"{where}.{name}", "a finite number", value)
    if check.model_object is not None:  # typed: now the study's own sizes and ranges
        found = check.model_object.impossible(outcome)
        if found is not None:
            check.fail(f"{where}.{found[0]}", found[1], found[2])
    return dict(outcome)


class _FieldChecker:
    """Small typed checks whose failures read: ``<path>: field <name>: expected <what>, found <value>``."""

    def __init__(
        self, path: Path, model: str = "", config_id: str = "", compared: tuple[str, ...] = (), model_object: Model | None = None
    ) -> None:
        self.path = path
        self.model = model
        self.config_id = config_id
        self.compared = compared  # fields every seed's outcome must hold
        self.model_object = model_object  # the study's model: what its outcomes cannot hold

    def fail(self, name: str, expected: str, found: Any) -> NoReturn:
        shown = json.dumps(found)[:60] if _jsonable(found) else repr(found)[:60]
        raise BaselineError(f"{self.path}: field {name}: expected {expected}, found {shown}")

    def _get(self, container: dict[str, Any], name: str) -> Any:
        key = name.rsplit(".", 1)[-1]
        if key not in container:
            raise BaselineError(f"{self.path}: missing field {name}")
        return container[key]

    def equal(self, container: dict[str, Any], name: str, expected: str) -> None:
        value = self._get(container, name)
        if value != expected:
            self.fail(name, repr(expected), value)

    def mapping(self, container: dict[str, Any], name: str, required: bool = True) -> dict[str, Any]:
        if not required and name.rsplit(".", 1)[-1] not in container:
            return {}
        value = self._get(container, name)
        if not isinstance(value, dict):
            self.fail(name, "an object", value)
        return dict(value)

    def integer(self, container: dict[str, Any], name: str, minimum: int) -> int:
        value = self._get(container, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.fail(name, f"an integer >= {minimum}", value)
        return int(value)

    def number(self, container: dict[str, Any], name: str, low: float, high: float) -> float:
        value = self._get(container, name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            self.fail(name, f"a number in [{low:g}, {high:g}]", value)
        return float(value)

    def number_list(
        self, container: dict[str, Any], name: str, length: int | None = None,
        low: float = -math.inf, high: float = math.inf, integers: bool = False,
    ) -> list[float]:  # fmt: skip
        value = self._get(container, name)
        if not isinstance(value, list):
            self.fail(name, "a list of numbers", value)
        if length is not None and len(value) != length:
            self.fail(name, f"a list of {length} numbers (n_test)", f"{len(value)} items")
        kinds = int if integers else (int, float)
        what = "integers" if integers else "numbers"
        bounds = f" in [{low:g}, {high:g}]" if (low, high) != (-math.inf, math.inf) else ""
        for item in value:
            if isinstance(item, bool) or not isinstance(item, kinds) or not low <= item <= high:
                self.fail(name, f"{what}{bounds}" if bounds else f"a list of {what}", item)
        return list(value)


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def models_with_baselines(root: Path, study: Study) -> list[str]:
    return [name for name in study.model_names() if (root / study.name / name).is_dir()]
