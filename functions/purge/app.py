"""Background purges.

- Stream records of job writes (INSERT/MODIFY under JOBS): each runs one pass of its job. A record
  whose pass fails (throttling...) is reported in `batchItemFailures` (ReportBatchItemFailures), so
  Lambda retries from it without redoing the others; after the mapping's retries it goes to the
  dead-letter queue and the job simply stays pending.
- The scheduled sweep (`{"sweep": "jobs"}`, every 15 minutes): resumes every pending job the stream
  stopped driving (a Query of the JOBS partition), so a purge never stalls.
"""

from __future__ import annotations

from msgspec.structs import asdict

from sandglass import observability
from sandglass.composition.purge import purge
from sandglass.observability import instrumented, logger
from sandglass.storage.table import deleted_pages

# one service per container, built on the first invocation (not at import: cold start)
service = purge


def _run_record(record) -> bool:
    if record.event_name is not None and record.event_name.name == "REMOVE":
        return True
    return service().run(record.dynamodb.keys)


@instrumented
def lambda_handler(event: dict, context) -> dict:
    pages_before = deleted_pages()
    try:
        if "Records" in (event or {}):
            return _process_stream(event, context)
        if (event or {}).get("sweep"):
            result = service().sweep()
            observability.count("PurgeJobsResumed", result.resumed)
            observability.count("PurgeJobsFailed", result.failed)
            logger.info("purge sweep", extra=asdict(result))
            return {"sweep": asdict(result), "scheduledTime": event.get("scheduledTime")}
        raise ValueError("Expected DynamoDB stream records or a sweep request")
    finally:
        observability.count("PurgePages", deleted_pages() - pages_before)


def _process_stream(event: dict, context) -> dict:
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    # a batch whose every record failed is reported like a partial one (Lambda retries from the first
    # failed record either way); bisection still splits batches whose invocation crashed or timed out
    processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)
    response = process_partial_response(event=event, record_handler=_run_record, processor=processor, context=context)
    failed = len(response.get("batchItemFailures", []))
    observability.count("PurgePasses", len(event["Records"]) - failed)
    observability.count("PurgePassFailures", failed)
    logger.info("purge passes", extra={"records": len(event["Records"]), "failed": failed})
    return response
