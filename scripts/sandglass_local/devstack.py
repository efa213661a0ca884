"""The local stack behind `make dev`: an embedded DynamoDB (moto's server) whose table comes from
template.yaml, state saved under .local/, demo data, and an HTTP server in front of the gateway
emulation."""

from __future__ import annotations

import io
import json
import os
import queue
import re
import secrets
import socket
import socketserver
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

from sandglass_local import template as tpl
from sandglass_local import txconflicts
from sandglass_local.gateway import Gateway

STATE_DIR = Path(os.environ.get("SANDGLASS_STATE_DIR", tpl.ROOT / ".local"))
STATE_FILE = STATE_DIR / "dynamodb.json"  # a snapshot of the table ...
JOURNAL_FILE = STATE_DIR / "dynamodb.journal"  # ... and every write committed since, one JSON line each
SECRET_FILE = STATE_DIR / "dev-secret"
API_KEY_FILE = STATE_DIR / "dev-api-key"  # the demo Administrator's personal API key (its secret: local only)
OUTBOX_FILE = STATE_DIR / "outbox.jsonl"
TABLE = os.environ.get("SANDGLASS_TABLE", "sandglass-local")
DYNAMODB_PORT = int(os.environ.get("SANDGLASS_DYNAMODB_PORT", "8765"))
DEMO_DOMAIN = "acme"
DEMO_ADMIN = "admin@acme.test"
DEMO_USER = "sam@acme.test"
DEMO_PROJECT = "Website refresh"
DEMO_PROJECT_PLACEHOLDER = "DEMO_PROJECT_ID"


IDENTITY_PATH = "/__sandglass_local__"
CONFLICTS_PATH = IDENTITY_PATH + "/conflicts"  # transaction conflicts raised so far, by kind
COMMITS_PATH = IDENTITY_PATH + "/commits"  # ?after=N: the writes committed since, in the order applied


class UnknownFunction(LookupError):
    """A function name on the command line that the template does not have (or not of that kind),
    or an event no function of the template (or not the one named) receives."""


class PortInUse(Exception):
    """A port the local stack needs is taken; the message is the one-line fix."""


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _identity_of(port: int) -> dict[str, Any] | None:
    """What listens on the DynamoDB port: a Sandglass embedded DynamoDB says so (and whose state
    it serves) on IDENTITY_PATH; anything else answers None."""
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{IDENTITY_PATH}", timeout=2) as response:
            found = json.loads(response.read())
    except Exception:
        return None
    return found if isinstance(found, dict) and found.get("service") == "sandglass-local-dynamodb" else None


class Journal:
    """The writes committed to the embedded DynamoDB since the last snapshot, in the order they
    were applied: one JSON line per write (its operation, region and request body), appended and
    handed to the operating system before the write is answered, so a `kill -9` loses no answered
    write; fsync'ed at most a second later, so a machine crash loses at most the last second.
    The first line names the journal, so a snapshot can say which of its writes it already holds."""

    def __init__(self, path: Path):
        """A new, empty journal at `path`."""
        import uuid

        self.path = path
        self.name = uuid.uuid4().hex
        self.written = 0
        self._lock = threading.Lock()
        self._unsynced = False
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(path, "wb")
        self._file.write(json.dumps({"journal": self.name}).encode() + b"\n")
        self._file.flush()
        self._closed = threading.Event()
        threading.Thread(target=self._sync_every_second, name="journal-sync", daemon=True).start()

    @staticmethod
    def read(path: Path) -> tuple[str | None, list[dict[str, Any]]]:
        """(the journal's name, its writes); a last line cut short by a crash is left out."""
        if not path.exists():
            return None, []
        name, entries = None, []
        with open(path, "rb") as handle:
            for number, line in enumerate(handle):
                try:
                    entry = json.loads(line)
                except ValueError:
                    break
                if number == 0:
                    name = entry.get("journal")
                else:
                    entries.append(entry)
        return name, entries

    def append(self, operation: str, region: str, body: bytes) -> None:
        line = json.dumps({"operation": operation, "region": region, "body": body.decode("utf-8")}).encode() + b"\n"
        with self._lock:
            if self._file.closed:
                return
            self._file.write(line)
            self._file.flush()
            self.written += 1
            self._unsynced = True

    def _sync_every_second(self) -> None:
        while not self._closed.wait(1.0):
            with self._lock:
                if self._unsynced and not self._file.closed:
                    os.fsync(self._file.fileno())
                    self._unsynced = False

    def close(self) -> None:
        with self._lock:
            if not self._file.closed:
                self._file.flush()
                os.fsync(self._file.fileno())
                self._file.close()
        self._closed.set()


_REGION = re.compile(r"Credential=[^/,]*/\d+/([^/,]+)/")


def _region_of(environ: dict[str, Any]) -> str:
    found = _REGION.search(environ.get("HTTP_AUTHORIZATION", ""))
    return found.group(1) if found else os.environ.get("AWS_DEFAULT_REGION", "us-east-1")


def _list_moto_modules_once() -> None:
    """moto's server finds each request's backend by listing its package folder (a directory read
    and a stat per service, a few percent of a POST's time): the list, read once, is the same."""
    from moto import backends

    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules


