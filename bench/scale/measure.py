"""How regcheck's own cost grows with the grid: every verb on a study of trivial fits at two sizes.

    python bench/scale/measure.py                       # 1,000 and 10,000 configurations
    python bench/scale/measure.py --sizes 1000,10000 --json scale.json

For each size, in a fresh folder: ``bless`` (creating the baselines), ``run`` (against them, with
``--json``), ``pytest`` (collection and one test per configuration through the plugin),
``report`` (the run file as HTML and Markdown) and ``matrix`` (two run files and the baselines);
and, for reference, ``pytest alone``: as many trivial tests without regcheck (pytest's own share).
Each verb is a process of its own, timed from outside (wall clock) with its peak memory (its
``ru_maxrss`` from ``os.wait4``); the fits cost nothing (``scale_study.py``), so what is timed is
regcheck. The table gives each verb's seconds, milliseconds per configuration and peak MiB per
size, and the ratio of the largest size's time to the smallest's (10 for linear cost at 1,000
and 10,000). ``bench/test_scale.py`` runs the same under pytest-benchmark.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
STUDY = HERE / "scale_study.py"
TESTS = HERE / "test_scale_study.py"
BARE_TESTS = HERE / "test_bare_pytest.py"
# "pytest alone": as many trivial tests without regcheck, the part of the pytest row that is pytest's own.
VERBS = ("bless", "run", "pytest", "pytest alone", "report", "matrix")


@dataclass(frozen=True)
class Measurement:
    verb: str
    configurations: int
    seconds: float
    peak_mib: float

    @property
    def ms_per_configuration(self) -> float:
        return 1000 * self.seconds / self.configurations


def _timed(command: list[str], folder: Path, configurations: int) -> tuple[float, float]:
    """Wall seconds and peak MiB of one process; a failure stops the measurement with its output."""
    environment = {**os.environ, "REGCHECK_SCALE_CONFIGURATIONS": str(configurations), "PYTHONDONTWRITEBYTECODE": "1"}
    started = time.perf_counter()
    with subprocess.Popen(command, cwd=folder, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as process:
        assert process.stdout is not None
        output = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)  # the child's own rusage: its peak memory, not the harness's
        seconds = time.perf_counter() - started
        process.returncode = code = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
    if code != 0:
        raise RuntimeError(f"{' '.join(command)} exited {code}:\n{output.decode(errors='replace')[-2000:]}")
    return seconds, usage.ru_maxrss / 1024  # kilobytes on Linux


def commands(python: str) -> dict[str, list[str]]:
    study = ["--study", f"{STUDY}:study"]
    return {
        "bless": [python, "-m", "regcheck", "bless", *study, "--baselines", "baselines", "--reason", "scale"],
        "run": [python, "-m", "regcheck", "run", *study, "--baselines", "baselines", "--json", "runs/a.json"],
        "pytest": [python, "-m", "pytest", TESTS.name, "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
                   "--regcheck-study", f"{STUDY}:study", "--regcheck-baselines", "baselines"],
        "pytest alone": [python, "-m", "pytest", BARE_TESTS.name, "-q", "-p", "no:cacheprovider", "-p", "no:randomly"],
        "report": [python, "-m", "regcheck", "report", "runs/a.json", *study, "--html", "report.html", "--markdown", "report.md"],
        "matrix": [python, "-m", "regcheck", "matrix", "runs", *study, "--baselines", "baselines", "--json", "matrix.json"],
    }  # fmt: skip


def prepare(folder: Path) -> None:
    """A fresh project folder: the pytest file of the study, and a folder for the run files."""
    (folder / "runs").mkdir()
    shutil.copy(TESTS, folder / TESTS.name)
    shutil.copy(BARE_TESTS, folder / BARE_TESTS.name)


def run_verb(verb: str, folder: Path, configurations: int, python: str = sys.executable) -> Measurement:
    """One verb in ``folder``, after the verbs before it in ``VERBS`` (each reads what those wrote)."""
    if verb == "matrix":  # a second environment's run file: the same records, another column
        shutil.copy(folder / "runs" / "a.json", folder / "runs" / "b.json")
    seconds, peak = _timed(commands(python)[verb], folder, configurations)
    return Measurement(verb, configurations, seconds, peak)


def measure(configurations: int, python: str = sys.executable) -> list[Measurement]:
    """Every verb at one size, in order, in a throw-away folder."""
    with tempfile.TemporaryDirectory(prefix=f"regcheck-scale-{configurations}-") as name:
        folder = Path(name)
        prepare(folder)
        return [run_verb(verb, folder, configurations, python) for verb in VERBS]


def table(results: list[Measurement]) -> str:
    sizes = sorted({item.configurations for item in results})
    lines = ["verb          " + "".join(f"| {size:>6,} configurations: s, ms/config, peak MiB " for size in sizes) + "| ratio"]
    for verb in VERBS:
        row = {item.configurations: item for item in results if item.verb == verb}
        if not row:
            continue
        cells = "".join(f"| {row[s].seconds:>10.2f} {row[s].ms_per_configuration:>10.3f} {row[s].peak_mib:>12.0f}        "
                        for s in sizes)  # fmt: skip
        ratio = row[sizes[-1]].seconds / row[sizes[0]].seconds if len(sizes) > 1 else 1.0
        lines.append(f"{verb:<14}{cells}| {ratio:.1f}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000", help="configurations per run, comma-separated (default: 1000,10000)")
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    args = parser.parse_args()
    results = [item for size in (int(text) for text in args.sizes.split(",")) for item in measure(size)]
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps([{**asdict(item), "ms_per_configuration": item.ms_per_configuration}
                                         for item in results], indent=1) + "\n", encoding="utf-8")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
