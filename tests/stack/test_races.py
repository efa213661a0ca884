"""Races against the local stack: the dev server (`python -m sandglass_local serve`) in a
subprocess, hammered over HTTP by threads that start together (threading.Barrier).

Why these races are real (checked in scripts/sandglass_local, see each module's docstring):
- The HTTP server serves every connection on its own worker thread (devstack.PooledHTTPServer, 16
  workers); the gateway runs each request on a function module instance no other request uses
  (gateway.Gateway._checkout, like one Lambda environment per concurrent request) and keeps
  powertools' per-request router state thread-local. Nothing serializes requests: the rules of two
  requests interleave freely between their DynamoDB calls.
- The embedded DynamoDB (moto's server) applies one call at a time, as DynamoDB makes each call
  atomic, but holds no lock across calls. It also raises TransactionConflict as real DynamoDB does
  (sandglass_local.txconflicts.wsgi): a transaction's items stay in flight while it applies (and
  a moment after, when it commits), and a transaction or single write meeting one of them is
  cancelled; so the races
  also exercise storage.Table's conflict retries. Its conflict counters and its commit log (the
  writes in the order they were applied) are served on the DynamoDB port
  (devstack.CONFLICTS_PATH, COMMITS_PATH) so a test can prove an order from the database's side.
- Known gap: a Query sees a transaction all or nothing here; real DynamoDB's Query is only
  read-committed per item. No rule raced below decides on a Query of the items being raced
  (they read with GetItem and BatchGetItem); only the checks after each race list.
- The in-process gateway of tests/api (tests/conftest.py) is the same Gateway class over moto
  in-process: motolock holds one lock around each emulated call (not across calls) and the `aws`
  fixture installs txconflicts; the concurrency tests there (the 9:00 rush, twenty timer starts,
  racing writers and an organization lock) race the same way.

Each race prints one line (run with `-s` or `-rP` to see them): rounds, winners, the losers'
statuses and the transaction conflicts the embedded DynamoDB raised meanwhile.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import pytest

from sandglass import keys

ROOT = Path(__file__).resolve().parents[2]
TABLE = "sandglass-local"
ROUNDS = 2  # rounds of every race (the timer starts run three); each round starts from fresh ids


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: Any
    sent: float = 0.0  # time.monotonic() when the request went out
    received: float = 0.0  # ... and when its answer was read

    @property
    def code(self) -> str | None:
        return (self.body or {}).get("error", {}).get("code") if isinstance(self.body, dict) else None


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalStack:
    """The running dev server: HTTP calls as any account, and the embedded DynamoDB's table,
    conflict counters and commit log."""

    def __init__(self, state_dir: Path):
        self.web, self.db = _free_port(), _free_port()
        env = {**os.environ, "SANDGLASS_STATE_DIR": str(state_dir), "SANDGLASS_DYNAMODB_PORT": str(self.db), "PYTHONUNBUFFERED": "1"}
        env.pop("DYNAMODB_ENDPOINT", None)
        env.pop("SANDGLASS_DYNAMODB_ENDPOINT", None)
        self.process = subprocess.Popen([sys.executable, "-m", "sandglass_local", "serve", "--port", str(self.web), "--no-schedules", "--ephemeral"],
                                        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        output, deadline = "", time.time() + 90
        while time.time() < deadline:
            line = self.process.stdout.readline()
            output += line
            if "export TOKEN=" in line:
                break
            if self.process.poll() is not None:
                raise AssertionError(f"dev server did not start:\n{output}")
        else:
            self.process.kill()
            raise AssertionError(f"dev server did not start:\n{output}")
        # drain the request log so the server never blocks on a full pipe
        self.log: list[str] = []
        threading.Thread(target=lambda: self.log.extend(self.process.stdout), daemon=True).start()
        self.secret = (state_dir / "dev-secret").read_text().strip()
        import boto3

        self.table = boto3.resource("dynamodb", endpoint_url=f"http://127.0.0.1:{self.db}", region_name="us-east-1",
                                    aws_access_key_id="local", aws_secret_access_key="local").Table(TABLE)

    def stop(self) -> str:
        """Stop the (ephemeral: nothing to save) server at once; its log."""
        self.process.kill()
        self.process.wait(timeout=15)
        return "".join(self.log)

    def token(self, email: str) -> str:
        import jwt

        now = int(time.time())
        return jwt.encode({"sub": email, "email": email, "iat": now, "exp": now + 3600}, self.secret, algorithm="HS256")

    def call(self, method: str, path: str, *, as_: str, org: str | None = None, body: Any = None, headers: dict | None = None) -> Reply:
        sent_headers = {"Authorization": f"Bearer {self.token(as_)}", **(headers or {})}
        if org:
            sent_headers["X-Organization"] = org
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent_headers["Content-Type"] = "application/json"
        connection = http.client.HTTPConnection("127.0.0.1", self.web, timeout=120)
        try:
            sent = time.monotonic()
            connection.request(method, "/api" + path, body=data, headers=sent_headers)
            response = connection.getresponse()
            raw = response.read()
            received = time.monotonic()
        finally:
            connection.close()
        return Reply(response.status, dict(response.getheaders()), json.loads(raw) if raw else None, sent, received)

    def _local(self, path: str) -> Any:
        connection = http.client.HTTPConnection("127.0.0.1", self.db, timeout=30)
        try:
            connection.request("GET", path)
            return json.loads(connection.getresponse().read())
        finally:
            connection.close()

    def conflicts(self) -> Counter:
        return Counter(self._local("/__sandglass_local__/conflicts"))

    def commits(self, after: int = 0) -> list[dict]:
        return self._local(f"/__sandglass_local__/commits?after={after}")

    def last_commit(self) -> int:
        found = self.commits()
        return found[-1]["sequence"] if found else 0

    def item(self, key: dict[str, str]) -> dict | None:
        return self.table.get_item(Key=key, ConsistentRead=True).get("Item")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    running = LocalStack(tmp_path_factory.mktemp("race-stack"))
    yield running
    log = running.stop()
    assert "Traceback" not in log, log  # the gateway never failed under the races


def race(count: int, action: Callable[[int], Any]) -> list[Any]:
    """Run action(0..count-1) on `count` threads released together; re-raise the first failure."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count
    failures: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = action(index)
        except BaseException as error:  # noqa: BLE001 - reported to the test below
            failures.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    if failures:
        raise failures[0]
    return results


