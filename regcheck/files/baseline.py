"""Baselines: reviewed JSON files, one per configuration, validated on every read.

Layout: ``<root>/<study>/<model>/<config_id>.json``. A baseline keeps, for every environment
**profile** it was blessed in, the outcome of each seed, and its provenance (when, from which
environment fingerprint, and why). The first profile is the **reference**: a run whose profile
matches none of them is judged by the band against it (``regcheck.engine.judge``). Blessing in a
new profile appends one and changes no other. Schema 1 (one profile, at the top level) is read as
a baseline with one profile and written back as schema 2. A corrupt baseline is never skipped:
it fails loudly and names its path and field.

Each seed's outcome is a record without its timing and environment, checked by the record's own
schema (``regcheck.results.record.check_fields``): what a run can record, a baseline can hold, and
what a baseline holds, a run wrote. Non-finite reals are written ``{"$numberDouble": "NaN"}``.

The store reads each baseline file once per run, and scans each model's folder once, so a run of
10,000 configurations costs the same per configuration as a run of ten.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from regcheck.errors import BaselineError
from regcheck.files.atomic import exclusive_lock, remove_stale_temporaries, write_files_atomically, write_text_atomically
from regcheck.files.jsonio import LIMITS, dumps_indented, is_integer, parse_json, read_regular_file
from regcheck.results.names import NAME_RULE, is_safe_name
from regcheck.results.record import RecordProblem, check_fields, decode_fields, encode_fields
from regcheck.results.values import ValueProblem

if TYPE_CHECKING:
    from regcheck.files.outputs import OutputPlan

BASELINE_SCHEMA_VERSION = 2
READABLE_SCHEMA_VERSIONS = (1, 2)
# A seed as JSON keeps it: ASCII digits, no leading zero ("042" and "٤٢" would alias seed 42),
# below 2**32 as every seed regcheck accepts (``--seeds``).
SEED_KEY = re.compile(r"0|[1-9][0-9]{0,9}")
SEED_LIMIT = 2**32
BASELINE_KIND = "regcheck.baseline"
OBTAINED_SUFFIX = ".obtained.json"
Impossible = Callable[[Mapping[str, Any]], "tuple[str, str, Any] | None"]


@dataclass(frozen=True)
class BaselineSchema:
    """What a study says one model's baselines hold (the engine builds it from the model, once per run).

    ``params``: each configuration's parameters as JSON holds them (a baseline of another
    configuration, or made with other parameters, is refused); ``compared``: the fields every
    seed's outcome must hold (the model's exact tier compares them: a hand edit that drops one
    would otherwise narrow the comparison in silence); ``impossible``: the model's own check of
    sizes and ranges (``Model.impossible``).
    """

    params: Mapping[str, Mapping[str, Any]]
    compared: tuple[str, ...] = ()
    impossible: Impossible | None = None


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
            "seeds": {str(seed): encode_fields(outcome) for seed, outcome in sorted(self.seeds.items())},
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


def baseline_bytes(document: Mapping[str, Any], path: Path) -> bytes:
    """A baseline file's bytes; refuses one larger than the reader takes (it could be written, never read)."""
    data = (dumps_indented(document) + "\n").encode("utf-8")
    if len(data) > LIMITS["baseline"]:
        raise BaselineError(f"{path}: the baseline would be {len(data) / 2**20:.1f} MiB, larger than the "
                            f"{LIMITS['baseline'] // 2**20} MiB a baseline may have; record fewer or smaller "
                            "fields per seed (docs/extending.md: the limits of a record); nothing was written")  # fmt: skip
    return data


