"""What the AWS adapters share: a boto3 client made on first use (boto3 is imported then, so only
the functions that reach the service pay for it at cold start)."""

from __future__ import annotations

from typing import Any, ClassVar


class LazyClient:
    service: ClassVar[str]  # the boto3 service name ("sqs", "sesv2", ...)
    _client: Any = None  # an injected client (tests) or the one made on first use

    def client(self):
        if self._client is None:
            import boto3

            self._client = boto3.client(self.service)
        return self._client
