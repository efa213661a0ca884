"""The documentation holds together: every relative link in README.md, CONTRIBUTING.md, SECURITY.md
and docs/ points to a file that exists (and, for a Markdown file, to a heading it has), and the
README stays short enough to read in one sitting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = sorted([ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / "SECURITY.md", *(ROOT / "docs").glob("**/*.md")])
README_MAX_LINES = 160

LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.M | re.S)
INLINE_CODE = re.compile(r"`[^`\n]*`")


def _links(text: str) -> list[str]:
    text = INLINE_CODE.sub("", FENCE.sub("", text))
    return LINK.findall(text)


def _anchor(heading: str) -> str:
    """GitHub's slug of a heading: lower case, punctuation dropped, spaces become hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text())
    return {_anchor(match) for match in re.findall(r"^#{1,6} (.+)$", text, re.M)}


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_relative_link_points_to_an_existing_file_and_heading(document):
    broken = []
    for target in _links(document.read_text()):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto: ...
            continue
        path, _, anchor = target.partition("#")
        resolved = (document.parent / path).resolve() if path else document
        if not resolved.exists():
            broken.append(f"{target}: no such file")
        elif anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved):
            broken.append(f"{target}: no such heading in {resolved.relative_to(ROOT)}")
    assert broken == [], f"{document.relative_to(ROOT)}: {broken}"


def test_the_readme_stays_short():
    lines = (ROOT / "README.md").read_text().count("\n")
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines; move the detail into docs/ (at most {README_MAX_LINES})"


def test_the_readme_links_every_document_in_docs():
    readme = (ROOT / "README.md").read_text()
    linked = {(ROOT / target.partition("#")[0]).resolve() for target in _links(readme) if not target.startswith("#")}
    assert [path.name for path in sorted((ROOT / "docs").glob("*.md")) if path.resolve() not in linked] == []


def test_the_anchor_rule():
    assert _anchor("Worked example: adding a field to activities") == "worked-example-adding-a-field-to-activities"
    assert _anchor("Local development: `make dev`, `make test`") == "local-development-make-dev-make-test"
    assert _anchor("The two commands") == "the-two-commands"
