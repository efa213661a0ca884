"""API Gateway, emulated in-process: route matching from template.yaml, the REQUEST authorizer,
proxy events, and each function's handler loaded from its CodeUri with its template environment.

The dev server and the tests both go through this, so what the tests prove is what `make dev`
serves.
"""

from __future__ import annotations

import base64
import contextvars
import importlib.util
import json
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from sandglass_local import template as tpl

API_PREFIX = "/api"
ROOT_PATHS = ("/mcp", "/SKILL.md")
LAMBDA_RESPONSE_BYTES = 6 * 1024 * 1024  # a synchronous invocation's response payload
_LOAD_LOCK = threading.RLock()
# The function whose code is running (per thread): lets the IAM check attribute DynamoDB calls.
CURRENT_FUNCTION: contextvars.ContextVar[str | None] = contextvars.ContextVar("sandglass_current_function", default=None)
ACCOUNT_ID = "123456789012"
REGION = "us-east-1"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: str
    # the bytes a client receives: a base64-encoded (binary) response decoded, as API Gateway
    # does for its BinaryMediaTypes; `body` is their UTF-8 text (lossy for binary files)
    content: bytes = b""

    def __post_init__(self):
        if not self.content and self.body:
            self.content = self.body.encode()

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def header(self, name: str) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None


@dataclass
class LambdaContext:
    function_name: str
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


_PER_THREAD_ROUTER_STATE = ("current_event", "lambda_context")


def make_router_state_per_thread() -> None:
    """powertools keeps the request being resolved on the class (``BaseRouter.current_event = ...``),
    shared by every resolver in the process. Lambda runs one request per process, so that is safe
    there; the emulation serves concurrent requests from threads of one process, where requests
    would read each other's event (another caller's identity, body and route). Make those two
    attributes thread-local. Local tooling only: deployed functions never load this."""
    from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

    if getattr(type(BaseRouter), "sandglass_per_thread", False):
        return
    state = threading.local()

    class _PerThread:
        def __init__(self, name: str):
            self.name = name

        def __get__(self, obj, owner=None):
            return getattr(state, self.name, None)

        def __set__(self, obj, value):
            setattr(state, self.name, value)

    class _PerThreadMeta(type(BaseRouter)):
        sandglass_per_thread = True

        def __setattr__(cls, name, value):
            if name in _PER_THREAD_ROUTER_STATE:
                setattr(state, name, value)
            else:
                super().__setattr__(name, value)

    for name in _PER_THREAD_ROUTER_STATE:
        type.__setattr__(BaseRouter, name, _PerThread(name))
    BaseRouter.__class__ = _PerThreadMeta


def load_handler(fn: tpl.Function, suffix: str = ""):
    """Import a function's module from its CodeUri under a unique name (every function has an app.py)."""
    module_name, attribute = fn.handler.rsplit(".", 1)
    path = fn.code_uri / (module_name.replace(".", "/") + ".py")
    unique = f"sandglass_function_{fn.logical_id}{suffix}"
    spec = importlib.util.spec_from_file_location(unique, path)
    module = importlib.util.module_from_spec(spec)
    import sys

    sys.modules[unique] = module
    spec.loader.exec_module(module)
    return getattr(module, attribute), module


def _gateway_response(kind: str) -> Reply:
    """What API Gateway itself answers (the authorizer's 401 and Deny, the usage plan's 429): the
    template's GatewayResponses, byte for byte, so tests see what a deployed client gets."""
    response = tpl.gateway_responses()[kind]
    return Reply(response.status, dict(response.headers), response.body)


def _error(status: int, code: str, message: str, path: str = "") -> Reply:
    """The emulation's own answers for a path or method no route serves."""
    if is_clockify(path):
        from sandglass.dialects.clockify.errors import body as clockify_body

        return Reply(status, {"Content-Type": "application/json"}, json.dumps(clockify_body(status, message)))
    if path.startswith(API_PREFIX + "/v1/timesheets"):
        from sandglass.dialects.fourme import errors as fourme_errors

        return Reply(status, {"Content-Type": "application/json"}, json.dumps(fourme_errors.body(message)))
    return Reply(status, {"Content-Type": "application/json"}, json.dumps({"error": {"code": code, "message": message}}))