def report(name: str, **figures: Any) -> None:
    print(f"[race] {name}: " + ", ".join(f"{key}={value}" for key, value in figures.items()))


@dataclass
class Org:
    stack: LocalStack
    domain: str
    id: str
    admin: str = ""
    users: dict[str, dict] = field(default_factory=dict)

    def call(self, method: str, path: str, *, as_: str | None = None, **kwargs) -> Reply:
        return self.stack.call(method, path, as_=as_ or self.admin, org=self.domain, **kwargs)

    def ok(self, method: str, path: str, **kwargs) -> Any:
        reply = self.call(method, path, **kwargs)
        assert reply.status == 200, (method, path, reply.status, reply.body)
        return reply.body

    def user(self, email: str, role: str = "User") -> dict:
        self.users[email] = self.ok("POST", "/users", body={"email": email, "name": email.split("@")[0], "role": role})
        return self.users[email]

    def project(self, name: str, *members: str) -> dict:
        project = self.ok("POST", "/projects", body={"name": name})
        for email in members:
            self.ok("POST", f"/projects/{project['id']}/members", body={"userId": self.users[email]["id"], "role": "User"})
        return project


def _unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def signup(stack: LocalStack, prefix: str = "race") -> Org:
    domain, admin = _unique(prefix), f"admin@{_unique('x')}.test"
    reply = stack.call("POST", "/organizations", as_=admin, body={"name": domain.title(), "domain": domain})
    assert reply.status == 200, reply.body
    return Org(stack, domain, reply.body["id"], admin)


def _statuses(replies: list[Reply]) -> dict[str, int]:
    return dict(sorted(Counter(f"{r.status}" + (f" {r.code}" if r.code else "") for r in replies).items()))


def _no_server_errors(replies: list[Reply]) -> None:
    assert all(r.status < 500 for r in replies), [(r.status, r.body) for r in replies if r.status >= 500]