class BaselineStore:
    """Reads and writes one study's baselines under one root folder.

    ``schemas``: per model, what its baselines hold (``BaselineSchema``); ``dataset_sha256``: the
    data every baseline must have been made from (``None``: not checked, as when the matrix only
    reads the baselines as a column).
    """

    def __init__(self, root: Path, study: str, schemas: Mapping[str, BaselineSchema], dataset_sha256: str | None = None) -> None:
        self.root = root
        self.study = study
        self.schemas = schemas
        self.dataset_sha256 = dataset_sha256
        # What each baseline held when this run first read it (None: absent): an update plans from
        # those contents, so it may only replace them if they are still what it read.
        self.read_digests: dict[str, str | None] = {}
        self._loaded: dict[tuple[str, str], Baseline | None] = {}
        self._listings: dict[str, dict[str, os.DirEntry[str]]] = {}

    def folder(self, model: str) -> Path:
        # Names built from configurations must not leave the baselines folder ("../", "/").
        if not is_safe_name(model):
            raise BaselineError(f"model name {model!r} cannot name a baselines folder ({NAME_RULE})")
        return self.root / self.study / model

    def path_for(self, model: str, config_id: str) -> Path:
        return self.folder(model) / f"{_safe_id(config_id)}.json"

    def obtained_path_for(self, model: str, config_id: str) -> Path:
        return self.folder(model) / f"{_safe_id(config_id)}{OBTAINED_SUFFIX}"

    def load(self, model: str, config_id: str) -> Baseline | None:
        """The baseline of one configuration (read and checked once per store), or ``None`` when it has no file yet."""
        key = (model, config_id)
        if key not in self._loaded:
            self._loaded[key] = self._read(model, config_id)
        return self._loaded[key]

    def _read(self, model: str, config_id: str) -> Baseline | None:
        path = self.path_for(model, config_id)
        listing = self._listings.get(model)
        if (listing is not None and path.name not in listing) or (listing is None and not os.path.lexists(path)):
            self.read_digests.setdefault(str(path), None)
            return None
        raw = read_regular_file(path, BaselineError, LIMITS["baseline"], "a baseline (a JSON object)")
        self.read_digests.setdefault(str(path), hashlib.sha256(raw).hexdigest())
        document = parse_json(raw, str(path), BaselineError)
        if not isinstance(document, dict):
            raise BaselineError(f"{path}: expected a JSON object, found {type(document).__name__}")
        return parse_baseline(document, path, self, model, config_id)

    def check_folder(self, model: str) -> None:
        """Fail on files that describe no configuration of the grid (a renamed or stray baseline); once per model."""
        if model in self._listings:
            return
        folder = self.folder(model)
        for level in (self.root / self.study, folder):  # a file here would read as "no baseline yet"
            if os.path.lexists(level) and not level.is_dir():
                raise BaselineError(f"{level}: is not a folder; expected the folder of {self.study}'s baselines")
        listing: dict[str, os.DirEntry[str]] = {}
        if folder.is_dir():
            with os.scandir(folder) as entries:
                listing = {entry.name: entry for entry in entries}
        known = set(self.schemas[model].params) if model in self.schemas else set()
        for name in sorted(listing):
            if name.endswith(OBTAINED_SUFFIX):
                kind = _not_a_regular_file(folder / name)
                if name[: -len(OBTAINED_SUFFIX)] in known and kind:
                    # regcheck writes and removes only its own records: never a FIFO, link or folder there
                    raise BaselineError(f"{folder / name}: is {kind}; expected an obtained record (a regular file) "
                                        "or nothing (remove it)")  # fmt: skip
            elif name.endswith(".json") and not name.startswith(".") and name[:-5] not in known:
                shown = ", ".join(sorted(known)[:10]) + (f", ... ({len(known)} in all)" if len(known) > 10 else "")
                raise BaselineError(f"{folder / name}: unknown configuration {name[:-5]!r}; expected one of {shown}")
        self._listings[model] = listing

    def write_all(self, baselines: list[Baseline], outputs: OutputPlan | None = None) -> list[Path]:
        """Rewrite baselines under the lock, all or none, refusing any another update changed since it was read.

        Every file is staged (written and fsynced) before the first rename, so a process killed
        during the update leaves the old baselines as they were; each rename is atomic, and a
        rename that fails puts back every baseline already replaced. ``outputs`` (the command's
        ``--json``, ``--markdown``, step summary) are committed in the same write: an update
        that cannot be completed leaves every baseline and every output as it was. A missing
        baselines folder is created (the caller says so).
        """
        files: dict[Path, bytes] = {}
        for baseline in baselines:
            path = self.path_for(baseline.model, baseline.config_id)
            if path in files:  # two results for one configuration: a bug upstream, never a silent pick
                raise BaselineError(f"{path}: two updates for configuration {baseline.config_id}; nothing was written")
            files[path] = baseline_bytes(baseline.to_document(), path)
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
        return Baseline(self.study, self.dataset_sha256 or "", model, config_id, params, [outcomes])

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
        listing = self._listings.get(model)
        if (path.name not in listing) if listing is not None else not os.path.lexists(path):
            return
        with exclusive_lock(self.root):
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:  # a folder in its place: one line, like any bad file in the folder
                raise BaselineError(f"{path}: cannot be removed ({exc.strerror}); expected a stale obtained record") from None

    def write_obtained(self, model: str, config_id: str, document: dict[str, Any]) -> Path:
        """Write what a run obtained beside the expected file, for a diff tool (git-ignored)."""
        path = self.obtained_path_for(model, config_id)
        data = baseline_bytes(document, path)
        with exclusive_lock(self.root):  # a concurrent write_all clears stale temporaries
            try:
                write_text_atomically(path, data.decode("utf-8"))
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
        raise BaselineError(f"configuration id {config_id!r} cannot name a baseline file ({NAME_RULE})")
    return config_id


