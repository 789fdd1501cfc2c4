"""One self-contained HTML page: the run's verdicts, its models' grids and charts, the version matrix and timings.

Nothing is fetched when the page is viewed: styles are inline, plots are inline SVG (see svg.py for
why not matplotlib), there is no script. The sections are built in ``html_sections``.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from regcheck.files.benchmark import BenchmarkRun
from regcheck.files.matrixfile import MatrixData
from regcheck.files.runfile import RunData
from regcheck.reports.html_sections import (
    environment_section,
    grid_sections,
    matrix_section,
    summary_section,
    timings_section,
)

CSS = """
body{font-family:'DejaVu Sans','Liberation Sans',Arial,sans-serif;margin:0 auto;max-width:1100px;padding:16px 24px;
color:#212121;background:#fff;font-size:14px}
h1{font-size:22px;margin:4px 0}h2{font-size:18px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:28px}
.summary{padding:10px 14px;border-radius:6px;font-size:15px;margin:10px 0}
.summary.ok{background:#e8f5e9;border-left:6px solid #2e7d32}
.summary.failed{background:#ffebee;border-left:6px solid #c62828}
.absent{color:#616161;font-style:italic;background:#fafafa;padding:8px 12px;border:1px dashed #bbb;border-radius:4px}
table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{border:1px solid #ddd;padding:4px 8px;text-align:left}
th{background:#f5f5f5}td.held{background:#f1f8e9}td.moved,td.error,td.missing{background:#ffebee;font-weight:bold}
td.updated{background:#e3f2fd}.note{color:#616161;font-size:12px}.meta{color:#616161;font-size:12px}
svg.plot{max-width:100%;height:auto;display:block;margin:8px 0}
.plots{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}
code{background:#f5f5f5;padding:1px 4px;border-radius:3px}
"""


def report_html(run: RunData | None, matrix: MatrixData | None, benches: Sequence[BenchmarkRun]) -> str:
    sources = [s for s in (run.source if run else None, matrix.source if matrix else None) if s]
    sources += [bench.source for bench in benches]
    created = f" · run created {run.created}" if run and run.created else ""
    sections = [
        ("Summary", summary_section(run)),
        *grid_sections(run),
        ("Version matrix: drift across environments", matrix_section(matrix)),
        ("Timings: CPU vs GPU, version vs version", timings_section(benches)),
        ("Environment of the run", environment_section(run)),
    ]
    body = "".join(
        f'<section id="s{index}"><h2>{escape(title)}</h2>{content}</section>' for index, (title, content) in enumerate(sections)
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>regcheck report</title><style>{CSS}</style></head><body>"
        f'<h1>regcheck report</h1><p class="meta">from {escape(", ".join(sources) or "no inputs")}{escape(created)}</p>'
        f"{body}</body></html>\n"
    )