CLOCKIFY_PREFIX = API_PREFIX + "/v1/"
CLOCKIFY_ROOTS = (CLOCKIFY_PREFIX + "user", CLOCKIFY_PREFIX + "workspaces")  # 4me's /v1/timesheets is not Clockify's


def is_clockify(path: str) -> bool:
    return any(path == root or path.startswith(root + "/") for root in CLOCKIFY_ROOTS)

# Clockify's limit: 50 requests a second per workspace (what the dev server enforces; docs/clockify.md)
CLOCKIFY_RATE = 50


class _WorkspaceThrottle:
    """A token bucket per workspace id: CLOCKIFY_RATE a second, bursts of as many."""

    def __init__(self, rate: int = CLOCKIFY_RATE):
        self.rate = rate
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def admit(self, workspace: str) -> bool:
        now = time.monotonic()
        with self._lock:
            tokens, then = self._buckets.get(workspace, (float(self.rate), now))
            tokens = min(float(self.rate), tokens + (now - then) * self.rate)
            if tokens < 1:
                self._buckets[workspace] = (tokens, now)
                return False
            self._buckets[workspace] = (tokens - 1, now)
            return True


class Gateway:
    def __init__(self, *, table_name: str, environment: dict[str, str] | None = None, separate_parameter_caches: bool = False):
        self.table_name = table_name
        # Lambda gives each function its own container, so each fetches (and caches) SSM parameters
        # itself. Tests that check those fetches ask for per-function caches (not thread-safe: the
        # dev server, which reads its secret from the environment, leaves this off).
        self.separate_parameter_caches = separate_parameter_caches
        self._parameter_caches: dict[str, dict] = {}
        self.functions = tpl.functions()
        self.routes = tpl.routes()
        self.authorizer_id = tpl.authorizer_function()
        self.throttle = _WorkspaceThrottle()
        make_router_state_per_thread()
        self._idle: dict[str, list[tuple[Any, Any]]] = {}  # function -> module instances not serving a request
        self._loaded: dict[str, int] = {}
        self.environment: dict[str, str] = {}
        self.stream = None  # a StreamPump once start_streams() ran
        self.webhooks = None  # its QueuePump (webhook deliveries)
        self._pump_after_requests = False
        for fn in self.functions.values():
            self.environment.update(tpl.resolve_environment(fn.environment, table_name=table_name, overrides=environment))
        self.apply_environment()

    def apply_environment(self) -> None:
        os.environ.update(self.environment)
        from sandglass.settings import reset_settings
        from sandglass.storage.table import reset_client

        reset_settings()
        reset_client()

    def _checkout(self, logical_id: str):
        """A module instance of the function that no other request is using (loaded when all are
        busy). Like Lambda, which runs one request at a time per execution environment and keeps
        environments warm: a powertools resolver holds per-request state and must never serve
        two requests at once, and reusing idle instances keeps the dev server fast."""
        with _LOAD_LOCK:
            idle = self._idle.setdefault(logical_id, [])
            if idle:
                return idle.pop()
            self._loaded[logical_id] = self._loaded.get(logical_id, 0) + 1
            suffix = "" if self._loaded[logical_id] == 1 else f"_{self._loaded[logical_id]}"
            return load_handler(self.functions[logical_id], suffix)

    def _checkin(self, logical_id: str, instance) -> None:
        with _LOAD_LOCK:
            self._idle[logical_id].append(instance)

    def reload(self) -> None:
        """Drop every loaded function instance (the next request loads fresh ones, as after a deploy)."""
        with _LOAD_LOCK:
            self._idle.clear()
            self._loaded.clear()

    def module(self, logical_id: str):
        """The function's first module instance (its app, for the OpenAPI document)."""
        instance = self._checkout(logical_id)
        self._checkin(logical_id, instance)
        import sys

        return sys.modules[f"sandglass_function_{logical_id}"]

    def invoke(self, logical_id: str, event: dict[str, Any]) -> Any:
        token = CURRENT_FUNCTION.set(logical_id)
        handler, module = instance = self._checkout(logical_id)
        providers = saved = None
        if self.separate_parameter_caches:
            from aws_lambda_powertools.utilities.parameters import base

            providers = base.DEFAULT_PROVIDERS  # mutated in place: other modules hold this very dict
            saved = dict(providers)
            providers.clear()
            providers.update(self._parameter_caches.get(logical_id, {}))
        try:
            return handler(event, LambdaContext(function_name=logical_id))
        finally:
            self._checkin(logical_id, instance)
            CURRENT_FUNCTION.reset(token)
            if providers is not None:
                self._parameter_caches[logical_id] = dict(providers)
                providers.clear()
                providers.update(saved)

    # --- HTTP ------------------------------------------------------------------------------
    def match(self, method: str, path: str) -> tuple[tpl.Route | None, dict[str, str], bool]:
        """(route, path parameters, whether the path exists under another method)."""
        path_exists = False
        for route in self.routes:
            found = route.pattern.match(path)
            if found:
                if route.method == method:
                    return route, found.groupdict(), True
                path_exists = True
        return None, {}, path_exists

    def request(self, method: str, path: str, *, headers: dict[str, str] | None = None, body: Any = None, query: dict[str, str] | None = None) -> Reply:
        reply = self._request(method, path, headers=headers, body=body, query=query)
        if self._pump_after_requests:
            self.stream.pump()
            self.webhooks.pump()
        return reply

    # --- the table's stream --------------------------------------------------------------------
    def start_streams(self, *, after_requests: bool = True):
        """Deliver the table's stream to its consumers (sandglass_local.streams) from now on:
        `after_requests`, synchronously after every request (tests: the change log is written when
        the request returns); otherwise the caller pumps (the dev server's background poller)."""
        from sandglass_local.streams import QueuePump, StreamPump

        if self.stream is None:
            # webhook events go to the in-process queue, which self.webhooks delivers to the worker
            from sandglass.adapters.delivery_queue import local_queue

            self.environment.update({"WEBHOOK_QUEUE": "local", "WEBHOOK_ALLOW_LOOPBACK": "1"})
            self.apply_environment()
            local_queue().clear()
            self.stream = StreamPump(self, self.table_name)
            self.webhooks = QueuePump(self, echo=not after_requests)
        self._pump_after_requests = after_requests
        return self.stream

    def _request(self, method: str, path: str, *, headers: dict[str, str] | None = None, body: Any = None, query: dict[str, str] | None = None) -> Reply:
        method = method.upper()
        headers = dict(headers or {})
        if "?" in path:
            path, _, raw_query = path.partition("?")
            query = {**dict(parse_qsl(raw_query, keep_blank_values=True)), **(query or {})}
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            headers.setdefault("Content-Type", "application/json")
        headers.setdefault("Host", "127.0.0.1:3000")
        if path in ROOT_PATHS:  # served at the site root too, where agents look for them
            path = API_PREFIX + path
        if path.startswith(API_PREFIX + "/v1/") or path.startswith(API_PREFIX + "/v1//"):
            from sandglass.dialects.clockify.resolver import normalise_path

            path = normalise_path(path)
        if not path.startswith(API_PREFIX + "/") and path != API_PREFIX:
            return _error(404, "NOT_FOUND", f"The API is served under {API_PREFIX}")
        resource_path = path[len(API_PREFIX):] or "/"
        route, params, path_exists = self.match(method, resource_path)
        if route is None:
            if path_exists:
                return _error(405, "METHOD_NOT_ALLOWED", f"{method} is not allowed on {resource_path}", path)
            # API Gateway answers unknown resources with 403 "Missing Authentication Token"
            return _error(404, "NOT_FOUND", "No such route", path)
        if is_clockify(path) and params.get("workspaceId") and not self.throttle.admit(params["workspaceId"].lower()):
            return _gateway_response("THROTTLED")
        request_context = {
            "resourcePath": route.path,
            "httpMethod": method,
            "path": path,
            "stage": "api",
            "requestId": str(uuid.uuid4()),
            "requestTimeEpoch": int(time.time() * 1000),
            "identity": {"sourceIp": "127.0.0.1", "userAgent": headers.get("User-Agent", "")},
            "accountId": ACCOUNT_ID,
            "apiId": "local",
        }
        if route.public:
            return self._integrate(route, method, path, headers, query, params, request_context, body)
        authorizer_event = {
            "type": "REQUEST",
            "methodArn": f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:local/api/{method}{resource_path}",
            "resource": route.path,
            "path": path,
            "httpMethod": method,
            "headers": headers,
            "queryStringParameters": query or None,
            "pathParameters": params or None,
            "requestContext": request_context,
        }
        try:
            policy = self.invoke(self.authorizer_id, authorizer_event)
        except Exception as error:  # the authorizer's "Unauthorized" is API Gateway's 401
            if str(error) == "Unauthorized":
                return _gateway_response("UNAUTHORIZED")
            return _error(500, "AUTHORIZER_ERROR", "The authorizer failed")
        statement = policy["policyDocument"]["Statement"][0]
        if statement["Effect"] != "Allow":
            return _gateway_response("ACCESS_DENIED")
        authorizer_context = {key: str(value) for key, value in (policy.get("context") or {}).items()}
        authorizer_context["principalId"] = policy.get("principalId", "")
        return self._integrate(route, method, path, headers, query, params, {**request_context, "authorizer": authorizer_context}, body)

    def _integrate(self, route, method, path, headers, query, params, request_context, body) -> Reply:
        """The Lambda proxy integration: the function's event, and its answer as an HTTP reply."""
        event = {
            "resource": route.path,
            "path": path,
            "httpMethod": method,
            "headers": headers,
            "multiValueHeaders": {key: [value] for key, value in headers.items()},
            "queryStringParameters": query or None,
            "multiValueQueryStringParameters": {key: [value] for key, value in (query or {}).items()} or None,
            "pathParameters": params or None,
            "stageVariables": None,
            "requestContext": request_context,
            "body": body,
            "isBase64Encoded": False,
        }
        result = self.invoke(route.function, event)
        if len(json.dumps(result)) > LAMBDA_RESPONSE_BYTES:  # what Lambda does with a larger answer
            return _error(502, "RESPONSE_TOO_LARGE", "The function's response is above Lambda's 6 MB payload limit")
        reply_headers = dict(result.get("headers") or {})
        for key, values in (result.get("multiValueHeaders") or {}).items():
            reply_headers[key] = ", ".join(values)
        payload = result.get("body") or ""
        content = base64.b64decode(payload) if result.get("isBase64Encoded") else payload.encode()
        return Reply(int(result["statusCode"]), reply_headers, content.decode("utf-8", errors="replace"), content)

    # --- background work ---------------------------------------------------------------------
    def run_jobs(self, max_passes: int = 1000, *, after_grace: bool = True) -> int:
        """Deliver the stream records the purge function would get in AWS, until no job is left or
        none moves (jobs still in their grace period wait for the sweep). `after_grace`: run them as
        of the end of their grace period (the clock moved to the last pending job's), as the sweep
        would then; False (the dev server) leaves waiting jobs to the scheduled sweep."""
        from sandglass.clock import FixedClock, get_clock, set_clock
        from sandglass.repositories.jobs import JobRepository, job_key
        from sandglass.services.purge import due_at

        purge = next(fn for fn in self.functions.values() if fn.code_uri.name == "purge")
        passes = 0
        repository = JobRepository()
        clock = get_clock()
        if after_grace:
            set_clock(FixedClock(max([clock.now(), *(due_at(job) for job in repository.pending())])))
        try:
            while passes < max_passes:
                jobs = repository.pending()
                if not jobs:
                    break
                self.invoke(purge.logical_id, {"Records": [job_record(job_key(job), passes * len(jobs) + n) for n, job in enumerate(jobs)]})
                passes += 1
                if repository.pending() == jobs:
                    break  # nothing moved: every job waits (its grace period) or fails
        finally:
            set_clock(clock)
        return passes


def job_record(job: dict[str, Any], sequence: int, event_name: str = "MODIFY") -> dict[str, Any]:
    """The DynamoDB stream record (keys only, as the purge function reads it) of a write to a job
    (its item, or just its keys)."""
    return {
        "eventID": f"local-{sequence}",
        "eventName": event_name,
        "eventSource": "aws:dynamodb",
        "eventSourceARN": f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/local/stream/local",
        "dynamodb": {"Keys": {"PK": {"S": job["PK"]}, "SK": {"S": job["SK"]}}, "SequenceNumber": f"{sequence + 1:021d}", "StreamViewType": "NEW_AND_OLD_IMAGES"},
    }
