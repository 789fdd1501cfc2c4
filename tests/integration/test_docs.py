"""The docs as guides: each guide short enough to read, every path and link it names real, every log dated.

``docs/*.md`` are guides: how to use a part and what it guarantees. Measurements live in
``docs/measurements/``, one dated log each, named in its index and linked from a guide. A page
that names a module, a test or a script that was moved or deleted fails here, naming the page,
the line and the path.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
MEASUREMENTS = DOCS / "measurements"
GUIDES = sorted(DOCS.glob("*.md"))
LOGS = sorted(path for path in MEASUREMENTS.glob("*.md") if path.name != "README.md")
PAGES = [ROOT / "README.md", *GUIDES, MEASUREMENTS / "README.md", *LOGS]
# "Under 15 KB", read strictly: 15,000 bytes of UTF-8.
GUIDE_LIMIT = 15_000
# Pages another change is rewriting; each entry is removed when that rewrite lands (strict: a page
# that has come under the limit fails here until its entry goes).
BEING_SHORTENED = {"gates.md": "docs/gates.md is being rewritten with the band of issue 21"}
# A repository path: a top-level folder of the project and what follows it, not preceded by another
# path's characters (``.tox/regcheck-bench/x.json`` and ``~/.cache/regcheck/`` are not the project's).
TOP_FOLDERS = ("regcheck", "tests", "bench", "examples", "baselines", "docs", "requirements", r"\.ci", r"\.github")
REPOSITORY_PATH = re.compile(rf"(?<![\w./~$<>-])((?:{'|'.join(TOP_FOLDERS)})/[\w./*<>-]*)")
LOG_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})-[a-z0-9-]+\.md")


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@cache
def tokens(page: Path) -> list[Token]:
    return MarkdownIt("commonmark").enable("table").parse(page.read_text(encoding="utf-8"))


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens.

    Written here because the anchors are GitHub's rule, which markdown-it-py does not implement.
    """
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


@cache
def anchors(page: Path) -> frozenset[str]:
    """The anchors of a page's headings; a repeated heading gets ``-1``, ``-2`` as on GitHub."""
    seen: Counter[str] = Counter()
    found = set()
    parsed = tokens(page)
    for position, token in enumerate(parsed):
        if token.type == "heading_open":
            text = "".join(child.content for child in parsed[position + 1].children or [])
            base = slug(text)
            found.add(base if not seen[base] else f"{base}-{seen[base]}")
            seen[base] += 1
    return frozenset(found)


def links(page: Path) -> list[tuple[int, str]]:
    """(line, target) of every link and image outside code, as markdown-it-py reads them."""
    found = []
    for token in tokens(page):
        for child in token.children or []:
            target = (child.attrs.get("href") or child.attrs.get("src")) if child.type in ("link_open", "image") else None
            if isinstance(target, str):
                found.append(((token.map or [0])[0] + 1, target))
    return found


def linked_names(page: Path) -> set[str]:
    """The files a page links to, by name (anchors dropped)."""
    return {Path(target.partition("#")[0]).name for _, target in links(page)}


@pytest.mark.parametrize(
    "guide",
    [
        pytest.param(guide, marks=pytest.mark.xfail(strict=True, reason=BEING_SHORTENED[guide.name]))
        if guide.name in BEING_SHORTENED
        else guide
        for guide in GUIDES
    ],
    ids=lambda guide: guide.name,
)
def test_each_guide_is_under_15_kb(guide: Path) -> None:
    size = len(guide.read_bytes())
    assert size < GUIDE_LIMIT, f"{relative(guide)} is {size:,} bytes; a guide is under {GUIDE_LIMIT:,} (logs: docs/measurements/)"


@pytest.mark.parametrize("page", PAGES, ids=relative)
def test_every_repository_path_a_page_names_exists(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    missing = []
    for match in REPOSITORY_PATH.finditer(text):
        named = match.group(1).rstrip(".")
        pattern = re.sub(r"<[^>]*>", "*", named)  # baselines/heart/<model>/<config_id>.json: any file of that shape
        if not any(ROOT.glob(pattern)):
            missing.append(f"{relative(page)}:{text.count(chr(10), 0, match.start()) + 1}: {named}")
    assert not missing, "paths that do not exist:\n" + "\n".join(missing)


@pytest.mark.parametrize("page", PAGES, ids=relative)
def test_every_link_between_pages_reaches_a_file_and_its_heading(page: Path) -> None:
    broken = []
    for line, target in links(page):
        if re.match(r"[a-z]+:", target):  # https:, mailto:: outside the repository
            continue
        name, _, anchor = target.partition("#")
        linked = (page.parent / name).resolve() if name else page
        if not linked.exists():
            broken.append(f"{relative(page)}:{line}: {target} (no such file)")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{relative(page)}:{line}: {target} (no heading #{anchor} in {relative(linked)})")
    assert not broken, "links that lead nowhere:\n" + "\n".join(broken)


@pytest.mark.parametrize("log", LOGS, ids=lambda log: log.name)
def test_each_measurement_log_is_dated_indexed_and_linked_from_a_guide(log: Path) -> None:
    named = LOG_NAME.fullmatch(log.name)
    assert named, f"{relative(log)}: expected a name YYYY-MM-DD-what.md"
    title = log.read_text(encoding="utf-8").splitlines()[0]
    assert title.startswith("# ") and named.group(1) in title, f"{relative(log)}: its title line names no date {named.group(1)}"
    index = MEASUREMENTS / "README.md"
    assert log.name in linked_names(index), f"{relative(log)} is not in {relative(index)}"
    assert any(log.name in linked_names(guide) for guide in GUIDES), f"{relative(log)}: no guide in docs/ links it"


def test_the_readme_lists_every_guide() -> None:
    listed = {Path(target.partition("#")[0]) for _, target in links(ROOT / "README.md")}
    missing = [relative(page) for page in [*GUIDES, MEASUREMENTS / "README.md"] if page.relative_to(ROOT) not in listed]
    assert not missing, f"guides the README's Documentation list does not link: {missing}"
