"""The webhook delivery worker: one attempt per received SQS message (sandglass.services.webhook_delivery).

The queue is FIFO, grouped by webhook + entity: a failed attempt sets its message's visibility to
the next backoff and is reported in `batchItemFailures`, and the rest of its group waits behind it
(per-endpoint order by entity) while other groups go on. After the last attempt the queue's
redrive policy moves the message to the dead-letter queue."""

from __future__ import annotations

import json

from sandglass import observability
from sandglass.composition.webhook_delivery import delivery
from sandglass.observability import instrumented, logger
from sandglass.services.webhooks import event_from_message


class AttemptFailed(Exception):
    pass


def _deliver(record) -> str:
    event = event_from_message(json.loads(record.body))
    attempt = int(record.attributes.approximate_receive_count or 1)
    result = delivery().deliver(event, attempt, record.receipt_handle)
    observability.count(f"WebhookAttempts{result.status.title()}", 1)
    logger.info("webhook attempt", extra={"webhookId": event.webhook_id, "eventId": event.event_id, "attempt": attempt,
                                          "status": result.status, "statusCode": result.status_code})
    if not result.done:
        raise AttemptFailed(f"{result.status} {result.status_code}")
    return result.status


@instrumented
def lambda_handler(event: dict, context) -> dict:
    from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response

    processor = SqsFifoPartialProcessor(skip_group_on_error=True)
    # a batch whose every attempt failed is reported like a partial one: each message keeps the
    # backoff its attempt set, instead of the whole batch coming back at the queue's timeout
    processor.raise_on_entire_batch_failure = False
    return process_partial_response(event=event, record_handler=_deliver, processor=processor, context=context)
