"""A framework's start-up notices are filtered out of stderr while it is imported; warnings and errors pass."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from regcheck.frameworks.notices import drops

# Verbatim from a default run (TensorFlow 2.21, CPU).
PREFACE = "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"
ONEDNN = (
    "I0000 00:00:1795726677.804349   19884 port.cc:153] oneDNN custom operations are on. You may see slightly "
    "different numerical results due to floating-point round-off errors from different computation orders. "
    "To turn them off, set the environment variable `TF_ENABLE_ONEDNN_OPTS=0`."
)
CPU_GUARD = (
    "I0000 00:00:1795726677.904112   19884 cpu_feature_guard.cc:227] This TensorFlow binary is optimized to use "
    "available CPU instructions in performance-critical operations."
)
CPU_GUARD_2 = (
    "To enable the following instructions: AVX2 AVX512F AVX512_VNNI AVX512_BF16 AVX_VNNI FMA, in other operations, "
    "rebuild TensorFlow with the appropriate compiler flags."
)
ERROR = "E0000 00:00:1795726680.120000   19884 cuda_dnn.cc:8579] Unable to register cuDNN factory"
FATAL = "F0000 00:00:1795726680.120000   19884 cpu_feature_guard.cc:92] The TensorFlow library was compiled to use AVX"


def test_tensorflows_start_up_notices_are_dropped() -> None:
    assert all(drops(line) for line in (PREFACE, ONEDNN, CPU_GUARD, CPU_GUARD_2))


def test_warnings_errors_and_other_text_pass() -> None:
    warning = ERROR.replace("E0000", "W0000", 1)
    assert not any(drops(line) for line in (warning, ERROR, FATAL, "Traceback (most recent call last):", ""))


def _import_noisy(tmp_path: Path, body: str) -> subprocess.CompletedProcess[str]:
    """Import a module that writes ``body``'s lines to file descriptor 2, with its notices filtered."""
    package = tmp_path / "noisy_framework"
    package.mkdir()
    (package / "__init__.py").write_text(textwrap.dedent(body), encoding="utf-8")
    script = (
        "from regcheck.frameworks.notices import quiet_imports; import sys;"
        "quiet_imports(['noisy_framework']); assert 'noisy_framework' not in sys.modules;"
        "import noisy_framework; print('imported', file=sys.stderr)"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    return subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)


def test_an_import_keeps_its_errors_and_loses_its_notices(tmp_path: Path) -> None:
    lines = [PREFACE, ONEDNN, ERROR, CPU_GUARD, CPU_GUARD_2, "a line the filter does not know"]
    done = _import_noisy(tmp_path, f"import os\nos.write(2, {chr(10).join(lines) + chr(10)!r}.encode())\n")
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [ERROR, "a line the filter does not know", "imported"]


@pytest.mark.skipif(sys.platform == "win32", reason="os.abort ends the process differently on Windows")
def test_what_a_crashing_import_writes_before_it_aborts_still_reaches_stderr(tmp_path: Path) -> None:
    done = _import_noisy(tmp_path, f"import os\nos.write(2, {ONEDNN + chr(10) + FATAL + chr(10)!r}.encode())\nos.abort()\n")
    assert done.returncode != 0
    assert done.stderr.splitlines() == [FATAL]
