"""The change-log writer: every stream record of a tenant entity item becomes one change in its
organization's log (sandglass.services.changes), and the changes' webhook events are queued for
delivery (sandglass.services.webhooks: one Query of webhooks per organization in the batch); the
report cells of the members and days its activities start on are recomputed
(sandglass.services.rollups). A
record that fails (throttling...) is reported in `batchItemFailures`, so Lambda retries from it; a
redelivered record writes nothing twice (the log write is conditional on its position, and the
queue deduplicates its events)."""

from __future__ import annotations

from functools import cache

from sandglass import observability
from sandglass.composition.webhooks import fan_out
from sandglass.observability import instrumented, logger
from sandglass.services.changes import ChangeRecorder
from sandglass.services.rollups import CellsNotKept, RollupKeeper

# built on the first invocation (not at import: cold start)
recorder = cache(ChangeRecorder)
keeper = cache(RollupKeeper)


@instrumented
def lambda_handler(event: dict, context) -> dict:
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    logged = []

    def record(record) -> None:  # powertools passes it by this name
        change = recorder().record(record.raw_event)
        if change is not None:
            logged.append(change)

    processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)
    response = process_partial_response(event=event, record_handler=record, processor=processor, context=context)
    failed = len(response.get("batchItemFailures", []))
    queued = fan_out().fan_out(logged)  # a failure here fails the batch: Lambda retries it, nothing is logged twice
    # report cells of the members and days the batch's activities start on (recomputed from the
    # table: a retried batch recomputes the same cells)
    try:
        kept = keeper().on_records(record for record in event.get("Records", []))
    except CellsNotKept as failure:  # each such day is marked dirty (reports read activities for it); the redelivery clears it
        observability.count("RollupDaysDirty", len(failure.failed))
        logger.error("report cells not kept", extra={"days": len(failure.failed), "error": str(failure)})
        raise
    observability.count("RollupDaysKept", kept)
    observability.count("ChangeRecords", len(event.get("Records", [])) - failed)
    observability.count("ChangeRecordFailures", failed)
    observability.count("WebhookEventsQueued", queued)
    if failed:
        logger.warning("change records failed", extra={"records": len(event.get("Records", [])), "failed": failed})
    return response
