"""What every MCP tool shares: the call's context (who, which organization, which time zone), the
services every tool module reaches (organizations, projects, members, integer ids), name
resolution, the entry shape, and the two tools that need nothing more (whoami, find).

The tools: workflows over the domain services the REST handlers call (the same role and lock
rules, never a second copy). A tool resolves names to ids, calls one or a few services and shapes a
compact, typed answer; a business refusal (a DomainError) becomes a tool result with `isError` and
the service's own message. Each tool module imports only the services its tools call, and
`sandglass.mcp.catalog` imports a module on its tool's first call."""

from __future__ import annotations

import difflib
from datetime import date, datetime, timedelta, timezone
from functools import cache
from typing import Any, Callable
from zoneinfo import ZoneInfo

from msgspec import Struct
from pydantic import BaseModel

from sandglass import ids, timefmt
from sandglass.clock import get_clock
from sandglass.context import Caller, TenantContext
from sandglass.entities.activities import NO_PROJECT, REGULAR
from sandglass.entities.organizations import OrganizationSettings
from sandglass.errors import NotFound, ValidationFailed
from sandglass.mcp import models as m
from sandglass.models.organization import Organization as OrganizationModel, settings_entity
from sandglass.models.users import user_view
from sandglass.services import time_phrases as phrases
from sandglass.services.int_ids import IntIdService, as_number
from sandglass.services.organizations import OrganizationService
from sandglass.services.projects import ProjectService
from sandglass.services.users import UserService


# --- the services, one per container (built on first use, as in the REST handlers) --------------------

@cache
def organizations():
    return OrganizationService()


@cache
def projects():
    return ProjectService()


@cache
def users():
    return UserService()


@cache
def int_ids() -> IntIdService:
    return IntIdService()


def now() -> datetime:
    return get_clock().now().astimezone(timezone.utc)


# --- the call's context -------------------------------------------------------------------------------

class Call(Struct):
    """One tool call: who, in which organization, in which time zone."""

    tenant: TenantContext
    organization: dict[str, Any]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.organization.get("timeZone") or "UTC")

    @property
    def settings(self) -> OrganizationSettings:
        """The organization's settings as the entity (what the domain services take)."""
        return settings_entity(OrganizationModel.model_validate(self.organization))

    def local(self, instant: str | None) -> str | None:
        if not instant:
            return None
        return timefmt.parse(instant).astimezone(self.zone).strftime("%Y-%m-%d %H:%M")


def open_call(tenant: TenantContext) -> Call:
    """The call's context: the tenant and its organization's settings."""
    return Call(tenant=tenant, organization=organizations().get(tenant).model_dump(mode="json", exclude={"version"}))


