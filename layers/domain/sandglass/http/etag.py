"""ETag / If-Match: the item's `version` as a strong validator."""

from __future__ import annotations

from sandglass.errors import BadRequest


def etag(version: int) -> str:
    return f'"{int(version)}"'


def parse_if_match(value: str | None) -> int | None:
    if value is None or value.strip() == "*":
        return None
    text = value.strip()
    if text.startswith("W/"):
        text = text[2:]
    text = text.strip('"')
    # ASCII digits only (str.isdigit() also accepts '²' or '١', which int() rejects or misreads)
    # and a bounded length (int() refuses more than 4300 digits): anything else is no ETag of ours
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise BadRequest("If-Match must be an ETag returned by this API", code="INVALID_IF_MATCH")
    return int(text)


def with_etag(entity):
    """A 200 with the entity and its `ETag` (the stored version), for clients to send back in If-Match."""
    from aws_lambda_powertools.event_handler import Response

    version = getattr(entity, "_version", None)
    headers = {"ETag": etag(version)} if version is not None else {}
    return Response(status_code=200, content_type="application/json", body=entity, headers=headers)
