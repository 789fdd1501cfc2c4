"""A command's outputs: every one checked before the first fit, none written until the command has succeeded.

Each verb declares its inputs (the files and folders it reads: the baselines folder, the data,
run and benchmark files) and its outputs (``--json``, ``--markdown``, ``--html``, the GitHub step
summary). ``check`` refuses, in one line naming the option, an output that

* is not a regular file or a new name in an existing, writable folder (a folder, a FIFO, a
  device such as a full-disk node);
* is one of the command's inputs, or lies inside an input folder (the baselines), compared by
  resolved path and by inode, so another spelling or a link to the same file is caught;
* is another output of the same command.

``stage`` keeps the content in memory; ``commit`` writes every output or none: the files that
replace their target atomically (``write_files_atomically``: all staged first, then renamed),
then the appends to the step summary (append-only by GitHub's design); a failure at any point
puts back every file already replaced and truncates every summary back to its old size. A
command that fails before ``commit`` writes nothing. An update commits the baselines and the
outputs in one such write (``BaselineStore.write_all(..., outputs=plan)``).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from regcheck.errors import UsageError
from regcheck.files.atomic import append_files, write_files_atomically


@dataclass
class Output:
    flag: str
    path: Path
    append: bool = False
    content: str | None = None


@dataclass
class OutputPlan:
    """The outputs of one command, checked against each other and against its inputs."""

    inputs: list[Path] = field(default_factory=list)
    outputs: list[Output] = field(default_factory=list)

    def read(self, *paths: Path | None) -> None:
        """Declare what the command reads (files, or folders whose whole content is input)."""
        self.inputs += [path for path in paths if path is not None]

    def write(self, flag: str, path: Path | None, append: bool = False) -> None:
        """Declare an output; ``check`` validates them all at once."""
        if path is not None:
            self.outputs.append(Output(flag, path, append))

    def check(self) -> None:
        """Refuse any output that could not be written or would destroy an input or another output."""
        for position, output in enumerate(self.outputs):
            _check_target(output)
            for path in self.inputs:
                if _same(output.path, path) or _inside(output.path, path):
                    what = "inside the input folder" if path.is_dir() else "an input of this command"
                    raise UsageError(f"{output.flag} {output.path}: is {what} ({path}); choose another file")
            for other in self.outputs[:position]:
                if _same(output.path, other.path):
                    raise UsageError(f"{output.flag} {output.path}: is also the {other.flag} output; give each its own file")

    def stage(self, flag: str, content: str) -> None:
        for output in self.outputs:
            if output.flag == flag:
                output.content = content

    def files(self) -> list[tuple[Path, bytes]]:
        """The staged files that replace their target, for a commit that writes them with others."""
        return [(output.path, (output.content or "").encode("utf-8")) for output in self._staged(append=False)]

    def append_staged(self) -> None:
        """Append the staged step summaries: all of them or none (``append_files``)."""
        append_files([(output.path, (output.content or "").encode("utf-8")) for output in self._staged(append=True)])

    def commit(self) -> list[str]:
        """Write every staged output, all or none; the lines that say where.

        The files that replace their target are renamed into place, then the summaries appended;
        a failure anywhere puts back every file already replaced and truncates every summary
        already appended to, and the message names the real file and its option.
        """
        try:
            write_files_atomically(self.files(), then=self.append_staged)
        except OSError as exc:
            raise self.failure(exc) from None
        return self.written()

    def written(self) -> list[str]:
        """One line per staged output, saying where it went (after a commit, its own or an update's)."""
        return [f"{output.flag} written to {output.path}" for output in self.outputs if output.content is not None]

    def failure(self, exc: OSError, written: str = "no output was written") -> UsageError:
        """The one line for a commit that failed: the option and file it failed on, and what that left."""
        where = next((o for o in self.outputs if str(o.path) == exc.filename), None)
        flag = f"{where.flag} " if where else ""
        return UsageError(f"{flag}{exc.filename}: cannot be written ({exc.strerror}); {written}")

    def _staged(self, append: bool) -> list[Output]:
        return [output for output in self.outputs if output.content is not None and output.append == append]


def _check_target(output: Output) -> None:
    path = output.path
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        mode = None
    except OSError as exc:
        raise UsageError(f"{output.flag} {path}: cannot be used ({exc.strerror}); expected a file name") from None
    if mode is not None and not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode) else "a device or special file"
        raise UsageError(f"{output.flag} {path}: is {kind}; expected a file name")
    folder = path.parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise UsageError(f"{output.flag} {path}: folder {folder} {what}")
    if not os.access(folder, os.W_OK) or (mode is not None and not os.access(path, os.W_OK)):
        raise UsageError(f"{output.flag} {path}: cannot be written (permission denied)")
    _probe(folder, f"{output.flag} {path}: folder")


def _probe(folder: Path, what: str) -> None:
    """Create and delete a temporary file: the honest test (root ignores permission bits; read-only mounts do not)."""
    import tempfile

    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise UsageError(f"{what} {folder} cannot be written ({exc.strerror})") from None


def _resolved(path: Path) -> Path:
    # os.path.realpath, not Path.resolve: a symbolic link loop is left as it is, where
    # Path.resolve raises (RuntimeError up to Python 3.12); the loop is then reported by its reader.
    return Path(os.path.realpath(path))


def _same(a: Path, b: Path) -> bool:
    if _resolved(a) == _resolved(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist yet
        return False


def _inside(path: Path, folder: Path) -> bool:
    if not folder.is_dir():
        return False
    return _resolved(path).is_relative_to(_resolved(folder))
