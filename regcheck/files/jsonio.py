"""One way to read every file regcheck is given: regular files only, bounded, strictly parsed.

Every input (data, baselines, published numbers, run files, benchmark files) comes through
``read_regular_file``, and every JSON input through ``read_json``. The classes of failure they
close, whatever the file:

* **not a file**: a FIFO, a device (``/dev/zero``, ``/dev/urandom``), a socket or a folder is
  refused from ``fstat`` of the opened descriptor, opened non-blocking so a FIFO cannot hang
  the open; a symlink loop or a missing file is named as such, never as "no such file" for both;
* **too large**: each kind of file has a size limit, checked before and while reading;
* **JSON that Python's parser accepts but a result must not hold**: ``NaN``/``Infinity``, and
  numbers that overflow to infinity (``1e999``); duplicate keys (the last would silently win);
  integers longer than any count or seed (Python refuses 4,300 digits with a ValueError) and
  numbers written with more digits than a double keeps; nesting deeper than any regcheck file
  (Python's parser would raise RecursionError); text that is not UTF-8, or a ``\\ud800`` escape
  that leaves half a surrogate pair (no character at all: it cannot be printed or written back).

Each failure is the caller's ``RegcheckError`` subclass: one line naming the file, what was
found and what was expected. The standard library's ``json`` does the parsing; these checks are
its documented hooks (``parse_constant``, ``object_pairs_hook``, ``parse_int``), written here
because no maintained library offers a strict mode with them (orjson and simdjson reject NaN
but accept duplicate keys and have no depth or size limits a caller can set).
"""

from __future__ import annotations

import errno
import json
import math
import os
import re
import stat
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from regcheck.errors import RegcheckError

