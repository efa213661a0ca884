"""The resolver factory of the Clockify route groups (like sandglass.http.resolver for Sandtime).

Differences from the Sandtime surface, all from what Clockify clients send and expect:
- the path is normalised before routing: repeated slashes collapse and a trailing slash goes
  (clockifytool puts one on nearly every path, n8n builds `/api/v1//workspaces/...`), in the
  deployed functions too, whatever the gateway passed on;
- errors are `{"message", "code"}` (errors.py): bad input is 400, never Sandtime's 422 details;
- bodies ignore unknown fields (models.ClockifyModel); query parameters are read leniently by the
  routes (wire.boolean, wire.joined), unknown ones ignored.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from sandglass.dialects.clockify import errors
from sandglass.errors import DomainError
from aws_lambda_powertools.event_handler.middlewares.openapi_validation import OpenAPIRequestValidationMiddleware

from sandglass.http.resolver import BodyRefused, Resolver, _json, _json_body, _refuse_auditor_writes, _RequestValidation
from sandglass.settings import get_settings

logger = logging.getLogger("sandglass")

_SLASHES = re.compile(r"/{2,}")


def normalise_path(path: str) -> str:
    """`/api/v1//workspaces/x/projects/` -> `/api/v1/workspaces/x/projects`."""
    path = _SLASHES.sub("/", path or "/")
    return path[:-1] if len(path) > 1 and path.endswith("/") else path


class _LenientRequestValidation(_RequestValidation):
    """The Sandtime surface's body rules (JSON only, no array for an object), without its refusal
    of unknown query parameters: Clockify ignores them (Raycast sends `projectId=`). An Auditor's
    writes are refused (403) before any validation, as on every surface."""

    def handler(self, app, next_middleware):
        _refuse_auditor_writes(app.current_event)
        return OpenAPIRequestValidationMiddleware.handler(self, app, next_middleware)


class ClockifyResolver(Resolver):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if getattr(self, "_request_validation_middleware", None) is not None:
            self._request_validation_middleware = _LenientRequestValidation()

    def resolve(self, event, context):
        if isinstance(event, dict) and isinstance(event.get("path"), str):
            event["path"] = normalise_path(event["path"])
        return super().resolve(event, context)

    def get_openapi_json_schema(self, *args, **kwargs) -> str:
        # the plain powertools document: the Sandtime decorations (its error shape, X-Organization) do not apply
        return super(Resolver, self).get_openapi_json_schema(*args, **kwargs)


def query_values(app, name: str) -> list[str]:
    """Every value of a query parameter sent repeatedly (`tags=a&tags=b`) or once; wire.joined
    then splits comma-joined ones."""
    event = app.current_event
    values = (event.multi_value_query_string_parameters or {}).get(name)
    if values is None:
        single = (event.query_string_parameters or {}).get(name)
        values = [single] if single is not None else []
    return list(values)


def _first_problem(errors_found: list[dict[str, Any]]) -> str:
    if not errors_found:
        return "The request is invalid"
    first = errors_found[0]
    location = ".".join(str(part) for part in first.get("loc", ())[1:]) or str((first.get("loc") or ("body",))[0])
    return f"{location}: {first.get('msg', 'invalid value')}"


def create_app() -> ClockifyResolver:
    from aws_lambda_powertools.event_handler import CORSConfig

    settings = get_settings()
    cors = None
    if settings.cors_origins:
        origins = list(settings.cors_origins)
        cors = CORSConfig(allow_origin=origins[0], extra_origins=origins[1:], allow_headers=["Authorization", "X-Api-Key", "Content-Type"],
                          expose_headers=["Last-Page", "Retry-After"], max_age=300)
    app = ClockifyResolver(enable_validation=True, cors=cors, serializer=_json, strip_prefixes=["/api"], json_body_deserializer=_json_body)

    @app.exception_handler(DomainError)
    def _domain_error(error: DomainError) -> Response:
        return errors.from_domain(error)

    @app.exception_handler(RequestValidationError)
    def _validation_error(error: RequestValidationError) -> Response:
        if isinstance(error.__cause__, BodyRefused):
            return errors.response(400, error.__cause__.message)
        found = list(error.errors())
        if any(e.get("type") == "json_invalid" for e in found):
            return errors.response(400, "The request body is not valid JSON")
        return errors.response(400, _first_problem(found))

    @app.not_found
    def _not_found(_exc: Exception) -> Response:
        return errors.response(404, "No such route")

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Response:
        logger.exception("Unhandled error", exc_info=error)
        return errors.response(500, "Something went wrong on our side; the request was not applied")

    return app