class EmbeddedDynamoDB:
    """moto's DynamoDB on 127.0.0.1:port, applying one request at a time (moto's backend is not
    thread-safe; real DynamoDB makes each request atomic) and raising TransactionConflict as real
    DynamoDB does when transactions overlap (sandglass_local.txconflicts; CONFLICTS_PATH counts
    them, COMMITS_PATH lists the committed writes in order, for race tests). Once `journal` is
    set, every committed write is appended to it, in the order applied. It answers
    IDENTITY_PATH so another local-stack command can tell it from a foreign process. Binding
    happens here, in the caller's thread, so a taken port is an exception, not a hang."""

    def __init__(self, port: int):
        import logging

        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        from sandglass_local import motomemory, motoundo

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        motoundo.install()  # a transaction costs its own items, not a copy of the table
        motomemory.install()  # no history kept: stream records released once read, no tracked copies
        _list_moto_modules_once()
        self.port = port
        self.journal: Journal | None = None

        def journal_commit(operation: str, environ: dict[str, Any], body: bytes) -> None:
            if self.journal is not None:
                self.journal.append(operation, _region_of(environ), body)

        moto_app = txconflicts.wsgi(DomainDispatcherApplication(create_backend_app), threading.Lock(), on_commit=journal_commit)
        identity = json.dumps({"service": "sandglass-local-dynamodb", "stateDir": str(STATE_DIR.resolve()), "pid": os.getpid()}).encode()

        def app(environ, start_response):
            if "HTTP_TRANSFER_ENCODING" not in environ:
                # read the whole body first: the next request on a kept-alive connection starts right after it
                length = environ.get("CONTENT_LENGTH") or "0"
                environ["wsgi.input"] = io.BytesIO(environ["wsgi.input"].read(int(length)) if length.isdigit() else b"")
            path = environ.get("PATH_INFO")
            if path in (IDENTITY_PATH, CONFLICTS_PATH, COMMITS_PATH):
                if path == IDENTITY_PATH:
                    answer = identity
                elif path == CONFLICTS_PATH:
                    answer = json.dumps(txconflicts.conflicts()).encode()
                else:
                    after = dict(parse_qsl(environ.get("QUERY_STRING", ""))).get("after", "0")
                    answer = json.dumps(txconflicts.commits(int(after) if after.isdigit() else 0)).encode()
                start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(answer)))])
                return [answer]
            return moto_app(environ, start_response)

        self.app = app
        try:
            self.server = _ThreadingWSGIServer(("127.0.0.1", port), _KeepAliveWSGIRequestHandler)
        except OSError as error:
            raise PortInUse(_dynamodb_port_message(port)) from error
        self.server.set_app(app)
        self.thread = threading.Thread(target=self.server.serve_forever, name="embedded-dynamodb", daemon=True)
        self.thread.start()
        self._answer_in_process()

    def _answer_in_process(self) -> None:
        """This process's own DynamoDB clients (made from boto3's default session from now on) get
        their answers from `app` in the calling thread, as moto's in-process mock does, instead of
        over loopback HTTP: the same lock, conflicts and journal, without a socket and two thread
        switches per call (most of a call's time on a busy machine). Other processes use the port."""
        import boto3
        from botocore.awsrequest import AWSResponse
        from moto.core.botocore_stubber import MockRawResponse
        from werkzeug.test import EnvironBuilder

        endpoint = f"http://127.0.0.1:{self.port}"

        def answer(request, **_kwargs):
            if not request.url.startswith(endpoint) or self.server.socket.fileno() < 0:
                return None
            url = request.url[len(endpoint):] or "/"
            body = request.body if isinstance(request.body, bytes) else (request.body or "").encode("utf-8")
            headers = {key: value.decode("latin-1") if isinstance(value, bytes) else value for key, value in request.headers.items()}
            environ = EnvironBuilder(method=request.method, path=url.split("?", 1)[0], query_string=url.partition("?")[2],
                                     headers=headers, data=body, base_url=endpoint).get_environ()
            started: list = []
            content = b"".join(self.app(environ, lambda status, headers, *_: started.append((status, headers))))
            status, headers = started[0]
            return AWSResponse(request.url, int(status.split(" ", 1)[0]), dict(headers), MockRawResponse(content))

        if boto3.DEFAULT_SESSION is None:
            boto3.setup_default_session()
        boto3.DEFAULT_SESSION.events.register("before-send.dynamodb", answer, unique_id=f"sandglass-embedded-dynamodb-{self.port}")

    def replay(self, entries: list[dict[str, Any]]) -> int:
        """Apply journaled writes again, in order, in-process; how many did not apply."""
        from werkzeug.test import EnvironBuilder, run_wsgi_app

        failed = 0
        for entry in entries:
            headers = {"X-Amz-Target": f"DynamoDB_20120810.{entry['operation']}", "Content-Type": "application/x-amz-json-1.0",
                       "Host": f"127.0.0.1:{self.port}",
                       "Authorization": f"AWS4-HMAC-SHA256 Credential=local/20260101/{entry['region']}/dynamodb/aws4_request, "
                                        "SignedHeaders=host, Signature=0"}
            environ = EnvironBuilder(method="POST", path="/", data=entry["body"].encode("utf-8"), headers=headers).get_environ()
            answer, status, _ = run_wsgi_app(self.app, environ)
            b"".join(answer)
            failed += not status.startswith("200")
        return failed

    def stop(self) -> None:
        if self.journal is not None:
            self.journal.close()
        self.server.shutdown()
        self.server.server_close()


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    """The standard library's WSGI server, a thread per connection."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128


class _KeepAliveServerHandler(ServerHandler):
    http_version = "1.1"

    def send_preamble(self) -> None:
        if "Content-Length" not in self.headers:
            self.request_handler.close_connection = True  # the answer ends where the connection does
        super().send_preamble()


class _KeepAliveWSGIRequestHandler(WSGIRequestHandler):
    """wsgiref's request handler, serving every request of a kept-alive connection (wsgiref serves
    one and closes; werkzeug's server closes each connection too): otherwise each DynamoDB call pays
    a new connection and a new thread. The application reads each request's whole body."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body leave as separate writes: never wait for an ACK
    wbufsize = 64 * 1024

    def handle(self) -> None:
        self.close_connection = True
        self._serve_one()
        while not self.close_connection:
            self._serve_one()

    def _serve_one(self) -> None:
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.requestline = self.request_version = self.command = ""
            self.send_error(414)
            return
        if not self.raw_requestline or not self.parse_request():
            self.close_connection = True
            return
        if self.headers.get("Transfer-Encoding") is not None:
            self.close_connection = True  # wsgiref does not take chunked bodies: read to the end, then close
        handler = _KeepAliveServerHandler(self.rfile, self.wfile, self.get_stderr(), self.get_environ(), multithread=True)
        handler.request_handler = self
        handler.run(self.server.get_app())
        self.wfile.flush()

    def log_message(self, format, *args) -> None:
        pass  # DynamoDB calls are not the dev server's request log


