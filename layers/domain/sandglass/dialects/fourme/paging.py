"""4me's pagination: `page` (from 1) and `per_page` (default 25, at most 100), a Link header with the
first, prev and next pages (RFC 8288), the collection itself a plain JSON array."""

from __future__ import annotations

from typing import Any, Sequence
from urllib.parse import urlencode

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100


def page_of(items: Sequence[Any], page: int, per_page: int) -> tuple[list[Any], bool]:
    """The page's items and whether another page follows."""
    start = (page - 1) * per_page
    return list(items[start:start + per_page]), len(items) > start + per_page


def link_header(path: str, query: dict[str, str], page: int, per_page: int, more: bool) -> str | None:
    def url(number: int) -> str:
        return f"<{path}?{urlencode({**query, 'page': number, 'per_page': per_page})}>"

    links = []
    if page > 1:
        links += [f'{url(1)}; rel="first"', f'{url(page - 1)}; rel="prev"']
    if more:
        links.append(f'{url(page + 1)}; rel="next"')
    return ", ".join(links) or None
