"""The local stack behind `make dev`: an embedded DynamoDB (moto's server) whose table comes from
template.yaml, state saved under .local/, demo data, and an HTTP server in front of the gateway
emulation."""

from __future__ import annotations

import json
import os
import secrets
import socket
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

from sandglass_local import template as tpl
from sandglass_local.gateway import Gateway

STATE_DIR = Path(os.environ.get("SANDGLASS_STATE_DIR", tpl.ROOT / ".local"))
STATE_FILE = STATE_DIR / "dynamodb.json"
SECRET_FILE = STATE_DIR / "dev-secret"
OUTBOX_FILE = STATE_DIR / "outbox.jsonl"
TABLE = os.environ.get("SANDGLASS_TABLE", "sandglass-local")
DYNAMODB_PORT = int(os.environ.get("SANDGLASS_DYNAMODB_PORT", "8765"))
DEMO_DOMAIN = "acme"
DEMO_ADMIN = "admin@acme.test"
DEMO_USER = "sam@acme.test"


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _dev_secret() -> str:
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    if not SECRET_FILE.exists():
        SECRET_FILE.write_text(secrets.token_urlsafe(32))
    return SECRET_FILE.read_text().strip()


class Stack:
    """DynamoDB endpoint + table + gateway. `external` endpoints (SANDGLASS_DYNAMODB_ENDPOINT) are used as they are."""

    def __init__(self, endpoint: str, *, owns_server: bool, server=None):
        self.endpoint = endpoint
        self.owns_server = owns_server
        self.server = server
        os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
        self.gateway = Gateway(table_name=TABLE, environment={
            "DYNAMODB_ENDPOINT": endpoint,
            "JWT_SECRET": _dev_secret(),
            "JWT_SECRET_PARAMETER": "",
            "SANDGLASS_DEV": "1",
            "CORS_ORIGINS": os.environ.get("CORS_ORIGINS", "http://localhost:5173"),
            # reminders go to the local outbox (printed, and kept in .local/outbox.jsonl), not SES
            "NOTIFIER": "outbox",
            "OUTBOX_PATH": str(OUTBOX_FILE),
        })
        import boto3

        self.raw = boto3.client("dynamodb", endpoint_url=endpoint)
        if TABLE not in self.raw.list_tables()["TableNames"]:
            tpl.create_table(self.raw, TABLE)
            if owns_server:
                self.load_state()

    @classmethod
    def open(cls, *, reset: bool = False) -> "Stack":
        external = os.environ.get("SANDGLASS_DYNAMODB_ENDPOINT")
        if external:
            return cls(external, owns_server=False)
        if reset and STATE_FILE.exists():
            STATE_FILE.unlink()
        if _port_open(DYNAMODB_PORT):
            # a running `make dev` owns the embedded DynamoDB: share it
            return cls(f"http://127.0.0.1:{DYNAMODB_PORT}", owns_server=False)
        import logging

        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)

        server = ThreadedMotoServer(ip_address="127.0.0.1", port=DYNAMODB_PORT, verbose=False)
        server.start()
        return cls(f"http://127.0.0.1:{DYNAMODB_PORT}", owns_server=True, server=server)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        if self.owns_server:
            self.save_state()
            self.server.stop()

    # --- state -----------------------------------------------------------------------------
    def save_state(self) -> None:
        """Dump every item (DynamoDB JSON) so the next start continues where this one stopped.
        Local tooling only: the application never scans."""
        items, params = [], {"TableName": TABLE}
        while True:
            page = self.raw.scan(**params)
            items.extend(page["Items"])
            if "LastEvaluatedKey" not in page:
                break
            params["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        STATE_DIR.mkdir(parents=True, exist_ok=True)
        temporary = STATE_FILE.with_suffix(".tmp")
        temporary.write_text(json.dumps(items))
        temporary.replace(STATE_FILE)

    def load_state(self) -> None:
        if not STATE_FILE.exists():
            return
        items = json.loads(STATE_FILE.read_text())
        for start in range(0, len(items), 25):
            self.raw.batch_write_item(RequestItems={TABLE: [{"PutRequest": {"Item": item}} for item in items[start:start + 25]]})

    # --- actions ---------------------------------------------------------------------------
    def token(self, email: str) -> str:
        from sandglass.services.auth import issue_token

        return issue_token(email, ttl=timedelta(days=30))

    def seed_demo(self) -> bool:
        """Organization `acme` with an Administrator, an invited User and a project both work on (once).
        Everything goes through the domain services, exactly as the API would write it."""
        from sandglass import ids
        from sandglass.context import ADMINISTRATOR, Caller, TenantContext
        from sandglass.models.organization import OrganizationCreate
        from sandglass.models.projects import MemberCreate, ProjectCreate
        from sandglass.models.users import UserInvite
        from sandglass.repositories.organizations import OrganizationRepository
        from sandglass.services.organizations import OrganizationService
        from sandglass.services.projects import ProjectService
        from sandglass.services.users import UserService

        repository = OrganizationRepository()
        if repository.org_id_for_domain(DEMO_DOMAIN):
            return False
        org = OrganizationService(repository).create(
            Caller(email=DEMO_ADMIN, subject=DEMO_ADMIN),
            OrganizationCreate(name="Acme Studio", domain=DEMO_DOMAIN, timeZone="Europe/Warsaw", currency="EUR", notes="Demo organization"),
            display_name="Alex Admin",
        )
        admin = TenantContext(org_id=org.id, domain=DEMO_DOMAIN, user_id=ids.member_id(org.id, DEMO_ADMIN), email=DEMO_ADMIN, role=ADMINISTRATOR)
        user = UserService().invite(admin, UserInvite(email=DEMO_USER, name="Sam User", role="User", title="Product Designer"))
        project = ProjectService().create(admin, ProjectCreate(name="Website refresh", notes="Main client delivery project.", billable=True))
        ProjectService().add_member(admin, project.id, MemberCreate(userId=user.id, role="User", title="Designer"))
        return True

    def resolve_function(self, name: str) -> str:
        for logical_id, fn in self.gateway.functions.items():
            if name in (logical_id, fn.code_uri.name):
                return logical_id
        raise SystemExit(f"No function '{name}' in template.yaml (have: {', '.join(self.gateway.functions)})")

    def invoke(self, name: str, event: dict[str, Any]) -> Any:
        logical_id = self.resolve_function(name)
        headers = dict(event.get("headers") or {})
        if headers.get("Authorization") == "Bearer DEV_TOKEN":
            # sample events carry a placeholder: sign in as the demo Administrator
            headers["Authorization"] = f"Bearer {self.token(DEMO_ADMIN)}"
        if event.get("httpMethod") and event.get("path") and event.get("type") != "REQUEST":
            # an API event: through the authorizer into the function, as API Gateway would
            path = event["path"] if event["path"].startswith("/api") else "/api" + event["path"]
            reply = self.gateway.request(event["httpMethod"], path, headers=headers, body=event.get("body"), query=event.get("queryStringParameters"))
            return {"statusCode": reply.status, "headers": reply.headers, "body": reply.json() if reply.body else None}
        if "headers" in event:
            event = {**event, "headers": headers}
        return self.gateway.invoke(logical_id, event)

    def fire(self, name: str, at: str | None = None) -> Any:
        """Run a scheduled function with the Input its ScheduleV2 event declares, at `at` (time travel)."""
        from sandglass.clock import FixedClock, SystemClock, set_clock
        from sandglass.timefmt import iso, parse

        logical_id = self.resolve_function(name)
        schedule = next((e for e in self.gateway.functions[logical_id].events.values() if e["Type"] == "ScheduleV2"), None)
        if schedule is None:
            raise SystemExit(f"{logical_id} has no ScheduleV2 event")
        instant = parse(at) if at else datetime.now(timezone.utc)
        payload = json.loads(schedule["Properties"].get("Input", "{}").replace("<aws.scheduler.scheduled-time>", iso(instant).replace(".000Z", "Z")))
        set_clock(FixedClock(instant) if at else SystemClock())
        try:
            return self.gateway.invoke(logical_id, payload)
        finally:
            set_clock(SystemClock())

    def scheduled_functions(self) -> list[str]:
        return [lid for lid, fn in self.gateway.functions.items() if any(e["Type"] == "ScheduleV2" for e in fn.events.values())]


def serve(*, host: str, port: int, reset: bool, schedules: bool) -> int:
    stack = Stack.open(reset=reset)
    # the local payment provider's checkout links point at this server
    stack.gateway.environment["BILLING_LOCAL_BASE_URL"] = f"http://{host}:{port}/api"
    stack.gateway.apply_environment()
    seeded = stack.seed_demo()
    stack.gateway.run_jobs()
    if stack.owns_server:
        stack.save_state()
    lock = threading.Lock()
    openapi_cache: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            path = self.path if len(self.path) <= 160 else self.path[:157] + "..."
            print(f"{self.command} {path} -> {args[1] if len(args) > 1 else ''}", flush=True)

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _handle(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/api/openapi.json":
                if "doc" not in openapi_cache:
                    from sandglass_local.openapi import merged_schema

                    openapi_cache["doc"] = json.dumps(merged_schema(stack.gateway), indent=2).encode()
                return self._send(200, {"Content-Type": "application/json"}, openapi_cache["doc"])
            if path == "/api/_dev/outbox":
                # dev only: the notifications the local outbox adapter has "sent" (newest last)
                lines = OUTBOX_FILE.read_text().splitlines() if OUTBOX_FILE.exists() else []
                return self._send(200, {"Content-Type": "application/json"}, json.dumps([json.loads(line) for line in lines if line.strip()]).encode())
            if path in ("/api/docs", "/api/docs/"):
                from sandglass_local.openapi import merged_schema

                html = _swagger_html_for(json.dumps(merged_schema(stack.gateway)))
                return self._send(200, {"Content-Type": "text/html; charset=utf-8"}, html.encode())
            if path.startswith(DEV_CHECKOUT_PREFIX):
                with lock:
                    status, payload = dev_checkout(self.command, path)
                    if self.command == "POST" and stack.owns_server:
                        stack.save_state()
                return self._send(status, {"Content-Type": "application/json"}, json.dumps(payload, default=int).encode())
            length = int(self.headers.get("Content-Length") or 0)
            # undecodable bytes reach the function as U+FFFD and fail its JSON parsing (400), as
            # they would behind API Gateway; they must not kill the connection
            body = self.rfile.read(length).decode("utf-8", errors="replace") if length else None
            headers = {key: value for key, value in self.headers.items()}
            with lock:
                try:
                    reply = stack.gateway.request(self.command, self.path, headers=headers, body=body)
                except Exception as error:  # the emulator itself failed: say so, keep serving
                    import traceback

                    traceback.print_exc()
                    return self._send(500, {"Content-Type": "application/json"}, json.dumps({"error": {"code": "DEV_SERVER_ERROR", "message": str(error)}}).encode())
                if self.command != "GET":
                    stack.gateway.run_jobs()
                    if stack.owns_server:
                        stack.save_state()
            self._send(reply.status, reply.headers, reply.body.encode())

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle

        def __getattr__(self, name):
            # any other method (TRACE, CONNECT...) gets the gateway's JSON 405, as API Gateway would
            if name.startswith("do_"):
                return self._handle
            raise AttributeError(name)

        def do_OPTIONS(self):
            self._send(204, {"Access-Control-Allow-Origin": self.headers.get("Origin", "*"), "Access-Control-Allow-Methods": "GET,POST,PUT,DELETE,OPTIONS",
                             "Access-Control-Allow-Headers": "Authorization,Content-Type,If-Match,Idempotency-Key,X-Organization,X-Api-Key", "Access-Control-Max-Age": "300"}, b"")

    server = HTTPServer((host, port), Handler)
    stop = threading.Event()
    if schedules:
        threading.Thread(target=_schedule_loop, args=(stack, lock, stop), daemon=True).start()
    token = stack.token(DEMO_ADMIN)
    print(f"""
Sandglass is running at http://{host}:{port}/api   (DynamoDB: {stack.endpoint}, table {TABLE})
{'Seeded' if seeded else 'Using'} demo organization '{DEMO_DOMAIN}' — Administrator {DEMO_ADMIN}, User {DEMO_USER}
OpenAPI: http://{host}:{port}/api/openapi.json   Swagger UI: http://{host}:{port}/api/docs

Dev token for {DEMO_ADMIN} (30 days):
  export TOKEN={token}

Try:
  curl -s http://{host}:{port}/api/organization -H "Authorization: Bearer $TOKEN" -H "X-Organization: {DEMO_DOMAIN}"
""", flush=True)
    import signal

    def _terminate(*_args):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
        stack.close()
    return 0


DEV_CHECKOUT_PREFIX = "/api/_dev/checkout/"


def dev_checkout(method: str, path: str) -> tuple[int, Any]:
    """The local payment provider's checkout page: GET shows the checkout, POST pays it (creating
    the subscription, its first payment, and the organization's plan and seats). Dev server only."""
    from sandglass.adapters.local_billing import LocalBilling
    from sandglass.errors import DomainError
    from sandglass.services.billing import BillingService
    from sandglass.settings import get_settings

    parts = path[len(DEV_CHECKOUT_PREFIX):].strip("/").split("/")
    if len(parts) != 2 or get_settings().billing_provider != "local":
        return 404, {"error": {"code": "NOT_FOUND", "message": "No such checkout"}}
    org_id, checkout_id = parts
    provider = LocalBilling(base_url=get_settings().billing_local_base_url)
    try:
        if method == "GET":
            checkout = provider.checkout(org_id, checkout_id)
            fields = ("id", "product", "plan", "quantity", "unitAmount", "currency", "status", "subscriptionId")
            return 200, {**{k: checkout.get(k) for k in fields}, "pay": f"curl -X POST {get_settings().billing_local_base_url.rsplit('/api', 1)[0]}{path}"}
        if method == "POST":
            return 200, BillingService(provider).complete_dev_checkout(org_id, checkout_id).model_dump()
    except DomainError as error:
        error_body: dict[str, Any] = {"code": error.code, "message": error.message}
        if error.details:
            error_body["details"] = error.details
        return error.status, {"error": error_body}
    return 405, {"error": {"code": "METHOD_NOT_ALLOWED", "message": "GET shows the checkout, POST pays it"}}


def _swagger_html_for(spec: str) -> str:
    from pathlib import Path as _Path

    import aws_lambda_powertools.event_handler.openapi.swagger_ui as swagger
    from aws_lambda_powertools.event_handler.openapi.swagger_ui.html import generate_swagger_html

    folder = _Path(swagger.__file__).parent
    return generate_swagger_html(spec, (folder / "swagger-ui-bundle.min.js").read_text(), (folder / "swagger-ui.min.css").read_text(), "", None, persist_authorization=True)


def _schedule_loop(stack: Stack, lock: threading.Lock, stop: threading.Event) -> None:
    """Fire the scheduled functions at every quarter hour, like their `rate(15 minutes)` schedules."""
    while not stop.is_set():
        now = datetime.now(timezone.utc)
        next_tick = now.replace(second=0, microsecond=0) + timedelta(minutes=15 - now.minute % 15)
        if stop.wait((next_tick - now).total_seconds()):
            return
        with lock:
            for logical_id in stack.scheduled_functions():
                try:
                    print(f"[schedule] {logical_id}: {stack.fire(logical_id)}", flush=True)
                except Exception as error:
                    print(f"[schedule] {logical_id} failed: {error}", flush=True)
