"""The table's DynamoDB stream, delivered locally as Lambda's event source mapping delivers it.

moto records every committed write in the table's stream (NEW_AND_OLD_IMAGES, sequence numbers in
commit order); a `StreamPump` reads them with the DynamoDB Streams API (GetShardIterator /
GetRecords, as Lambda's poller does), puts them in Lambda's event shape, applies each consumer's
FilterCriteria and invokes the consumer's handler in batches of its BatchSize through the gateway,
retrying from the first record a batch reports as failed (ReportBatchItemFailures).

The purge function is driven by `Gateway.run_jobs` instead (its jobs have grace periods the tests
control), so it is not a consumer here. Reading starts at the stream's end when the pump starts
(StartingPosition LATEST for the local stack: a dev server that reloads its saved state must not
log every item again).
"""

from __future__ import annotations

import json
import os
import sys
import threading
from typing import Any

RETRIES = 3  # local redeliveries of a failing record before it is reported and skipped


def matches(pattern: Any, value: Any) -> bool:
    """An event-filtering pattern (exact values, {"prefix": ...}, {"anything-but": [...]}) against one record."""
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(key in value and matches(inner, value[key]) for key, inner in pattern.items())
    if isinstance(pattern, list):
        return any(_leaf(rule, value) for rule in pattern)
    return pattern == value


def _leaf(rule: Any, value: Any) -> bool:
    if isinstance(rule, dict):
        if "prefix" in rule:
            return isinstance(value, str) and value.startswith(rule["prefix"])
        if "anything-but" in rule:
            excluded = rule["anything-but"] if isinstance(rule["anything-but"], list) else [rule["anything-but"]]
            return value not in excluded
        return False
    return rule == value


class Consumer:
    def __init__(self, logical_id: str, spec: dict[str, Any]):
        properties = spec.get("Properties", {})
        self.logical_id = logical_id
        self.batch_size = int(properties.get("BatchSize", 100))
        self.patterns = [json.loads(f["Pattern"]) for f in (properties.get("FilterCriteria") or {}).get("Filters", [])]

    def wants(self, record: dict[str, Any]) -> bool:
        return not self.patterns or any(matches(pattern, record) for pattern in self.patterns)


class StreamPump:
    """Reads the table's stream from where the pump started and hands records to the consumers."""

    def __init__(self, gateway, table_name: str):
        import boto3

        self.gateway = gateway
        endpoint = os.environ.get("DYNAMODB_ENDPOINT") or None
        self.consumers = [Consumer(lid, spec) for lid, fn in gateway.functions.items() if fn.code_uri.name != "purge"
                          for spec in fn.events.values() if spec["Type"] == "DynamoDB"]
        self.lock = threading.Lock()
        self.delivered = 0
        # moto answers the classic Streams endpoint, not botocore's account-based one
        region = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
        streams = boto3.client("dynamodbstreams", endpoint_url=endpoint or f"https://streams.dynamodb.{region}.amazonaws.com/")
        self.arn = boto3.client("dynamodb", endpoint_url=endpoint).describe_table(TableName=table_name)["Table"]["LatestStreamArn"]
        shard = streams.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"][-1]["ShardId"]
        self.streams = streams
        self.iterator = streams.get_shard_iterator(StreamArn=self.arn, ShardId=shard, ShardIteratorType="LATEST")["ShardIterator"]

    def pump(self) -> int:
        """Deliver every record written since the last pump; how many records were read."""
        with self.lock:
            read = 0
            while True:
                response = self.streams.get_records(ShardIterator=self.iterator, Limit=1000)
                self.iterator = response["NextShardIterator"]
                records = [self._lambda_shape(record) for record in response.get("Records", [])]
                if not records:
                    return read
                read += len(records)
                for consumer in self.consumers:
                    self._deliver(consumer, [record for record in records if consumer.wants(record)])

    def _lambda_shape(self, record: dict[str, Any]) -> dict[str, Any]:
        stream = dict(record["dynamodb"])
        created = stream.get("ApproximateCreationDateTime")
        if hasattr(created, "timestamp"):
            stream["ApproximateCreationDateTime"] = created.timestamp()
        return {**record, "dynamodb": stream, "eventSourceARN": self.arn}

    def _deliver(self, consumer: Consumer, records: list[dict[str, Any]]) -> None:
        for start in range(0, len(records), consumer.batch_size):
            batch, attempts = records[start:start + consumer.batch_size], 0
            while batch:
                response = self.gateway.invoke(consumer.logical_id, {"Records": batch}) or {}
                failed = [item["itemIdentifier"] for item in response.get("batchItemFailures", [])]
                self.delivered += len(batch)
                if not failed:
                    break
                first = next(n for n, record in enumerate(batch) if record["dynamodb"]["SequenceNumber"] in failed)
                attempts += 1
                if attempts > RETRIES:
                    print(f"[stream] {consumer.logical_id} kept failing on record {failed[0]}: skipped", file=sys.stderr, flush=True)
                    first += 1
                    attempts = 0
                batch = batch[first:]


