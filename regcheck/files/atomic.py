"""Writes that either happen whole or not at all, and a lock so two writers never interleave."""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from regcheck.errors import BaselineError

TEMP_SUFFIX = ".tmp"
# Up to this many files a commit fsyncs each; beyond it (on Linux) one sync(2) covers them all.
SYNC_EACH_LIMIT = 32


def write_bytes_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path``, fsync, then rename over it.

    A rename within one folder is atomic on POSIX: a reader (or a process killed
    half-way) sees the old file or the new one, never a torn mix.
    """
    write_files_atomically([(path, data)])


def write_files_atomically(files: list[tuple[Path, bytes]], then: Callable[[], None] | None = None) -> None:
    """Stage every file first (written and fsynced beside its target), then rename each over its target.

    A process killed while staging (the slow part) leaves every target as it was; the renames
    that follow take microseconds together and each is atomic, so a file is never torn. A kill
    can leave staged temporaries (``.<name>.*.tmp``); ``remove_stale_temporaries`` clears them.
    A rename that fails part-way (a target made immutable, a full disk) puts back every target
    already replaced, and the ``OSError`` names the target, not the temporary. ``then`` runs
    after the last rename (an append that belongs to the same commit); if it raises, every
    target is put back too.
    """
    staged: list[tuple[str, Path]] = []
    replaced: list[tuple[Path, bytes | None]] = []
    # Every staged file must be on disk before the first rename. One fsync per file cost 2 ms each
    # here (a bless of 10,000 configurations: 20 s of fsync alone, measured); Linux's sync(2) waits
    # until everything written is on disk, so beyond a few files one sync replaces them all.
    one_sync = len(files) > SYNC_EACH_LIMIT and sys.platform.startswith("linux")
    try:
        for path, data in files:
            try:
                staged.append((_stage(path, data, sync=not one_sync), path))
            except OSError as exc:  # a write's own error (a full disk) names no file: name the target
                raise OSError(exc.errno, exc.strerror, str(path)) from None
        if one_sync:
            os.sync()
        for temp_name, path in staged:
            before = path.read_bytes() if path.is_file() else None
            # Listed before the rename: an interrupt (Ctrl-C) landing just after it must find it here
            # to put it back. Putting back a target that was not yet replaced rewrites what is there.
            replaced.append((path, before))
            try:
                os.replace(temp_name, path)
            except OSError as exc:
                replaced.pop()
                raise OSError(exc.errno, exc.strerror, str(path)) from None
        if then is not None:
            then()
        for folder in {path.parent for _, path in staged}:
            _fsync_folder(folder)
    except BaseException as exc:
        for temp_name, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp_name)
        left = _restore(replaced)
        if left and isinstance(exc, OSError):  # say so: the caller must not claim nothing was written
            kept = ", ".join(str(path) for path in left)
            raise OSError(exc.errno, f"{exc.strerror}; could not put back {kept}", exc.filename) from None
        raise


def _restore(replaced: list[tuple[Path, bytes | None]]) -> list[Path]:
    """Undo the renames of a write that failed part-way: old contents back, new files removed.

    Returns the targets that could not be put back (none, unless the file system refuses again).
    """
    left = []
    for path, before in reversed(replaced):
        try:
            if before is None:
                path.unlink(missing_ok=True)  # missing: interrupted before its rename, nothing to undo
            else:
                os.replace(_stage(path, before), path)
        except OSError:
            left.append(path)
    return left


def _stage(path: Path, data: bytes, sync: bool = True) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        # mkstemp makes 0600 files; a written file gets the mode a plain open() would give it.
        os.fchmod(fd, path.stat().st_mode & 0o7777 if path.is_file() else 0o666 & ~current_umask())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    return temp_name


def current_umask() -> int:
    """The process's umask (reading it means setting it; it is set straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_folder(folder: Path) -> None:
    """Make the renames themselves durable (a power cut after return keeps the new files)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot fsync a folder; the renames are still atomic
        pass
    finally:
        os.close(fd)


# What _stage names a temporary: mkstemp's prefix, its 8 random characters, the suffix. Exactly that,
# so a user's own ".x.json.keep.tmp" beside the baselines is never taken for one.
STAGED_PATTERN = f".*.json.{'?' * 8}{TEMP_SUFFIX}"


def remove_stale_temporaries(folder: Path, pattern: str = STAGED_PATTERN) -> list[Path]:
    """Delete temporaries a killed writer left behind; call only while holding ``exclusive_lock``."""
    removed = []
    for path in folder.glob(pattern):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            removed.append(path)
    return removed


def write_text_atomically(path: Path, text: str) -> None:
    write_bytes_atomically(path, text.encode("utf-8"))


def append_files(files: list[tuple[Path, bytes]]) -> None:
    """Append to each file, or to none: a failure truncates the ones already appended to back to
    their old size (and removes one this call created); the ``OSError`` names the file."""
    done: list[tuple[Path, int | None]] = []
    try:
        for path, data in files:
            size = path.stat().st_size if path.is_file() else None
            done.append((path, size))
            try:
                with open(path, "ab") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
            except OSError as exc:
                raise OSError(exc.errno, exc.strerror, str(path)) from None
    except BaseException:
        for path, size in reversed(done):
            with contextlib.suppress(OSError):
                if size is None:
                    path.unlink()
                else:
                    os.truncate(path, size)
        raise


@contextlib.contextmanager
def exclusive_lock(folder: Path) -> Iterator[None]:
    """Hold an advisory lock on ``folder`` itself (xdist workers, parallel CLIs, two updates at once).

    ``flock`` on the folder's own descriptor: no lock file, so a failed update leaves nothing
    behind and nothing can stand in a lock file's place (a FIFO, a folder). Earlier versions
    locked ``folder/.regcheck.lock``; a file of that name left by them is ignored.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise BaselineError(f"{folder}: cannot be locked for an update ({exc.strerror}); expected a folder") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
