"""Background purges, driven by the table's stream: each job write runs one pass of that job."""

from __future__ import annotations

import logging
from functools import cache

from sandglass.services.purge import PurgeService

logger = logging.getLogger("sandglass.purge")


# one service per container, built on the first request (not at import: cold start)
service = cache(PurgeService)


def lambda_handler(event: dict, context) -> dict:
    from boto3.dynamodb.types import TypeDeserializer

    deserialize = TypeDeserializer().deserialize
    finished = unfinished = 0
    for record in event.get("Records", []):
        if record.get("eventName") == "REMOVE":
            continue
        raw_key = record.get("dynamodb", {}).get("Keys", {})
        key = {name: deserialize(value) for name, value in raw_key.items()}
        if service().run(key):
            finished += 1
        else:
            unfinished += 1
    logger.info("purge pass", extra={"finished": finished, "unfinished": unfinished})
    return {"finished": finished, "unfinished": unfinished}
