"""Headers that carry the next-page cursor while the body keeps Sandtime's ID-keyed map."""

from __future__ import annotations

from urllib.parse import urlencode


def next_page_headers(path: str, query: dict[str, str], cursor: str | None) -> dict[str, str]:
    if not cursor:
        return {}
    params = {key: value for key, value in query.items() if key != "cursor" and value is not None}
    params["cursor"] = cursor
    return {"X-Next-Cursor": cursor, "Link": f'<{path}?{urlencode(params)}>; rel="next"'}
