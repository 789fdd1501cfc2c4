"""The scaling family's crossover (GPU time / CPU time per size) in ``regcheck compare`` and ``regcheck report``.

Two inputs: a REAL CPU-only run of ``bench/test_mlp_scaling.py`` saved on the 2-core development
machine (its GPU cases skipped), and a SYNTHETIC GPU-machine run with both devices
(tests/data/make_synthetic.py: a cost model, not a measurement).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from report_fixtures import DATA, SYNTHETIC_BENCHES

from regcheck.frontends.cli import main
from regcheck.timing.crossover import CrossoverRow, crossover

REAL_CPU = DATA / "real_bench_scaling_cpu.json"
SYNTHETIC_GPU = DATA / "synthetic_bench_scaling_gpu.json"
HEADER = "batch  width  CPU per step  GPU per step  GPU / CPU  faster"


def _compare(capsys: pytest.CaptureFixture[str], *paths: Path) -> str:
    assert main(["compare", *map(str, paths)]) == 0
    return capsys.readouterr().out


def test_a_cpu_only_run_shows_its_cpu_times_and_says_why_there_is_no_gpu_column(capsys: pytest.CaptureFixture[str]) -> None:
    out = _compare(capsys, REAL_CPU, REAL_CPU)
    assert out.count("crossover in run ") == 2
    assert "no GPU case in this run (skipped where the backend sees no GPU): CPU times only" in out
    rows = [line.split() for line in out.splitlines() if line.startswith("  10 ") or line.startswith("  4096 ")]
    assert [row[:2] for row in rows[:6]] == [["10", "128"], ["10", "1024"], ["10", "4096"],
                                             ["4096", "128"], ["4096", "1024"], ["4096", "4096"]]  # fmt: skip
    assert all(row[-3:] == ["-", "-", "-"] for row in rows)


def test_a_gpu_machine_run_shows_per_size_which_device_wins(capsys: pytest.CaptureFixture[str]) -> None:
    out = _compare(capsys, REAL_CPU, SYNTHETIC_GPU)
    section = out.split("crossover in run 2")[1]
    assert HEADER in section
    rows = [line.split() for line in section.splitlines() if line.split()[:1] and line.split()[0].isdigit()]
    faster = {(row[0], row[1]): row[-1] for row in rows}
    assert faster[("10", "128")] == "CPU"  # the study's own size: launch-bound, the GPU loses
    assert faster[("4096", "4096")] == "GPU"
    assert "  10     128    1.51 ms       4.00 ms       2.66x      CPU" in section


def test_runs_without_the_scaling_family_show_no_crossover(capsys: pytest.CaptureFixture[str]) -> None:
    assert "crossover" not in _compare(capsys, *SYNTHETIC_BENCHES)


def test_the_report_page_and_summary_hold_each_runs_crossover(tmp_path: Path) -> None:
    html, markdown = tmp_path / "report.html", tmp_path / "report.md"
    code = main(["report", "--bench", str(REAL_CPU), "--bench", str(SYNTHETIC_GPU), "--html", str(html),
                 "--markdown", str(markdown)])  # fmt: skip
    assert code == 0
    page, summary = html.read_text(encoding="utf-8"), markdown.read_text(encoding="utf-8")
    assert page.count("<th>GPU / CPU</th>") == 2 and "CPU times only" in page
    assert "| 10 | 128 | 1.51 ms | 4.00 ms | 2.66x | CPU |" in summary
    assert summary.count("Crossover in ") == 2


def test_cases_pair_by_size_per_step_and_malformed_ones_are_left_out() -> None:
    family = {"family": "scaling", "steps": 5}
    rows = crossover([
        (0.010, {**family, "batch": 10, "width": 128, "device": "cpu"}),
        (0.020, {**family, "batch": 10, "width": 128, "device": "gpu"}),
        (0.500, {**family, "batch": 4096, "width": 128, "device": "gpu"}),
        (1.000, {**family, "batch": "10", "width": 128, "device": "cpu"}),  # not a number
        (1.000, {**family, "batch": 10, "width": 128, "device": "tpu"}),
        (1.000, {"batch": 10, "width": 128, "device": "cpu"}),  # another family
    ])  # fmt: skip
    assert rows == [CrossoverRow(10, 128, 0.002, 0.004), CrossoverRow(4096, 128, None, 0.1)]
    assert (rows[0].ratio, rows[0].faster, rows[1].ratio, rows[1].faster) == (2.0, "CPU", None, "-")