def test_the_embedded_dynamodb_cancels_overlapping_transactions(stack):
    """The premise of every race below: two transactions on one item at once conflict, as on AWS."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError

    client = boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{stack.db}", region_name="us-east-1", aws_access_key_id="local",
                          aws_secret_access_key="local", config=Config(retries={"max_attempts": 1}))
    key = {"PK": {"S": f"RACE#{uuid.uuid4()}"}, "SK": {"S": "HOT"}}
    before, reasons = stack.conflicts(), []

    def hammer(index: int) -> None:
        for n in range(40):
            try:
                client.transact_write_items(TransactItems=[{"Update": {"TableName": TABLE, "Key": key, "UpdateExpression": "ADD hits :one",
                                                                       "ExpressionAttributeValues": {":one": {"N": "1"}}}}])
            except ClientError as error:
                assert error.response["Error"]["Code"] == "TransactionCanceledException", error.response
                reasons.append([r["Code"] for r in error.response["CancellationReasons"]])
            if reasons:
                return

    race(4, hammer)
    assert reasons and all(found == ["TransactionConflict"] for found in reasons), reasons
    assert (stack.conflicts() - before)["TransactionConflict"] == len(reasons)


# --- 1. twenty timer starts for one member -------------------------------------------------------
def test_twenty_parallel_timer_starts_leave_one_running_and_a_consistent_chain(stack):
    """docs/time-rules.md: a new timer stops the running one at its own startedAt; two racing
    starts: one wins, the other gets 409 TIMER_RUNNING; a start not after the running one's is 422.
    Whatever the interleaving, the stored entries form one chain: in start order, each stopped at
    the next one's start, the last one running and pointed at by the member's timer marker."""
    org = signup(stack)
    sam = org.user("sam@race.test")
    project = org.project("Timers", "sam@race.test")
    base = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) - timedelta(days=2)
    conflicts_before, outcomes, winners = stack.conflicts(), Counter(), 0
    for round_number in range(3):
        def start(index: int) -> Reply:
            started = base + timedelta(hours=round_number, minutes=index)
            return org.call("POST", "/activities", as_="sam@race.test", body={
                "name": f"Timer {round_number}.{index}", "projectId": project["id"], "pending": True, "startedAt": started.isoformat()})

        replies = race(20, start)
        _no_server_errors(replies)
        outcomes.update(_statuses(replies))
        for reply in replies:
            assert reply.status in (200, 409, 422), (reply.status, reply.body)
            if reply.status == 409:
                assert reply.code in ("TIMER_RUNNING", "TRANSACTION_CONFLICT"), reply.body
            if reply.status == 422:
                assert [d["field"] for d in reply.body["error"]["details"]] == ["startedAt"], reply.body
        round_winners = [r.body for r in replies if r.status == 200]
        assert round_winners, "every start of a round lost"
        winners += len(round_winners)

        running = org.ok("GET", "/activities?pending=true", as_="sam@race.test")
        assert len(running) == 1, running
        stored = sorted(org.ok("GET", "/activities?limit=500", as_="sam@race.test").values(), key=lambda a: a["startedAt"])
        assert len(stored) == winners  # every 200 is stored, every loser stored nothing
        assert {a["id"] for a in stored} >= {w["id"] for w in round_winners}
        for earlier, later in zip(stored, stored[1:]):
            assert earlier["endedAt"] == later["startedAt"] and not earlier.get("pending"), (earlier, later)
        assert stored[-1]["id"] == next(iter(running)) and stored[-1]["pending"] is True and stored[-1]["endedAt"] is None
        marker = stack.item(keys.running_timer(org.id, sam["id"]))
        assert marker is not None and marker["activityId"] == stored[-1]["id"]
    conflicts = stack.conflicts() - conflicts_before
    report("timer starts (20 per round)", rounds=3, winners=winners, outcomes=dict(outcomes), conflicts=dict(conflicts))


# --- 2. If-Match edits with one ETag -------------------------------------------------------------
def _if_match_race(org: Org, path: str, edit: Callable[[int], dict], field_name: str, *, writers: int = 8) -> tuple[Counter, int]:
    outcomes, winners = Counter(), 0
    for round_number in range(ROUNDS):
        current = org.call("GET", path)
        assert current.status == 200 and current.headers.get("ETag"), current.body
        etag = current.headers["ETag"]

        def put(index: int) -> Reply:
            return org.call("PUT", path, body=edit(round_number * 100 + index), headers={"If-Match": etag})

        replies = race(writers, put)
        _no_server_errors(replies)
        outcomes.update(_statuses(replies))
        won = [r for r in replies if r.status == 200]
        assert len(won) == 1, _statuses(replies)
        assert all(r.status == 412 for r in replies if r.status != 200), _statuses(replies)
        winners += 1
        stored = org.call("GET", path)
        assert stored.body[field_name] == won[0].body[field_name]
        assert stored.headers["ETag"] == won[0].headers["ETag"] != etag
        assert stored.body == won[0].body
    return outcomes, winners


def test_parallel_if_match_edits_one_wins_the_rest_412(stack):
    org = signup(stack)
    org.user("sam@race.test")
    project = org.project("Edited", "sam@race.test")
    activity = org.ok("POST", "/activities", as_="sam@race.test", body={
        "name": "Edited", "projectId": project["id"], "startedAt": "2026-10-05T09:00:00Z", "endedAt": "2026-10-05T10:00:00Z"})
    geofence = org.ok("POST", "/geofences", body={"name": "Office", "latitude": 52.23, "longitude": 21.01, "radius": 150.0,
                                                 "enterAction": "NONE", "exitAction": "NONE"})
    for what, path, edit, field_name in (
        ("activity", f"/activities/{activity['id']}", lambda n: {"name": f"Edit {n}"}, "name"),
        ("project", f"/projects/{project['id']}", lambda n: {"notes": f"Edit {n}"}, "notes"),
        ("geofence", f"/geofences/{geofence['id']}", lambda n: {"name": f"Edit {n}"}, "name"),
        ("organization", "/organization", lambda n: {"notes": f"Edit {n}"}, "notes"),
    ):
        before = stack.conflicts()
        outcomes, winners = _if_match_race(org, path, edit, field_name)
        report(f"If-Match edits of one {what} (8 per round)", rounds=ROUNDS, winners=winners, outcomes=dict(outcomes),
               conflicts=dict(stack.conflicts() - before))


# --- 3. a lock landing during activity writes ----------------------------------------------------
@dataclass
class Write:
    thread: int
    kind: str  # create | update | delete
    activity_id: str | None
    name: str | None
    reply: Reply


def _week_days(year: int, week: int) -> list[date]:
    monday = date.fromisocalendar(year, week, 1)
    return [monday + timedelta(days=n) for n in range(7)]


def _writer(org: Org, email: str, project_id: str, day: date, thread: int, own: list[str], operations: int,
            progress: Callable[[], None] = lambda: None) -> list[Write]:
    """One member's client: a sequence of creates, renames and deletes of its own entries in `day`."""
    done: list[Write] = []
    for step in range(operations):
        if step:
            progress()
        kind = ("create", "update", "delete")[step % 3] if own else "create"
        if kind == "create":
            start = datetime.combine(day, datetime.min.time(), timezone.utc) + timedelta(hours=thread % 12, minutes=step % 60)
            body = {"name": f"T{thread} S{step}", "projectId": project_id, "startedAt": start.isoformat(), "endedAt": (start + timedelta(minutes=1)).isoformat()}
            reply = org.call("POST", "/activities", as_=email, body=body)
            done.append(Write(thread, kind, reply.body.get("id") if reply.status == 200 else None, body["name"], reply))
            if reply.status == 200:
                own.append(reply.body["id"])
        elif kind == "update":
            target, name = own[-1], f"T{thread} S{step} renamed"
            done.append(Write(thread, kind, target, name, org.call("PUT", f"/activities/{target}", as_=email, body={"name": name})))
        else:
            target = own[0]
            reply = org.call("DELETE", f"/activities/{target}", as_=email)
            done.append(Write(thread, kind, target, None, reply))
            if reply.status == 200:
                own.remove(target)
    return done


