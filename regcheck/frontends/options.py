"""Options shared by the CLI and the pytest plugin: defined once, parsed and validated once.

The CLI spells an option ``--seeds``; pytest spells the same option ``--regcheck-seeds``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from regcheck.engine.errors import UsageError
from regcheck.studies.heart.configs import MODELS

SEEDS_EXAMPLE = "e.g. 42, 0-4 or 0,1,42"
MODEL_CHOICES = (*MODELS, "all")


def parse_seeds(text: str) -> tuple[int, ...]:
    """``42`` | ``0-4`` | ``0,1,42`` | ``0-4,42`` -> seeds in order, each once."""
    seeds: list[int] = []
    for part in text.split(","):
        part = part.strip()
        start_text, dash, end_text = part.partition("-")
        if not (start_text.isdigit() and (not dash or end_text.isdigit())):
            raise argparse.ArgumentTypeError(f"{text!r} is not a seed list ({SEEDS_EXAMPLE})")
        start, end = int(start_text), int(end_text) if dash else int(start_text)
        if end < start:
            raise argparse.ArgumentTypeError(f"{text!r}: range {part} ends below its start ({SEEDS_EXAMPLE})")
        seeds += [seed for seed in range(start, end + 1) if seed not in seeds]
    return tuple(seeds)


def parse_model(text: str) -> str:
    if text not in MODEL_CHOICES:
        raise argparse.ArgumentTypeError(f"unknown model {text!r}; expected one of {', '.join(MODEL_CHOICES)}")
    return text


def existing_file(text: str) -> Path:
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text}: is a folder; expected a file")
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{text}: no such file")
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


DATA = SharedOption(
    "data", "heart.csv to use (default: $REGCHECK_DATA, then $REGCHECK_DATA_DIR, the cache, a download)", "PATH",
    existing_file,
)  # fmt: skip
BASELINES = SharedOption("baselines", "baselines folder (default: ./baselines)", "DIR", existing_folder)
SEEDS = SharedOption("seeds", f"MLP seeds, {SEEDS_EXAMPLE} (default: the model's documented seeds)", "SEEDS", parse_seeds)
MODEL = SharedOption("model", f"which half of the study: {', '.join(MODEL_CHOICES)} (default: all)", "MODEL", parse_model, "all")
REASON = SharedOption("reason", "why the baselines change; kept in their provenance (default: none)", "TEXT", str)
UPDATE = SharedOption("update", "rewrite the baselines from this run if it completes without failures (default: off)", flag=True)
SHARED_OPTIONS = (DATA, BASELINES, SEEDS, MODEL, REASON, UPDATE)


def models_for(choice: str) -> tuple[str, ...]:
    return MODELS if choice == "all" else (choice,)
