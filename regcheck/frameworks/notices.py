"""Start-up notices of native frameworks, filtered out of stderr while they are imported; errors pass.

TensorFlow 2.21 writes, from C++ while its shared libraries load (before its own log settings
such as ``TF_CPP_MIN_LOG_LEVEL`` are read), one line saying absl logs to stderr until it is
initialised, then INFO lines: "oneDNN custom operations are on" (twice) and which CPU
instructions the binary could use. They are notes, not problems, and read like ones in a
test run's output. ``quiet_imports`` registers modules whose import runs with the process's
file descriptor 2 piped through a filter that drops exactly those lines: absl's start-up line,
absl INFO lines, and the instruction-list line. Warnings, errors and anything else pass.

The filter is a small child process, not a thread, so that what a crashing import writes just
before it aborts (TensorFlow's "compiled to use AVX instructions, but these aren't available",
a fatal log) still reaches the terminal: the child drains the pipe after the importer is gone.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from types import ModuleType

# absl's preface, absl INFO lines ("I0000 00:00:1795726677.804349   19884 port.cc:153] ..."), and the
# second line of TensorFlow's CPU-instructions note. W, E and F lines are kept.
NOTICE_PATTERNS = (
    r"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR",
    r"I\d{4} \d\d:\d\d:\d+\.\d+ +\d+ [\w.-]+:\d+\] .*",
    r"To enable the following instructions: .*, in other operations, rebuild TensorFlow with the appropriate compiler flags\.",
)

# Reads stdin to its end and writes every line that matches none of the patterns (argv) to stdout.
_FILTER = """
import re, sys
patterns = [re.compile(p.encode()) for p in sys.argv[1:]]
out = sys.stdout.buffer
for line in sys.stdin.buffer:
    if not any(p.fullmatch(line.rstrip(b"\\r\\n")) for p in patterns):
        out.write(line)
        out.flush()
"""


def drops(line: str, patterns: Sequence[str] = NOTICE_PATTERNS) -> bool:
    """Whether the filter drops ``line`` (without its line end): the same rule the child applies."""
    import re

    return any(re.fullmatch(pattern, line) for pattern in patterns)


@contextlib.contextmanager
def filtered_stderr(patterns: Sequence[str] = NOTICE_PATTERNS) -> Iterator[None]:
    """Within the block, what anything in this process writes to file descriptor 2 passes the filter."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no usable stderr: nothing to keep clean
        yield
        return
    try:
        child = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _FILTER, *patterns], stdin=subprocess.PIPE, stdout=saved, close_fds=True
        )
    except OSError:
        os.close(saved)
        yield
        return
    assert child.stdin is not None  # stdin=PIPE
    os.dup2(child.stdin.fileno(), 2)
    try:
        yield
    finally:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        child.stdin.close()
        child.wait()


class _QuietLoader(importlib.abc.Loader):
    """Runs the wrapped loader's ``exec_module`` inside ``filtered_stderr``; then steps aside."""

    def __init__(self, loader: importlib.abc.Loader, patterns: Sequence[str]) -> None:
        self.loader = loader
        self.patterns = patterns

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        # The module keeps its own loader: nothing after the import sees this wrapper.
        module.__loader__ = self.loader
        if module.__spec__ is not None:
            module.__spec__.loader = self.loader
        with filtered_stderr(self.patterns):
            self.loader.exec_module(module)


class _QuietFinder(importlib.abc.MetaPathFinder):
    def __init__(self) -> None:
        self.modules: dict[str, Sequence[str]] = {}
        self._finding = False

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        patterns = self.modules.get(fullname)
        if patterns is None or self._finding:
            return None
        self._finding = True  # the real spec, from the finders after this one
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            self._finding = False
        if spec is None or spec.loader is None or isinstance(spec.loader, _QuietLoader):
            return spec
        spec.loader = _QuietLoader(spec.loader, patterns)
        return spec


_finder = _QuietFinder()


def quiet_imports(modules: Sequence[str], patterns: Sequence[str] = NOTICE_PATTERNS) -> None:
    """From now on in this process, importing any of ``modules`` (top-level names) filters their notices.

    Imports nothing itself; a module imported already is left alone. Idempotent.
    """
    for name in modules:
        _finder.modules[name] = tuple(patterns)
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)


def quiet_tensorflow() -> None:
    """Silence TensorFlow's notices in this process and in the workers it spawns (they inherit the variable).

    Call before TensorFlow's first import; it imports nothing. Two kinds of notice, two switches:

    * written while TensorFlow's libraries load, before it reads any setting: absl's start-up line,
      "oneDNN custom operations are on" (twice) and the CPU-instructions note. The import of
      ``tensorflow`` is filtered (``regcheck.frameworks.notices``): those INFO lines go,
      any warning or error line passes. oneDNN itself stays on: switching it off
      (``TF_ENABLE_ONEDNN_OPTS=0``) would change the arithmetic, not just the output.
    * logged later by its C++ logger, which reads ``TF_CPP_MIN_LOG_LEVEL`` at import: one
      "E0000 ... NodeDef mentions attribute use_unbounded_threadpool" line per fit, logged at
      ERROR level by tf.data although every result held (measured on a default run). A real
      failure is not a log line: it raises, and the run turns it into that configuration's error
      verdict with its cause. A user's own setting of the variable wins.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    quiet_imports(("tensorflow",))