def _lock_race(stack: LocalStack, lock: Callable[[Org, dict, int, int], Reply], week: int, writers: int = 5, operations: int = 6) -> dict:
    """`writers` clients of one User write into ISO week `week` of 2026 while an Administrator
    locks it; returns the figures. What proves that no write slipped in:
    1. the database's own order: every committed transaction that wrote one of the member's
       activities comes BEFORE the lock's first write to the member's lock item (the one every
       activity write of the member ConditionChecks) in the embedded DynamoDB's commit log;
    2. real time: a write sent after the lock's answer, or after any PERIOD_LOCKED answer was
       received, is 409 PERIOD_LOCKED (the lock, once seen, is never unseen); per client, no 2xx
       follows a PERIOD_LOCKED;
    3. nothing else: the week's stored entries are exactly what the 2xx answers say (refused
       writes changed nothing), and one more write per client afterwards is 409 PERIOD_LOCKED."""
    org = signup(stack)
    sam = org.user("sam@race.test")
    project = org.project("Locked", "sam@race.test")
    days = _week_days(2026, week)
    owned: list[list[str]] = [[] for _ in range(writers)]
    for thread in range(writers):  # something to rename and delete from the first moment
        _writer(org, "sam@race.test", project["id"], days[1 + thread % 4], thread + 100, owned[thread], 2)
    preexisting = {activity_id for own in owned for activity_id in own}
    names = {a["id"]: a["name"] for a in org.ok("GET", f"/activities?userId={sam['id']}&limit=500").values()}
    start_sequence, conflicts_before = stack.last_commit(), stack.conflicts()
    answered, halfway = Counter(), threading.Event()

    def progress() -> None:
        answered["writes"] += 1  # (Counter += under the GIL; only a trigger, nothing is asserted on it)
        if answered["writes"] >= writers * operations // 3:
            halfway.set()

    def act(index: int):
        if index == writers:  # the lock lands while the writers are in full swing
            halfway.wait(timeout=120)
            return lock(org, sam, 2026, week)
        return _writer(org, "sam@race.test", project["id"], days[1 + index % 4], index, owned[index], operations, progress)

    results = race(writers + 1, act)
    lock_reply: Reply = results[writers]
    writes: list[Write] = [w for batch in results[:writers] for w in batch]
    assert lock_reply.status in (200, 204), lock_reply.body
    replies = [w.reply for w in writes]
    _no_server_errors(replies)
    for write in writes:
        assert write.reply.status == 200 or (write.reply.status == 409 and write.reply.code == "PERIOD_LOCKED"), (write.kind, write.reply.body)

    # 1. the database's order
    member_locks = keys.member_locks(org.id, sam["id"])
    activity_prefix = [keys.org_pk(org.id), keys.ACTIVITY_SK_PREFIX]
    lock_at, activity_commits = None, []
    for commit in stack.commits(start_sequence):
        touched = [list(k) for k in commit["keys"]]
        writes_activity = any(k[0] == activity_prefix[0] and k[1].startswith(activity_prefix[1]) for k in touched)
        if writes_activity:
            activity_commits.append(commit["sequence"])
        elif [member_locks[keys.PK], member_locks[keys.SK]] in touched and lock_at is None:
            lock_at = commit["sequence"]
    assert lock_at is not None, "the lock never wrote the member's lock item"
    assert all(sequence < lock_at for sequence in activity_commits), (lock_at, activity_commits)
    landed = [w for w in writes if w.reply.status == 200]
    assert len(activity_commits) == len(landed), (len(activity_commits), len(landed))  # each 2xx is one commit, no refused write committed

    # 2. real time
    first_refusal = min((w.reply.received for w in writes if w.reply.status == 409), default=float("inf"))
    known_locked = min(lock_reply.received, first_refusal)
    for write in writes:
        if write.reply.sent > known_locked:
            assert write.reply.status == 409, (write.kind, write.reply.body)
    for thread in range(writers):
        statuses = [w.reply.status for w in writes if w.thread == thread]
        assert statuses == sorted(statuses), statuses  # 200s, then only 409s

    # 3. what is stored is what the answers say
    expected = dict(names)
    for write in sorted(landed, key=lambda w: w.reply.received):
        if write.kind == "delete":
            expected.pop(write.activity_id)
        else:
            expected[write.activity_id] = write.name
    stored = org.ok("GET", f"/activities?userId={sam['id']}&limit=500")
    assert {a["id"]: a["name"] for a in stored.values()} == expected
    after = [_writer(org, "sam@race.test", project["id"], days[2], thread, owned[thread], 1)[0] for thread in range(writers)]
    assert all(w.reply.status == 409 and w.reply.code == "PERIOD_LOCKED" for w in after), [w.reply.body for w in after]
    return {"writes": len(writes), "landed": len(landed), "refused": len(writes) - len(landed), "preexisting": len(preexisting),
            "conflicts": dict(stack.conflicts() - conflicts_before)}