def _dynamodb_port_message(port: int) -> str:
    return (f"Port {port} (embedded DynamoDB) is in use by another program: stop it, or pick a free port, "
            f"e.g. `SANDGLASS_DYNAMODB_PORT={port + 1} make dev`")


def api_port_message(port: int) -> str:
    return f"Port {port} (the API) is in use: stop the other server, or run `make dev ARGS=--port {port + 1}`"


def _dev_secret() -> str:
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    if not SECRET_FILE.exists():
        SECRET_FILE.write_text(secrets.token_urlsafe(32))
    return SECRET_FILE.read_text().strip()


class Stack:
    """DynamoDB endpoint + table + gateway. `external` endpoints (SANDGLASS_DYNAMODB_ENDPOINT) are used as they are."""

    def __init__(self, endpoint: str, *, owns_server: bool, server=None, persist: bool = True):
        self.endpoint = endpoint
        self.owns_server = owns_server
        self.persist = persist  # load and save .local/ (off: an ephemeral stack, e.g. for race tests)
        self.server = server
        self.closed = False
        self.announce_save = False  # the dev server says where its state went; CLI commands stay quiet
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
            # resolved impersonation requests' one-time sign-in tokens land in the outbox too
            "SUPPORT_EMAIL": os.environ.get("SUPPORT_EMAIL", "support@sandglass.local"),
        })
        import boto3

        self.raw = boto3.client("dynamodb", endpoint_url=endpoint)
        if TABLE not in self.raw.list_tables()["TableNames"]:
            tpl.create_table(self.raw, TABLE)
            if owns_server and persist:
                self.load_state()

    @classmethod
    def open(cls, *, reset: bool = False, persist: bool = True) -> "Stack":
        external = os.environ.get("SANDGLASS_DYNAMODB_ENDPOINT")
        if external:
            return cls(external, owns_server=False)
        if reset:
            STATE_FILE.unlink(missing_ok=True)
            JOURNAL_FILE.unlink(missing_ok=True)
        endpoint = f"http://127.0.0.1:{DYNAMODB_PORT}"
        if _port_open(DYNAMODB_PORT):
            identity = _identity_of(DYNAMODB_PORT)
            if identity is None:
                raise PortInUse(_dynamodb_port_message(DYNAMODB_PORT))
            if identity.get("stateDir") != str(STATE_DIR.resolve()):
                raise PortInUse(f"Port {DYNAMODB_PORT} (embedded DynamoDB) is served by the local stack of {identity.get('stateDir')}: "
                                f"stop it, or use another port, e.g. `SANDGLASS_DYNAMODB_PORT={DYNAMODB_PORT + 1} make dev`")
            # a running `make dev` of this checkout owns the embedded DynamoDB: share it
            return cls(endpoint, owns_server=False)
        server = EmbeddedDynamoDB(DYNAMODB_PORT)
        try:
            return cls(endpoint, owns_server=True, server=server, persist=persist)
        except BaseException:
            server.stop()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self, *, fold_journal: bool = True) -> None:
        """Stop the embedded DynamoDB when this process owns it; idempotent. Every write is in the
        journal already; `fold_journal` also writes them into the snapshot (a scan: a CLI command's
        state is then one file; the dev server skips it to stop at once, its next start folds)."""
        if self.closed:
            return
        self.closed = True
        if self.owns_server:
            journal = self.server.journal
            if journal is not None and fold_journal and journal.written:
                self.save_state(journal=journal.name, applied=journal.written)
            self.server.stop()
            if journal is not None and self.announce_save:
                print(f"Saved the state to {STATE_DIR} ({journal.written} writes journaled since start)", file=sys.stderr, flush=True)

    # --- state -----------------------------------------------------------------------------
    # The state is a snapshot of the table (STATE_FILE) plus the journal of the writes committed
    # since (JOURNAL_FILE). Starting loads both and folds the journal into a new snapshot (the only
    # scan, once per start); while running, each write appends one line to the journal.
    def save_state(self, journal: str | None = None, applied: int = 0) -> int:
        """Dump every item (DynamoDB JSON), noting which journal's first `applied` writes it holds.
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
        temporary.write_text(json.dumps({"journal": journal, "applied": applied, "items": items}))
        temporary.replace(STATE_FILE)
        return len(items)

    def load_state(self) -> None:
        """Load the snapshot, apply the journal's writes it does not hold yet, fold them into a new
        snapshot, and start a new journal."""
        snapshot = json.loads(STATE_FILE.read_text()) if STATE_FILE.exists() else {}
        if isinstance(snapshot, list):  # a snapshot saved before the journal existed
            snapshot = {"items": snapshot}
        items = snapshot.get("items", [])
        for start in range(0, len(items), 25):
            self.raw.batch_write_item(RequestItems={TABLE: [{"PutRequest": {"Item": item}} for item in items[start:start + 25]]})
        name, entries = Journal.read(JOURNAL_FILE)
        held = snapshot.get("applied", 0) if name is not None and name == snapshot.get("journal") else 0
        pending = entries[held:]
        if pending:
            failed = self.server.replay(pending)
            if failed:
                print(f"[state] {failed} of {len(pending)} journaled writes did not apply again", file=sys.stderr, flush=True)
            # the snapshot holds this journal's writes from now on; a crash before the new journal
            # replaces it finds them marked as held
            self.save_state(journal=name, applied=len(entries))
        fresh = JOURNAL_FILE.with_suffix(".new")
        journal = Journal(fresh)
        fresh.replace(JOURNAL_FILE)
        journal.path = JOURNAL_FILE
        self.server.journal = journal

    # --- actions ---------------------------------------------------------------------------
    def token(self, email: str) -> str:
        from sandglass.services.auth import issue_token

        return issue_token(email, ttl=timedelta(days=30))

    @staticmethod
    def dev_api_key(email: str) -> str:
        """The personal API key `make dev` prints: the one saved in the state dir while the table
        still knows it (the same key across restarts), else a new one (minted through the service,
        as POST /api-keys would, and saved)."""
        from sandglass.context import Caller
        from sandglass.repositories.api_keys import ApiKeyRepository
        from sandglass.services.api_keys import ApiKeyService, key_hash, looks_like_key

        saved = API_KEY_FILE.read_text().strip() if API_KEY_FILE.exists() else ""
        if looks_like_key(saved) and (found := ApiKeyRepository().lookup(key_hash(saved))) and found.email == email:
            return saved
        secret = ApiKeyService().create(Caller(email=email, subject=email), "make dev", None)[1]
        STATE_DIR.mkdir(parents=True, exist_ok=True)
        API_KEY_FILE.write_text(secret)
        API_KEY_FILE.chmod(0o600)
        return secret

    @staticmethod
    def seed_demo() -> bool:
        """Organization `acme` with an Administrator, an invited User, a project both work on, and
        the User's week 2026-W27 locked (once). Fixed ids (sandglass_local.events), so the sample
        events in events/ name them. Everything goes through the domain services, exactly as the
        API would write it."""
        from sandglass.clock import FixedClock, SystemClock, set_clock
        from sandglass.repositories.organizations import OrganizationRepository

        repository = OrganizationRepository()
        if repository.org_id_for_domain(DEMO_DOMAIN):
            return False
        # the demo organization and its members began four weeks ago: their timesheets expect time
        # from then (expected time starts when the organization and the member began)
        set_clock(FixedClock(datetime.now(timezone.utc) - timedelta(weeks=4)))
        try:
            Stack._seed_demo(repository)
        finally:
            set_clock(SystemClock())
        return True

    @staticmethod
    def _seed_demo(repository) -> None:
        from sandglass import ids
        from sandglass.context import ADMINISTRATOR, Caller, TenantContext
        from sandglass.models.organization import OrganizationCreate
        from sandglass.models.projects import MemberCreate, ProjectCreate
        from sandglass.models.timesheets_locks import WeekLockRequest
        from sandglass.models.users import UserInvite
        from sandglass.services.locks import LockService
        from sandglass.services.organizations import OrganizationService
        from sandglass.services.projects import ProjectService
        from sandglass.services.users import UserService
        from sandglass_local.events import DEMO_LOCKED_WEEK, DEMO_ORG_ID, DEMO_PROJECT_ID

        org = OrganizationService(repository).create(
            Caller(email=DEMO_ADMIN, subject=DEMO_ADMIN),
            OrganizationCreate(name="Acme Studio", domain=DEMO_DOMAIN, timeZone="Europe/Warsaw", currency="EUR", notes="Demo organization"),
            display_name="Alex Admin", org_id=DEMO_ORG_ID,
        )
        admin = TenantContext(org_id=org.id, domain=DEMO_DOMAIN, user_id=ids.member_id(org.id, DEMO_ADMIN), email=DEMO_ADMIN, role=ADMINISTRATOR)
        user = UserService().invite(admin, UserInvite(email=DEMO_USER, name="Sam User", role="User", title="Product Designer"))
        project = ProjectService().create(admin, ProjectCreate(name=DEMO_PROJECT, notes="Main client delivery project.", billable=True), project_id=DEMO_PROJECT_ID)
        ProjectService().add_member(admin, project.id, MemberCreate(userId=user.id, role="User", title="Designer"))
        year, week = DEMO_LOCKED_WEEK
        LockService().post_lock(admin, WeekLockRequest(userId=user.id, year=year, week=week), None, None, None, None)

    def demo_project_id(self) -> str:
        """The demo project's id (sample events name it DEMO_PROJECT_ID), seeding the demo if needed."""
        from sandglass import ids
        from sandglass.context import ADMINISTRATOR, TenantContext
        from sandglass.repositories.organizations import OrganizationRepository
        from sandglass.services.projects import ProjectService

        self.seed_demo()
        org_id = OrganizationRepository().org_id_for_domain(DEMO_DOMAIN)
        admin = TenantContext(org_id=org_id, domain=DEMO_DOMAIN, user_id=ids.member_id(org_id, DEMO_ADMIN), email=DEMO_ADMIN, role=ADMINISTRATOR)
        projects, _ = ProjectService().list(admin, "false", 100, None)
        if not projects:
            raise SystemExit(f"The demo organization '{DEMO_DOMAIN}' has no active project left (`make dev ARGS=--reset` starts afresh)")
        named = [p.id for p in projects.values() if p.name == DEMO_PROJECT]
        return named[0] if named else next(iter(projects))

    def resolve_function(self, name: str) -> str:
        for logical_id, fn in self.gateway.functions.items():
            if name in (logical_id, fn.code_uri.name):
                return logical_id
        raise UnknownFunction(f"no function '{name}' in template.yaml (have: {', '.join(self.gateway.functions)})")

    def event_owners(self, event: dict[str, Any]) -> tuple[str, list[str]]:
        """(the kind of event, the functions of template.yaml that receive such an event)."""
        if not isinstance(event.get("headers") or {}, dict) or not isinstance(event.get("body"), (str, dict, list, type(None))):
            raise UnknownFunction("the event's headers must be an object and its body a string (or null)")
        if event.get("type") == "REQUEST" and "methodArn" in event:
            return "an authorizer event", [self.gateway.authorizer_id]
        if event.get("httpMethod") and event.get("path"):
            if not isinstance(event["httpMethod"], str) or not isinstance(event["path"], str):
                raise UnknownFunction("the event's httpMethod and path must be strings")
            path = event["path"][len("/api"):] if event["path"].startswith("/api/") else event["path"]
            route, _, _ = self.gateway.match(str(event["httpMethod"]).upper(), path)
            if route is None:
                raise UnknownFunction(f"no route {event['httpMethod']} {event['path']} in template.yaml")
            return f"an API event of {route.method} {route.path}", [route.function]
        records = event.get("Records")
        if isinstance(records, list) and records and all(isinstance(r, dict) and r.get("eventSource") == "aws:dynamodb" for r in records):
            return "a DynamoDB stream event", [lid for lid, fn in self.gateway.functions.items() if any(e["Type"] == "DynamoDB" for e in fn.events.values())]
        if isinstance(records, list) and records and all(isinstance(r, dict) and r.get("eventSource") == "aws:sqs" for r in records):
            return "an SQS event", [lid for lid, fn in self.gateway.functions.items() if any(e["Type"] == "SQS" for e in fn.events.values())]
        owners = []
        for logical_id, fn in self.gateway.functions.items():
            for spec in fn.events.values():
                if spec["Type"] == "ScheduleV2" and set(json.loads(spec["Properties"].get("Input", "{}"))) == set(event):
                    owners.append(logical_id)
        if owners:
            return "a scheduled event", owners
        raise UnknownFunction("the event is none of: an API event (httpMethod, path), an authorizer event (type REQUEST), "
                              "a DynamoDB stream event (Records), an SQS event (Records), a schedule's input (e.g. scheduledTime)")

    def invoke(self, name: str, event: dict[str, Any]) -> Any:
        from sandglass_local import events as samples

        logical_id = self.resolve_function(name)
        kind, owners = self.event_owners(event)
        if logical_id not in owners:
            raise UnknownFunction(f"this is {kind}, which {', '.join(owners) or 'no function'} receives, not {logical_id}")
        self.seed_demo()  # the sample events name the demo organization and its members
        headers = dict(event.get("headers") or {})
        scheme, _, token = str(headers.get("Authorization") or "").partition(" ")
        if token == "DEV_TOKEN":
            # a placeholder: sign in as the demo Administrator
            headers["Authorization"] = f"Bearer {self.token(DEMO_ADMIN)}"
        elif scheme == "Bearer" and (email := samples.sample_email(token)):
            # a sample event's token (the samples' secret, for `sam local invoke`): the same person, this stack's secret
            headers["Authorization"] = f"Bearer {self.token(email)}"
        if isinstance(event.get("body"), str) and DEMO_PROJECT_PLACEHOLDER in event["body"]:
            event = {**event, "body": event["body"].replace(DEMO_PROJECT_PLACEHOLDER, self.demo_project_id())}
        if event.get("httpMethod") and event.get("path") and event.get("type") != "REQUEST":
            # an API event: through the authorizer into the function, as API Gateway would
            path = event["path"] if event["path"].startswith("/api/") else "/api" + event["path"]
            reply = self.gateway.request(event["httpMethod"], path, headers=headers, body=event.get("body"), query=event.get("queryStringParameters"))
            content_type = reply.header("Content-Type") or ""
            if not reply.body or "json" in content_type:
                return {"statusCode": reply.status, "headers": reply.headers, "body": reply.json() if reply.body else None}
            if content_type.startswith("text/"):
                return {"statusCode": reply.status, "headers": reply.headers, "body": reply.body}
            import base64  # a file (report export): shown as API Gateway's proxy result carries it

            return {"statusCode": reply.status, "headers": reply.headers, "body": base64.b64encode(reply.content).decode(), "isBase64Encoded": True}
        if "headers" in event:
            event = {**event, "headers": headers}
        return self.gateway.invoke(logical_id, event)

    def fire(self, name: str, at: str | None = None) -> Any:
        """Run a scheduled function with the Input its ScheduleV2 event declares, at `at` (time travel)."""
        from sandglass.clock import FixedClock, SystemClock, set_clock
        from sandglass.timefmt import iso, parse_instant

        logical_id = self.resolve_function(name)
        schedule = next((e for e in self.gateway.functions[logical_id].events.values() if e["Type"] == "ScheduleV2"), None)
        if schedule is None:
            raise UnknownFunction(f"{logical_id} is not a scheduled function (have: {', '.join(self.scheduled_functions())})")
        instant = parse_instant(at) if at else datetime.now(timezone.utc)
        payload = json.loads(schedule["Properties"].get("Input", "{}").replace("<aws.scheduler.scheduled-time>", iso(instant).replace(".000Z", "Z")))
        set_clock(FixedClock(instant) if at else SystemClock())
        try:
            return self.gateway.invoke(logical_id, payload)
        finally:
            set_clock(SystemClock())

    def scheduled_functions(self) -> list[str]:
        return [lid for lid, fn in self.gateway.functions.items() if any(e["Type"] == "ScheduleV2" for e in fn.events.values())]


