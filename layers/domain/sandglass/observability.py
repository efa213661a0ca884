"""Logs, metrics and traces, the same for every function.

- Logs: powertools Logger, one JSON object per line, with the Lambda context, a correlation id
  (the API Gateway request id, or the Lambda request id for background work) and, on API calls,
  the caller's `orgId` and `userId`. The `sandglass.*` stdlib loggers the code already uses are
  children of this logger, so their lines carry the same keys.
- Metrics: CloudWatch EMF lines (namespace POWERTOOLS_METRICS_NAMESPACE), flushed at the end of
  each invocation: Requests, Errors (by error code), TimerStarts, PurgePages...
- Traces: only where POWERTOOLS_TRACE_DISABLED is "false" (the template's EnableTracing
  parameter). The Tracer is created on the first traced invocation, never at import: creating
  one costs ~176 ms (the X-Ray SDK), which untraced functions must not pay.

API functions get all of this from `sandglass.http.resolver.create_app` (its resolver wraps
`resolve`); other functions decorate their handler with `@instrumented`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from sandglass.settings import get_settings

# stderr: Lambda sends it to CloudWatch Logs like stdout, and local tools keep stdout for results
logger = Logger(service=get_settings().service_name, stream=sys.stderr)
# the service dimension named here, not left to the environment at import: alarms (template.yaml) match on it
metrics = Metrics(namespace=get_settings().metrics_namespace, service=get_settings().service_name)

_UNSET: Any = object()
_tracer: Any = _UNSET


def tracing_enabled() -> bool:
    return get_settings().tracing_enabled


def tracer():
    """The Tracer, created on first use and only when tracing is on; None otherwise."""
    global _tracer
    if _tracer is _UNSET:
        if not tracing_enabled():
            return None
        from aws_lambda_powertools import Tracer

        _tracer = Tracer()  # patches boto3/botocore so DynamoDB and SSM calls become subsegments
    return _tracer


def count(name: str, value: float = 1) -> None:
    """Add to a metric of this invocation (flushed as EMF when the invocation ends)."""
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def count_by(name: str, dimension: str, value: str) -> None:
    """A metric with its own dimension (e.g. Errors by code), written as its own EMF line at once."""
    from aws_lambda_powertools.metrics import single_metric
    from aws_lambda_powertools.metrics.functions import is_metrics_disabled

    if is_metrics_disabled():  # single_metric prints regardless
        return
    with single_metric(name=name, unit=MetricUnit.Count, value=1, namespace=metrics.namespace,
                       default_dimensions=metrics.default_dimensions) as metric:
        metric.add_dimension(name=dimension, value=value)


@contextmanager
def invocation(context: Any, correlation_id: str | None, **keys: str) -> Iterator[None]:
    """Around one invocation: fresh log keys, the Lambda context on every line, metrics flushed
    at the end, and a trace subsegment when tracing is on."""
    logger.thread_safe_clear_keys()
    logger.thread_safe_append_keys(correlation_id=correlation_id or getattr(context, "aws_request_id", None),
                                   **{k: v for k, v in keys.items() if v})
    _append_lambda_context(context)
    function = getattr(context, "function_name", None)
    if function and metrics.default_dimensions.get("function") != function:
        metrics.dimension_set.pop("function", None)  # another function of the same process (tests, dev server)
        metrics.set_default_dimensions(function=function)
    active = tracer()
    try:
        if active is None:
            yield
        else:
            with active.provider.in_subsegment("## handler") as subsegment:
                for key, value in keys.items():
                    if value:
                        subsegment.put_annotation(key=key, value=value)
                yield
    finally:
        if metrics.metric_set:
            from aws_lambda_powertools.metrics.functions import is_metrics_disabled

            if is_metrics_disabled():  # flush_metrics would keep them (and print at 100)
                metrics.clear_metrics()
            else:
                metrics.flush_metrics()
        logger.thread_safe_clear_keys()


_cold_start = True


def _append_lambda_context(context: Any) -> None:
    global _cold_start
    cold, _cold_start = _cold_start, False
    if context is None:
        return
    logger.thread_safe_append_keys(
        cold_start=cold,
        function_name=getattr(context, "function_name", None),
        function_request_id=getattr(context, "aws_request_id", None),
    )


def instrumented(handler: Callable[[dict, Any], Any]) -> Callable[[dict, Any], Any]:
    """Decorator for non-API handlers (authorizer, stream and scheduled functions)."""

    @wraps(handler)
    def wrapper(event: dict, context: Any) -> Any:
        request_context = (event or {}).get("requestContext") if isinstance(event, dict) else None
        correlation_id = (request_context or {}).get("requestId")
        with invocation(context, correlation_id):
            return handler(event, context)

    return wrapper


@contextmanager
def api_invocation(event: Any, context: Any) -> Iterator[Callable[[Any], None]]:
    """Around an API Gateway proxy event: correlation id = the gateway's request id, orgId/userId
    from the authorizer's context; yields `record(response)` that counts requests and errors."""
    request_context = (event.get("requestContext") if isinstance(event, dict) else None) or {}
    authorizer = request_context.get("authorizer") or {}
    with invocation(context, request_context.get("requestId"), orgId=authorizer.get("orgId"), userId=authorizer.get("userId")):
        yield _record_response


def _record_response(response: Any) -> None:
    count("Requests")
    status = int((response or {}).get("statusCode") or 0) if isinstance(response, dict) else 0
    if status < 400:
        return
    code = f"HTTP_{status}"
    try:
        code = json.loads(response.get("body") or "{}")["error"]["code"]
    except (ValueError, KeyError, TypeError):
        pass
    count_by("Errors", "code", str(code))
    if status >= 500:
        logger.error("request failed", extra={"status": status, "code": code})