def _week_lock(org: Org, member: dict, year: int, week: int) -> Reply:
    return org.call("POST", "/timesheets/lock", body={"userId": member["id"], "year": year, "week": week})


def _organization_week_lock(org: Org, member: dict, year: int, week: int) -> Reply:
    return org.call("POST", f"/timesheets/lock?weekOf={date.fromisocalendar(year, week, 3).isoformat()}")


@pytest.mark.parametrize("style, lock", [("member week (Sandtime)", _week_lock), ("organization week (4me)", _organization_week_lock)])
def test_no_activity_write_slips_past_a_lock(stack, style, lock):
    totals: Counter = Counter()
    conflicts: Counter = Counter()
    for round_number in range(ROUNDS):
        figures = _lock_race(stack, lock, week=40 + round_number)
        conflicts.update(figures.pop("conflicts"))
        totals.update(figures)
    report(f"lock ({style}) during 5 writers x 6 writes", rounds=ROUNDS, **dict(totals), conflicts=dict(conflicts))


# --- 4. renames to one domain ---------------------------------------------------------------------
def test_renames_of_several_organizations_to_one_domain_one_wins(stack):
    outcomes, conflicts_before = Counter(), stack.conflicts()
    for _ in range(ROUNDS):
        orgs = [signup(stack) for _ in range(4)]
        wanted = _unique("taken")
        replies = race(len(orgs), lambda i: orgs[i].call("POST", "/organization/rename", body={"domain": wanted}))
        _no_server_errors(replies)
        outcomes.update(_statuses(replies))
        won = [i for i, r in enumerate(replies) if r.status == 200]
        assert len(won) == 1, _statuses(replies)
        assert all(r.status == 409 and r.code in ("DOMAIN_TAKEN", "TRANSACTION_CONFLICT") for r in replies if r.status != 200), _statuses(replies)
        winner = orgs[won[0]]
        assert stack.item(keys.domain(wanted))["orgId"] == winner.id
        assert stack.item(keys.domain(winner.domain)) is None  # the winner's old domain is free
        assert stack.call("GET", "/organization", as_=winner.admin, org=wanted).body["id"] == winner.id
        for loser in (o for i, o in enumerate(orgs) if i != won[0]):
            assert stack.item(keys.domain(loser.domain))["orgId"] == loser.id
            assert loser.ok("GET", "/organization")["id"] == loser.id
    report("renames of 4 organizations to one domain", rounds=ROUNDS, winners=ROUNDS, outcomes=dict(outcomes),
           conflicts=dict(stack.conflicts() - conflicts_before))