class PooledHTTPServer(HTTPServer):
    """Serves connections concurrently on a bounded pool of long-lived worker threads.

    Each request runs on a function instance no other request is using (the gateway pools them,
    as Lambda runs one request at a time per warm execution environment); a bounded pool of
    threads bounds how many instances exist. An idle keep-alive connection holds one worker
    for at most IDLE_TIMEOUT seconds, never the whole server. Workers are daemon threads, so an
    open connection never delays shutdown."""

    request_queue_size = 128  # 20 clients connecting at once must not be reset
    allow_reuse_address = True

    def __init__(self, address, handler, workers: int = 16):
        super().__init__(address, handler)
        self.connections: queue.SimpleQueue = queue.SimpleQueue()
        for number in range(workers):
            threading.Thread(target=self._work, name=f"http-worker-{number}", daemon=True).start()

    def process_request(self, request, client_address):
        self.connections.put((request, client_address))

    def handle_error(self, request, client_address):
        import sys as _sys

        if isinstance(_sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # the client went away (or idled out): nothing to report
        super().handle_error(request, client_address)

    def _work(self) -> None:
        while True:
            request, client_address = self.connections.get()
            try:
                self.finish_request(request, client_address)
            except Exception:
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)


IDLE_TIMEOUT = 15  # seconds a keep-alive connection may sit idle before the server closes it
# The request line and each header line may take 64 KiB (http.server's own limits: over them it
# answers 414 and 431) and at most 100 header lines; the header lines together may take 64 KiB too.
MAX_HEADER_BYTES = 64 * 1024
_ERROR_CODES = {414: "URI_TOO_LONG"}  # http.HTTPStatus's name, where it differs from RFC 9110's