MiB = 1024 * 1024
# Limits far above any real file (a baseline of eleven seeds is ~60 KB; a study's table of 303 rows 11 KB),
# far below what could exhaust memory or time.
LIMITS = {"data": 16 * MiB, "baseline": 16 * MiB, "run": 256 * MiB, "benchmark": 64 * MiB, "published": 1 * MiB}
MAX_DEPTH = 32
MAX_INTEGER_DIGITS = 20
# A double's shortest repr is at most 24 characters ("-2.2250738585072014e-308"); 40 leaves room
# for other writers' spellings, and refuses a 100,000-digit number that only costs time.
MAX_NUMBER_CHARS = 40
_KINDS = {stat.S_IFIFO: "a FIFO", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
          stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a folder", stat.S_IFLNK: "a symbolic link"}  # fmt: skip


def read_regular_file(
    path: Path, error: type[RegcheckError], limit: int, expected: str = "a file", name: str | None = None
) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes; else ``error``, one line.

    ``name`` is how messages name the file (default: its path).
    """
    where = name or str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            raise error(f"{where}: no such file") from None
        raise error(f"{where}: {_open_failure(exc)}; expected {expected}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            found = _KINDS.get(stat.S_IFMT(mode), "not a regular file")
            raise error(f"{where}: is {found}; expected {expected} (a regular file)")
        chunks, size = [], 0
        while chunk := os.read(fd, 1 * MiB):
            size += len(chunk)
            if size > limit:
                raise error(f"{where}: larger than {limit // MiB} MiB; expected {expected} of at most that size")
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise error(f"{where}: cannot be read ({exc.strerror}); expected {expected}") from None
    finally:
        os.close(fd)


def _open_failure(exc: OSError) -> str:
    if exc.errno == errno.ENOENT:
        return "no such file"
    if exc.errno == errno.ELOOP:
        return "a symbolic link loop"
    if exc.errno == errno.EISDIR:
        return "is a folder"
    return f"cannot be opened ({exc.strerror})"


def parse_json(raw: bytes, where: str, error: type[RegcheckError]) -> Any:
    """Strictly parse JSON bytes; ``where`` names the file in every message."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(f"{where}: not UTF-8 text (byte {exc.start}); expected JSON") from None
    too_deep = f"{where}: JSON nested more than {MAX_DEPTH} levels deep; expected at most {MAX_DEPTH}"
    try:
        document = json.loads(
            text, parse_constant=_no_constant, object_pairs_hook=_unique_keys, parse_int=_bounded_int,
            parse_float=_finite_float,
        )  # fmt: skip
    except json.JSONDecodeError as exc:
        raise error(f"{where}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except _Refused as exc:
        raise error(f"{where}: {exc}") from None
    except RecursionError:  # the C scanner counts its nesting against the recursion limit and stops cleanly
        raise error(too_deep) from None
    if _nesting(raw) > MAX_DEPTH:
        raise error(too_deep)
    if _SURROGATE_ESCAPE.search(text):
        try:
            _refuse_lone_surrogates(document)
        except _Refused as exc:
            raise error(f"{where}: {exc}") from None
    return document


def json_files(
    inputs: Sequence[Path], error: type[RegcheckError], empty: str, *,
    option: str = "", recursive: bool = False, keep: Callable[[Path], bool] | None = None, must_exist: bool = True,
) -> list[Path]:  # fmt: skip
    """Files as given, in order; a folder stands for its ``*.json`` files (``recursive``: under it), sorted by path.

    ``empty``: what a folder with none of them lacks, e.g. ``"no run files (*.json) in this folder"``;
    ``option``: the option the paths came with, to name in a message (``"--bench"``); ``keep``:
    which of a folder's files to take; ``must_exist=False`` leaves a missing file to its reader.
    """
    paths: list[Path] = []
    for item in inputs:
        if item.is_dir():
            found = [path for path in sorted(item.rglob("*.json") if recursive else item.glob("*.json"))
                     if keep is None or keep(path)]  # fmt: skip
            if not found:
                raise error(f"{option} {item}: {empty}".lstrip())
            paths += found
        elif item.is_file() or not must_exist:
            paths.append(item)
        else:
            raise error(f"{option} {item}: no such file or folder".lstrip())
    return paths


def read_json(path: Path, error: type[RegcheckError], kind: str, expected: str = "a JSON object") -> Any:
    """Read and strictly parse the JSON file ``path`` of ``kind`` (a key of ``LIMITS``)."""
    return parse_json(read_regular_file(path, error, LIMITS[kind], f"{expected} in a file"), str(path), error)


def read_json_object(path: Path, error: type[RegcheckError], kind: str, expected: str = "a JSON object") -> dict[str, Any]:
    document = read_json(path, error, kind, expected)
    if not isinstance(document, dict):
        raise error(f"{path}: expected {expected}, found {type(document).__name__}")
    return document


class _Refused(ValueError):
    """Valid JSON that regcheck refuses; raised from the parser's hooks."""


def _no_constant(name: str) -> Any:
    raise _Refused(f"{name} is not a number regcheck accepts; expected finite numbers only")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _Refused(f"key {key!r} appears twice in one object; expected each key once")
        found[key] = value
    return found


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise _Refused(f"an integer of {len(text.lstrip('-'))} digits; expected at most {MAX_INTEGER_DIGITS}")
    return int(text)


def _finite_float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise _Refused(f"a number written with {len(text)} characters; expected at most {MAX_NUMBER_CHARS}")
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f"{text} is too large for a number (it would be infinity); expected finite numbers only")
    return value


# A \\uD800-\\uDFFF escape: only then can a parsed string hold half a surrogate pair (raw UTF-8 cannot).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _refuse_lone_surrogates(value: Any) -> None:
    """Walk the parsed document (at most ``MAX_DEPTH`` deep) for a string holding half a surrogate pair."""
    if isinstance(value, dict):
        for key, item in value.items():
            _refuse_lone_surrogates(key)
            _refuse_lone_surrogates(item)
    elif isinstance(value, list):
        for item in value:
            _refuse_lone_surrogates(item)
    elif isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            shown = value.encode("utf-8", "backslashreplace").decode("ascii", "replace")[:40]
            raise _Refused(f"the string {shown!r} holds half a surrogate pair (\\ud800-\\udfff); "
                           f"expected text that is valid Unicode") from None  # fmt: skip


_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))
_SAME_BRACKETS = bytes.maketrans(b"{}", b"[]")