# --- 5. other uniqueness rules --------------------------------------------------------------------
def test_parallel_sign_ups_of_one_domain_one_wins(stack):
    outcomes = Counter()
    for _ in range(ROUNDS):
        domain = _unique("signup")
        accounts = [f"founder{i}@{_unique('x')}.test" for i in range(5)]
        replies = race(len(accounts), lambda i: stack.call("POST", "/organizations", as_=accounts[i], body={"name": "Same", "domain": domain}))
        _no_server_errors(replies)
        outcomes.update(_statuses(replies))
        won = [i for i, r in enumerate(replies) if r.status == 200]
        assert len(won) == 1 and all(r.status == 409 for r in replies if r.status != 200), _statuses(replies)
        assert stack.item(keys.domain(domain))["orgId"] == replies[won[0]].body["id"]
        for i, account in enumerate(accounts):  # only the winner is a member of anything
            listed = stack.call("GET", "/organizations", as_=account).body
            assert len(listed) == (1 if i == won[0] else 0), listed
    report("sign-ups of one domain (5 per round)", rounds=ROUNDS, winners=ROUNDS, outcomes=dict(outcomes))


def test_parallel_invites_of_one_email_make_one_member(stack):
    org = signup(stack)
    outcomes = Counter()
    for round_number in range(ROUNDS):
        email = f"twin{round_number}@race.test"
        replies = race(6, lambda i: org.call("POST", "/users", body={"email": email, "name": f"Twin {i}", "role": "User"}))
        _no_server_errors(replies)
        outcomes.update(_statuses(replies))
        assert all(r.status == 200 for r in replies), _statuses(replies)
        assert len({r.body["id"] for r in replies}) == 1
        members = [u for u in org.ok("GET", "/users?limit=500").values() if u["email"] == email]
        assert len(members) == 1, members
    report("invites of one email (6 per round)", rounds=ROUNDS, outcomes=dict(outcomes))


def test_parallel_adds_of_one_project_member_make_one_membership(stack):
    org = signup(stack)
    outcomes = Counter()
    for round_number in range(ROUNDS):
        user = org.user(f"joiner{round_number}@race.test")
        project = org.ok("POST", "/projects", body={"name": f"Team {round_number}"})
        replies = race(6, lambda i: org.call("POST", f"/projects/{project['id']}/members", body={"userId": user["id"], "role": "User"}))
        _no_server_errors(replies)
        outcomes.update(_statuses(replies))
        won = [r for r in replies if r.status == 200]
        assert len(won) == 1 and all(r.status == 409 for r in replies if r.status != 200), _statuses(replies)
        members = [m for m in org.ok("GET", f"/projects/{project['id']}/members").values() if m["userId"] == user["id"]]
        assert len(members) == 1, members
    report("adds of one project member (6 per round)", rounds=ROUNDS, outcomes=dict(outcomes))


