"""Clockify paging: `page` (1-based, default 1) and `page-size` (default 50) query parameters,
bare JSON arrays, a page past the end is `200 []`, a `Last-Page` header (harmless, some SDKs read it)."""

from __future__ import annotations

from typing import Any, Sequence

from msgspec import Struct

from sandglass.errors import BadRequest

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 5000


class PageRequest(Struct, frozen=True):
    page: int = 1
    size: int = DEFAULT_PAGE_SIZE

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    @property
    def end(self) -> int:
        """Items needed to answer this page (and know whether another follows: one more)."""
        return self.offset + self.size

    def slice(self, items: Sequence[Any]) -> list[Any]:
        return list(items[self.offset:self.end])

    def last(self, total_seen: int) -> bool:
        return total_seen <= self.end


def _integer(value: str | None, name: str, default: int) -> int:
    if value is None or str(value).strip() == "":
        return default
    try:
        return int(str(value).strip())
    except ValueError:
        raise BadRequest(f"{name} must be a whole number") from None


def page_request(page: str | None, page_size: str | None, *, default_size: int = DEFAULT_PAGE_SIZE, max_size: int = MAX_PAGE_SIZE) -> PageRequest:
    """`page` below 1 reads as 1; `page-size` is clamped to 1..max_size (Clockify clamps rather than refuses)."""
    number = max(1, _integer(page, "page", 1))
    size = min(max(1, _integer(page_size, "page-size", default_size)), max_size)
    return PageRequest(number, size)


def headers(request: PageRequest, total_seen: int) -> dict[str, str]:
    return {"Last-Page": "true" if request.last(total_seen) else "false"}
