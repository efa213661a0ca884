"""Nested JSON documents (settings, preferences): partial updates merge key by key."""

from __future__ import annotations

from typing import Any


def deep_merge(stored: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """`patch` over `stored`, nested objects merged key by key (partial nested updates)."""
    merged = dict(stored)
    for field, value in patch.items():
        if isinstance(value, dict) and isinstance(merged.get(field), dict):
            merged[field] = deep_merge(merged[field], value)
        else:
            merged[field] = value
    return merged