def test_parallel_invites_never_take_more_seats_than_paid(stack):
    """docs/billing.md: two racing invites cannot both take the last seat (a conditional seat
    counter in the invite transaction, which every invite shares: a hot item that conflicts)."""
    outcomes, conflicts_before = Counter(), stack.conflicts()
    for round_number in range(ROUNDS):
        org = signup(stack)
        link = org.ok("POST", "/checkout", body={"product": 123456, "quantity": 3})["url"]
        paid = stack.call("POST", link[link.index("/api") + 4:], as_=org.admin)
        assert paid.status == 200, paid.body
        replies = race(6, lambda i: org.call("POST", "/users", body={"email": f"seat{i}@race.test", "name": f"Seat {i}", "role": "User"}))
        _no_server_errors(replies)
        outcomes.update(_statuses(replies))
        assert sum(r.status == 200 for r in replies) == 2, _statuses(replies)  # 3 seats, the Administrator holds one
        assert all(r.status == 409 and r.code in ("SEAT_LIMIT_REACHED", "TRANSACTION_CONFLICT") for r in replies if r.status != 200)
        invited = {r.body["id"] for r in replies if r.status == 200}
        members = org.ok("GET", "/users?limit=500")
        assert set(members) == invited | {m["id"] for m in members.values() if m["role"] == "Administrator"} and len(members) == 3
        assert stack.item(keys.seats(org.id))["used"] == 3
    report("invites racing for 2 free seats (6 per round)", rounds=ROUNDS, winners=2 * ROUNDS, outcomes=dict(outcomes),
           conflicts=dict(stack.conflicts() - conflicts_before))


def test_parallel_geofence_enter_events_start_one_timer(stack):
    """docs/time-rules.md: entering again while the geofence's timer runs returns it. A phone can
    report one entry several times at once; with a real clock each report starts "now", a few
    milliseconds apart, so a late one must not stop the winner's timer and start its own."""
    org = signup(stack)
    org.user("sam@race.test")
    project = org.project("Site", "sam@race.test")
    org.ok("POST", "/geofences", body={"name": "Site", "latitude": 52.23, "longitude": 21.01, "radius": 200.0,
                                       "enterAction": "START_TRACKING_PROJECT", "exitAction": "STOP_TRACKING", "projectId": project["id"]})
    outcomes = Counter()
    for round_number in range(ROUNDS):
        replies = race(8, lambda i: org.call("POST", "/geofencing/enter", as_="sam@race.test", body={"latitude": 52.23, "longitude": 21.01 + i * 1e-5}))
        _no_server_errors(replies)
        outcomes.update(_statuses(replies))
        assert all(r.status == 200 for r in replies), [(r.status, r.body) for r in replies if r.status != 200]
        running = org.ok("GET", "/activities?pending=true", as_="sam@race.test")
        assert len(running) == 1 and {r.body["id"] for r in replies} == set(running), ([r.body for r in replies], running)
        stored = org.ok("GET", "/activities?limit=500", as_="sam@race.test")
        assert len(stored) == round_number + 1, stored  # one entry per round: no short-lived duplicates
        assert org.ok("POST", "/geofencing/exit", as_="sam@race.test", body={"latitude": 52.23, "longitude": 21.01})
    report("geofence enter events for one member (8 per round)", rounds=ROUNDS, outcomes=dict(outcomes))


def test_parallel_retries_with_one_idempotency_key_create_one_activity(stack):
    """docs/api.md, Idempotency: a retry returns the first result and creates nothing."""
    org = signup(stack)
    org.user("sam@race.test")
    project = org.project("Retried", "sam@race.test")
    outcomes = Counter()
    for round_number in range(ROUNDS):
        body = {"name": f"Retried {round_number}", "projectId": project["id"], "startedAt": f"2026-10-0{round_number + 1}T09:00:00Z",
                "endedAt": f"2026-10-0{round_number + 1}T10:00:00Z"}
        key = {"Idempotency-Key": _unique("retry-")}
        replies = race(6, lambda i: org.call("POST", "/activities", as_="sam@race.test", body=body, headers=key))
        _no_server_errors(replies)
        outcomes.update(_statuses(replies))
        assert all(r.status == 200 or (r.status == 409 and r.code == "IDEMPOTENCY_IN_PROGRESS") for r in replies), _statuses(replies)
        assert len({r.body["id"] for r in replies if r.status == 200}) == 1
        assert len(org.ok("GET", "/activities?limit=500", as_="sam@race.test")) == round_number + 1
    report("retries with one Idempotency-Key (6 per round)", rounds=ROUNDS, outcomes=dict(outcomes))


