"""Options shared by the CLI and the pytest plugin: defined once, parsed and validated once.

The CLI spells an option ``--seeds``; pytest spells the same option ``--regcheck-seeds``.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from regcheck.engine.grid import grid_for
from regcheck.engine.registry import DEFAULT_STUDY, STUDY_EXAMPLE, load_study
from regcheck.errors import UsageError
from regcheck.results.names import is_safe_name

if TYPE_CHECKING:
    from regcheck.engine.study import Study

SEEDS_EXAMPLE = "e.g. 42, 0-4 or 0,1,42"
SEED_LIMIT = 2**32
MAX_SEEDS = 1000
MAX_JOBS = 256
# A seed as JSON and the baselines write it: ASCII digits, no leading zero ("042" is not 42's name).
_SEED = r"(?:0|[1-9][0-9]{0,11})"
_SEED_PART = re.compile(rf"(?P<start>{_SEED})(?:-(?P<end>{_SEED}))?")
_JOBS = re.compile(r"[1-9][0-9]{0,3}")
ALL_MODELS = "all"


def parse_seeds(text: str) -> tuple[int, ...]:
    """``42`` | ``0-4`` | ``0,1,42`` | ``0-4,42`` -> seeds in order, each once.

    ASCII digits only (``str.isdigit`` would take "٣"), no leading zero, spaces around a part
    allowed (ASCII ones: ``str.strip`` would take a no-break space), each seed below ``SEED_LIMIT`` (what
    ``keras.utils.set_random_seed`` and numpy accept), at most ``MAX_SEEDS`` in all, counted
    before any range is expanded, so ``0-99999999999`` is refused at once instead of hanging.
    """
    seeds: dict[int, None] = {}
    for part in text.split(","):
        match = _SEED_PART.fullmatch(part.strip(" "))
        if not match:
            padded = re.search(r"(?<![0-9])0[0-9]", part)
            if padded and re.fullmatch(r"[0-9]+(?:-[0-9]+)?", part.strip(" ")):
                raise argparse.ArgumentTypeError(f"{text!r}: {part.strip(' ')} has a leading zero; write seeds as "
                                                 f"plain numbers ({SEEDS_EXAMPLE})")  # fmt: skip
            raise argparse.ArgumentTypeError(f"{text!r} is not a seed list ({SEEDS_EXAMPLE})")
        start = int(match["start"])
        end = int(match["end"]) if match["end"] is not None else start
        if end >= SEED_LIMIT:
            raise argparse.ArgumentTypeError(f"{text!r}: seed {end} is too large; seeds are below {SEED_LIMIT} (2**32)")
        if end < start:
            raise argparse.ArgumentTypeError(f"{text!r}: range {part.strip(' ')} ends below its start ({SEEDS_EXAMPLE})")
        if len(seeds) + (end - start + 1) > MAX_SEEDS:
            raise argparse.ArgumentTypeError(f"{text!r}: more than {MAX_SEEDS} seeds; expected at most {MAX_SEEDS}")
        seeds.update(dict.fromkeys(range(start, end + 1)))
    return tuple(seeds)


def parse_jobs(text: str) -> int:
    """A worker count: ASCII digits without a leading zero, 1 to ``MAX_JOBS``."""
    if not _JOBS.fullmatch(text) or int(text) > MAX_JOBS:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of worker processes from 1 to {MAX_JOBS}")
    return int(text)


def parse_model(text: str) -> str:
    """A model name (checked against the study once it is loaded: ``models_for``) or ``all``."""
    if not is_safe_name(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a model name (letters, digits, . _ - only) nor {ALL_MODELS}")
    return text


def parse_tier(text: str) -> str:
    """``auto`` (the profile decides) or ``band`` (the band everywhere)."""
    from regcheck.engine.judge import TIERS

    if text.strip() not in TIERS:
        raise argparse.ArgumentTypeError(f"{text!r} is not a tier; expected {' or '.join(TIERS)}")
    return text.strip()


def parse_study(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError(f"empty study reference; expected {STUDY_EXAMPLE}")
    return text.strip()


def existing_file(text: str) -> Path:
    """A path to a regular file; anything else is named for what it is (the read itself checks again)."""
    import errno
    import os
    import stat

    path = Path(text)
    try:
        mode = os.stat(text).st_mode  # the text, not the Path: Path drops a trailing "/" that stat honours
    except OSError as exc:
        found = {
            errno.ELOOP: "a symbolic link loop; expected a file",
            errno.ENOTDIR: "a file named as a folder (a '/' after it); expected a file",
        }.get(exc.errno or 0, "no such file")
        raise argparse.ArgumentTypeError(f"{text}: {found}") from None
    if stat.S_ISDIR(mode):
        raise argparse.ArgumentTypeError(f"{text}: is a folder; expected a file")
    if not stat.S_ISREG(mode):
        kind = (
            "a FIFO" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file"
        )
        raise argparse.ArgumentTypeError(f"{text}: is {kind}; expected a regular file")
    return path


def existing_folder(text: str) -> Path:
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text}: not a folder")
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text}: no such folder")
    return path


def check_writable_file(path: Path, flag: str) -> None:
    """Fail before the run, not after it, when ``path`` could not be written; leave nothing behind."""
    folder = path.parent
    if path.is_dir():
        raise UsageError(f"{flag} {path}: is a folder; expected a file name")
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise UsageError(f"{flag} {path}: folder {folder} {what}")
    check_writable_folder(folder, f"{flag} {path}: folder")


def check_baselines_folder(folder: Path) -> None:
    """Before an update runs: the baselines folder can be written, or can be made (its parent can be written).

    A missing folder is created by the update itself, and only when it writes a baseline.
    """
    if folder.is_dir():
        check_writable_folder(folder, "--baselines")
        return
    if os.path.lexists(folder):
        raise UsageError(f"--baselines {folder}: is not a folder; expected the folder of the baselines (or a new name)")
    parent = folder.parent if str(folder.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"--baselines {folder}: folder {parent} does not exist; create it or pass another --baselines DIR")
    check_writable_folder(parent, f"--baselines {folder}: cannot be created, folder")


def update_hint(args: Any) -> str:
    """The command that blesses a moved or missing result, with the options this run was given (``{model}`` left to fill)."""
    words = ["regcheck", "bless"]
    for option in (STUDY, BASELINES, DATA):
        value = getattr(args, option.dest, None)
        if value is not None and not (option is STUDY and value == DEFAULT_STUDY):
            words += [option.cli_flag, shlex.quote(str(value))]
    words += ["--model", "{model}"]
    seeds = getattr(args, SEEDS.dest, None)
    if seeds:
        words += ["--seeds", ",".join(map(str, seeds))]
    return " ".join(words) + " --reason '...'"


def check_writable_folder(folder: Path, what: str) -> None:
    """Create and delete a temporary file in ``folder``: the only honest test of writability
    (root ignores permission bits; read-only mounts and special file systems refuse anyway)."""
    import tempfile

    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise UsageError(f"{what} {folder} cannot be written ({exc.strerror})") from None


@dataclass(frozen=True)
class SharedOption:
    name: str  # the CLI spelling without dashes; pytest adds the "regcheck-" prefix
    help: str
    metavar: str | None = None
    parse: Callable[[str], Any] | None = None
    default: Any = None
    flag: bool = False

    @property
    def cli_flag(self) -> str:
        return f"--{self.name}"

    @property
    def pytest_flag(self) -> str:
        return f"--regcheck-{self.name}"

    @property
    def dest(self) -> str:
        return f"regcheck_{self.name.replace('-', '_')}"

    def argparse_kwargs(self) -> dict[str, Any]:
        if self.flag:
            return {"action": "store_true", "default": False, "help": self.help}
        return {"metavar": self.metavar, "type": self.parse, "default": self.default, "help": self.help}

    def pytest_kwargs(self) -> dict[str, Any]:
        """As ``argparse_kwargs`` but the value stays text: the plugin validates it with ``value``.

        pytest turns a bad option type into its own usage error (exit code 4, a usage block);
        regcheck promises one ``regcheck: error:`` line and exit code 2 from both front ends.
        """
        kwargs = self.argparse_kwargs()
        kwargs.pop("type", None)
        return kwargs

    def value(self, raw: Any) -> Any:
        """The parsed value of ``raw`` (text from pytest's parser, or already parsed)."""
        if self.parse is None or not isinstance(raw, str):
            return raw
        try:
            return self.parse(raw)
        except argparse.ArgumentTypeError as error:
            raise UsageError(f"argument {self.pytest_flag}: {error}") from None


STUDY = SharedOption(
    "study", f"which study to run: {STUDY_EXAMPLE} (default: {DEFAULT_STUDY})", "STUDY", parse_study, DEFAULT_STUDY
)
DATA = SharedOption(
    "data", "the study's data file (default: where the study looks; see its docs)",
    "PATH", existing_file,
)  # fmt: skip


def baselines_folder(text: str) -> Path:
    """The baselines folder: an existing folder, or (for an update, which creates it) a new name; never a file."""
    path = Path(text)
    if os.path.lexists(path) and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text}: not a folder")
    return path