def phrase(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except phrases.PhraseError as error:
        raise ValidationFailed(str(error)) from None


def all_pages(page_call: Callable[[str | None], tuple[dict[str, Any], str | None]], cap: int = 2000) -> list[Any]:
    found, cursor = [], None
    while True:
        page, cursor = page_call(cursor)
        found += list(page.values())
        if not cursor or len(found) >= cap:
            return found


def dump(value: Any) -> dict[str, Any]:
    return value.model_dump(mode="json", exclude={"version"}) if isinstance(value, BaseModel) else dict(value)


def score(query: str, *names: str) -> float:
    query = query.lower().strip()
    best = 0.0
    for name in names:
        name = (name or "").lower()
        if not name:
            continue
        if name == query:
            return 1.0
        ratio = difflib.SequenceMatcher(None, query, name).ratio()
        if query in name:
            ratio = max(ratio, 0.75 + 0.2 * len(query) / len(name))
        elif any(word.startswith(query) for word in name.replace("@", " ").replace(".", " ").split()):
            ratio = max(ratio, 0.7)
        best = max(best, ratio)
    return round(best, 3)


MATCH_FLOOR = 0.5


def project_list(call: Call, include_archived: bool = False) -> list[dict[str, Any]]:
    archived = "include" if include_archived else "false"
    return [dump(p) for p in all_pages(lambda cursor: projects().list(call.tenant, archived, 100, cursor))]


def member_list(call: Call) -> list[dict[str, Any]]:
    return [dump(u) for u in all_pages(lambda cursor: _user_page(call, cursor))]


def _user_page(call: Call, cursor: str | None) -> tuple[dict[str, Any], str | None]:
    found, cursor = users().list(call.tenant, 100, cursor)
    return {member.id: user_view(member) for member in found}, cursor


def pick(what: str, query: str, candidates: list[dict[str, Any]], names: Callable[[dict[str, Any]], tuple[str, ...]]) -> dict[str, Any]:
    """The one candidate a name means: an id, an exact name, or a clearly best fuzzy match."""
    canonical = ids.canonical_id(query)
    if canonical:
        for candidate in candidates:
            if candidate["id"] == canonical:
                return candidate
        raise NotFound(f"{what.capitalize()} not found")
    scored = sorted(((score(query, *names(c)), c) for c in candidates), key=lambda pair: -pair[0])
    scored = [(score, c) for score, c in scored if score >= MATCH_FLOOR]
    if not scored:
        raise NotFound(f"No {what} matches '{query}'; call find to see what exists")
    if scored[0][0] < 1.0 and len(scored) > 1 and scored[1][0] >= scored[0][0] - 0.05:
        options = ", ".join(f"'{names(c)[0]}'" for _, c in scored[:5])
        raise ValidationFailed(f"'{query}' matches several {what}s: {options}; say which")
    return scored[0][1]


def by_id(call: Call, kind: str, value: str | int) -> str:
    """An integer or 24-hex id the organization has, as its uuid; anything else unchanged (a
    uuid, a name, or digits that number nothing: then a name like "2026")."""
    if isinstance(value, str) and ids.canonical_id(value):
        return value
    return int_ids().resolve(call.tenant.org_id, kind, value) or str(value)


def resolve_entry_id(call: Call, value: str | int) -> str:
    """An entry's uuid from its uuid, 24-hex or integer id (404 for one the organization does not
    have); any other text unchanged, for the service to refuse."""
    if isinstance(value, str) and not ids.is_short_id(value) and as_number(value) is None:
        return value
    return int_ids().require(call.tenant.org_id, "activity", value)


def resolve_project(call: Call, query: str) -> dict[str, Any]:
    return pick("project", by_id(call, "project", query), project_list(call), lambda p: (p["name"],))


def resolve_member(call: Call, query: str) -> dict[str, Any]:
    return pick("member", by_id(call, "person", query), member_list(call), lambda u: (u.get("name") or u["email"], u["email"]))


def entry(call: Call, activity: dict[str, Any], project_name: str | None = None) -> m.Entry:
    started = timefmt.parse(activity["startedAt"])
    ended = timefmt.parse(activity["endedAt"]) if activity.get("endedAt") else None
    minutes = round(((ended or now()) - started).total_seconds() / 60)
    return m.Entry(id=activity.get("id"), description=activity.get("name", ""), projectId=activity.get("projectId"),
                   projectName=project_name if activity.get("projectId") else NO_PROJECT, type=activity.get("type") or REGULAR,
                   userId=activity["userId"], billable=bool(activity.get("billable")), startedAt=activity["startedAt"],
                   endedAt=activity.get("endedAt"), localStart=call.local(activity["startedAt"]), localEnd=call.local(activity.get("endedAt")),
                   minutes=max(minutes, 0), running=bool(activity.get("pending")), notes=activity.get("notes") or "",
                   entryLocked=bool(activity.get("locked")))


def days_between(call: Call, start: datetime, end: datetime) -> list[date]:
    first, last = start.astimezone(call.zone).date(), (end - timedelta(milliseconds=1)).astimezone(call.zone).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]

def iso_week(call: Call, text: str | None) -> tuple[int, int]:
    return phrase(lambda: phrases.parse_week(text, now(), call.zone))

# --- the tools that need no other service ---------------------------------------------------------

def whoami(call: Call | None, args: m.WhoamiInput, person: dict[str, str]) -> m.WhoamiOutput:
    mine = organizations().list_for(Caller(email=person["email"], subject=person.get("subject") or person["email"]))
    current = None
    if call is not None:
        settings = call.organization
        current = m.Current(domain=call.tenant.domain, name=settings.get("name", ""), userId=call.tenant.user_id, role=call.tenant.role,
                            timeZone=settings.get("timeZone") or "UTC", settings=settings)
    note = ("Pass organization='<domain>' to any tool to act in another of your organizations." if current else
            "No organization selected: send the X-Sandtime-Organization header or pass organization='<domain>' (one of organizations).")
    return m.WhoamiOutput(email=person["email"], name=person.get("name") or "", organizations=[m.OrganizationRef(domain=o.domain, name=o.name) for o in mine],
                          current=current, note=note)


def find(call: Call, args: m.FindInput) -> m.FindOutput:
    out = m.FindOutput()
    if "projects" in args.kinds:
        scored = [(score(args.query, p["name"]), p) for p in project_list(call, args.include_archived)]
        out.projects = [m.ProjectMatch(id=p["id"], name=p["name"], billable=p["billable"], archived=p["archived"], score=s)
                        for s, p in sorted(scored, key=lambda pair: -pair[0]) if s >= MATCH_FLOOR][:args.limit]
    if "members" in args.kinds:
        scored = [(score(args.query, u.get("name") or "", u["email"]), u) for u in member_list(call) if args.include_archived or not u.get("archived")]
        out.members = [m.MemberMatch(id=u["id"], name=u.get("name") or u["email"], email=u["email"], role=u["role"], archived=u["archived"], score=s)
                       for s, u in sorted(scored, key=lambda pair: -pair[0]) if s >= MATCH_FLOOR][:args.limit]
    out.unsupported = [f"{kind}: Sandglass has no {kind} yet" for kind in args.kinds if kind in ("tasks", "tags", "clients")]
    return out