def parse_baseline(document: dict[str, Any], path: Path, store: BaselineStore, model: str, config_id: str) -> Baseline:
    """Validate a baseline document field by field; every fault names the path and the field."""
    schema = store.schemas.get(model)
    check = _FieldChecker(path, model, config_id, schema)
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
                            f"expected the {store.study} data {store.dataset_sha256}")  # fmt: skip
    check.equal(document, "model", model)
    check.equal(document, "config_id", config_id)
    if schema is not None and config_id not in schema.params:
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
    declared = schema.params.get(config_id) if schema is not None else None
    if declared is not None and params != declared:  # the parameters the file says it was made with
        check.fail("params", f"configuration {config_id}'s parameters {json.dumps(declared)}", params)
    return Baseline(store.study, str(sha), model, config_id, params, profiles)


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
        seeds[int(key)] = check.outcome(outcome, f"{where}seeds.{key}", int(key))
    profile = check.mapping(entry, f"{where}profile", required=False)
    for name, value in profile.items():  # compared as text with a run's profile: one level of scalars
        if isinstance(value, (dict, list)) or value is None:
            check.fail(f"{where}profile.{name}", "text or a number", value)
    provenance = check.mapping(entry, f"{where}provenance")
    for name in ("updated", "reason"):  # written as text by every update; shown by the reports
        if provenance.get(name) is not None and not isinstance(provenance[name], str):
            check.fail(f"{where}provenance.{name}", "text", provenance[name])
    return ProfileOutcomes(profile, seeds, provenance)


class _FieldChecker:
    """Small typed checks whose failures read: ``<path>: field <name>: expected <what>, found <value>``."""

    def __init__(self, path: Path, model: str, config_id: str, schema: BaselineSchema | None) -> None:
        self.path = path
        self.model = model
        self.config_id = config_id
        self.schema = schema

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

    def outcome(self, outcome: Any, where: str, seed: int) -> dict[str, Any]:
        """One seed's outcome: the record's own schema, then the study's own sizes and ranges."""
        if not isinstance(outcome, dict):
            self.fail(where, "an object", outcome)
        identity = {"seed": seed, "model": self.model, "config_id": self.config_id}
        for name, expected in identity.items():
            if name in outcome and (outcome[name] != expected or isinstance(outcome[name], bool)):
                self.fail(f"{where}.{name}", repr(expected), outcome[name])
        for name in self.schema.compared if self.schema else ():
            if name not in outcome:
                raise BaselineError(f"{self.path}: missing field {where}.{name}; model {self.model} compares it "
                                    "(bless again to record it)")  # fmt: skip
        try:
            checked = check_fields(decode_fields(outcome), outcome=True)
        except ValueProblem as problem:
            raise BaselineError(f"{self.path}: field {where}.{problem}") from None
        except RecordProblem as problem:
            if problem.expected == "a field every record has":
                raise BaselineError(f"{self.path}: missing field {where}.{problem.field}") from None
            raise BaselineError(f"{self.path}: field {where}.{problem.field}: expected {problem.expected}, "
                                f"found {problem.found}") from None  # fmt: skip
        if self.schema is not None and self.schema.impossible is not None:  # typed: now the study's own sizes and ranges
            found = self.schema.impossible(checked)
            if found is not None:
                self.fail(f"{where}.{found[0]}", found[1], found[2])
        return checked


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True