def test_starts_stops_and_deletes_of_timers_at_once_keep_the_marker_true(stack):
    """Starts, stops (PUT pending: false) and deletes of the running timer, all at once: afterwards
    at most one timer runs, and the member's marker exists exactly when one runs, pointing at it."""
    org = signup(stack)
    sam = org.user("sam@race.test")
    project = org.project("Mixed", "sam@race.test")
    base = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) - timedelta(hours=3)  # stoppable now (< 24 h)
    outcomes = Counter()
    for round_number in range(ROUNDS):
        first = org.ok("POST", "/activities", as_="sam@race.test", body={
            "name": "Running", "projectId": project["id"], "pending": True, "startedAt": (base + timedelta(hours=round_number)).isoformat()})

        def act(index: int) -> Reply:
            if index < 4:
                started = base + timedelta(hours=round_number, minutes=10 + index)
                return org.call("POST", "/activities", as_="sam@race.test", body={
                    "name": f"Start {index}", "projectId": project["id"], "pending": True, "startedAt": started.isoformat()})
            if index < 7:
                return org.call("PUT", f"/activities/{first['id']}", as_="sam@race.test", body={"pending": False})
            return org.call("DELETE", f"/activities/{first['id']}", as_="sam@race.test")

        replies = race(9, act)
        _no_server_errors(replies)
        outcomes.update(_statuses(replies))
        assert all(r.status in (200, 404, 409, 412, 422) for r in replies), _statuses(replies)
        running = org.ok("GET", "/activities?pending=true", as_="sam@race.test")
        assert len(running) <= 1, running
        marker = stack.item(keys.running_timer(org.id, sam["id"]))
        if running:
            assert marker is not None and marker["activityId"] == next(iter(running))
        else:
            assert marker is None or stack.item(keys.activity(org.id, marker["activityId"])) is None or \
                not stack.item(keys.activity(org.id, marker["activityId"])).get("pending"), marker
        # clean slate for the next round
        for activity_id in running:
            org.ok("PUT", f"/activities/{activity_id}", as_="sam@race.test", body={"pending": False})
    report("starts, stops and deletes of a running timer (4+3+2 per round)", rounds=ROUNDS, outcomes=dict(outcomes))


def _overlapping_posts(org: Org, project: dict, day: int, writers: int) -> list[Reply]:
    """`writers` POST /activities of one member at once, each overlapping every other one."""
    return race(writers, lambda i: org.call("POST", "/activities", as_="sam@race.test", body={
        "name": f"Overlap {i}", "projectId": project["id"],
        "startedAt": f"2026-11-{day:02d}T09:{i:02d}:00Z", "endedAt": f"2026-11-{day:02d}T10:{i:02d}:00Z"}))


def test_parallel_overlapping_entries_under_reject_store_one(stack):
    """docs/time-rules.md, Overlapping entries: under reject, concurrent writes of one member's overlapping
    entries cannot all pass the check: one is stored, the others answer 409 ACTIVITY_OVERLAP."""
    org = signup(stack)
    org.user("sam@race.test")
    project = org.project("Overlaps", "sam@race.test")
    org.ok("PUT", "/organization", body={"overlapPolicy": "reject"})
    outcomes = Counter()
    for round_number in range(ROUNDS):
        replies = _overlapping_posts(org, project, round_number + 1, 6)
        _no_server_errors(replies)
        outcomes.update(_statuses(replies))
        winners = [r for r in replies if r.status == 200]
        assert len(winners) == 1, _statuses(replies)
        assert all(r.status == 409 and r.code == "ACTIVITY_OVERLAP" for r in replies if r.status != 200), _statuses(replies)
        assert all(winners[0].body["id"] in r.body["error"]["message"] for r in replies if r.status != 200)
        stored = org.ok("GET", "/activities?limit=500", as_="sam@race.test")
        assert len(stored) == round_number + 1, stored
    report("overlapping entries of one member under reject (6 per round)", rounds=ROUNDS, outcomes=dict(outcomes),
           conflicts=dict(stack.conflicts()))


def test_parallel_overlapping_entries_under_warn_each_pair_is_reported(stack):
    """Under warn every write is stored, and of two overlapping entries written at once the later
    committed one names the other in X-Overlapping-Activities."""
    org = signup(stack)
    org.user("sam@race.test")
    project = org.project("Overlaps", "sam@race.test")
    org.ok("PUT", "/organization", body={"overlapPolicy": "warn"})
    replies = _overlapping_posts(org, project, 20, 4)
    _no_server_errors(replies)
    assert all(r.status == 200 for r in replies), _statuses(replies)
    named = {r.body["id"]: set(filter(None, (r.headers.get("X-Overlapping-Activities") or r.headers.get("x-overlapping-activities") or "").split(",")))
             for r in replies}
    for a in named:
        for b in named:
            if a < b:
                assert b in named[a] or a in named[b], named
    report("overlapping entries of one member under warn (4)", outcomes=_statuses(replies))