def _nesting(raw: bytes) -> int:
    """How deep the arrays and objects of valid JSON ``raw`` nest, counted up to ``MAX_DEPTH + 1``.

    Each step runs at C speed over the bytes (UTF-8 keeps every quote, backslash and bracket a
    byte of its own): drop escapes, keep what lies outside strings, keep only brackets, then peel
    the innermost pairs off, one level per pass.
    """
    unescaped = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    outside_strings = b"".join(unescaped.split(b'"')[::2])
    brackets = outside_strings.translate(_SAME_BRACKETS, _NOT_BRACKETS)
    if b"[" * (MAX_DEPTH + 1) in brackets:
        return MAX_DEPTH + 1
    for level in range(MAX_DEPTH + 1):
        if not brackets:
            return level
        brackets = brackets.replace(b"[]", b"")
    return MAX_DEPTH + 1


def is_integer(value: Any) -> bool:
    """A JSON integer, strictly: ``true`` is not 1."""
    return isinstance(value, int) and not isinstance(value, bool)


# --- writing ---------------------------------------------------------------------------------------

_COMPACT = json.JSONEncoder(ensure_ascii=True, allow_nan=False)
_SCALAR_TYPES = frozenset({int, float, bool, type(None)})


def dumps_indented(document: Any) -> str:
    """``json.dumps(document, indent=1)``, to the byte, several times faster; refuses NaN (``allow_nan=False``).

    Why not the standard library alone: with ``indent`` set, ``json`` encodes in pure Python, one
    generator step per value, and a bless of 10,000 configurations spent 13 s of its time there
    (measured, ``bench/test_scale.py``). Every saved format keeps ``indent=1`` (the committed
    baselines stay byte for byte), so here the containers are walked in Python and every run of
    scalars is encoded by the C encoder at once, joined with the separators ``indent=1`` puts
    between them. The tests hold it equal to ``json.dumps(..., indent=1)`` for any document.
    """
    parts: list[str] = []
    _write(document, 0, parts)
    return "".join(parts)


def _write(value: Any, depth: int, parts: list[str]) -> None:
    if isinstance(value, dict):
        if not value:
            parts.append("{}")
            return
        inner = "\n" + " " * (depth + 1)
        parts.append("{")
        for position, (key, item) in enumerate(value.items()):
            parts.append(("," if position else "") + inner + _COMPACT.encode(_key(key)) + ": ")
            _write(item, depth + 1, parts)
        parts.append("\n" + " " * depth + "}")
    elif isinstance(value, (list, tuple)):
        if not value:
            parts.append("[]")
            return
        inner = "\n" + " " * (depth + 1)
        kinds = set(map(type, value))
        if kinds <= _SCALAR_TYPES | {str}:
            # A run of scalars: the C encoder writes "[a, b, c]"; a number holds no ", ", so numbers are
            # split from that compact form, and strings (which may hold one) encoded one by one.
            if str in kinds:
                encoded = [_COMPACT.encode(item) for item in value]
            else:
                encoded = _COMPACT.encode(value)[1:-1].split(", ")
            parts.append("[" + inner + ("," + inner).join(encoded) + "\n" + " " * depth + "]")
            return
        parts.append("[")
        for position, item in enumerate(value):
            parts.append(("," if position else "") + inner)
            _write(item, depth + 1, parts)
        parts.append("\n" + " " * depth + "]")
    else:
        parts.append(_COMPACT.encode(value))


def _key(key: Any) -> str:
    """A key as ``json.dumps`` writes it: text as it is, numbers, booleans and None as their JSON text."""
    if isinstance(key, str):
        return key
    if key is True or key is False or key is None:
        return json.dumps(key)
    if isinstance(key, (int, float)):
        return _COMPACT.encode(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")
