"""Workflow requests: their notices (new request, answer, support sign-in grant) go through the notifier."""

from __future__ import annotations

from sandglass.composition import clock, once, table
from sandglass.composition.notifier import notifier
from sandglass.repositories.requests import RequestRepository
from sandglass.services.requests import RequestService


@once
def requests() -> RequestService:
    return RequestService(RequestRepository(table()), clock(), notifier())
