"""What the catalog's Clockify mappings (tags, clients, tasks) share: name filters, sorting, and
Clockify's answer to a duplicate name (400, as Clockify answers it, where Sandtime answers 409)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator, Sequence, TypeVar

from sandglass import ids
from sandglass.entities.catalog import name_key
from sandglass.errors import BadRequest, Conflict

T = TypeVar("T")


def named(items: Sequence[T], name: str | None, strict: bool) -> list[T]:
    """Clockify's name search: a case-insensitive substring, or (strict) the whole name."""
    if not name:
        return list(items)
    wanted = name_key(name)
    return [item for item in items if (name_key(item.name) == wanted if strict else wanted in name_key(item.name))]


def sorted_by(items: Sequence[T], column: str | None, order: str | None) -> list[T]:
    """`sort-column` ID or NAME (the default), `sort-order` ASCENDING (default) or DESCENDING."""
    key: Callable[[T], tuple] = (lambda item: (ids.short_id(item.id),)) if (column or "").upper() == "ID" else \
        (lambda item: (name_key(item.name), ids.short_id(item.id)))
    return sorted(items, key=key, reverse=(order or "").upper() == "DESCENDING")


@contextmanager
def duplicate_names_are_bad_requests() -> Iterator[None]:
    try:
        yield
    except Conflict as error:
        if error.code.endswith("_NAME_TAKEN"):
            raise BadRequest(error.message) from None
        raise