BASELINES = SharedOption(
    "baselines", "baselines folder; an update (bless) creates it when it does not exist (default: ./baselines)", "DIR",
    baselines_folder,
)  # fmt: skip
SEEDS = SharedOption(
    "seeds", f"seeds, {SEEDS_EXAMPLE}; at most {MAX_SEEDS}, each below 2**32 (default: each model's seeds for its tier)",
    "SEEDS", parse_seeds,
)  # fmt: skip
MODEL = SharedOption("model", f"which model of the study, or {ALL_MODELS} (default: all)", "MODEL",
                     parse_model, ALL_MODELS)  # fmt: skip
MAX_REASON = 1000


def parse_reason(text: str) -> str:
    """Text a baseline can keep and regcheck read back: UTF-8 (an undecodable byte arrives as a lone
    surrogate, which the JSON reader refuses), one line, at most ``MAX_REASON`` characters."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise argparse.ArgumentTypeError(f"{text!r}: not UTF-8 text (an undecodable byte); expected a reason in words") from None
    if any(not character.isprintable() for character in text) or len(text) > MAX_REASON:
        raise argparse.ArgumentTypeError(f"{text[:80]!r}: expected one line of printable text, at most {MAX_REASON} characters")
    return text


REASON = SharedOption(
    "reason", "why the baselines change; kept in their provenance: one line of text (default: none)", "TEXT", parse_reason
)
TIER = SharedOption(
    "tier", "how a seeded (band-rule) model is judged: auto, exactly where the run's profile matches a baseline's "
    "and by the band elsewhere; or band, by the band everywhere, against this profile's outcomes where the "
    "baseline has them (default: auto)", "TIER", parse_tier, "auto",
)  # fmt: skip
UPDATE = SharedOption("update", "rewrite the baselines from this run if it completes without failures (default: off)", flag=True)
SHARED_OPTIONS = (STUDY, DATA, BASELINES, SEEDS, MODEL, TIER, REASON, UPDATE)


def models_for(study: Study, choice: str) -> tuple[str, ...]:
    """The models ``--model`` selects, in the study's order; an unknown name is one usage line."""
    names = grid_for(study).names()  # the grid asked models() once; a study's later answers may differ
    if choice == ALL_MODELS:
        return names
    if choice not in names:
        raise UsageError(
            f"--model {choice}: study {study.name} has no such model; expected one of {', '.join(names)}, {ALL_MODELS}"
        )
    return (choice,)


def study_for(reference: str | None) -> Study:
    return load_study(reference or DEFAULT_STUDY)


def study_file(reference: str | None) -> Path | None:
    """The study's own file, when ``--study`` names one: an input of the command, never to be replaced by an output."""
    module = (reference or DEFAULT_STUDY).rpartition(":")[0]
    return Path(module) if module.endswith(".py") else None