def serve(*, host: str, port: int, reset: bool, schedules: bool, persist: bool = True) -> int:
    # bind the API port first: a taken port is a one-line message before anything else starts
    try:
        server = PooledHTTPServer((host, port), _handler_class())
    except OSError:
        raise PortInUse(api_port_message(port)) from None
    try:
        stack = Stack.open(reset=reset, persist=persist)
    except BaseException:
        server.server_close()
        raise
    # the local payment provider's checkout links point at this server
    stack.gateway.environment["BILLING_LOCAL_BASE_URL"] = f"http://{host}:{port}/api"
    stack.gateway.apply_environment()
    server.stack = stack
    stack.announce_save = True
    server.state = StateKeeper(stack)
    poller = start_stream_poller(stack)
    seeded = stack.seed_demo()
    stack.gateway.run_jobs(after_grace=False)
    server.state.changed()
    stop = threading.Event()
    if schedules:
        threading.Thread(target=_schedule_loop, args=(stack, server.state.lock, stop), daemon=True).start()
    token = stack.token(DEMO_ADMIN)
    api_key = stack.dev_api_key(DEMO_ADMIN)
    workspace = demo_workspace_id()
    print(f"""
Sandglass is running at http://{host}:{port}/api   (DynamoDB: {stack.endpoint}, table {TABLE})
{'Seeded' if seeded else 'Using'} demo organization '{DEMO_DOMAIN}' — Administrator {DEMO_ADMIN}, User {DEMO_USER}
OpenAPI: http://{host}:{port}/api/openapi.json   Swagger UI: http://{host}:{port}/api/docs   Health: http://{host}:{port}/api/health

Dev token for {DEMO_ADMIN} (30 days):
  export TOKEN={token}

Dev personal API key for {DEMO_ADMIN} (no expiry; kept in {API_KEY_FILE} across restarts; manage keys at /api/api-keys with the token):
  export API_KEY={api_key}

Try:
  curl -s http://{host}:{port}/api/organization -H "Authorization: Bearer $TOKEN" -H "X-Organization: {DEMO_DOMAIN}"
  curl -s http://{host}:{port}/api/organization -H "X-Api-Key: $API_KEY" -H "X-Organization: {DEMO_DOMAIN}"

Clockify clients (base URL http://{host}:{port}/api/v1, the same API key; docs/clockify.md; document: /api/openapi/clockify.json):
  curl -s http://{host}:{port}/api/v1/workspaces/{workspace}/projects -H "X-Api-Key: $API_KEY"

MCP for AI agents (guide: http://{host}:{port}/SKILL.md):
  {mcp_add_command(f"http://{host}:{port}/mcp", token, DEMO_DOMAIN)}
""", flush=True)
    import signal

    stopping = threading.Event()

    def _terminate(signum, _frame):
        # serve_forever runs in this (main) thread: shut it down from another one, once
        if not stopping.is_set():
            stopping.set()
            print(f"Stopping ({signal.Signals(signum).name})...", flush=True)
            threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _terminate)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        stop.set()
        server.server_close()
        poller.stop()
        server.state.stop()
        stack.close(fold_journal=False)
    # Every write is journaled and the journal closed: skip the interpreter's teardown, which
    # spends seconds collecting every loaded function instance and moto's in-memory table.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def start_stream_poller(stack: Stack):
    """The table's stream delivered to its consumers (the change log) in the background, as Lambda's
    poller does; the embedded DynamoDB's sequence numbers continue from the last run's."""
    from sandglass_local.streams import PumpThread, continue_sequence_numbers

    if stack.owns_server:
        continue_sequence_numbers(TABLE, os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
    pump = stack.gateway.start_streams(after_requests=False)
    return PumpThread(pump, queue=stack.gateway.webhooks)


def mcp_add_command(url: str, token: str, domain: str) -> str:
    """The one line that adds the local MCP server to Claude Code (other clients take the same URL and headers)."""
    return (f'claude mcp add --transport http sandglass {url} --header "Authorization: Bearer {token}" '
            f'--header "X-Sandtime-Organization: {domain}"')


class StateKeeper:
    """Runs the purge jobs after writes, in the background (once per burst of writes). The state
    itself needs no saving here: the embedded DynamoDB journals every write as it commits."""

    def __init__(self, stack: Stack):
        self.stack = stack
        self.lock = threading.Lock()  # held by background work on the table (jobs, schedules, saves)
        self._dirty = threading.Event()
        self._stopped = False
        self._thread = threading.Thread(target=self._loop, name="state-keeper", daemon=True)
        self._thread.start()

    def changed(self) -> None:
        self._dirty.set()

    def _loop(self) -> None:
        while True:
            self._dirty.wait()
            if self._stopped:
                return
            time.sleep(0.3)  # let a burst of writes finish first
            self._dirty.clear()
            with self.lock:
                if self._stopped:
                    return
                try:
                    self.stack.gateway.run_jobs(after_grace=False)
                except Exception as error:
                    print(f"[state] could not run jobs: {error}", flush=True)

    def stop(self) -> None:
        with self.lock:
            self._stopped = True
            self._dirty.set()
            try:
                self.stack.gateway.run_jobs(after_grace=False)
            except Exception as error:
                print(f"[state] could not run jobs: {error}", flush=True)


def _handler_class():
    openapi_cache: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive; every answer carries Content-Length
        timeout = IDLE_TIMEOUT
        # an answer's status line, headers and (up to 64 KiB of) body leave in one send when the
        # request is done (http.server flushes wfile then), and nothing waits for Nagle's algorithm
        wbufsize = 64 * 1024
        disable_nagle_algorithm = True

        def log_message(self, fmt, *args):
            path = getattr(self, "path", "") or ""  # absent when the request line itself was refused
            path = path if len(path) <= 160 else path[:157] + "..."
            status = args[1] if len(args) > 1 and fmt.startswith('"') else args[0] if args else ""
            print(f"{getattr(self, 'command', None) or '-'} {path} -> {status}", flush=True)

        def send_error(self, code, message=None, explain=None):
            """http.server's refusals (414, 431, 400, 501...) in the API's error shape; the connection
            is closed after them, as http.server does, so no unread byte is taken for a request."""
            from http import HTTPStatus

            status = HTTPStatus(code)
            error = {"code": _ERROR_CODES.get(code, status.name), "message": message or status.phrase}
            if explain:
                error["details"] = [explain]
            self.close_connection = True
            self._send(code, {"Content-Type": "application/json", "Connection": "close"}, json.dumps({"error": error}).encode())

        def parse_request(self) -> bool:
            """http.server's parsing, then the checks a front end makes before a body is read: the
            headers' total size, and one unambiguous framing of the body."""
            if not super().parse_request():
                return False
            if sum(len(key) + len(value) + 4 for key, value in self.headers.items()) > MAX_HEADER_BYTES:
                self.send_error(431, "Request header fields too large", f"The headers together may take {MAX_HEADER_BYTES} bytes")
                return False
            lengths = self.headers.get_all("Content-Length") or []
            if len(lengths) > 1 or (lengths and not lengths[0].strip().isdigit()):
                self.send_error(400, "Invalid Content-Length", "Send one Content-Length with one number")
                return False
            if lengths and self.headers.get("Transfer-Encoding") is not None:
                self.send_error(400, "Both Content-Length and Transfer-Encoding", "Frame the body with a Content-Length only")
                return False
            return True

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for key, value in headers.items():
                if key.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(key, value)
            if self.close_connection:
                self.send_header("Connection", "close")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _json(self, status: int, value: Any) -> None:
            self._send(status, {"Content-Type": "application/json"}, json.dumps(value).encode())

        def _clockify_openapi(self) -> bytes:
            if "clockify" not in openapi_cache:
                from sandglass_local.openapi import clockify_schema

                openapi_cache["clockify"] = json.dumps(clockify_schema(self.server.stack.gateway), indent=2).encode()
            return openapi_cache["clockify"]

        def _openapi(self) -> bytes:
            if "doc" not in openapi_cache:
                from sandglass_local.openapi import merged_schema

                openapi_cache["doc"] = json.dumps(merged_schema(self.server.stack.gateway), indent=2).encode()
            return openapi_cache["doc"]

        def _handle(self) -> None:
            stack, state = self.server.stack, self.server.state
            path = self.path.split("?", 1)[0]
            if path == "/api/openapi.json":
                return self._send(200, {"Content-Type": "application/json"}, self._openapi())
            if path == "/api/openapi/clockify.json":  # rendered from the code, like the Sandtime document
                return self._send(200, {"Content-Type": "application/json"}, self._clockify_openapi())
            if path == "/api/_dev/outbox":
                # dev only: the notifications the local outbox adapter has "sent" (newest last)
                lines = OUTBOX_FILE.read_text().splitlines() if OUTBOX_FILE.exists() else []
                return self._json(200, [json.loads(line) for line in lines if line.strip()])
            if path in ("/api/docs", "/api/docs/"):
                html = _swagger_html_for(self._openapi().decode())
                return self._send(200, {"Content-Type": "text/html; charset=utf-8"}, html.encode())
            if path.startswith(DEV_CHECKOUT_PREFIX):
                with state.lock:
                    status, payload = dev_checkout(self.command, path)
                if self.command == "POST":
                    state.changed()
                return self._send(status, {"Content-Type": "application/json"}, json.dumps(payload, default=int).encode())
            if self.headers.get("Transfer-Encoding") is not None:
                self.close_connection = True
                return self._json(411, {"error": {"code": "LENGTH_REQUIRED", "message": "Send the body with a Content-Length (API Gateway does not take chunked bodies either)"}})
            length = int(self.headers.get("Content-Length") or 0)  # one, and digits: parse_request checked
            # undecodable bytes reach the function as U+FFFD, as they do behind API Gateway, and the
            # resolver answers 400 INVALID_UTF8; they must not kill the connection
            body = self.rfile.read(length).decode("utf-8", errors="replace") if length else None
            headers = {key: value for key, value in self.headers.items()}
            try:
                reply = stack.gateway.request(self.command, self.path, headers=headers, body=body)
            except Exception as error:  # the emulator itself failed: say so, keep serving
                import traceback

                traceback.print_exc()
                return self._json(500, {"error": {"code": "DEV_SERVER_ERROR", "message": str(error)}})
            if self.command not in ("GET", "HEAD"):
                state.changed()
            self._send(reply.status, reply.headers, reply.content)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle

        def __getattr__(self, name):
            # any other method (TRACE, CONNECT...) gets the gateway's JSON 405, as API Gateway would
            if name.startswith("do_"):
                return self._handle
            raise AttributeError(name)

        def do_OPTIONS(self):
            self._send(204, {"Access-Control-Allow-Origin": self.headers.get("Origin", "*"), "Access-Control-Allow-Methods": "GET,POST,PUT,DELETE,OPTIONS",
                             "Access-Control-Allow-Headers": "Authorization,X-Api-Key,Content-Type,If-Match,Idempotency-Key,X-Organization,X-Sandtime-Organization,Mcp-Protocol-Version", "Access-Control-Max-Age": "300"}, b"")

    return Handler


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


def demo_workspace_id() -> str:
    """The demo organization's Clockify workspace id (its 24-hex id)."""
    from sandglass import ids
    from sandglass.repositories.organizations import OrganizationRepository

    org_id = OrganizationRepository().org_id_for_domain(DEMO_DOMAIN)
    return ids.short_id(org_id) if org_id else "<workspaceId>"


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
