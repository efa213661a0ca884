"""Domain errors. The HTTP glue maps each to its status and the JSON error shape."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    code = "BAD_REQUEST"

    def __init_subclass__(cls, status: int | None = None, code: str | None = None, **kwargs: Any) -> None:
        """`class NotFound(DomainError, status=404, code="NOT_FOUND")`: a kind of error, its HTTP status and code."""
        super().__init_subclass__(**kwargs)
        if status is not None:
            cls.status = status
        if code is not None:
            cls.code = code

    def __init__(self, message: str, *, details: list[dict[str, Any]] | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []
        if code:
            self.code = code


class BadRequest(DomainError, status=400, code="BAD_REQUEST"):
    pass


class Unauthorized(DomainError, status=401, code="UNAUTHORIZED"):
    pass


class Forbidden(DomainError, status=403, code="FORBIDDEN"):
    pass


class NotFound(DomainError, status=404, code="NOT_FOUND"):
    pass


class Conflict(DomainError, status=409, code="CONFLICT"):
    pass


class PreconditionFailed(DomainError, status=412, code="PRECONDITION_FAILED"):
    pass


class UnsupportedMediaType(DomainError, status=415, code="UNSUPPORTED_MEDIA_TYPE"):
    pass


class ValidationFailed(DomainError, status=422, code="VALIDATION_ERROR"):
    @classmethod
    def field(cls, field: str, message: str, where: str = "body", type: str = "value_error") -> "ValidationFailed":
        """One invalid field, with every key the API's error details promise (field, in, message, type)."""
        return cls(message, details=[detail(field, message, where, type)])


def validation_details(errors, where: str | None = None) -> list[dict[str, Any]]:
    """pydantic's error dicts as error details. With `where` None the first element of each
    error's location says where (powertools' request validation: ("body", "field", ...),
    ("query", "name")); otherwise every location is a field of `where`."""
    details = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ())]
        if where is None:
            place, path = (location[0], location[1:]) if location else ("body", [])
        else:
            place, path = where, location
        details.append(detail(".".join(path) or place, error.get("msg", "Invalid value"), place, error.get("type", "value_error")))
    return details


def invalid_request(errors, where: str | None = None) -> "ValidationFailed":
    """A 422 from pydantic's errors (a model validated inside a service, or the request's own)."""
    return ValidationFailed("The request is invalid", details=validation_details(errors, where))


def detail(field: str, message: str, where: str = "body", type: str = "value_error") -> dict[str, str]:
    """One entry of an error's `details`: `where` is body, query, path or header."""
    return {"field": field, "in": where, "message": message, "type": type}


class Throttled(DomainError, status=429, code="THROTTLED"):
    headers = {"Retry-After": "1"}


def stale_write(what: str, if_match: int | None) -> DomainError:
    """What a write that lost to a concurrent change answers: 412 when the client sent If-Match
    (its copy is stale), 409 otherwise (another request got there between our read and write)."""
    if if_match is not None:
        return PreconditionFailed(f"The {what} was changed since you read it (If-Match is stale); reload and retry")
    return Conflict(f"The {what} was changed by another request; retry")


def check_if_match(what: str, if_match: int | None, version: int) -> None:
    """A stale If-Match is refused before anything is decided on the stored copy."""
    if if_match is not None and if_match != int(version):
        raise stale_write(what, if_match)


class Gone(DomainError, status=410, code="GONE"):
    pass
