"""The change-log writer: every stream record of a tenant entity item becomes one change in its
organization's log (sandglass.services.changes). A record that fails (throttling...) is reported in
`batchItemFailures`, so Lambda retries from it; a redelivered record writes nothing twice (the log
write is conditional on its position)."""

from __future__ import annotations

from functools import cache

from sandglass import observability
from sandglass.observability import instrumented, logger
from sandglass.services.changes import ChangeRecorder

# one recorder per container, built on the first invocation (not at import: cold start)
recorder = cache(ChangeRecorder)


def _record(record) -> None:
    recorder().record(record.raw_event)


@instrumented
def lambda_handler(event: dict, context) -> dict:
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)
    response = process_partial_response(event=event, record_handler=_record, processor=processor, context=context)
    failed = len(response.get("batchItemFailures", []))
    observability.count("ChangeRecords", len(event.get("Records", [])) - failed)
    observability.count("ChangeRecordFailures", failed)
    if failed:
        logger.warning("change records failed", extra={"records": len(event.get("Records", [])), "failed": failed})
    return response
