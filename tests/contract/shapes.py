"""Compare a response with the reference's example response by shape: the same fields, the same JSON
types, recursively; an ID-keyed map (the reference's collections) is compared by its values."""

from __future__ import annotations

import re
from typing import Any, Callable

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# string formats the reference's examples follow, and so must ours where the example does
FORMATS = {
    "a UTC timestamp with milliseconds and Z": re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"),
    "a date": re.compile(r"^\d{4}-\d\d-\d\d$"),
    "a UUID": UUID,
}


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def is_id_keyed_map(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and all(UUID.match(key) for key in value)


def differences(ours: Any, reference: Any, allowed_extras: frozenset[str] = frozenset(), where: str = "$",
                may_be_null: Callable[[str], bool] = lambda where: False) -> list[str]:
    """What keeps `ours` from having the reference's shape, one line each; empty when it has it.

    `where` names a location JSONPath-like (`$.lockingTimesheets.week`, `$.*.id` for every value of
    an ID-keyed map, `$[]` for every item of an array); `allowed_extras` holds the locations of the
    fields we may add to the reference's.
    A null in the reference shows a field that may be null, not its type, so any value fits it; a
    null of ours where the reference shows a value fits where `may_be_null(where)` (our OpenAPI
    document declares the field nullable: a user without a phone).
    Arrays: every item is compared with the reference's first (an empty side proves nothing more).
    Strings: where the example is a timestamp, a date or a UUID, ours must be one too.
    """
    if reference is None:
        return []
    if ours is None and may_be_null(where):
        return []
    if json_type(ours) != json_type(reference):
        return [f"{where}: {json_type(ours)}, the reference has {json_type(reference)}"]
    if isinstance(reference, str):
        return [f"{where}: {ours!r} is not {name}" for name, pattern in FORMATS.items() if pattern.match(reference) and not pattern.match(ours)]
    if isinstance(reference, list):
        if not reference:
            return []
        return [line for item in ours for line in differences(item, reference[0], allowed_extras, f"{where}[]", may_be_null)]
    if not isinstance(reference, dict):
        return []
    if is_id_keyed_map(reference):
        return map_differences(ours, reference, allowed_extras, where, may_be_null)
    return field_differences(ours, reference, where, lambda mine, theirs, at: differences(mine, theirs, allowed_extras, at, may_be_null),
                             allowed_extras)


def field_differences(ours: dict, reference: dict, where: str, compare: Callable[[Any, Any, str], list[str]],
                      allowed_extras: frozenset[str] = frozenset()) -> list[str]:
    """The reference's fields `ours` lacks, the fields it adds (but the locations in `allowed_extras`),
    then `compare(ours, reference, location)` of every field both have."""
    found = [f"{where}.{key}: missing" for key in sorted(reference.keys() - ours.keys())]
    found += [f"{where}.{key}: not in the reference" for key in sorted(ours.keys() - reference.keys()) if f"{where}.{key}" not in allowed_extras]
    for key in sorted(reference.keys() & ours.keys()):
        found += compare(ours[key], reference[key], f"{where}.{key}")
    return found


def map_differences(ours: dict, reference: dict, allowed_extras: frozenset[str], where: str, may_be_null: Callable[[str], bool]) -> list[str]:
    if not ours:
        return [f"{where}: an empty map, its values' shape is not verified"]
    sample = next(iter(reference.values()))
    found: list[str] = []
    for key, value in ours.items():
        if isinstance(value, dict) and "id" in value and value["id"] != key:
            found.append(f"{where}.{key}: keyed by {key!r} but its id is {value['id']!r}")
        found += differences(value, sample, allowed_extras, f"{where}.*", may_be_null)
    return sorted(set(found), key=found.index)


def schema_allows_null(document: dict, schema: dict | None, where: str) -> bool:
    """Whether an OpenAPI 3.1 schema lets the value at `where` (a location as above) be null."""
    steps = re.findall(r"\.([^.\[]+)|(\[\])", where)
    return schema is not None and _allows_null(document, schema, [name or "[]" for name, _ in steps])


def _allows_null(document: dict, schema: dict, steps: list[str]) -> bool:
    for branch in _branches(document, schema):
        if not steps:
            kinds = branch.get("type")
            if kinds == "null" or (isinstance(kinds, list) and "null" in kinds):
                return True
            continue
        step = steps[0]
        if step == "[]":
            child = branch.get("items")
        elif step == "*":
            child = branch.get("additionalProperties")
        else:
            child = branch.get("properties", {}).get(step)
        if isinstance(child, dict) and _allows_null(document, child, steps[1:]):
            return True
    return False


def _branches(document: dict, schema: dict):
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    alternatives = schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf")
    if alternatives:
        for alternative in alternatives:
            yield from _branches(document, alternative)
    else:
        yield schema