class QueuePump:
    """Delivers the local webhook queue (sandglass.adapters.delivery_queue.LocalQueue) to the worker
    function as Lambda's SQS event source does: batches of visible group heads, successes deleted,
    failures left to their visibility (the worker set it to the next backoff), a message that failed
    its last receive moved to the dead-letter list."""

    def __init__(self, gateway, echo: bool = False):
        from sandglass.adapters.delivery_queue import local_queue

        self.gateway = gateway
        self.queue = local_queue()
        self.echo = echo
        self.worker = next((lid for lid, fn in gateway.functions.items() if any(e["Type"] == "SQS" for e in fn.events.values())), None)
        self.lock = threading.Lock()

    def pump(self) -> int:
        """Deliver every message visible now (again, while some become visible); how many attempts ran."""
        from sandglass.adapters.delivery_queue import MAX_RECEIVES

        if self.worker is None:
            return 0
        attempts = 0
        with self.lock:
            while True:
                batch = self.queue.receive(5)
                if not batch:
                    return attempts
                attempts += len(batch)
                response = self.gateway.invoke(self.worker, {"Records": [_sqs_record(message) for message in batch]}) or {}
                failed = {item["itemIdentifier"] for item in response.get("batchItemFailures", [])}
                for message in batch:
                    if message.id not in failed:
                        self.queue.delete(message.receipt)
                    elif message.receives >= MAX_RECEIVES:
                        self.queue.dead_letter(message.receipt)
                    if self.echo:
                        body = message.body
                        outcome = "failed" if message.id in failed else "done"
                        print(f"[webhook] {body['eventType']} {body['entityType']} {body['entityId']} -> webhook {body['webhookId']}: "
                              f"attempt {message.receives} {outcome}", flush=True)
                if failed and len(failed) == len(batch):
                    return attempts  # nothing moved: the rest waits for its backoff


def _sqs_record(message) -> dict[str, Any]:
    return {"messageId": message.id, "receiptHandle": message.receipt, "body": json.dumps(message.body),
            "attributes": {"ApproximateReceiveCount": str(message.receives), "SentTimestamp": str(int(message.sent_at.timestamp() * 1000)),
                           "MessageGroupId": message.group, "MessageDeduplicationId": message.dedup, "SequenceNumber": message.id[1:].rjust(20, "0"),
                           "SenderId": "local", "ApproximateFirstReceiveTimestamp": str(int(message.sent_at.timestamp() * 1000))},
            "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs", "awsRegion": "us-east-1",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:sandglass-webhooks.fifo"}


class PumpThread:
    """Polls the stream in the background (the dev server), as Lambda's poller does."""

    def __init__(self, pump: StreamPump, interval: float = 0.05, queue: QueuePump | None = None):
        self.pump = pump
        self.queue = queue
        self.interval = interval
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="stream-pump", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while not self.stopped.wait(self.interval):
            try:
                self.pump.pump()
                if self.queue is not None:
                    self.queue.pump()
            except Exception as error:  # keep polling: a consumer's crash must not stop the stream
                print(f"[stream] {error}", file=sys.stderr, flush=True)

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=2)


def continue_sequence_numbers(table_name: str, region: str = "us-east-1") -> None:
    """moto numbers a table's stream records from the same value in every process: a dev server
    restarted on its saved state would hand out positions its change log already holds. Start this
    run's numbers from the current time in microseconds (times 10^9), so they keep increasing across
    restarts (the embedded DynamoDB runs in this process; the records loaded with the state are
    dropped: they are no changes)."""
    import time

    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    shard = dynamodb_backends[DEFAULT_ACCOUNT_ID][region].get_table(table_name).stream_shard
    if shard is not None:
        shard.items = []
        shard.starting_sequence_number = int(time.time() * 1_000_000) * 10**9
