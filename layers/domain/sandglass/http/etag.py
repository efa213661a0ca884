"""ETag / If-Match: the item's `version` as a strong validator."""

from __future__ import annotations

from sandglass.errors import BadRequest, PreconditionFailed


def etag(version: int) -> str:
    return f'"{int(version)}"'


def parse_if_match(value: str | None) -> int | None:
    if value is None or value.strip() == "*":
        return None
    text = value.strip()
    if text.startswith("W/"):
        # If-Match compares strongly (RFC 9110 13.1.1): a weak tag never matches
        raise PreconditionFailed("If-Match needs the strong ETag this API returned, not a weak one (W/...)")
    text = text.strip('"')
    # ASCII digits only (str.isdigit also accepts '²' or Arabic-Indic digits), and no longer than a
    # version can be: DynamoDB refuses numbers over 38 digits and int() strings over 4300.
    if not (text.isascii() and text.isdigit() and len(text) <= 18):
        raise BadRequest("If-Match must be an ETag returned by this API", code="INVALID_IF_MATCH")
    return int(text)


def with_etag(entity):
    """A 200 with the entity and its `ETag` (the stored version), for clients to send back in If-Match."""
    from aws_lambda_powertools.event_handler import Response

    version = getattr(entity, "_version", None)
    headers = {"ETag": etag(version)} if version is not None else {}
    return Response(status_code=200, content_type="application/json", body=entity, headers=headers)
