"""Sonderplan: `POST /v2/time-entry` and the reads a Sonderplan client checks it with (docs/sonderplan.md).

Every rule (who may record for whom, locks, the one running timer, times, the project's rules,
rates) is the activity service's; these handlers translate ids and shapes only.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Optional

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from sandglass.dialects.sonderplan import time_entries
from sandglass.dialects.sonderplan.integer_ids import ACTIVITY, PERSON, CounterIntegerIds
from sandglass.dialects.sonderplan.models import MAX_ID, MAX_UNIX, Created, EntryList, OneEntry, TimeEntryCreate
from sandglass.dialects.sonderplan.resolver import create_app
from sandglass.errors import NotFound, invalid_request
from sandglass.http.pagination import next_page_headers
from sandglass.http.tenant import tenant
from sandglass.models.activities import ActivityCreate
from sandglass.services.activities import DEFAULT_LIMIT, MAX_LIMIT, ActivityQuery, ActivityService

app = create_app()
JSON = "application/json"
TAG = "Sonderplan"

service = cache(ActivityService)

EntryId = Annotated[int, Path(ge=1, le=MAX_ID, description="The time entry's integer id")]


def _activity_request(fields: dict) -> ActivityCreate:
    from pydantic import ValidationError

    try:
        return ActivityCreate.model_validate(fields)
    except ValidationError as error:
        raise invalid_request(error.errors(), "body") from None


@app.post("/v2/time-entry", tags=[TAG], operation_id="createSonderplanTimeEntry",
          summary="Store a time entry (no end: start a running timer)")
def post_time_entry(body: TimeEntryCreate) -> Created:
    """An `Idempotency-Key` header is honoured as on every POST (the shared resolver: a retry answers the first id)."""
    caller = tenant(app)
    mapped = time_entries.create_fields(caller, body, CounterIntegerIds())
    result = service().create(caller, _activity_request(mapped.fields), booking_ids=mapped.booking_ids)
    return Created(success={"id": result.activity.number})


@app.get("/v2/time-entry/<entry_id>", tags=[TAG], operation_id="getSonderplanTimeEntry", summary="A time entry by its id")
def get_time_entry(entry_id: EntryId) -> OneEntry:
    caller, integer_ids = tenant(app), CounterIntegerIds()
    uuid = integer_ids.entity_id(caller, ACTIVITY, entry_id)
    if uuid is None:
        raise NotFound("Time entry not found")
    result = service().get(caller, uuid)
    return OneEntry(success=time_entries.to_sonderplan(caller, result.activity, integer_ids))


@app.get("/v2/time-entry", tags=[TAG], operation_id="listSonderplanTimeEntries",
         summary="A person's time entries starting in [start, end), in start order (paged by limit and cursor)")
def list_time_entries(
    owner_id: Annotated[Optional[int], Query(ge=1, le=MAX_ID, description="The person (default: the caller)")] = None,
    start: Annotated[Optional[int], Query(ge=0, le=MAX_UNIX, description="Entries starting at or after (Unix seconds)")] = None,
    end: Annotated[Optional[int], Query(ge=0, le=MAX_UNIX, description="Entries starting before (Unix seconds)")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[Optional[str], Query(max_length=4096, description="X-Next-Cursor of the previous page")] = None,
) -> Response[EntryList]:
    caller, integer_ids = tenant(app), CounterIntegerIds()
    query = ActivityQuery(**time_entries.list_window(start, end), user_id=_owner(caller, owner_id, integer_ids), limit=limit, cursor=cursor)
    result = service().list(caller, query)
    entries = [time_entries.to_sonderplan(caller, activity, integer_ids).model_dump() for activity in result.activities.values()]
    echoed = {name: value for name, value in (app.current_event.query_string_parameters or {}).items()}
    return Response(200, JSON, {"success": entries}, headers=next_page_headers(app.current_event.path, echoed, result.cursor))


def _owner(caller, owner_id: int | None, integer_ids: CounterIntegerIds) -> str:
    if owner_id is None:
        return caller.user_id
    found = integer_ids.entity_id(caller, PERSON, owner_id)
    if found is None:
        raise time_entries.bad("owner_id", f"owner_id: no person {owner_id} in the organization")
    return found


def lambda_handler(event: dict, context) -> dict:
    return app.resolve(event, context)
