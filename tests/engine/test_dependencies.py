"""A broken environment is bad input (exit 2, one line naming the module), never a moved result (exit 1)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# What pandas 2.0.3 over numpy 2.x raises while it is imported: a ValueError, not an ImportError.
BROKEN_MODULE = 'raise ValueError("numpy.dtype size changed, may indicate binary incompatibility. Expected 96, got 88")\n'
STUDY = textwrap.dedent("""
    import sys
    sys.path.insert(0, __file__.rsplit("/", 1)[0])
    from examples_cancer import CancerStudy

    class BrokenStudy(CancerStudy):
        requires = ("broken_pandas",)

    study = BrokenStudy()
""")


def test_a_dependency_that_fails_to_import_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "broken_pandas.py").write_text(BROKEN_MODULE)
    (tmp_path / "examples_cancer.py").write_text((ROOT / "examples" / "cancer_study.py").read_text())
    (tmp_path / "broken_study.py").write_text(STUDY)
    result = subprocess.run(
        [sys.executable, "-m", "regcheck", "run", "--study", f"{tmp_path / 'broken_study.py'}:study",
         "--baselines", str(ROOT / "examples" / "baselines"), "--json", str(tmp_path / "run.json")],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == (
        "regcheck: error: broken_pandas cannot be imported (ValueError: numpy.dtype size changed, may indicate binary "
        "incompatibility. Expected 96, got 88); the cancer study needs it: reinstall it in this environment "
        "(e.g. pip install --force-reinstall broken_pandas)\n"
    )
    assert result.stdout == "" and not (tmp_path / "run.json").exists()
